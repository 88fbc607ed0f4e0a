/**
 * The SYSTEM$ functions of tasks (semantics §2.4–2.5): SYSTEM$SET_RETURN_VALUE,
 * SYSTEM$GET_PREDECESSOR_RETURN_VALUE, SYSTEM$GET_TASK_GRAPH_CONFIG, SYSTEM$TASK_RUNTIME_INFO (inside
 * a task run) and SYSTEM$TASK_DEPENDENTS_ENABLE (anywhere).
 */
import { errors, objectNameFromParts, parseNameString, T, type VariableValue } from '../../sql/index.ts';
import type { Session } from '../session/session.ts';
import { enableDependents } from './task-ddl.ts';

type Arg = string | number | boolean | null;

export function taskSystemFunction(session: Session, name: string, args: Arg[]): { value: VariableValue; action?: () => Promise<void> } | undefined {
  const run = session.taskRun;
  const inTask = () => {
    if (!run) throw errors.invalidOperation(`${name} can only be called from a task run.`);
    return run;
  };
  switch (name) {
    case 'SYSTEM$SET_RETURN_VALUE': {
      const r = inTask();
      if (args.length !== 1) throw errors.wrongArgumentCount(`${name}(…)`, args.length, '1');
      r.returnValue = args[0] === null ? undefined : String(args[0]);
      return { value: { type: T.varchar(), value: null } };
    }
    case 'SYSTEM$GET_PREDECESSOR_RETURN_VALUE': {
      const r = inTask();
      if (args.length > 1) throw errors.wrongArgumentCount(`${name}(…)`, args.length, '0 to 1');
      let value: string | undefined;
      if (args.length === 0) {
        if (r.predecessorValues.size !== 1) throw errors.invalidArgument(name, 'name the predecessor: the task has several');
        value = [...r.predecessorValues.values()][0];
      } else {
        const key = String(args[0]);
        if (!r.predecessorValues.has(key)) throw errors.invalidArgument(name, `'${key}' is not a predecessor of this task in this run`);
        value = r.predecessorValues.get(key);
      }
      return { value: { type: T.varchar(), value: value ?? null } };
    }
    case 'SYSTEM$GET_TASK_GRAPH_CONFIG': {
      const r = inTask();
      const config = r.config ?? null;
      if (args.length === 0) return { value: { type: T.variant(), value: config === null ? null : JSON.stringify(config) } };
      const v = config === null ? undefined : config[String(args[0])];
      return { value: { type: T.variant(), value: v === undefined ? null : JSON.stringify(v) } };
    }
    case 'SYSTEM$TASK_RUNTIME_INFO': {
      const r = inTask();
      const what = String(args[0] ?? '').toUpperCase();
      const values: Record<string, string> = {
        CURRENT_ROOT_TASK_NAME: r.rootName,
        CURRENT_ROOT_TASK_UUID: r.rootUuid,
        CURRENT_TASK_GRAPH_RUN_GROUP_ID: r.graphRunGroupId,
        CURRENT_TASK_NAME: r.taskName,
        CURRENT_TASK_GRAPH_ORIGINAL_SCHEDULED_TIMESTAMP: new Date(r.scheduledTime).toISOString(),
      };
      if (!(what in values)) throw errors.invalidArgument(name, `unknown property '${what}'`);
      return { value: { type: T.varchar(), value: values[what] } };
    }
    case 'SYSTEM$TASK_DEPENDENTS_ENABLE': {
      if (args.length !== 1 || typeof args[0] !== 'string') throw errors.invalidArgument(name, 'the task name must be a string');
      const target = objectNameFromParts(parseNameString(args[0]));
      return {
        value: { type: T.varchar(), value: 'Statement executed successfully.' },
        action: () => enableDependents(session, target),
      };
    }
    default:
      return undefined;
  }
}

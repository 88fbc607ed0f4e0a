/**
 * One graph run (semantics §2.4): the root, then each child once all its predecessors succeeded, then
 * the finalizer. Every task run gets its own session (the owner's role, the task's database and
 * schema, its session parameters), evaluates WHEN (false ⇒ SKIPPED and its dependents do not run),
 * runs its body and is recorded in TASK_HISTORY. Suspended children are passed over as if they had
 * succeeded. A task that fails does not disturb anything outside its graph run.
 */
import { randomUUID } from 'node:crypto';
import { isSnowflakeError, SnowflakeError } from '../../sql/index.ts';
import { systemClock } from '../clock.ts';
import type { Engine } from '../engine.ts';
import type { Session } from '../session/session.ts';
import { evaluateExpression } from '../scripting/interpreter.ts';
import type { TaskHistory } from './task-history.ts';
import { allTasks, graphOf, type TaskDef } from './task-model.ts';

export type TaskState = 'SUCCEEDED' | 'FAILED' | 'SKIPPED' | 'CANCELLED' | 'FAILED_AND_AUTO_SUSPENDED';
export type ScheduledFrom = 'SCHEDULE' | 'EXECUTE_TASK' | 'MANUAL RETRY' | 'AUTOMATIC RETRY' | 'TRIGGER';

/** What the functions a task body may call (SYSTEM$SET_RETURN_VALUE …) see of their run. */
export interface TaskRunContext {
  taskName: string;
  rootName: string;
  rootUuid: string;
  graphRunGroupId: string;
  scheduledTime: number;
  config: Record<string, unknown> | undefined;
  returnValue?: string;
  /** Return values of the predecessors in this graph run, by task name. */
  predecessorValues: Map<string, string | undefined>;
}

export interface GraphRunSpec {
  root: TaskDef;
  scheduledTime: number;
  /** Original scheduled time (epoch ms): RUN_ID, kept across retries. */
  runId: number;
  attempt: number;
  graphRunGroupId: string;
  scheduledFrom: ScheduledFrom;
  config: Record<string, unknown> | undefined;
  /** Retries skip the tasks that succeeded in an earlier attempt (with the values they returned). */
  succeededBefore: Map<number, string | undefined>;
  nextScheduledTime: number | undefined;
}

export interface GraphRunOutcome {
  state: 'SUCCEEDED' | 'FAILED' | 'CANCELLED' | 'SKIPPED';
  /** Tasks that succeeded, with their return values (a retry does not run them again). */
  succeeded: Map<number, string | undefined>;
  /** The last failed task run (its state becomes FAILED_AND_AUTO_SUSPENDED when the root is suspended). */
  lastFailedRunKey?: string;
}

export class GraphRunner {
  /** True while the root task itself runs (ALLOW_CHILD_OVERLAP waits for it, not for children). */
  rootRunning = true;

  constructor(
    private readonly engine: Engine,
    private readonly history: TaskHistory,
    private readonly spec: GraphRunSpec,
  ) {}

  async run(): Promise<GraphRunOutcome> {
    const spec = this.spec;
    const tasks = allTasks(this.engine.catalog);
    const root = tasks.find((t) => t.id === spec.root.id) ?? spec.root;
    const { ordered, finalizer } = graphOf(tasks, root);
    const status = new Map<number, TaskState | 'PASSED'>();
    const values = new Map<string, string | undefined>();
    const succeeded = new Map<number, string | undefined>();
    let firstError: { task: TaskDef; error: SnowflakeError } | undefined;
    let lastFailedRunKey: string | undefined;
    const startedAt = this.engine.clock.now().getTime();
    for (const task of ordered) {
      const isRootTask = task.id === root.id;
      if (spec.succeededBefore.has(task.id)) {
        // Succeeded in the attempt this one retries: not run again, its return value still counts.
        status.set(task.id, 'PASSED');
        succeeded.set(task.id, spec.succeededBefore.get(task.id));
        values.set(task.object.name, spec.succeededBefore.get(task.id));
        if (isRootTask) this.rootRunning = false;
        continue;
      }
      if (!isRootTask) {
        const preds = task.after.filter((p) => ordered.some((t) => t.id === p));
        if (!preds.every((p) => status.get(p) === 'SUCCEEDED' || status.get(p) === 'PASSED')) continue;
        // A suspended child is passed over as if it had succeeded.
        if (!task.started) {
          status.set(task.id, 'PASSED');
          continue;
        }
      }
      const r = await this.runTask(task, root, values);
      if (isRootTask) this.rootRunning = false;
      if (r.state === 'FAILED') lastFailedRunKey = r.runKey;
      status.set(task.id, r.state);
      values.set(task.object.name, r.returnValue);
      if (r.state === 'SUCCEEDED') succeeded.set(task.id, r.returnValue);
      if (r.state === 'FAILED' && !firstError) firstError = { task, error: r.error! };
      if (isRootTask && r.state === 'SKIPPED') return { state: 'SKIPPED', succeeded };
    }
    this.rootRunning = false;
    if (finalizer && finalizer.started) {
      const r = await this.runTask(finalizer, root, values);
      if (r.state === 'FAILED') lastFailedRunKey = r.runKey;
      if (r.state === 'FAILED' && !firstError) firstError = { task: finalizer, error: r.error! };
    }
    const state = firstError ? 'FAILED' : 'SUCCEEDED';
    await this.history.recordGraphRun({
      root,
      spec,
      state,
      firstError: firstError ? { name: firstError.task.object.name, code: firstError.error.code, message: firstError.error.message } : undefined,
      startedAt,
      completedAt: this.engine.clock.now().getTime(),
    });
    return { state, succeeded, lastFailedRunKey };
  }

  private async runTask(
    task: TaskDef,
    root: TaskDef,
    values: Map<string, string | undefined>,
  ): Promise<{ state: TaskState; runKey: string; returnValue?: string; error?: SnowflakeError }> {
    const spec = this.spec;
    const engine = this.engine;
    const runKey = randomUUID();
    const start = engine.clock.now().getTime();
    await this.history.startTaskRun(runKey, task, root, spec, start);
    const session = await engine.newSession({ user: 'SYSTEM', role: task.object.owner, database: task.database, schema: task.schema });
    const ctx: TaskRunContext = {
      taskName: task.object.name,
      rootName: root.object.name,
      rootUuid: root.uuid,
      graphRunGroupId: spec.graphRunGroupId,
      scheduledTime: spec.scheduledTime,
      config: spec.config,
      predecessorValues: values,
    };
    session.taskRun = ctx;
    // The root's timeout bounds the whole graph run; a child's own timeout bounds that task.
    const timeoutMs = task.object.properties.USER_TASK_TIMEOUT_MS !== undefined ? task.timeoutMs : root.timeoutMs;
    session.deadline = start + timeoutMs;
    session.timeoutMs = timeoutMs;
    let state: TaskState;
    let error: SnowflakeError | undefined;
    let queryId: string | null = null;
    try {
      for (const [k, v] of Object.entries(task.sessionParameters)) {
        if (k === 'TIMEZONE') await session.setTimezone(v);
        else session.parameters.set(k, v);
      }
      if (task.when !== undefined && !(await this.when(session, task.when))) {
        state = 'SKIPPED';
      } else {
        const result = await withTimeout(session, timeoutMs, () => session.execute(task.body));
        queryId = result.queryId;
        state = 'SUCCEEDED';
      }
    } catch (e) {
      error = isSnowflakeError(e) ? e : new SnowflakeError('000603', 'XX000', `internal error: ${(e as Error).message}`);
      queryId = (e as { queryId?: string }).queryId ?? null;
      state = 'FAILED';
    } finally {
      await engine.closeSession(session);
    }
    await this.history.finishTaskRun(runKey, {
      state,
      queryId,
      error,
      returnValue: ctx.returnValue,
      completedAt: engine.clock.now().getTime(),
    });
    return { state, runKey, returnValue: ctx.returnValue, error };
  }

  /** WHEN runs without a warehouse: a false (or NULL) condition skips the run. */
  private async when(session: Session, condition: string): Promise<boolean> {
    const v = await evaluateExpression(session, condition);
    return v.value === true || v.value === 'true';
  }
}

/**
 * Runs a task body under its timeout. On the system clock a timer interrupts DuckDB; on an injected
 * clock the session's deadline stops SYSTEM$WAIT from sleeping past it. Either way the run fails with
 * Snowflake's timeout error.
 */
async function withTimeout<T>(session: Session, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  if (session.engine.clock !== systemClock) return fn();
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      timedOut = true;
      try {
        session.conn.raw.interrupt();
      } catch {
        /* nothing running */
      }
      reject(timeoutError(timeoutMs));
    }, timeoutMs);
  });
  try {
    return await Promise.race([fn(), timeout]);
  } catch (e) {
    if (timedOut) throw timeoutError(timeoutMs);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

export function timeoutError(timeoutMs: number): SnowflakeError {
  return new SnowflakeError('000630', '57014', `Statement reached its statement or warehouse timeout of ${Math.round(timeoutMs / 1000)} second(s) and was canceled.`);
}


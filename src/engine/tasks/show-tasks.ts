/**
 * SHOW [TERSE] TASKS [… ROOT ONLY] and DESCRIBE TASK with Snowflake's columns (semantics §2.9).
 */
import { T, type ShowStatement } from '../../sql/index.ts';
import { objectsIn, ts, type Located } from '../metadata/show.ts';
import { applyShowFilters } from '../metadata/show-filters.ts';
import { table, type ResultBody } from '../results/result-set.ts';
import type { Value } from '../results/values.ts';
import type { Session } from '../session/session.ts';
import { allTasks, isRoot, taskDef } from './task-model.ts';

const STR = T.varchar();
const TS = T.timestampLtz();

const COLUMNS: [string, typeof STR][] = [
  ['created_on', TS],
  ['name', STR],
  ['id', STR],
  ['database_name', STR],
  ['schema_name', STR],
  ['owner', STR],
  ['comment', STR],
  ['warehouse', STR],
  ['schedule', STR],
  ['scheduling_mode', STR],
  ['target_completion_interval', STR],
  ['predecessors', STR],
  ['state', STR],
  ['definition', STR],
  ['condition', STR],
  ['allow_overlapping_execution', STR],
  ['error_integration', STR],
  ['success_integration', STR],
  ['last_committed_on', TS],
  ['last_suspended_on', TS],
  ['owner_role_type', STR],
  ['config', STR],
  ['last_suspended_reason', STR],
  ['task_relations', STR],
  ['execute_as_user', STR],
];

export function showTasks(session: Session, stmt: ShowStatement): ResultBody {
  const catalog = session.engine.catalog;
  let found = applyShowFilters(objectsIn(session, stmt, ['TASK']), (l) => l.object.name, stmt);
  if (stmt.rootOnly) found = found.filter((l) => isRoot(taskDef(catalog, l.object)));
  if (stmt.terse) {
    return table(
      [['created_on', TS], ['name', STR], ['kind', STR], ['database_name', STR], ['schema_name', STR], ['schedule', STR]],
      found.map((l) => [ts(session, l.object.createdOn), l.object.name, 'TASK', l.database.name, l.schema.name, l.object.properties.SCHEDULE ?? null]),
      'SHOW',
    );
  }
  return table(COLUMNS, found.map((l) => taskRow(session, l)), 'SHOW');
}

export function describeTask(session: Session, located: Located): ResultBody {
  return table(COLUMNS, [taskRow(session, located)], 'DESCRIBE');
}

function taskRow(session: Session, { database, schema, object: o }: Located): Value[] {
  const catalog = session.engine.catalog;
  const tasks = allTasks(catalog);
  const t = taskDef(catalog, o);
  const byId = new Map(tasks.map((x) => [x.id, x]));
  const predecessors = t.after.map((id) => byId.get(id)?.fullName).filter((x): x is string => x !== undefined);
  const finalizer = tasks.find((x) => x.finalizes === t.id);
  const relations: Record<string, unknown> = { Predecessors: predecessors };
  if (finalizer) relations.FinalizerTask = finalizer.fullName;
  if (t.finalizes !== undefined) relations.FinalizedRootTask = byId.get(t.finalizes)?.fullName ?? null;
  const root = isRoot(t);
  const when = (iso: string | undefined) => (iso ? ts(session, new Date(iso)) : null);
  return [
    ts(session, o.createdOn),
    o.name,
    t.uuid,
    database.name,
    schema.name,
    o.owner,
    o.comment ?? '',
    o.properties.WAREHOUSE ?? null,
    o.properties.SCHEDULE ?? null,
    o.properties.WAREHOUSE !== undefined ? 'USER_MANAGED' : 'SERVERLESS',
    o.properties.TARGET_COMPLETION_INTERVAL ?? null,
    JSON.stringify(predecessors),
    t.started ? 'started' : 'suspended',
    t.body,
    t.when ?? null,
    root ? (t.overlap === 'NO_OVERLAP' ? 'false' : 'true') : null,
    o.properties.ERROR_INTEGRATION ?? 'null',
    o.properties.SUCCESS_INTEGRATION ?? 'null',
    when(o.properties.LAST_COMMITTED_ON),
    when(o.properties.LAST_SUSPENDED_ON),
    'ROLE',
    root ? (t.config ?? null) : null,
    o.properties.LAST_SUSPENDED_REASON ?? null,
    JSON.stringify(relations),
    null,
  ];
}

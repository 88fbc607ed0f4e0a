/**
 * SHOW [TERSE] DYNAMIC TABLES with Snowflake's columns (semantics §3.8): the resolved refresh mode
 * and why, the target lag, the scheduling state (RUNNING | SUSPENDED), the data timestamp the
 * contents reflect, and the row count.
 */
import { T, type SfType, type ShowStatement } from '../../sql/index.ts';
import { objectsIn, rowCounts, ts } from '../metadata/show.ts';
import { applyShowFilters } from '../metadata/show-filters.ts';
import { table, type ResultBody } from '../results/result-set.ts';
import type { Value } from '../results/values.ts';
import type { Session } from '../session/session.ts';
import { dynamicDef, isDynamic, lagText } from './dt-model.ts';

const STR = T.varchar();
const NUM = T.number();
const TS = T.timestampLtz();

const COLUMNS: [string, SfType][] = [
  ['created_on', TS],
  ['name', STR],
  ['database_name', STR],
  ['schema_name', STR],
  ['cluster_by', STR],
  ['rows', NUM],
  ['bytes', NUM],
  ['owner', STR],
  ['target_lag', STR],
  ['scheduler', STR],
  ['refresh_mode', STR],
  ['refresh_mode_reason', STR],
  ['warehouse', STR],
  ['comment', STR],
  ['text', STR],
  ['automatic_clustering', STR],
  ['scheduling_state', STR],
  ['last_suspended_on', TS],
  ['is_clone', STR],
  ['is_replica', STR],
  ['is_iceberg', STR],
  ['data_timestamp', TS],
  ['owner_role_type', STR],
  ['immutable_where', STR],
  ['execute_as_user', STR],
];

export async function showDynamicTables(session: Session, stmt: ShowStatement): Promise<ResultBody> {
  const catalog = session.engine.catalog;
  const found = applyShowFilters(
    objectsIn(session, stmt, ['TABLE']).filter((l) => isDynamic(l.object)),
    (l) => l.object.name,
    stmt,
  );
  if (stmt.terse) {
    return table(
      [['created_on', TS], ['name', STR], ['kind', STR], ['database_name', STR], ['schema_name', STR]],
      found.map((l) => [ts(session, l.object.createdOn), l.object.name, 'DYNAMIC TABLE', l.database.name, l.schema.name]),
      'SHOW',
    );
  }
  const counts = await rowCounts(session, found.map((l) => l.object));
  const rows = found.map(({ database, schema, object: o }): Value[] => {
    const dt = dynamicDef(catalog, o);
    const p = o.properties;
    const disabled = p.SCHEDULER === 'DISABLE';
    const dataMs = session.engine.dynamicTables.dataTimestamp(o.id);
    return [
      ts(session, o.createdOn),
      o.name,
      database.name,
      schema.name,
      p.CLUSTER_BY ?? '',
      counts.get(o.duckName) ?? '0',
      '0',
      o.owner,
      disabled ? null : lagText(dt.lag),
      disabled ? 'DISABLE' : 'ENABLE',
      dt.refreshMode,
      dt.modeReason,
      p.WAREHOUSE ?? null,
      o.comment ?? '',
      o.definition ?? dt.query,
      'OFF',
      dt.suspended ? 'SUSPENDED' : 'RUNNING',
      p.LAST_SUSPENDED_ON ? ts(session, new Date(p.LAST_SUSPENDED_ON)) : null,
      p.IS_CLONE === 'true' ? 'true' : 'false',
      'false',
      'false',
      dataMs === undefined ? null : ts(session, new Date(dataMs)),
      'ROLE',
      dt.immutableWhere,
      null,
    ];
  });
  return table(COLUMNS, rows, 'SHOW');
}

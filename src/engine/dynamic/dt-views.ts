/**
 * INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(), DYNAMIC_TABLE_GRAPH_HISTORY() (semantics
 * §3.7–3.8) and DYNAMIC_TABLES() as DuckDB table macros over the history tables, with Snowflake's
 * arguments and columns.
 */
import { displayName, duckIdent, errors, parseNameString, T, type ResolvedRelation, type ResolvedTableFunction, type SfType, type TableFunctionArgument } from '../../sql/index.ts';
import { SYSTEM_SCHEMA } from '../../storage/index.ts';
import { constantArgument, timeArgument, type Session } from '../session/session.ts';
import { dynamicDef } from './dt-model.ts';

const S = SYSTEM_SCHEMA;
const STR = T.varchar();
const NUM = T.number();
const TS = T.timestampLtz();

const REFRESH_COLUMNS: [string, SfType, string][] = [
  ['NAME', STR, 'name'],
  ['SCHEMA_NAME', STR, 'schema_name'],
  ['DATABASE_NAME', STR, 'database_name'],
  ['STATE', STR, 'state'],
  ['STATE_CODE', STR, 'state_code'],
  ['STATE_MESSAGE', STR, 'state_message'],
  ['QUERY_ID', STR, 'query_id'],
  ['DATA_TIMESTAMP', TS, 'data_timestamp'],
  ['REFRESH_START_TIME', TS, 'refresh_start_time'],
  ['REFRESH_END_TIME', TS, 'refresh_end_time'],
  ['COMPLETION_TARGET', TS, 'completion_target'],
  ['QUALIFIED_NAME', STR, 'qualified_name'],
  ['LAST_COMPLETED_DEPENDENCY', T.object(), 'CAST(last_completed_dependency AS JSON)'],
  ['STATISTICS', T.object(), 'CAST(statistics AS JSON)'],
  ['REFRESH_ACTION', STR, 'refresh_action'],
  // Why a refresh reinitialized (the state message of a REINITIALIZE refresh carries it).
  ['REINIT_REASON', STR, "CASE WHEN refresh_action = 'REINITIALIZE' THEN state_message END"],
  ['REFRESH_TRIGGER', STR, 'refresh_trigger'],
  ['TARGET_LAG_SEC', NUM, 'target_lag_sec'],
  ['GRAPH_HISTORY_VALID_FROM', TS, 'graph_history_valid_from'],
  ['INPUTS_WITH_CHANGED_DATA', T.array(), 'CAST(inputs_with_changed_data AS JSON)'],
];

const GRAPH_COLUMNS: [string, SfType, string][] = [
  ['NAME', STR, 'name'],
  ['SCHEMA_NAME', STR, 'schema_name'],
  ['DATABASE_NAME', STR, 'database_name'],
  ['QUALIFIED_NAME', STR, 'qualified_name'],
  ['INPUTS', T.array(), 'CAST(inputs AS JSON)'],
  ['TARGET_LAG_TYPE', STR, 'target_lag_type'],
  ['TARGET_LAG_SEC', NUM, 'target_lag_sec'],
  ['QUERY_TEXT', STR, 'query_text'],
  ['VALID_FROM', TS, 'valid_from'],
  ['VALID_TO', TS, 'valid_to'],
  ['SCHEDULING_STATE', T.object(), 'CAST(scheduling_state AS JSON)'],
  ['ALTER_TRIGGER', T.array(), 'CAST(alter_trigger AS JSON)'],
];

const TABLES_COLUMNS: [string, SfType, string][] = [
  ['NAME', STR, 'g.name'],
  ['SCHEMA_NAME', STR, 'g.schema_name'],
  ['DATABASE_NAME', STR, 'g.database_name'],
  ['QUALIFIED_NAME', STR, 'g.qualified_name'],
  ['TARGET_LAG_TYPE', STR, 'g.target_lag_type'],
  ['TARGET_LAG_SEC', NUM, 'g.target_lag_sec'],
  ['SCHEDULING_STATE', T.object(), 'CAST(g.scheduling_state AS JSON)'],
  ['MEAN_LAG_SEC', NUM, 'CAST(round(m.integral / nullif(m.total, 0)) AS BIGINT)'],
  ['MAXIMUM_LAG_SEC', NUM, 'CAST(round(m.max_lag) AS BIGINT)'],
  ['TIME_ABOVE_TARGET_LAG_SEC', NUM, 'CAST(round(m.above) AS BIGINT)'],
  ['TIME_WITHIN_TARGET_LAG_RATIO', T.float(), 'CASE WHEN m.total > 0 THEN 1 - m.above / m.total END'],
  ['LATEST_DATA_TIMESTAMP', TS, 'm.latest'],
  ['LAST_COMPLETED_REFRESH_STATE', STR, 'l.state'],
  ['LAST_COMPLETED_REFRESH_STATE_CODE', STR, 'l.state_code'],
  ['LAST_COMPLETED_REFRESH_STATE_MESSAGE', STR, 'l.state_message'],
  ['EXECUTING_REFRESH_QUERY_ID', STR, 'x.query_id'],
];

function select(cols: [string, SfType, string][]): string {
  return cols.map(([name, , expr]) => `${expr} AS ${duckIdent(name)}`).join(', ');
}

/** Macros behind the table functions (installed when the engine opens). */
export function dynamicTableViewsDdl(): string[] {
  return [
    // In-progress refreshes always; finished ones whose data timestamp is in the range (default: the
    // day before the end, which defaults to now). The most recent first, up to the limit.
    `CREATE OR REPLACE MACRO main.sf_dt_refresh_history(lim, t0, t1, now_ms, qname, prefix, errors_only) AS TABLE
       SELECT ${select(REFRESH_COLUMNS)} FROM ${S}.dt_refreshes
       WHERE (state = 'EXECUTING' OR (
               data_timestamp <= coalesce(CAST(t1 AS TIMESTAMPTZ), to_timestamp(now_ms / 1000.0))
               AND data_timestamp >= coalesce(CAST(t0 AS TIMESTAMPTZ), coalesce(CAST(t1 AS TIMESTAMPTZ), to_timestamp(now_ms / 1000.0)) - INTERVAL 1 DAY)))
         AND (qname IS NULL OR qualified_name = qname)
         AND (prefix IS NULL OR starts_with(qualified_name, prefix))
         AND (NOT errors_only OR state IN ('FAILED', 'UPSTREAM_FAILED', 'CANCELLED'))
       ORDER BY state = 'EXECUTING' DESC, coalesce(refresh_end_time, refresh_start_time) DESC, ordinal DESC
       LIMIT lim`,
    // Without arguments the current description of every live dynamic table; AS_OF the descriptions
    // valid then; HISTORY_START [.. HISTORY_END] every description valid at some time in the range.
    `CREATE OR REPLACE MACRO main.sf_dt_graph_history(as_of, h0, h1) AS TABLE
       SELECT ${select(GRAPH_COLUMNS)} FROM ${S}.dt_graph_history g
       WHERE CASE
         WHEN as_of IS NOT NULL THEN valid_from <= CAST(as_of AS TIMESTAMPTZ) AND (valid_to IS NULL OR valid_to > CAST(as_of AS TIMESTAMPTZ))
         WHEN h0 IS NOT NULL THEN (valid_to IS NULL OR valid_to >= CAST(h0 AS TIMESTAMPTZ)) AND (h1 IS NULL OR valid_from <= CAST(h1 AS TIMESTAMPTZ))
         ELSE valid_to IS NULL AND EXISTS (SELECT 1 FROM ${S}.objects o WHERE o.id = g.dt_id AND o.dropped_on IS NULL)
       END
       ORDER BY qualified_name, valid_from`,
    // Per live dynamic table (its current description), the lag its readers saw over the window. The
    // contents a successful refresh wrote (NO_DATA included: they were fresh as of its data timestamp
    // d) are read from its end a until the next successful refresh ends (or now), b: the lag grows
    // from a - d to b - d. MEAN_LAG_SEC is its time average, MAXIMUM_LAG_SEC the largest b - d,
    // TIME_ABOVE_TARGET_LAG_SEC the time the lag exceeded the target. Ordered as Snowflake does
    // (last completed refresh FAILED first), then by name.
    `CREATE OR REPLACE MACRO main.sf_dynamic_tables(lim, t0, now_ms, qname, ids) AS TABLE
       WITH g AS (
         SELECT * FROM ${S}.dt_graph_history g
         WHERE valid_to IS NULL AND EXISTS (SELECT 1 FROM ${S}.objects o WHERE o.id = g.dt_id AND o.dropped_on IS NULL)
           AND (qname IS NULL OR qualified_name = qname) AND (ids IS NULL OR list_contains(CAST(string_split(ids, ',') AS BIGINT[]), dt_id))),
       r AS (SELECT * FROM ${S}.dt_refreshes WHERE dt_id IN (SELECT dt_id FROM g)),
       ok AS (
         SELECT dt_id, data_timestamp AS d, refresh_end_time AS a,
                coalesce(lead(refresh_end_time) OVER (PARTITION BY dt_id ORDER BY refresh_end_time, ordinal), to_timestamp(now_ms / 1000.0)) AS b
         FROM r
         WHERE state = 'SUCCEEDED' AND data_timestamp >= coalesce(CAST(t0 AS TIMESTAMPTZ), to_timestamp(now_ms / 1000.0) - INTERVAL 7 DAY)),
       m AS (
         SELECT ok.dt_id, max(d) AS latest, sum(epoch(b - a)) AS total,
                sum((epoch(b - d) ^ 2 - epoch(a - d) ^ 2) / 2) AS integral, max(epoch(b - d)) AS max_lag,
                sum(CASE WHEN g.target_lag_sec IS NULL THEN NULL ELSE greatest(0, epoch(b - greatest(a, d + to_seconds(g.target_lag_sec)))) END) AS above
         FROM ok JOIN g ON g.dt_id = ok.dt_id GROUP BY ok.dt_id),
       l AS (
         SELECT dt_id, state, state_code, state_message FROM r WHERE state <> 'EXECUTING'
         QUALIFY row_number() OVER (PARTITION BY dt_id ORDER BY coalesce(refresh_end_time, refresh_start_time) DESC, ordinal DESC) = 1),
       x AS (SELECT dt_id, any_value(query_id) AS query_id FROM r WHERE state = 'EXECUTING' GROUP BY dt_id)
       SELECT ${select(TABLES_COLUMNS)}
       FROM g LEFT JOIN m ON m.dt_id = g.dt_id LEFT JOIN l ON l.dt_id = g.dt_id LEFT JOIN x ON x.dt_id = g.dt_id
       ORDER BY CASE l.state WHEN 'FAILED' THEN 0 WHEN 'UPSTREAM_FAILED' THEN 1 WHEN 'SKIPPED' THEN 2 WHEN 'SUCCEEDED' THEN 3 WHEN 'CANCELLED' THEN 4 ELSE 5 END, g.qualified_name
       LIMIT lim`,
  ];
}

function relation(name: string, cols: [string, SfType, string][]): ResolvedRelation {
  return { duckSchema: 'main', duckName: name, columns: cols.map(([n, type]) => ({ name: n, type })), kind: 'SYSTEM_VIEW', displayName: `INFORMATION_SCHEMA.${name}` };
}

function named(fn: string, args: TableFunctionArgument[], allowed: string[]): Map<string, TableFunctionArgument['value']> {
  const out = new Map<string, TableFunctionArgument['value']>();
  for (const a of args) {
    if (a.name === undefined) throw errors.invalidArgument(fn, 'arguments must be named (ARG => value)');
    if (!allowed.includes(a.name)) throw errors.invalidArgument(fn, `unknown argument ${a.name}`);
    out.set(a.name, a.value);
  }
  return out;
}

/** TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(…)) and …GRAPH_HISTORY(…); undefined for other names. */
export function dynamicTableFunction(session: Session, name: string, args: TableFunctionArgument[]): ResolvedTableFunction | undefined {
  if (name === 'DYNAMIC_TABLE_REFRESH_HISTORY') {
    const a = named(name, args, ['DATA_TIMESTAMP_START', 'DATA_TIMESTAMP_END', 'RESULT_LIMIT', 'NAME', 'NAME_PREFIX', 'ERROR_ONLY']);
    const limit = Number(constantArgument(name, 'RESULT_LIMIT', a.get('RESULT_LIMIT') ?? 100));
    if (!Number.isInteger(limit) || limit < 1 || limit > 10000) throw errors.invalidArgument(name, 'RESULT_LIMIT must be between 1 and 10000');
    const nameArg = a.has('NAME') && a.get('NAME') !== null ? String(constantArgument(name, 'NAME', a.get('NAME')!)) : null;
    const prefix = a.has('NAME_PREFIX') && a.get('NAME_PREFIX') !== null ? String(constantArgument(name, 'NAME_PREFIX', a.get('NAME_PREFIX')!)) : null;
    const errorsOnly = a.has('ERROR_ONLY') ? constantArgument(name, 'ERROR_ONLY', a.get('ERROR_ONLY')!) : false;
    return {
      macro: 'sf_dt_refresh_history',
      args: [
        limit,
        timeArgument(a.get('DATA_TIMESTAMP_START')),
        timeArgument(a.get('DATA_TIMESTAMP_END')),
        session.engine.clock.now().getTime(),
        nameArg === null ? null : qualify(session, name, nameArg),
        prefix,
        errorsOnly === true || String(errorsOnly).toUpperCase() === 'TRUE',
      ],
      relation: relation('DYNAMIC_TABLE_REFRESH_HISTORY', REFRESH_COLUMNS),
    };
  }
  if (name === 'DYNAMIC_TABLES') {
    const a = named(name, args, ['NAME', 'REFRESH_DATA_TIMESTAMP_START', 'RESULT_LIMIT', 'INCLUDE_CONNECTED']);
    const nameArg = a.has('NAME') && a.get('NAME') !== null ? qualify(session, name, String(constantArgument(name, 'NAME', a.get('NAME')!))) : null;
    const connected = a.has('INCLUDE_CONNECTED') && String(constantArgument(name, 'INCLUDE_CONNECTED', a.get('INCLUDE_CONNECTED')!)).toUpperCase() === 'TRUE';
    if (connected && (nameArg === null || a.has('RESULT_LIMIT'))) throw errors.invalidArgument(name, 'INCLUDE_CONNECTED needs NAME and no RESULT_LIMIT');
    const limit = connected ? 10000 : Number(constantArgument(name, 'RESULT_LIMIT', a.get('RESULT_LIMIT') ?? 100));
    if (!Number.isInteger(limit) || limit < 1 || limit > 10000) throw errors.invalidArgument(name, 'RESULT_LIMIT must be between 1 and 10000');
    return {
      macro: 'sf_dynamic_tables',
      args: [
        limit,
        timeArgument(a.get('REFRESH_DATA_TIMESTAMP_START')),
        session.engine.clock.now().getTime(),
        connected ? null : nameArg,
        connected ? connectedTables(session, name, nameArg!).join(',') : null,
      ],
      relation: relation('DYNAMIC_TABLES', TABLES_COLUMNS),
    };
  }
  if (name === 'DYNAMIC_TABLE_GRAPH_HISTORY') {
    const a = named(name, args, ['AS_OF', 'HISTORY_START', 'HISTORY_END']);
    if (a.has('HISTORY_END') && !a.has('HISTORY_START')) throw errors.invalidArgument(name, 'HISTORY_END needs HISTORY_START');
    return {
      macro: 'sf_dt_graph_history',
      args: [timeArgument(a.get('AS_OF')), timeArgument(a.get('HISTORY_START')), timeArgument(a.get('HISTORY_END'))],
      relation: relation('DYNAMIC_TABLE_GRAPH_HISTORY', GRAPH_COLUMNS),
    };
  }
  return undefined;
}

/**
 * INCLUDE_CONNECTED: the dynamic tables connected to the one named, through pipeline links either way
 * (what it reads, what reads it, and so on), itself included.
 */
function connectedTables(session: Session, fn: string, qualified: string): number[] {
  const service = session.engine.dynamicTables;
  const start = [...service.graph().upstream.keys()].find((id) => {
    const o = session.engine.catalog.objects.get(id);
    return o !== undefined && dynamicDef(session.engine.catalog, o).fullName === qualified;
  });
  if (start === undefined) throw errors.invalidArgument(fn, `no dynamic table named '${qualified}'`);
  const links = [...service.graph().upstream].flatMap(([d, ups]) => ups.map((u) => [d, u] as const));
  const seen = new Set([start]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [a, b] of links) {
      if (seen.has(a) !== seen.has(b)) {
        seen.add(a);
        seen.add(b);
        grew = true;
      }
    }
  }
  return [...seen];
}

/** NAME => '[db.][schema.]name', completed with the session's database and schema. */
function qualify(session: Session, fn: string, text: string): string {
  const parts = parseNameString(text);
  if (parts.length === 3) return displayName(parts);
  const db = session.database;
  const schema = parts.length === 2 ? parts[0] : session.schema;
  if (db === undefined || schema === undefined) throw errors.invalidArgument(fn, `NAME '${text}' needs a database and schema (qualify it or set the session's)`);
  return displayName([db, schema, parts[parts.length - 1]]);
}

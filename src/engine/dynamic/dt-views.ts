/**
 * INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY() and DYNAMIC_TABLE_GRAPH_HISTORY() (semantics
 * §3.7–3.8) as DuckDB table macros over the history tables, with Snowflake's arguments and columns.
 */
import { displayName, duckIdent, errors, parseNameString, T, type ResolvedRelation, type ResolvedTableFunction, type SfType, type TableFunctionArgument } from '../../sql/index.ts';
import { SYSTEM_SCHEMA } from '../../storage/index.ts';
import { constantArgument, timeArgument, type Session } from '../session/session.ts';

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

/** NAME => '[db.][schema.]name', completed with the session's database and schema. */
function qualify(session: Session, fn: string, text: string): string {
  const parts = parseNameString(text);
  if (parts.length === 3) return displayName(parts);
  const db = session.database;
  const schema = parts.length === 2 ? parts[0] : session.schema;
  if (db === undefined || schema === undefined) throw errors.invalidArgument(fn, `NAME '${text}' needs a database and schema (qualify it or set the session's)`);
  return displayName([db, schema, parts[parts.length - 1]]);
}

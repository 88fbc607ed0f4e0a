/**
 * INFORMATION_SCHEMA.TASK_HISTORY(), COMPLETE_TASK_GRAPHS() and CURRENT_TASK_GRAPHS() (semantics
 * §2.7–2.8) as DuckDB table macros over the task history tables, with Snowflake's arguments and
 * columns. TASK_HISTORY includes each started root's next SCHEDULED run.
 */
import { duckIdent, errors, T, type ResolvedRelation, type ResolvedTableFunction, type SfType, type TableFunctionArgument } from '../../sql/index.ts';
import { SYSTEM_SCHEMA } from '../../storage/index.ts';
import { constantArgument, timeArgument, type Session } from '../session/session.ts';

const S = SYSTEM_SCHEMA;
const STR = T.varchar();
const NUM = T.number();
const TS = T.timestampLtz();

const TASK_HISTORY_COLUMNS: [string, SfType, string][] = [
  ['QUERY_ID', STR, 'query_id'],
  ['NAME', STR, 'name'],
  ['DATABASE_NAME', STR, 'database_name'],
  ['SCHEMA_NAME', STR, 'schema_name'],
  ['QUERY_TEXT', STR, 'query_text'],
  ['CONDITION_TEXT', STR, 'condition_text'],
  ['STATE', STR, 'state'],
  ['ERROR_CODE', STR, 'error_code'],
  ['ERROR_MESSAGE', STR, 'error_message'],
  ['SCHEDULED_TIME', TS, 'scheduled_time'],
  ['QUERY_START_TIME', TS, 'query_start_time'],
  ['NEXT_SCHEDULED_TIME', TS, 'next_scheduled_time'],
  ['COMPLETED_TIME', TS, 'completed_time'],
  ['ROOT_TASK_ID', STR, 'root_task_id'],
  ['GRAPH_VERSION', NUM, 'graph_version'],
  ['RUN_ID', NUM, 'run_id'],
  ['RETURN_VALUE', STR, 'return_value'],
  ['SCHEDULED_FROM', STR, 'scheduled_from'],
  ['ATTEMPT_NUMBER', NUM, 'attempt_number'],
  ['CONFIG', STR, 'config'],
  ['QUERY_HASH', STR, 'NULL'],
  ['QUERY_HASH_VERSION', NUM, 'NULL'],
  ['QUERY_PARAMETERIZED_HASH', STR, 'NULL'],
  ['QUERY_PARAMETERIZED_HASH_VERSION', NUM, 'NULL'],
  ['GRAPH_RUN_GROUP_ID', STR, 'graph_run_group_id'],
  ['BACKFILL_INFO', T.object(), 'NULL'],
  ['SPCS_JOB_ID', STR, 'NULL'],
];

const GRAPH_COLUMNS: [string, SfType, string][] = [
  ['ROOT_TASK_NAME', STR, 'root_task_name'],
  ['DATABASE_NAME', STR, 'database_name'],
  ['SCHEMA_NAME', STR, 'schema_name'],
  ['STATE', STR, 'state'],
  ['SCHEDULED_FROM', STR, 'scheduled_from'],
  ['FIRST_ERROR_TASK_NAME', STR, 'first_error_task_name'],
  ['FIRST_ERROR_CODE', NUM, 'first_error_code'],
  ['FIRST_ERROR_MESSAGE', STR, 'first_error_message'],
  ['SCHEDULED_TIME', TS, 'scheduled_time'],
  ['QUERY_START_TIME', TS, 'query_start_time'],
  ['NEXT_SCHEDULED_TIME', TS, 'next_scheduled_time'],
  ['COMPLETED_TIME', TS, 'completed_time'],
  ['ROOT_TASK_ID', STR, 'root_task_id'],
  ['GRAPH_VERSION', NUM, 'graph_version'],
  ['RUN_ID', NUM, 'run_id'],
  ['ATTEMPT_NUMBER', NUM, 'attempt_number'],
  ['CONFIG', STR, 'config'],
  ['GRAPH_RUN_GROUP_ID', STR, 'graph_run_group_id'],
  ['BACKFILL_INFO', T.object(), 'NULL'],
];

function select(cols: [string, SfType, string][], castJson = false): string {
  return cols
    .map(([name, type, expr]) => {
      const e = type.kind === 'OBJECT' && castJson ? `CAST(${expr} AS JSON)` : name === 'FIRST_ERROR_CODE' && expr !== 'NULL' ? `TRY_CAST(${expr} AS BIGINT)` : expr;
      return `${e} AS ${duckIdent(name)}`;
    })
    .join(', ');
}

/** Each started root's next scheduled run, as a TASK_HISTORY row. */
const SCHEDULED_ROWS = `
  SELECT NULL AS query_id, o.name AS name, d.name AS database_name, s.name AS schema_name, o.definition AS query_text,
    o.properties->>'$.WHEN' AS condition_text, 'SCHEDULED' AS state, NULL AS error_code, NULL AS error_message,
    to_timestamp(ts.next_ms / 1000.0) AS scheduled_time, NULL::TIMESTAMPTZ AS query_start_time,
    NULL::TIMESTAMPTZ AS next_scheduled_time, NULL::TIMESTAMPTZ AS completed_time, o.properties->>'$.TASK_UUID' AS root_task_id,
    TRY_CAST(o.properties->>'$.GRAPH_VERSION' AS BIGINT) AS graph_version, ts.next_ms AS run_id, NULL AS return_value,
    'SCHEDULE' AS scheduled_from, 1 AS attempt_number, o.properties->>'$.CONFIG' AS config, NULL AS graph_run_group_id,
    9223372036854775807 AS ordinal
  FROM ${S}.task_schedule ts JOIN ${S}.objects o ON o.id = ts.root_object_id
    JOIN ${S}.schemas s ON s.id = o.schema_id JOIN ${S}.databases d ON d.id = s.database_id
  WHERE o.dropped_on IS NULL`;

/** Macros behind the table functions (installed when the engine opens). */
export function taskViewsDdl(): string[] {
  return [
    `CREATE OR REPLACE MACRO main.sf_task_history(lim, t0, t1, task_name, db, sch, errors_only, root_id) AS TABLE
       SELECT ${select(TASK_HISTORY_COLUMNS, true)} FROM (
         SELECT * EXCLUDE (run_key, task_id) FROM ${S}.task_runs UNION ALL ${SCHEDULED_ROWS}
       )
       WHERE (t0 IS NULL OR scheduled_time >= CAST(t0 AS TIMESTAMPTZ)) AND (t1 IS NULL OR scheduled_time <= CAST(t1 AS TIMESTAMPTZ))
         AND (t1 IS NULL OR state <> 'SCHEDULED')
         AND (task_name IS NULL OR upper(name) = upper(task_name)) AND (db IS NULL OR database_name = db)
         AND (sch IS NULL OR schema_name = sch) AND (NOT errors_only OR state IN ('FAILED', 'FAILED_AND_AUTO_SUSPENDED', 'CANCELLED'))
         AND (root_id IS NULL OR root_task_id = root_id)
       ORDER BY scheduled_time DESC, ordinal DESC
       LIMIT lim`,
    `CREATE OR REPLACE MACRO main.sf_complete_task_graphs(lim, root_name, errors_only, now_ms, t0, t1) AS TABLE
       SELECT ${select(GRAPH_COLUMNS, true)} FROM ${S}.graph_runs
       WHERE completed_time >= coalesce(CAST(t0 AS TIMESTAMPTZ), to_timestamp((now_ms - 3600000) / 1000.0))
         AND (t1 IS NULL OR completed_time <= CAST(t1 AS TIMESTAMPTZ))
         AND (root_name IS NULL OR upper(root_task_name) = upper(root_name))
         AND (NOT errors_only OR state IN ('FAILED', 'CANCELLED'))
       ORDER BY completed_time DESC
       LIMIT lim`,
    `CREATE OR REPLACE MACRO main.sf_current_task_graphs(lim, root_name) AS TABLE
       SELECT ${select(GRAPH_COLUMNS.map(([n, t, e]) => [n, t, n === 'COMPLETED_TIME' ? 'NULL::TIMESTAMPTZ' : e] as [string, SfType, string]), true)} FROM (
         SELECT r.name AS root_task_name, r.database_name, r.schema_name, 'EXECUTING' AS state, r.scheduled_from,
           NULL AS first_error_task_name, NULL AS first_error_code, NULL AS first_error_message, r.scheduled_time,
           r.query_start_time, r.next_scheduled_time, r.root_task_id, r.graph_version, r.run_id, r.attempt_number,
           r.config, r.graph_run_group_id
         FROM ${S}.task_runs r
         WHERE r.graph_run_group_id IN (SELECT graph_run_group_id FROM ${S}.task_runs WHERE state = 'EXECUTING')
           AND r.ordinal = (SELECT min(x.ordinal) FROM ${S}.task_runs x WHERE x.graph_run_group_id = r.graph_run_group_id AND x.attempt_number = r.attempt_number)
         UNION ALL
         SELECT name, database_name, schema_name, 'SCHEDULED', scheduled_from, NULL, NULL, NULL, scheduled_time,
           NULL, NULL, root_task_id, graph_version, run_id, attempt_number, config, graph_run_group_id
         FROM (${SCHEDULED_ROWS})
       )
       WHERE root_name IS NULL OR upper(root_task_name) = upper(root_name)
       ORDER BY scheduled_time DESC
       LIMIT lim`,
  ];
}

function relation(name: string, cols: [string, SfType, string][]): ResolvedRelation {
  return { duckSchema: 'main', duckName: name, columns: cols.map(([n, type]) => ({ name: n, type })), kind: 'SYSTEM_VIEW', displayName: `INFORMATION_SCHEMA.${name}` };
}

const NAMES = ['TASK_HISTORY', 'COMPLETE_TASK_GRAPHS', 'CURRENT_TASK_GRAPHS'];

/** TABLE(INFORMATION_SCHEMA.TASK_HISTORY(…)) and the graph functions; undefined for other names. */
export function taskTableFunction(session: Session, name: string, args: TableFunctionArgument[]): ResolvedTableFunction | undefined {
  if (!NAMES.includes(name)) return undefined;
  const named = new Map<string, TableFunctionArgument['value']>();
  for (const a of args) {
    if (a.name === undefined) throw errors.invalidArgument(name, 'arguments must be named (ARG => value)');
    named.set(a.name, a.value);
  }
  const allowed: Record<string, string[]> = {
    TASK_HISTORY: ['SCHEDULED_TIME_RANGE_START', 'SCHEDULED_TIME_RANGE_END', 'RESULT_LIMIT', 'TASK_NAME', 'DATABASE_NAME', 'SCHEMA_NAME', 'ERROR_ONLY', 'ROOT_TASK_ID'],
    COMPLETE_TASK_GRAPHS: ['RESULT_LIMIT', 'ROOT_TASK_NAME', 'ERROR_ONLY', 'SCHEDULED_TIME_RANGE_START', 'SCHEDULED_TIME_RANGE_END'],
    CURRENT_TASK_GRAPHS: ['RESULT_LIMIT', 'ROOT_TASK_NAME'],
  };
  for (const k of named.keys()) if (!allowed[name].includes(k)) throw errors.invalidArgument(name, `unknown argument ${k}`);
  const limitDefault = name === 'TASK_HISTORY' ? 100 : 1000;
  const limit = Number(constantArgument(name, 'RESULT_LIMIT', named.get('RESULT_LIMIT') ?? limitDefault));
  if (!Number.isInteger(limit) || limit < 1 || limit > 10000) throw errors.invalidArgument(name, 'RESULT_LIMIT must be between 1 and 10000');
  const text = (k: string) => (named.has(k) && named.get(k) !== null ? String(constantArgument(name, k, named.get(k)!)) : null);
  const flag = (k: string) => {
    const v = named.has(k) ? constantArgument(name, k, named.get(k)!) : false;
    return v === true || String(v).toUpperCase() === 'TRUE';
  };
  const time = (k: string) => timeArgument(named.get(k));
  if (name === 'TASK_HISTORY') {
    if (named.has('SCHEMA_NAME') && !named.has('DATABASE_NAME')) throw errors.invalidArgument(name, 'SCHEMA_NAME needs DATABASE_NAME');
    return {
      macro: 'sf_task_history',
      args: [limit, time('SCHEDULED_TIME_RANGE_START'), time('SCHEDULED_TIME_RANGE_END'), text('TASK_NAME'), text('DATABASE_NAME'), text('SCHEMA_NAME'), flag('ERROR_ONLY'), text('ROOT_TASK_ID')],
      relation: relation('TASK_HISTORY', TASK_HISTORY_COLUMNS),
    };
  }
  if (name === 'COMPLETE_TASK_GRAPHS') {
    return {
      macro: 'sf_complete_task_graphs',
      args: [limit, text('ROOT_TASK_NAME'), flag('ERROR_ONLY'), session.engine.clock.now().getTime(), time('SCHEDULED_TIME_RANGE_START'), time('SCHEDULED_TIME_RANGE_END')],
      relation: relation('COMPLETE_TASK_GRAPHS', GRAPH_COLUMNS),
    };
  }
  return { macro: 'sf_current_task_graphs', args: [limit, text('ROOT_TASK_NAME')], relation: relation('CURRENT_TASK_GRAPHS', GRAPH_COLUMNS) };
}

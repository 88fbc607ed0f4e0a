/**
 * The load history as table functions (semantics §6.5): INFORMATION_SCHEMA.COPY_HISTORY(TABLE_NAME
 * => …, START_TIME => … [, END_TIME => …]) — one row per file a COPY loaded or tried — and
 * VALIDATE(<table>, JOB_ID => '<query id>' | '_last'), the rows a COPY rejected with their errors.
 */
import { errors, objectNameFromParts, parseNameString, T, type ResolvedRelation, type ResolvedTableFunction, type SfType, type TableFunctionArgument } from '../../sql/index.ts';
import { SYSTEM_SCHEMA } from '../../storage/index.ts';
import { constantArgument, timeArgument, type Session } from '../session/session.ts';

const S = SYSTEM_SCHEMA;
const STR = T.varchar();
const NUM = T.number();
const TS = T.timestampLtz();

const COPY_HISTORY: [string, SfType, string][] = [
  ['FILE_NAME', STR, 'file_name'],
  ['STAGE_LOCATION', STR, `regexp_replace(file_name, '[^/]*$', '')`],
  ['LAST_LOAD_TIME', TS, 'to_timestamp(last_load_ms / 1000.0)'],
  ['ROW_COUNT', NUM, 'rows_loaded'],
  ['ROW_PARSED', NUM, 'rows_parsed'],
  ['FILE_SIZE', NUM, 'file_size'],
  ['FIRST_ERROR_MESSAGE', STR, 'first_error'],
  ['FIRST_ERROR_LINE_NUMBER', NUM, 'first_error_line'],
  ['FIRST_ERROR_CHARACTER_POS', NUM, 'first_error_character'],
  ['FIRST_ERROR_COLUMN_NAME', STR, 'first_error_column_name'],
  ['ERROR_COUNT', NUM, 'error_count'],
  ['ERROR_LIMIT', NUM, 'error_limit'],
  ['STATUS', STR, `CASE status WHEN 'LOADED' THEN 'Loaded' WHEN 'LOAD_FAILED' THEN 'Load failed' ELSE 'Partially loaded' END`],
  ['TABLE_CATALOG_NAME', STR, 'database_name'],
  ['TABLE_SCHEMA_NAME', STR, 'schema_name'],
  ['TABLE_NAME', STR, 'table_name'],
  ['PIPE_CATALOG_NAME', STR, 'NULL'],
  ['PIPE_SCHEMA_NAME', STR, 'NULL'],
  ['PIPE_NAME', STR, 'NULL'],
  ['PIPE_RECEIVED_TIME', TS, 'NULL'],
  ['FIRST_COMMIT_TIME', TS, 'NULL'],
];

const VALIDATE: [string, SfType, string][] = [
  ['ERROR', STR, 'error'],
  ['FILE', STR, 'file_name'],
  ['LINE', NUM, 'line'],
  ['CHARACTER', NUM, 'character'],
  ['BYTE_OFFSET', NUM, 'NULL'],
  ['CATEGORY', STR, 'category'],
  ['CODE', NUM, 'CAST(code AS BIGINT)'],
  ['SQL_STATE', NUM, 'TRY_CAST(sql_state AS BIGINT)'],
  ['COLUMN_NAME', STR, 'column_name'],
  ['ROW_NUMBER', NUM, 'row_number'],
  ['ROW_START_LINE', NUM, 'line'],
  ['REJECTED_RECORD', STR, 'rejected_record'],
];

function select(cols: [string, SfType, string][]): string {
  return cols.map(([name, , expr]) => `${expr} AS "${name}"`).join(', ');
}

export function loadViewsDdl(): string[] {
  return [
    `CREATE OR REPLACE MACRO main.sf_copy_history(tid, t0, t1) AS TABLE
       SELECT ${select(COPY_HISTORY)} FROM ${S}.load_history
       WHERE table_id = tid AND to_timestamp(last_load_ms / 1000.0) >= CAST(t0 AS TIMESTAMPTZ)
         AND (t1 IS NULL OR to_timestamp(last_load_ms / 1000.0) <= CAST(t1 AS TIMESTAMPTZ))
       ORDER BY last_load_ms, file_name`,
    // JOB_ID => '_last': the table's most recent COPY.
    `CREATE OR REPLACE MACRO main.sf_validate(tid, job) AS TABLE
       SELECT ${select(VALIDATE)} FROM ${S}.load_rejects
       WHERE job_id = coalesce(nullif(CAST(job AS VARCHAR), '_last'), (SELECT job_id FROM ${S}.load_history WHERE table_id = tid ORDER BY last_load_ms DESC LIMIT 1))
         AND job_id IN (SELECT job_id FROM ${S}.load_history WHERE table_id = tid)
       ORDER BY file_name, line`,
  ];
}

function relation(name: string, cols: [string, SfType, string][]): ResolvedRelation {
  return { duckSchema: 'main', duckName: name, columns: cols.map(([n, type]) => ({ name: n, type })), kind: 'SYSTEM_VIEW', displayName: name };
}

function tableId(session: Session, fn: string, text: string): number {
  return session.resolver.require(objectNameFromParts(parseNameString(text)), ['TABLE'], 'Table', fn).object.id;
}

export function loadTableFunction(session: Session, name: string, args: TableFunctionArgument[]): ResolvedTableFunction | undefined {
  if (name === 'COPY_HISTORY') {
    const a = new Map(args.map((x) => [x.name, x.value]));
    for (const k of a.keys()) if (!['TABLE_NAME', 'START_TIME', 'END_TIME'].includes(k ?? '')) throw errors.invalidArgument(name, `unknown argument ${k ?? '(positional)'}`);
    if (!a.has('TABLE_NAME') || !a.has('START_TIME')) throw errors.invalidArgument(name, 'TABLE_NAME and START_TIME are required');
    const id = tableId(session, name, String(constantArgument(name, 'TABLE_NAME', a.get('TABLE_NAME')!)));
    return { macro: 'sf_copy_history', args: [id, timeArgument(a.get('START_TIME')), timeArgument(a.get('END_TIME'))], relation: relation('COPY_HISTORY', COPY_HISTORY) };
  }
  if (name === 'VALIDATE') {
    const [first, ...rest] = args;
    if (!first || first.name !== undefined) throw errors.invalidArgument(name, 'the first argument is the table: VALIDATE(<table>, JOB_ID => …)');
    const job = rest.find((x) => x.name === 'JOB_ID');
    if (!job || rest.length !== 1) throw errors.invalidArgument(name, "JOB_ID => '<query id>' | '_last' is required");
    const id = tableId(session, name, String(constantArgument(name, 'TABLE', first.value)));
    // A constant or an expression (a session variable holding a query id): '_last' is resolved in SQL.
    return { macro: 'sf_validate', args: [id, job.value], relation: relation('VALIDATE', VALIDATE) };
  }
  return undefined;
}


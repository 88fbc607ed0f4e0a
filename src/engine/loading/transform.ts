/**
 * COPY transformations: `COPY INTO t [(cols)] FROM (SELECT $1, $2:field, METADATA$FILENAME,
 * METADATA$FILE_ROW_NUMBER … FROM @stage [alias])`. Each file's rows are staged as a temporary table —
 * CSV fields as text columns ($1 … $n), a JSON document or Parquet row as one VARIANT ($1), plus the
 * two METADATA$ columns — and the query (Snowflake SQL, translated like any SELECT) reads them under
 * the name the grammar put in place of the location.
 *
 * Errors are per row, as in Snowflake. The query is row for row (copy-transform.ts checks its shape
 * and appends the staged row's number). It runs once over the whole file with each value under
 * DuckDB's TRY, so a failing value is NULL instead of failing the query; only rows with a NULL value
 * are evaluated again exactly — all together, then, if that fails, in halves until the failing rows
 * stand alone (within a budget of MAX_PROBES evaluations, after which a failing range counts whole). The rows
 * produced are then converted to the target columns by the same set-based pass as plain loads, which
 * marks each row's first column that does not fit. ON_ERROR then applies to the file exactly as for
 * a load without transformation.
 */
import { copyTransformQuery, duckIdent, errors, sqlString, T, translateQuery, type ResolvedRelation, type SfType } from '../../sql/index.ts';
import type { StageFile } from '../../storage/index.ts';
import { mapDuckError } from '../results/duck-errors.ts';
import type { Session } from '../session/session.ts';
import type { FileOutcome, LoadError } from './copy-into.ts';
import { optionOf, type FileFormat } from './file-format.ts';
import { stripNullsInPlace } from './json-nulls.ts';
import { compression, conversionError, conversionSql, ndjsonByLine } from './readers.ts';

const ROW = 'METADATA$FILE_ROW_NUMBER';
/** Fields read from a CSV file whose records differ in width (more are dropped). */
const WIDEST = 64;
/**
 * Exact evaluations of suspect rows per file. Each failing range is halved until its failing rows
 * stand alone (a dense run of bad rows costs about two per row); once the budget is spent, a range
 * that still fails counts all its rows (a row in it that was merely NULL is counted too).
 */
const MAX_PROBES = 400;
/** Conversion errors listed per file (all are counted). */
const KEPT_ERRORS = 10_000;

export interface TransformTarget {
  name: string;
  type: SfType;
  nullable: boolean;
}

/**
 * Stages one file's rows as a temporary table: text fields c1…cn (CSV) or one document per row c1
 * (JSON, Parquet), then METADATA$FILENAME and METADATA$FILE_ROW_NUMBER. Also what a query over
 * staged files reads (staged-query.ts).
 */
export async function stageRows(
  session: Session,
  file: StageFile,
  name: string,
  format: FileFormat,
  staged: string,
): Promise<{ columns: ResolvedRelation['columns']; skip: number; malformed: LoadError[] }> {
  let malformed: LoadError[] = [];
  const conn = session.conn;
  const meta = `${sqlString(name)} AS "METADATA$FILENAME"`;
  const numbered = `row_number() OVER () AS "${ROW}"`;
  let columns: { name: string; type: SfType }[];
  let skip = 0;
  if (format.type === 'CSV') {
    const quote = String(optionOf(format, 'FIELD_OPTIONALLY_ENCLOSED_BY'));
    const nulls = (optionOf(format, 'NULL_IF') as string[]).slice();
    if (optionOf(format, 'EMPTY_FIELD_AS_NULL') === true) nulls.push('');
    skip = optionOf(format, 'PARSE_HEADER') === true ? 1 : Math.trunc(Number(optionOf(format, 'SKIP_HEADER')));
    const dialect = [
      'header = false',
      `skip = ${skip}`,
      `delim = ${sqlString(String(optionOf(format, 'FIELD_DELIMITER')))}`,
      `quote = ${sqlString(quote === 'NONE' ? '' : quote)}`,
      `escape = ${sqlString(quote === 'NONE' ? '' : quote)}`,
      `nullstr = [${nulls.map(sqlString).join(', ')}]`,
      `compression = ${sqlString(compression(format, file.path))}`,
      'null_padding = true',
      'strict_mode = false',
    ];
    const source = `read_csv(${[sqlString(file.absolute), 'all_varchar = true', ...dialect].join(', ')})`;
    let width: number;
    try {
      // DuckDB's sniffer counts the fields (given the dialect) …
      const described = await conn.rows(`DESCRIBE SELECT * FROM ${source}`);
      width = described.length;
      const fields = described.map((d, j) => `${duckIdent(String(d.column_name))} AS c${j + 1}`);
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(staged)} AS SELECT ${fields.join(', ')}, ${meta}, ${numbered} FROM ${source}`);
    } catch {
      // … unless records differ in width: then up to WIDEST fields are read, padded with NULL, and the
      // widest record (by its last field with a value) sets the columns.
      const wide = `${staged}_wide`;
      const all = Array.from({ length: WIDEST }, (_, j) => `c${j + 1}`);
      const padded = `read_csv(${[sqlString(file.absolute), `columns = {${all.map((c) => `'${c}': 'VARCHAR'`).join(', ')}}`, 'auto_detect = false', ...dialect].join(', ')})`;
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(wide)} AS SELECT *, ${numbered} FROM ${padded}`);
      try {
        const last = `CASE ${all.map((_, j) => `WHEN c${WIDEST - j} IS NOT NULL THEN ${WIDEST - j}`).join(' ')} ELSE 1 END`;
        width = Math.max(1, Number((await conn.query(`SELECT max(${last}) FROM temp.${duckIdent(wide)}`)).rows[0][0] ?? 1));
        await conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(staged)} AS SELECT ${all.slice(0, width).join(', ')}, ${meta}, "${ROW}" FROM temp.${duckIdent(wide)} ORDER BY "${ROW}"`);
      } finally {
        await conn.run(`DROP TABLE IF EXISTS temp.${duckIdent(wide)}`);
      }
    }
    columns = Array.from({ length: width }, (_, j) => ({ name: `c${j + 1}`, type: T.varchar() }));
  } else {
    const c = compression(format, file.path);
    const source =
      format.type === 'JSON'
        ? `SELECT json AS c1 FROM read_json_objects(${sqlString(file.absolute)}, format = '${optionOf(format, 'STRIP_OUTER_ARRAY') === true ? 'array' : 'unstructured'}', compression = ${sqlString(c === 'none' ? 'uncompressed' : c)})`
        : `SELECT to_json(p) AS c1 FROM read_parquet(${sqlString(file.absolute)}) p`;
    try {
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(staged)} AS SELECT c1, ${meta}, ${numbered} FROM (${source})`);
    } catch (e) {
      // NDJSON with malformed lines: the good lines are the rows (numbered by line), each bad line an error.
      if (format.type !== 'JSON' || optionOf(format, 'STRIP_OUTER_ARRAY') === true) throw e;
      const lines = `${staged}_lines`;
      malformed = await ndjsonByLine(session, { file, format }, lines);
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(staged)} AS SELECT doc AS c1, ${meta}, line AS "${ROW}" FROM temp.${duckIdent(lines)} ORDER BY line`);
      await conn.run(`DROP TABLE IF EXISTS temp.${duckIdent(lines)}`);
    }
    if (format.type === 'JSON' && optionOf(format, 'STRIP_NULL_VALUES') === true) await stripNullsInPlace(conn, staged, 'c1');
    columns = [{ name: 'c1', type: T.variant() }];
  }
  return { columns: [...columns, { name: 'METADATA$FILENAME', type: T.varchar() }, { name: ROW, type: T.number() }], skip, malformed };
}

/**
 * One file through the transformation. Throws for what is wrong with the statement (the query does
 * not compile, its column count is not the target's); a file that cannot be read is a failed file.
 * `stopAfter`: once this many rows failed, the rest of the file need not be evaluated (ON_ERROR
 * has decided); they count as parsed, not as errors.
 */
type TransformedFile = Omit<FileOutcome, 'md5' | 'status' | 'rowsLoaded' | 'errorLimit'>;
type TransformArgs = [
  session: Session,
  file: StageFile,
  name: string,
  format: FileFormat,
  selectSql: string,
  targets: TransformTarget[],
  opts: { scratch: string; tableName: string; truncate: boolean; stopAfter: number },
  created: string[],
];

export async function transformFile(...args: TransformArgs): Promise<TransformedFile> {
  const [session, , , , , , opts] = args;
  try {
    return await transformRows(...args);
  } finally {
    // The view the query reads (its rows change per evaluation) is not a table the caller drops.
    await session.conn.run(`DROP VIEW IF EXISTS temp.${duckIdent(`${opts.scratch}_part`)}`).catch(() => undefined);
  }
}

async function transformRows(...[session, file, name, format, selectSql, targets, opts, created]: TransformArgs): Promise<TransformedFile> {
  const { scratch } = opts;
  const staged = `${scratch}_staged`;
  const part = `${scratch}_part`;
  const evaluated = `${scratch}_eval`;
  const conv = `${scratch}_conv`;
  created.push(staged, evaluated, conv);
  const fail = (message: string, code: string): TransformedFile => ({
    file,
    name,
    rowsParsed: 1,
    errorsSeen: 1,
    errors: [{ message, code, sqlState: '22000', line: 1, character: 1, category: 'parsing', columnName: null, rowNumber: 1, record: null }],
  });
  let layout;
  try {
    layout = await stageRows(session, file, name, format, staged);
  } catch (e) {
    return fail(`Error reading ${name}: ${mapDuckError(e).message.split('\n')[0]}`, format.type === 'PARQUET' ? '100071' : '100069');
  }
  // Rows, and the last row number (row numbers are lines when malformed lines were left out).
  const sizes = await session.conn.query(`SELECT count(*), coalesce(max("${ROW}"), 0) FROM temp.${duckIdent(staged)}`);
  const [total, lastRow] = sizes.rows[0].map(Number);
  const setRange = (lo: number, hi: number) =>
    session.conn.run(`CREATE OR REPLACE TEMP VIEW ${duckIdent(part)} AS SELECT * FROM temp.${duckIdent(staged)} WHERE "${ROW}" BETWEEN ${lo} AND ${hi}`);
  await setRange(1, lastRow);

  // Translated fresh for each file (its columns differ), never from the translation cache.
  const parsed = session.parse(selectSql);
  if (parsed.kind !== 'query') throw errors.syntaxMessage('A COPY transformation must be a SELECT.');
  session.stagedRows = { duckSchema: 'temp', duckName: part, columns: layout.columns, kind: 'TABLE', displayName: name };
  let translated;
  let tried;
  try {
    const shaped = copyTransformQuery(parsed, ROW);
    translated = translateQuery(shaped, selectSql, session.translateContext());
    tried = translateQuery(shaped, selectSql, session.translateContext(), { tryItems: true });
  } finally {
    session.stagedRows = undefined;
  }
  const produced = translated.columns.length - 1;
  if (produced !== targets.length) {
    throw errors.userError('002020', '21S01', `SQL compilation error:\nInsert value list does not match column list expecting ${targets.length} but got ${produced}`);
  }
  const names = [...targets.map((_, j) => `q${j + 1}`), '_rn'];
  const query = `SELECT * FROM (${translated.sql}) AS _q(${names.join(', ')})`;
  try {
    // Binds the query once: what fails here fails for every row, so it is the statement's error.
    await session.conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(evaluated)} AS ${query} LIMIT 0`);
  } catch (e) {
    throw mapDuckError(e);
  }

  // 1. One pass with every value under TRY: a value that fails comes out NULL instead of failing the
  //    query, so a row with no NULL is certainly fine.
  await session.conn.run(`INSERT INTO temp.${duckIdent(evaluated)} SELECT * FROM (${tried.sql}) AS _q(${names.join(', ')})`);
  // 2. The rows with a NULL value failed or are simply NULL: they are evaluated exactly, together
  //    first (usually they all pass), then in halves until the failing ones stand alone.
  const suspects = `${scratch}_sus`;
  created.push(suspects);
  const anyNull = names.slice(0, -1).map((q) => `${q} IS NULL`).join(' OR ');
  const m = Number(
    (await session.conn.query(`CREATE OR REPLACE TEMP TABLE ${duckIdent(suspects)} AS SELECT _rn, row_number() OVER (ORDER BY _rn) AS _pos FROM temp.${duckIdent(evaluated)} WHERE ${anyNull}`)).rows[0]?.[0] ?? 0,
  );
  const probe = `${scratch}_probe`;
  created.push(probe);
  const setSuspects = (lo: number, hi: number) =>
    session.conn.run(
      `CREATE OR REPLACE TEMP VIEW ${duckIdent(part)} AS SELECT s.* FROM temp.${duckIdent(staged)} s JOIN temp.${duckIdent(suspects)} u ON s."${ROW}" = u._rn WHERE u._pos BETWEEN ${lo} AND ${hi}`,
    );
  type Failure = { lo: number; hi: number; error: { message: string; code: string; sqlState: string } };
  const failures: Failure[] = [];
  let failed = 0;
  let probes = 0;
  const pending: { lo: number; hi: number }[] = m > 0 ? [{ lo: 1, hi: m }] : [];
  while (pending.length > 0 && failed < opts.stopAfter) {
    const { lo, hi } = pending.shift()!;
    await setSuspects(lo, hi);
    probes += 1;
    try {
      await session.conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(probe)} AS ${query}`);
      continue;
    } catch (e) {
      const error = mapDuckError(e);
      if (lo === hi || probes >= MAX_PROBES) {
        failures.push({ lo, hi, error });
        failed += hi - lo + 1;
      } else {
        const mid = Math.floor((lo + hi) / 2);
        pending.unshift({ lo, hi: mid }, { lo: mid + 1, hi });
      }
    }
  }
  // The failing rows leave the evaluated ones; the isolated ones are reported by row.
  let isolated: { row: number; error: Failure['error'] }[] = [];
  if (failures.length > 0) {
    const inFailed = failures.map((f) => `_pos BETWEEN ${f.lo} AND ${f.hi}`).join(' OR ');
    await session.conn.run(`DELETE FROM temp.${duckIdent(evaluated)} WHERE _rn IN (SELECT _rn FROM temp.${duckIdent(suspects)} WHERE ${inFailed})`);
    const singles = failures.filter((f) => f.lo === f.hi);
    if (singles.length > 0) {
      const rows = await session.conn.query(`SELECT _pos, _rn FROM temp.${duckIdent(suspects)} WHERE _pos IN (${singles.map((f) => f.lo).join(', ')})`);
      const rnOf = new Map(rows.rows.map((r) => [Number(r[0]), Number(r[1])]));
      isolated = singles.map((f) => ({ row: rnOf.get(f.lo)!, error: f.error }));
    }
  }
  const line = (row: number) => row + layout.skip;
  const list: LoadError[] = isolated.map(({ row, error }) => ({
    message: error.message.replace(/^SQL compilation error:\n/, ''),
    code: error.code,
    sqlState: error.sqlState,
    line: line(row),
    character: 1,
    category: 'conversion',
    columnName: null,
    rowNumber: row,
    record: null,
  }));

  // The produced values into the target columns' types, marking each row's first misfit.
  const read = { columns: targets, format, truncate: opts.truncate };
  const sources = translated.columns.slice(0, produced).map((c) => c.type);
  await session.conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(conv)} AS ${conversionSql(read, evaluated, (j) => `q${j + 1}`, ['_rn'], sources)}`);
  const bad = await session.conn.rows(
    `SELECT c._rn AS rn, c._bad AS bad, c._why AS why, [${names.slice(0, -1).map((q) => `CAST(w.${q} AS VARCHAR)`).join(', ')}] AS fields ` +
      `FROM temp.${duckIdent(conv)} c JOIN temp.${duckIdent(evaluated)} w ON w.rowid = c._r WHERE c._bad IS NOT NULL ORDER BY c._rn LIMIT ${KEPT_ERRORS}`,
  );
  const badCount = Number((await session.conn.query(`SELECT count(*) FROM temp.${duckIdent(conv)} WHERE _bad IS NOT NULL`)).rows[0][0]);
  for (const x of bad) {
    const j = Number(x.bad) - 1;
    const row = Number(x.rn);
    const e = conversionError(targets[j], String(x.why), (x.fields as (string | null)[])[j] ?? '');
    list.push({ message: e.message, code: e.code, sqlState: e.sqlState, line: line(row), character: 1, category: 'conversion', columnName: `"${opts.tableName.split('.').pop()}"["${targets[j].name}":${j + 1}]`, rowNumber: row, record: null });
  }
  list.push(...layout.malformed);
  list.sort((a, b) => a.line - b.line);
  return { file, name, rowsParsed: total + layout.malformed.length, errorsSeen: failed + badCount + layout.malformed.length, errors: list, converted: conv };
}

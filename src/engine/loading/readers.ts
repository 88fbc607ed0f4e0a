/**
 * Reading one staged file for COPY: DuckDB's CSV or JSON reader into a temporary table of raw
 * fields, then one set-based conversion to the target types that marks, per row, the first field
 * that does not fit (with why). Rows the CSV reader itself rejects keep their line from DuckDB's
 * reject table. The outcome carries the counts and the errors with Snowflake's codes and positions.
 */
import { duckIdent, duckTypeOf, errors, formatModelToStrftime, MAX_VARCHAR, sqlString, type SfType } from '../../sql/index.ts';
import type { StageFile } from '../../storage/index.ts';
import type { Session } from '../session/session.ts';
import type { FileOutcome, LoadError } from './copy-into.ts';
import { optionOf, type FileFormat } from './file-format.ts';
import { stripNullsInPlace } from './json-nulls.ts';

export interface StagedRead {
  file: StageFile;
  /** Prefix of this file's temporary tables. */
  scratch: string;
  columns: { name: string; type: SfType; nullable: boolean }[];
  format: FileFormat;
  tableName: string;
  /** TRUNCATECOLUMNS = TRUE (ENFORCE_LENGTH = FALSE): over-long strings are cut, not rejected. */
  truncate?: boolean;
  /**
   * INCLUDE_METADATA: target column index → the text it takes, as SQL over the file's raw table
   * (`rowid` is the record's position there). Such columns take no field of the file.
   */
  metadata?: Map<number, string>;
}

/**
 * Where a CSV file's records put each target column: `source[j]` is the file field (0-based) that
 * fills column j, undefined when none does (MATCH_BY_COLUMN_NAME with no such header: NULL).
 */
export interface CsvLayout {
  /** Fields per record. */
  fields: number;
  source: (number | undefined)[];
  /** Lines before the first record: SKIP_HEADER, or the one header line PARSE_HEADER reads. */
  skip: number;
}

export interface StagedFile {
  outcome: FileOutcome;
  temporaries: string[];
}

/** At most this many errors per file are kept (for VALIDATE and RETURN_ERRORS); all are counted. */
const KEPT_ERRORS = 10_000;

export type Codec = 'gzip' | 'zstd' | 'none' | 'brotli' | 'deflate' | 'raw_deflate' | 'bz2';

/** The codec of a staged file under a format's COMPRESSION (AUTO: by the file's extension). */
export function codecOf(f: FileFormat, path: string): Codec {
  const c = String(optionOf(f, 'COMPRESSION'));
  if (c === 'AUTO') {
    const p = path.toLowerCase();
    if (p.endsWith('.gz')) return 'gzip';
    if (p.endsWith('.zst')) return 'zstd';
    if (p.endsWith('.br')) return 'brotli';
    if (p.endsWith('.bz2')) return 'bz2';
    if (p.endsWith('.deflate')) return 'deflate';
    return 'none';
  }
  const codecs: Record<string, Codec> = { GZIP: 'gzip', ZSTD: 'zstd', NONE: 'none', BROTLI: 'brotli', DEFLATE: 'deflate', RAW_DEFLATE: 'raw_deflate', BZ2: 'bz2' };
  const codec = codecs[c];
  if (!codec) throw errors.unsupported(`COMPRESSION = ${c}`);
  return codec;
}

export function bz2Unsupported(): Error {
  return errors.unsupported('COMPRESSION = BZ2 (GZIP, ZSTD, BROTLI, DEFLATE, RAW_DEFLATE and NONE are supported)');
}

/**
 * DuckDB's compression name for a staged file. DuckDB reads gzip and zstd itself; BROTLI, DEFLATE and
 * RAW_DEFLATE files are decompressed into a readable copy first (readable-copy.ts), so reaching here
 * with one is a bug in the caller.
 */
export function compression(f: FileFormat, path: string): string {
  const codec = codecOf(f, path);
  if (codec === 'gzip' || codec === 'zstd' || codec === 'none') return codec;
  if (codec === 'bz2') throw bz2Unsupported();
  throw new Error(`internal: ${codec} file read without a readable copy`);
}

function singleChar(f: FileFormat, name: string): string {
  const v = String(optionOf(f, name));
  if (v === 'NONE') return '';
  return v;
}

/** The dialect arguments of read_csv for a file format (delimiter, quoting, nulls, compression, encoding). */
function csvDialect(r: Pick<StagedRead, 'file' | 'format'>): string[] {
  const f = r.format;
  const recordDelimiter = String(optionOf(f, 'RECORD_DELIMITER'));
  if (!['\n', '\r\n', '\r'].includes(recordDelimiter)) throw errors.unsupported(`RECORD_DELIMITER other than a newline ('${recordDelimiter}')`);
  const delimiter = singleChar(f, 'FIELD_DELIMITER');
  if (delimiter === '') throw errors.unsupported('FIELD_DELIMITER = NONE');
  const quote = singleChar(f, 'FIELD_OPTIONALLY_ENCLOSED_BY');
  const escape = singleChar(f, 'ESCAPE') || quote;
  const nulls = (optionOf(f, 'NULL_IF') as string[]).slice();
  if (optionOf(f, 'EMPTY_FIELD_AS_NULL') === true) nulls.push('');
  const encoding = String(optionOf(f, 'ENCODING')).toUpperCase().replace('-', '');
  const duckEncoding = encoding === 'UTF8' ? 'utf-8' : encoding === 'UTF16' ? 'utf-16' : 'latin-1';
  return [
    `delim = ${sqlString(delimiter)}`,
    `quote = ${sqlString(quote)}`,
    `escape = ${sqlString(escape)}`,
    `nullstr = [${nulls.map(sqlString).join(', ')}]`,
    'allow_quoted_nulls = false',
    `compression = ${sqlString(compression(f, r.file.path))}`,
    `encoding = ${sqlString(duckEncoding)}`,
  ];
}

/** read_csv's arguments for a file format; `types` are the file fields' DuckDB types (all VARCHAR for the exact path). */
function csvArguments(r: Pick<StagedRead, 'file' | 'format'>, types: string[], skip: number, rejects: string, scan: string): string[] {
  const lenient = optionOf(r.format, 'ERROR_ON_COLUMN_COUNT_MISMATCH') === false;
  return [
    sqlString(r.file.absolute),
    `columns = {${types.map((t, j) => `'c${j + 1}': '${t}'`).join(', ')}}`,
    'header = false',
    `skip = ${skip}`,
    'auto_detect = false',
    ...csvDialect(r),
    'store_rejects = true',
    `rejects_table = ${sqlString(rejects)}`,
    `rejects_scan = ${sqlString(scan)}`,
    ...(lenient ? ['null_padding = true', 'strict_mode = false'] : []),
  ];
}

/**
 * How a CSV file's fields fill the target columns. Without PARSE_HEADER: in order, after SKIP_HEADER
 * lines. With it, the first line is the header: skipped, or (MATCH_BY_COLUMN_NAME) read to match its
 * names with the columns' — a column no header names gets NULL, fields no column names are ignored.
 */
export async function csvLayout(session: Session, r: Pick<StagedRead, 'file' | 'format' | 'columns' | 'metadata'>, match: ColumnMatch): Promise<CsvLayout> {
  const identity = r.columns.map((_, j) => j);
  if (optionOf(r.format, 'PARSE_HEADER') !== true) return { fields: r.columns.length, source: identity, skip: Math.trunc(Number(optionOf(r.format, 'SKIP_HEADER'))) };
  if (match === 'NONE') return { fields: r.columns.length, source: identity, skip: 1 };
  // The header is the file's first record, read with the format's own dialect (so a quoted name may
  // hold the delimiter); DuckDB's sniffer only counts its fields.
  const first = await session.conn.query(
    `SELECT * FROM read_csv(${sqlString(r.file.absolute)}, header = false, all_varchar = true, null_padding = true, strict_mode = false, ${csvDialect(r).join(', ')}) LIMIT 1`,
  );
  const header = (first.rows[0] ?? []).map((v) => (v === null ? '' : String(v)));
  const key = (name: string) => (match === 'CASE_SENSITIVE' ? name : name.toUpperCase());
  const source = r.columns.map((c, j) => {
    if (r.metadata?.has(j)) return undefined;
    const k = header.findIndex((h) => key(h) === key(c.name));
    return k < 0 ? undefined : k;
  });
  return { fields: Math.max(1, header.length), source, skip: 1 };
}

/**
 * The fast path's query for a CSV file: DuckDB's reader parses straight into the column types, in
 * one pass, with rows it cannot read (or cast) set aside in its reject table. Undefined when a
 * column or option needs Snowflake's own conversion (VARIANT, BINARY, VARCHAR(n), explicit date
 * formats, TRIM_SPACE): those files take the exact path. A file whose fast read rejected anything
 * is loaded again by the exact path, so errors are always reported the same way.
 */
export function fastCsvSql(r: Pick<StagedRead, 'file' | 'format' | 'columns'>, layout: CsvLayout, rejects: string, scan: string): string | undefined {
  const f = r.format;
  if (optionOf(f, 'TRIM_SPACE') === true) return undefined;
  const types: string[] = Array.from({ length: layout.fields }, () => 'VARCHAR');
  const projection: string[] = [];
  for (const [j, c] of r.columns.entries()) {
    const t = c.type;
    if (t.kind === 'VARIANT' || t.kind === 'OBJECT' || t.kind === 'ARRAY' || t.kind === 'BINARY') return undefined;
    if (t.kind === 'VARCHAR' && t.length < MAX_VARCHAR) return undefined;
    if (t.kind === 'DATE' && optionOf(f, 'DATE_FORMAT') !== 'AUTO') return undefined;
    if (t.kind === 'TIME' && optionOf(f, 'TIME_FORMAT') !== 'AUTO') return undefined;
    if (t.kind.startsWith('TIMESTAMP') && optionOf(f, 'TIMESTAMP_FORMAT') !== 'AUTO') return undefined;
    const k = layout.source[j];
    if (k === undefined) {
      projection.push(`CAST(NULL AS ${duckTypeOf(t)})`);
      continue;
    }
    // A field two columns take (case-insensitive names that differ only in case) is read as text.
    if (layout.source.indexOf(k) !== j) return undefined;
    types[k] = duckTypeOf(t);
    projection.push(`c${k + 1}`);
  }
  return `SELECT ${projection.join(', ')} FROM read_csv(${csvArguments(r, types, layout.skip, rejects, scan).join(', ')})`;
}

/**
 * How long a field was in the file: a value holding the delimiter, the quote or a line break must
 * have been enclosed (quotes doubled). A value enclosed without needing it cannot be told from the
 * parsed text, so positions after it are short by two.
 */
function writtenLength(v: string, delimiter: string, quote: string): number {
  if (quote === '' || !(v.includes(delimiter) || v.includes(quote) || v.includes('\n') || v.includes('\r'))) return v.length;
  return v.length + 2 + v.split(quote).length - 1;
}

export async function readCsv(session: Session, r: StagedRead, layout: CsvLayout): Promise<StagedFile> {
  const f = r.format;
  const quote = singleChar(f, 'FIELD_OPTIONALLY_ENCLOSED_BY');
  const raw = `${r.scratch}_raw`;
  const rejects = `${r.scratch}_rej`;
  const scan = `${r.scratch}_scan`;
  const delimiter = singleChar(f, 'FIELD_DELIMITER');
  const args = csvArguments(r, Array.from({ length: layout.fields }, () => 'VARCHAR'), layout.skip, rejects, scan);
  const temporaries = [raw, rejects, scan];
  await session.conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(raw)} AS SELECT * FROM read_csv(${args.join(', ')})`);
  const trim = optionOf(f, 'TRIM_SPACE') === true;
  const conv = await convert(session, r, raw, (j) => {
    const meta = r.metadata?.get(j);
    if (meta !== undefined) return meta;
    const k = layout.source[j];
    if (k === undefined) return 'CAST(NULL AS VARCHAR)';
    return trim ? `trim(c${k + 1})` : `c${k + 1}`;
  });
  temporaries.push(conv);

  const counts = await session.conn.query(
    `SELECT (SELECT count(*) FROM temp.${duckIdent(raw)}), (SELECT count(*) FROM temp.${duckIdent(rejects)}), (SELECT count(*) FROM temp.${duckIdent(conv)} WHERE _bad IS NOT NULL)`,
  );
  const [accepted, rejected, bad] = counts.rows[0].map(Number);
  const skip = layout.skip;
  const list: LoadError[] = [];
  const rejectRows = await session.conn.rows(
    `SELECT line, column_idx, column_name, error_type, csv_line, error_message FROM temp.${duckIdent(rejects)} ORDER BY line LIMIT ${KEPT_ERRORS}`,
  );
  const rejectedLines = rejectRows.map((x) => Number(x.line));
  for (const x of rejectRows) {
    const type = String(x.error_type);
    const line = Number(x.line);
    const found = /Found: (\d+)/.exec(String(x.error_message))?.[1];
    const columnCount = type === 'TOO MANY COLUMNS' || type === 'MISSING COLUMNS';
    list.push({
      message: columnCount
        ? `Number of columns in file (${found ?? '?'}) does not match that of the corresponding table (${layout.fields}), use file format option error_on_column_count_mismatch=false to ignore this error`
        : `${String(x.error_message)}`,
      code: columnCount ? '100080' : '100065',
      sqlState: '22000',
      line,
      character: 1,
      category: 'parsing',
      columnName: columnCount ? `${r.tableName.split('.').pop()}[${Math.min(Number(x.column_idx), layout.fields)}]` : null,
      rowNumber: line - skip,
      record: x.csv_line === null ? null : String(x.csv_line).replace(/\r?\n$/, ''),
    });
  }
  if (bad > 0) {
    const rows = await session.conn.rows(
      `SELECT c._r AS r, c._bad AS bad, c._why AS why, [${Array.from({ length: layout.fields }, (_, k) => `w.c${k + 1}`).join(', ')}] AS fields ` +
        `FROM temp.${duckIdent(conv)} c JOIN temp.${duckIdent(raw)} w ON w.rowid = c._r WHERE c._bad IS NOT NULL ORDER BY c._r LIMIT ${KEPT_ERRORS}`,
    );
    // The k-th accepted row sits on the k-th line (after the header) that the reader did not reject.
    let line = skip;
    let k = -1;
    let i = 0;
    for (const x of rows) {
      const target = Number(x.r);
      while (k < target) {
        line += 1;
        while (i < rejectedLines.length && rejectedLines[i] === line) {
          line += 1;
          i += 1;
        }
        k += 1;
      }
      const fields = (x.fields as (string | null)[]) ?? [];
      const j = Number(x.bad) - 1;
      // The failing column's field in the file (a column no header names points at none: position 1).
      const field = layout.source[j];
      const character = field === undefined ? 1 : fields.slice(0, field).reduce((sum, v) => sum + writtenLength(v ?? '', delimiter, quote) + delimiter.length, 1);
      const e = conversionError(r.columns[j], String(x.why), field === undefined ? '' : (fields[field] ?? ''));
      list.push({
        message: e.message,
        code: e.code,
        sqlState: e.sqlState,
        line,
        character,
        category: 'conversion',
        columnName: `"${r.tableName.split('.').pop()}"["${r.columns[j].name}":${j + 1}]`,
        rowNumber: line - skip,
        record: fields.map((v) => v ?? '').join(delimiter),
      });
    }
  }
  list.sort((a, b) => a.line - b.line);
  return {
    temporaries,
    outcome: outcomeOf(r.file, accepted + rejected, rejected + bad, list, conv),
  };
}

export type ColumnMatch = 'NONE' | 'CASE_SENSITIVE' | 'CASE_INSENSITIVE';

/**
 * JSON and Parquet files: without MATCH_BY_COLUMN_NAME each document (or Parquet row) becomes one
 * VARIANT value; with it, each target column takes the field of the same name (NULL when there is
 * none). Either way the values go through the same conversion as CSV fields.
 */
export async function readDocuments(session: Session, r: StagedRead, match: ColumnMatch): Promise<StagedFile> {
  const f = r.format;
  const raw = `${r.scratch}_raw`;
  const docs = `${r.scratch}_docs`;
  let source: string;
  if (f.type === 'JSON') {
    const format = optionOf(f, 'STRIP_OUTER_ARRAY') === true ? 'array' : 'unstructured';
    const c = compression(f, r.file.path);
    source = `SELECT json AS doc FROM read_json_objects(${sqlString(r.file.absolute)}, format = '${format}', compression = ${sqlString(c === 'none' ? 'uncompressed' : c)}, maximum_object_size = 268435456)`;
  } else {
    source = `SELECT to_json(p) AS doc FROM read_parquet(${sqlString(r.file.absolute)}) p`;
  }
  // Documents that do not parse (NDJSON read line by line), with their lines.
  const malformed: LoadError[] = [];
  try {
    await session.conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(docs)} AS ${source}`);
  } catch (e) {
    if (f.type === 'JSON' && optionOf(f, 'STRIP_OUTER_ARRAY') !== true) {
      const lines = `${r.scratch}_lines`;
      malformed.push(...(await ndjsonByLine(session, r, lines)));
      await session.conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(docs)} AS SELECT doc FROM temp.${duckIdent(lines)} ORDER BY line`);
      await session.conn.run(`DROP TABLE IF EXISTS temp.${duckIdent(lines)}`);
    } else {
      const what = f.type === 'JSON' ? 'Error parsing JSON' : 'Error reading Parquet file';
      const message = `${what}: ${String((e as Error).message).split('\n')[0]}`;
      const err: LoadError = { message, code: f.type === 'JSON' ? '100069' : '100071', sqlState: '22P02', line: 1, character: 1, category: 'parsing', columnName: null, rowNumber: 1, record: null };
      return { temporaries: [docs], outcome: outcomeOf(r.file, 1, 1, [err], undefined) };
    }
  }
  if (f.type === 'JSON' && optionOf(f, 'STRIP_NULL_VALUES') === true) await stripNullsInPlace(session.conn, docs, 'doc');
  const fields =
    match === 'NONE'
      ? ['CAST(doc AS VARCHAR) AS c1']
      : r.columns.map((c, j) => {
          const meta = r.metadata?.get(j);
          if (meta !== undefined) return `${meta} AS c${j + 1}`;
          const nested = c.type.kind === 'VARIANT' || c.type.kind === 'OBJECT' || c.type.kind === 'ARRAY';
          // The path to the field: the column's exact name, or (CASE_INSENSITIVE) the document's own
          // key that equals it ignoring case.
          const path =
            match === 'CASE_SENSITIVE'
              ? sqlString(`$."${c.name}"`)
              : `'$."' || replace(list_filter(json_keys(doc), k -> lower(k) = ${sqlString(c.name.toLowerCase())})[1], '"', '\\"') || '"'`;
          // A JSON null is SQL NULL here (json_extract gives the text 'null').
          const v = nested ? `CAST(json_extract(doc, ${path}) AS VARCHAR)` : `json_extract_string(doc, ${path})`;
          return `CASE WHEN ${v} = 'null' AND ${nested} THEN NULL ELSE ${v} END AS c${j + 1}`;
        });
  await session.conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(raw)} AS SELECT ${fields.join(', ')} FROM temp.${duckIdent(docs)}`);
  const conv = await convert(session, r, raw, (j) => `c${j + 1}`);
  const counts = await session.conn.query(`SELECT count(*), count(*) FILTER (WHERE _bad IS NOT NULL) FROM temp.${duckIdent(conv)}`);
  const [parsed, bad] = counts.rows[0].map(Number);
  const list: LoadError[] = [];
  if (bad > 0) {
    const rows = await session.conn.rows(
      `SELECT c._r AS r, c._bad AS bad, c._why AS why, [${r.columns.map((_, j) => `w.c${j + 1}`).join(', ')}] AS fields ` +
        `FROM temp.${duckIdent(conv)} c JOIN temp.${duckIdent(raw)} w ON w.rowid = c._r WHERE c._bad IS NOT NULL ORDER BY c._r LIMIT ${KEPT_ERRORS}`,
    );
    for (const x of rows) {
      const j = Number(x.bad) - 1;
      const e = conversionError(r.columns[j], String(x.why), (x.fields as (string | null)[])[j] ?? '');
      const row = Number(x.r) + 1;
      list.push({ message: e.message, code: e.code, sqlState: e.sqlState, line: row, character: 1, category: 'conversion', columnName: `"${r.tableName.split('.').pop()}"["${r.columns[j].name}":${j + 1}]`, rowNumber: row, record: null });
    }
  }
  list.push(...malformed);
  list.sort((a, b) => a.line - b.line);
  return { temporaries: [docs, raw, conv], outcome: outcomeOf(r.file, parsed + malformed.length, bad + malformed.length, list, conv) };
}

/**
 * An NDJSON file read line by line, for when DuckDB's reader stopped at a malformed document: every
 * line that is a JSON value becomes a row of `table` (line, doc); every other non-blank line is an
 * error of its own, returned with its line.
 */
export async function ndjsonByLine(session: Session, r: Pick<StagedRead, 'file' | 'format'>, table: string): Promise<LoadError[]> {
  const text = `${table}_text`;
  await session.conn.run(
    `CREATE OR REPLACE TEMP TABLE ${duckIdent(text)} AS SELECT text, row_number() OVER () AS line FROM read_csv(${sqlString(r.file.absolute)}, columns = {'text': 'VARCHAR'}, header = false, ` +
      `auto_detect = false, delim = '\x1f', quote = '', escape = '', compression = ${sqlString(compression(r.format, r.file.path))}, max_line_size = 268435456)`,
  );
  try {
    await session.conn.run(
      `CREATE OR REPLACE TEMP TABLE ${duckIdent(table)} AS SELECT line, CAST(text AS JSON) AS doc FROM temp.${duckIdent(text)} WHERE trim(coalesce(text, '')) <> '' AND json_valid(text) ORDER BY line`,
    );
    const bad = await session.conn.rows(
      `SELECT line, text FROM temp.${duckIdent(text)} WHERE trim(coalesce(text, '')) <> '' AND NOT json_valid(text) ORDER BY line LIMIT ${KEPT_ERRORS}`,
    );
    return bad.map((x) => {
      const t = String(x.text);
      return { message: `Error parsing JSON: ${t.length > 40 ? `${t.slice(0, 40)}...` : t}`, code: '100069', sqlState: '22P02', line: Number(x.line), character: 1, category: 'parsing', columnName: null, rowNumber: Number(x.line), record: t };
    });
  } finally {
    await session.conn.run(`DROP TABLE IF EXISTS temp.${duckIdent(text)}`);
  }
}

function outcomeOf(file: StageFile, rowsParsed: number, errorsSeen: number, list: LoadError[], converted: string | undefined): FileOutcome {
  return { file, name: file.path, md5: '', status: 'LOADED', rowsParsed, rowsLoaded: 0, errorLimit: 1, errorsSeen, errors: list, converted };
}

/**
 * The conversion pass as a query over the raw table: `_r` (the raw row's rowid), v1…vn in the
 * target types, `_bad` the first column (1-based) that does not fit, `_why` what is wrong with it
 * ('value', 'null' or 'length'). `extra` raw columns are passed through.
 */
export function conversionSql(
  r: Pick<StagedRead, 'columns' | 'format' | 'truncate'>,
  raw: string,
  field: (j: number) => string,
  extra: string[] = [],
  sources?: (SfType | undefined)[],
): string {
  const exprs = r.columns.map((c, j) => {
    const v = convertedFrom(sources?.[j], c.type, field(j), r.format);
    // TRUNCATECOLUMNS: a string longer than its column keeps the column's length.
    return r.truncate && c.type.kind === 'VARCHAR' && c.type.length < MAX_VARCHAR ? `left(${v}, ${c.type.length})` : v;
  });
  const checks: { cond: string; why: string; j: number }[] = [];
  r.columns.forEach((c, j) => {
    checks.push({ cond: `(c${j + 1} IS NOT NULL AND v${j + 1} IS NULL)`, why: 'value', j });
    if (!c.nullable) checks.push({ cond: `v${j + 1} IS NULL`, why: 'null', j });
    if (c.type.kind === 'VARCHAR' && c.type.length < MAX_VARCHAR) checks.push({ cond: `length(v${j + 1}) > ${c.type.length}`, why: 'length', j });
  });
  const bad = `CASE ${checks.map((k) => `WHEN ${k.cond} THEN ${k.j + 1}`).join(' ')} END`;
  const why = `CASE ${checks.map((k) => `WHEN ${k.cond} THEN '${k.why}'`).join(' ')} END`;
  const passed = extra.map((e) => `, ${e}`).join('');
  return (
    `WITH _conv AS (SELECT rowid AS _r${passed}, ${r.columns.map((_, j) => `${field(j)} AS c${j + 1}`).join(', ')}, ${exprs.map((e, j) => `${e} AS v${j + 1}`).join(', ')} FROM temp.${duckIdent(raw)}) ` +
    `SELECT _r${passed}, ${r.columns.map((_, j) => `v${j + 1}`).join(', ')}, ${bad} AS _bad, ${why} AS _why FROM _conv`
  );
}

/** The conversion pass materialised (COPY reads it several times). */
export async function convert(session: Session, r: Pick<StagedRead, 'scratch' | 'columns' | 'format' | 'truncate'>, raw: string, field: (j: number) => string): Promise<string> {
  const conv = `${r.scratch}_conv`;
  await session.conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(conv)} AS ${conversionSql(r, raw, field)}`);
  return conv;
}

/**
 * A value of Snowflake type `from` (a COPY transformation's result; text when undefined) in a
 * column's type; NULL when it does not convert. Text follows the file format's rules, a VARIANT
 * scalar converts as its text, other types cast.
 */
function convertedFrom(from: SfType | undefined, t: SfType, x: string, f: FileFormat): string {
  const nested = (k: string) => k === 'VARIANT' || k === 'OBJECT' || k === 'ARRAY';
  if (from === undefined || from.kind === 'VARCHAR') return converted(t, x, f);
  if (nested(from.kind)) return nested(t.kind) ? x : converted(t, `sf_v2s(${x})`, f);
  if (nested(t.kind)) return `TRY_CAST(to_json(${x}) AS JSON)`;
  return `TRY_CAST(${x} AS ${duckTypeOf(t)})`;
}

/** A text field in a column's type; NULL when it does not convert. */
function converted(t: SfType, x: string, f: FileFormat): string {
  const duck = duckTypeOf(t);
  switch (t.kind) {
    case 'VARCHAR':
      return x;
    case 'NUMBER': {
      // The common text first, cheaply (a plain integer, or a decimal of at most 18 digits); 128-bit
      // decimals and exponents (1e3) only for what that does not read. COALESCE evaluates an argument
      // only for the rows the ones before it left NULL.
      const fast = t.scale === 0 ? `TRY_CAST(${x} AS BIGINT)` : `TRY_CAST(${x} AS DECIMAL(18, ${t.scale}))`;
      const exact = `TRY_CAST(${x} AS DECIMAL(38, ${t.scale}))`;
      const viaDouble = `TRY_CAST(TRY_CAST(${x} AS DOUBLE) AS DECIMAL(38, ${t.scale}))`;
      return `TRY_CAST(coalesce(${fast}, ${exact}, ${viaDouble}) AS ${duck})`;
    }
    case 'FLOAT':
      return `TRY_CAST(${x} AS DOUBLE)`;
    case 'BOOLEAN':
      return `CASE WHEN lower(${x}) IN ('true', 't', 'yes', 'y', 'on', '1') THEN true WHEN lower(${x}) IN ('false', 'f', 'no', 'n', 'off', '0') THEN false END`;
    case 'DATE': {
      const fmt = String(optionOf(f, 'DATE_FORMAT') || 'AUTO');
      return fmt === 'AUTO' ? `TRY_CAST(${x} AS DATE)` : `CAST(TRY_STRPTIME(${x}, ${sqlString(formatModelToStrftime(fmt))}) AS DATE)`;
    }
    case 'TIME': {
      const fmt = String(optionOf(f, 'TIME_FORMAT') || 'AUTO');
      return fmt === 'AUTO' ? `TRY_CAST(${x} AS TIME)` : `CAST(TRY_STRPTIME(${x}, ${sqlString(formatModelToStrftime(fmt))}) AS TIME)`;
    }
    case 'TIMESTAMP_NTZ':
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_TZ': {
      const fmt = String(optionOf(f, 'TIMESTAMP_FORMAT') || 'AUTO');
      return fmt === 'AUTO' ? `TRY_CAST(${x} AS ${duck})` : `CAST(TRY_STRPTIME(${x}, ${sqlString(formatModelToStrftime(fmt))}) AS ${duck})`;
    }
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      return `TRY_CAST(${x} AS JSON)`;
    case 'BINARY': {
      const b = String(optionOf(f, 'BINARY_FORMAT') || 'HEX');
      if (b === 'HEX') return `CASE WHEN regexp_full_match(${x}, '([0-9A-Fa-f]{2})*') THEN unhex(${x}) END`;
      if (b === 'BASE64') return `CASE WHEN regexp_full_match(${x}, '[A-Za-z0-9+/]*={0,2}') THEN from_base64(${x}) END`;
      return `encode(${x})`;
    }
  }
}

/** Snowflake's error for a field that does not fit its column. */
export function conversionError(c: { name: string; type: SfType }, why: string, value: string): { message: string; code: string; sqlState: string } {
  if (why === 'null') return errors.nullInNotNullColumn(c.name);
  if (why === 'length') return errors.userError('100074', '22001', `User character length limit (${(c.type as { length: number }).length}) exceeded by string '${value.length > 40 ? `${value.slice(0, 40)}...` : value}'`);
  switch (c.type.kind) {
    case 'NUMBER':
    case 'FLOAT':
      return errors.numericNotRecognized(value);
    case 'BOOLEAN':
      return errors.booleanNotRecognized(value);
    case 'DATE':
      return errors.dateNotRecognized(value);
    case 'TIME':
      return errors.timeNotRecognized(value);
    case 'TIMESTAMP_NTZ':
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_TZ':
      return errors.timestampNotRecognized(value);
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      return errors.userError('100069', '22P02', `Error parsing JSON: ${value.length > 40 ? `${value.slice(0, 40)}...` : value}`);
    case 'BINARY':
      return errors.userError('100115', '22000', `The following string is not a legal hex-encoded value: '${value}'`);
    default:
      return errors.userError('100038', '22018', `Value '${value}' is not recognized`);
  }
}

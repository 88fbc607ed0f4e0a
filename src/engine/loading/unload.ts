/**
 * COPY INTO @stage FROM { table | (query) } [PARTITION BY expr] — unloading (semantics §6.5): the query
 * runs as any SELECT (Snowflake SQL translated) and DuckDB writes its result as CSV, JSON or Parquet
 * files into the stage. Without SINGLE the output is split into files of about MAX_FILE_SIZE bytes
 * (16 MB by default) named `<path>data_0_0_<n><ext>` for a folder, `<prefix>_0_0_<n><ext>` for a
 * prefix — with the query id in the name under INCLUDE_QUERY_ID or PARTITION BY; with SINGLE one file
 * named as given. PARTITION BY puts each row under the folder its expression names (`_NULL_` for
 * NULL). Files are written beside their destination and renamed into place; an existing file of the
 * same name is an error unless OVERWRITE = TRUE.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { duckIdent, errors, sqlString, T, translateQuery, type CopyIntoLocationStatement, type ParsedValue } from '../../sql/index.ts';
import { safeJoin } from '../../storage/index.ts';
import { translateForSession, beforeRun } from '../query/query.ts';
import { table, type ResultBody } from '../results/result-set.ts';
import type { Session } from '../session/session.ts';
import { formatFromProperties, optionOf, type FileFormat } from './file-format.ts';
import { findFileFormat, stageFormat } from './stage-ddl.ts';
import { resolveStage, type ResolvedStage } from './stage-commands.ts';

const OPTIONS = ['OVERWRITE', 'SINGLE', 'MAX_FILE_SIZE', 'HEADER', 'INCLUDE_QUERY_ID', 'DETAILED_OUTPUT'];
const DEFAULT_MAX_FILE_SIZE = 16_777_216;
/** Snowflake's largest MAX_FILE_SIZE (5 GB). */
const LARGEST_FILE = 5_368_709_120;
const PARTITION = '_BKL_PARTITION';

function flag(v: { text: string } | undefined, fallback: boolean): boolean {
  return v ? v.text.toUpperCase() === 'TRUE' : fallback;
}

function maxFileSize(v: ParsedValue | undefined): number {
  if (v === undefined) return DEFAULT_MAX_FILE_SIZE;
  const n = Number(v.text);
  if (v.kind !== 'number' || !Number.isInteger(n) || n < 1 || n > LARGEST_FILE) throw errors.invalidValue(`invalid value [${v.text}] for parameter 'MAX_FILE_SIZE'`);
  return n;
}

/** One written file: its path in the stage, bytes, and (DETAILED_OUTPUT only) rows. */
interface Written {
  path: string;
  size: number;
  rows?: number;
}

export async function copyIntoLocation(session: Session, stmt: CopyIntoLocationStatement): Promise<ResultBody> {
  for (const k of Object.keys(stmt.options)) if (!OPTIONS.includes(k)) throw errors.invalidOperation(`invalid copy option '${k}' for unloading`);
  const stage = resolveStage(session, stmt.to, 'COPY INTO');
  const format: FileFormat = stmt.fileFormat?.formatName
    ? findFileFormat(session, stmt.fileFormat.formatName, 'COPY INTO').format
    : stmt.fileFormat
      ? formatFromProperties(stmt.fileFormat.options)
      : (stageFormat(session, stage.stage) ?? { type: 'CSV', options: {} });
  const single = flag(stmt.options.SINGLE, false);
  const maxSize = maxFileSize(stmt.options.MAX_FILE_SIZE);
  const overwrite = flag(stmt.options.OVERWRITE, false);
  if (single && stmt.partitionSql !== undefined) throw errors.invalidOperation('PARTITION BY cannot be used with SINGLE = TRUE.');

  const parsed = session.parse(stmt.querySql);
  if (parsed.kind !== 'query') throw errors.syntaxMessage('COPY INTO <location> needs a table or a query (SELECT …) to unload.');
  const translated = await translateForSession(session, stmt.querySql, () => translateQuery(parsed, stmt.querySql, session.translateContext()));
  await beforeRun(session, translated.info);
  if (format.type === 'JSON' && (translated.columns.length !== 1 || !['VARIANT', 'OBJECT', 'ARRAY'].includes(translated.columns[0].type?.kind ?? 'VARIANT'))) {
    throw errors.userError('002019', '0A000', 'SQL compilation error:\nJSON file format can produce one and only one column of type variant, object, or array. Unload OBJECT_CONSTRUCT(*) to write each row as an object.');
  }

  const compression = unloadCompression(format);
  const extension = `${format.type === 'CSV' ? '.csv' : format.type === 'JSON' ? '.json' : '.parquet'}${compression === 'gzip' ? '.gz' : compression === 'zstd' ? '.zst' : ''}`;
  const header = flag(stmt.options.HEADER, false);
  const columns = translated.columns.map((c) => duckIdent(c.name));
  const projection = format.type === 'JSON' ? `${columns[0]} AS j` : columns.join(', ');
  const queryId = flag(stmt.options.INCLUDE_QUERY_ID, false) || stmt.partitionSql !== undefined ? session.currentQueryId : undefined;
  const detailed = flag(stmt.options.DETAILED_OUTPUT, false);
  const write: WriteSpec = { session, stage, format, compression, header, extension, maxSize, overwrite, single, queryId, detailed };

  const written: Written[] = [];
  let rows = 0;
  const add = (w: { files: Written[]; rows: number }) => {
    written.push(...w.files);
    rows += w.rows;
  };
  const scratch = '_bkl_unload';
  try {
    if (stmt.partitionSql === undefined) {
      add(await writeFiles(write, `SELECT ${projection} FROM (${translated.sql}) AS _u(${columns.join(', ')})`, stage.path));
    } else {
      // The result with each row's partition: the expression is Snowflake SQL over the query's
      // columns, translated against the materialised result.
      await session.conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(scratch)} AS SELECT * FROM (${translated.sql}) AS _u(${columns.join(', ')})`);
      const partSql = `SELECT *, (${stmt.partitionSql}) AS ${PARTITION} FROM _bkl_staged`;
      const partParsed = session.parse(partSql);
      if (partParsed.kind !== 'query') throw errors.syntaxMessage('PARTITION BY needs an expression.');
      session.stagedRows = { duckSchema: 'temp', duckName: scratch, columns: translated.columns.map((c) => ({ name: c.name, type: c.type ?? T.varchar() })), kind: 'TABLE', displayName: 'unload' };
      let parts;
      try {
        parts = translateQuery(partParsed, partSql, session.translateContext());
      } finally {
        session.stagedRows = undefined;
      }
      const partType = parts.columns[parts.columns.length - 1].type;
      if (partType && partType.kind !== 'VARCHAR') throw errors.invalidValue('PARTITION BY expression must be a string (use TO_VARCHAR or ||).');
      const partitioned = `${scratch}_p`;
      await session.conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(partitioned)} AS ${parts.sql}`);
      const values = await session.conn.query(`SELECT DISTINCT ${PARTITION} FROM temp.${duckIdent(partitioned)} ORDER BY 1 NULLS LAST`);
      const base = stage.path === '' || stage.path.endsWith('/') ? stage.path : `${stage.path}/`;
      for (const [v] of values.rows) {
        const folder = v === null ? '_NULL_' : String(v).replace(/^\/+|\/+$/g, '');
        const where = v === null ? `${PARTITION} IS NULL` : `${PARTITION} = ${sqlString(String(v))}`;
        add(await writeFiles(write, `SELECT ${projection} FROM temp.${duckIdent(partitioned)} WHERE ${where}`, `${base}${folder === '' ? '' : `${folder}/`}`));
      }
    }
  } finally {
    await session.conn.run(`DROP TABLE IF EXISTS temp.${duckIdent(scratch)}; DROP TABLE IF EXISTS temp.${duckIdent(`${scratch}_p`)}`).catch(() => undefined);
  }

  if (detailed) {
    return table(
      [
        ['FILE_NAME', T.varchar()],
        ['FILE_SIZE', T.number()],
        ['ROW_COUNT', T.number()],
      ],
      written.map((w) => [w.path, w.size, w.rows ?? null]),
      'UNLOAD',
    );
  }
  const size = written.reduce((s, w) => s + w.size, 0);
  return table(
    [
      ['rows_unloaded', T.number()],
      ['input_bytes', T.number()],
      ['output_bytes', T.number()],
    ],
    [[rows, size, size]],
    'UNLOAD',
  );
}

interface WriteSpec {
  session: Session;
  stage: ResolvedStage;
  format: FileFormat;
  compression: string;
  header: boolean;
  extension: string;
  maxSize: number;
  overwrite: boolean;
  single: boolean;
  queryId: string | undefined;
  /** DETAILED_OUTPUT: each file's own row count is wanted. */
  detailed: boolean;
}

/**
 * Writes one query's rows at `path` (a folder ending in '/', a prefix, or with SINGLE the file name):
 * DuckDB splits them into files of about MAX_FILE_SIZE in a scratch folder, which are then renamed
 * into place in order. Nothing is written when the query has no rows, unless SINGLE (an empty file).
 */
async function writeFiles(w: WriteSpec, query: string, path: string): Promise<{ files: Written[]; rows: number }> {
  const { session, stage } = w;
  if (w.single && (path === '' || path.endsWith('/'))) throw errors.invalidOperation('SINGLE = TRUE needs a file name in the location (@stage/path/file.csv).');
  const root = session.engine.stageFiles.dir(stage.area, stage.key);
  const folder = path === '' || path.endsWith('/');
  const stem = `${folder ? `${path}data` : path}${w.queryId ? `_${w.queryId}` : ''}_0_0_`;
  mkdirSync(root, { recursive: true });
  const scratch = mkdtempSync(join(root, '.bkl-tmp-unload-'));
  try {
    const options = copyOptions(w.format, w.compression, w.header);
    let produced: string[];
    let rows: number;
    if (w.single) {
      const out = join(scratch, 'single');
      rows = Number((await session.conn.query(`COPY (${query}) TO ${sqlString(out)} (${options.join(', ')})`)).rows[0]?.[0] ?? 0);
      produced = [out];
    } else {
      // FILE_SIZE_BYTES is checked between row groups, so files come out about that size.
      const splitting = [`FILE_SIZE_BYTES ${w.maxSize}`, "FILENAME_PATTERN 'part_{i}'", "FILE_EXTENSION 'out'"];
      rows = Number((await session.conn.query(`COPY (${query}) TO ${sqlString(scratch)} (${[...options, ...splitting].join(', ')})`)).rows[0]?.[0] ?? 0);
      produced = readdirSync(scratch)
        .filter((f) => /^part_\d+\.out/.test(f))
        .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]))
        .map((f) => join(scratch, f));
      if (rows === 0) produced = [];
    }
    const names = produced.map((_, k) => safeJoin('', w.single ? path : `${stem}${k}${w.extension}`));
    const targets = names.map((n) => join(root, ...n.split('/')));
    if (!w.overwrite) {
      const existing = names.find((_, k) => existsSync(targets[k]));
      if (existing) throw errors.userError('001030', '22000', `Files already existing at the unload destination: ${stage.listPrefix}${existing}. Use overwrite option to force unloading.`);
    }
    const out: Written[] = [];
    for (const [k, file] of produced.entries()) {
      mkdirSync(dirname(targets[k]), { recursive: true });
      renameSync(file, targets[k]);
      // DuckDB reports only the total: a file's own count is read back, and only when asked for.
      const own = !w.detailed ? undefined : produced.length === 1 ? rows : await rowsIn(session, w, targets[k]);
      out.push({ path: names[k], size: statSync(targets[k]).size, rows: own });
    }
    return { files: out, rows };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** Rows in one written file (several files: DuckDB reports only the total). */
async function rowsIn(session: Session, w: WriteSpec, file: string): Promise<number> {
  const f = sqlString(file);
  const sql =
    w.format.type === 'PARQUET'
      ? `SELECT count(*) FROM read_parquet(${f})`
      : `SELECT count(*) FROM read_csv(${f}, columns = {'line': 'VARCHAR'}, header = ${w.format.type === 'CSV' && w.header}, auto_detect = false, delim = '\x1f', quote = '', escape = '', compression = ${sqlString(w.compression === 'none' ? 'none' : w.compression)}, max_line_size = 268435456)`;
  return Number((await session.conn.query(sql)).rows[0][0]);
}

/** Unloads are compressed unless the format says NONE (Snowflake's default: GZIP; Parquet: Snappy). */
function unloadCompression(f: FileFormat): string {
  const c = String(optionOf(f, 'COMPRESSION'));
  if (f.type === 'PARQUET') return c === 'NONE' ? 'uncompressed' : 'snappy';
  if (c === 'NONE') return 'none';
  if (c === 'AUTO' || c === 'GZIP') return 'gzip';
  if (c === 'ZSTD') return 'zstd';
  throw errors.unsupported(`COMPRESSION = ${c} for unloading (GZIP, ZSTD, NONE)`);
}

function copyOptions(f: FileFormat, compression: string, header: boolean): string[] {
  if (f.type === 'PARQUET') return ['FORMAT PARQUET', `COMPRESSION ${sqlString(compression)}`];
  // NDJSON: each value's JSON text on its own line, written as-is (no quoting, one column).
  if (f.type === 'JSON') return ['FORMAT CSV', 'HEADER false', "QUOTE ''", "ESCAPE ''", `DELIMITER '\x1f'`, `COMPRESSION ${sqlString(compression)}`];
  const quote = String(optionOf(f, 'FIELD_OPTIONALLY_ENCLOSED_BY'));
  const nulls = optionOf(f, 'NULL_IF') as string[];
  return [
    'FORMAT CSV',
    `HEADER ${header}`,
    `DELIMITER ${sqlString(String(optionOf(f, 'FIELD_DELIMITER')))}`,
    // NONE (Snowflake's default) writes fields as they are, as Snowflake does: a delimiter inside a
    // value then needs FIELD_OPTIONALLY_ENCLOSED_BY to load back.
    `QUOTE ${sqlString(quote === 'NONE' ? '' : quote)}`,
    ...(quote === 'NONE' ? ["ESCAPE ''"] : []),
    `NULLSTR ${sqlString(nulls[0] ?? '')}`,
    `COMPRESSION ${sqlString(compression)}`,
  ];
}

/**
 * COPY INTO <table> from a stage (semantics §6.5). Each file is read by DuckDB's own reader into a
 * temporary table of text fields (CSV rows that do not parse — wrong field count, an unterminated
 * quote — land in DuckDB's reject table with their line), then converted to the table's column types
 * in one set-based pass that also finds, per row, the first field that does not convert. ON_ERROR
 * decides per file what loads; every loaded file's good rows go into the table through the versioned
 * write path in one transaction, together with the load metadata (so a loaded file is skipped for 64
 * days unless FORCE) and the rejected rows (VALIDATE). Streams and dynamic tables see the load as
 * any other insert.
 */
import { displayName, duckIdent, errors, SnowflakeError, sqlString, T, type CopyIntoTableStatement, type SfType } from '../../sql/index.ts';
import { appendRows, safeJoin, SYSTEM_SCHEMA, type ObjectEntry, type StageFile } from '../../storage/index.ts';
import { table, type ResultBody } from '../results/result-set.ts';
import type { Session } from '../session/session.ts';
import { versionedTarget } from '../query/dml.ts';
import { copyOptionsFromProperties, parseOnError, type CopyOptions, type MetadataColumn, type OnError } from './copy-options.ts';
import { formatFromProperties, optionOf, type FileFormat } from './file-format.ts';
import { findFileFormat, stageFormat } from './stage-ddl.ts';
import { compilePattern, filesAt, resolveStage, type ResolvedStage } from './stage-commands.ts';
import { csvLayout, fastCsvSql, readCsv, readDocuments, type StagedRead } from './readers.ts';
import { transformFile } from './transform.ts';
import { needsReadableCopy, readableCopy, type ReadableCopy } from './readable-copy.ts';

const S = SYSTEM_SCHEMA;
/** How long load metadata is kept (and a loaded file skipped). */
export const LOAD_METADATA_DAYS = 64;
const NOTHING = 'Copy executed with 0 files processed.';

/** One error found in a file: where, and Snowflake's code and message. */
export interface LoadError {
  message: string;
  code: string;
  sqlState: string;
  line: number;
  character: number;
  category: string;
  columnName: string | null;
  rowNumber: number;
  record: string | null;
}

/** What happened to one file. */
export interface FileOutcome {
  file: StageFile;
  name: string;
  md5: string;
  status: 'LOADED' | 'LOAD_FAILED' | 'PARTIALLY_LOADED';
  rowsParsed: number;
  rowsLoaded: number;
  errorLimit: number;
  errorsSeen: number;
  errors: LoadError[];
  /** The temporary table of converted rows (good ones have `_bad` NULL). */
  converted?: string;
}

export async function copyIntoTable(session: Session, stmt: CopyIntoTableStatement): Promise<ResultBody> {
  const target = session.resolver.target([stmt.table.database, stmt.table.schema, stmt.table.name].filter((p): p is string => p !== undefined), 'COPY INTO');
  const object = target.object;
  const tableName = displayName([target.path.database.name, target.path.schema.name, object.name]);
  const columns = targetColumns(object, stmt.columns);
  const stage = resolveStage(session, stmt.from, 'COPY INTO');
  const format = effectiveFormat(session, stmt, stage);
  const options = effectiveOptions(stmt, stage);
  const onError = parseOnError(options.ON_ERROR ?? 'ABORT_STATEMENT');
  const match = options.MATCH_BY_COLUMN_NAME ?? 'NONE';
  // TRUNCATECOLUMNS = TRUE and ENFORCE_LENGTH = FALSE are one option under two names.
  const truncate = options.TRUNCATECOLUMNS === true || options.ENFORCE_LENGTH === false;
  if (match !== 'NONE' && format.type === 'CSV' && optionOf(format, 'PARSE_HEADER') !== true) {
    throw errors.invalidOperation('MATCH_BY_COLUMN_NAME for CSV files requires the file format option PARSE_HEADER = TRUE.');
  }
  if (match !== 'NONE' && stmt.columns) throw errors.invalidOperation('MATCH_BY_COLUMN_NAME cannot be used with a column list.');
  if (stmt.transform && stmt.from.kind === 'table') throw errors.invalidOperation('COPY transformations cannot read a table stage (@%t); use a named stage or @~.');
  if (stmt.transform && match !== 'NONE') throw errors.invalidOperation('MATCH_BY_COLUMN_NAME cannot be used with a COPY transformation.');
  const includeMetadata = options.INCLUDE_METADATA;
  if (includeMetadata && match === 'NONE') throw errors.invalidOperation('INCLUDE_METADATA can only be used with MATCH_BY_COLUMN_NAME.');
  for (const name of Object.keys(includeMetadata ?? {})) {
    if (!columns.some((c) => c.name === name)) throw errors.invalidIdentifier(name);
  }
  if (!stmt.transform && format.type !== 'CSV' && match === 'NONE' && (columns.length !== 1 || !['VARIANT', 'OBJECT', 'ARRAY'].includes(columns[0].type.kind))) {
    throw errors.userError(
      '002019',
      '0A000',
      `SQL compilation error:\n${format.type} file format can produce one and only one column of type variant, object, or array. Use CSV file format if you want to load more than one column, or MATCH_BY_COLUMN_NAME.`,
    );
  }

  const candidates = selectFiles(session, stmt, stage, onError);
  const now = session.engine.clock.now().getTime();
  // RETURN_ALL_ERRORS also validates files an earlier ON_ERROR = CONTINUE load left partially loaded.
  const eligible = await notYetLoaded(session, object, stage, candidates, now, {
    force: options.FORCE === true,
    partial: stmt.validationMode === 'RETURN_ALL_ERRORS',
    uncertain: options.LOAD_UNCERTAIN_FILES === true,
  });
  // SIZE_LIMIT: files are taken while the total so far is under the limit (at least one file).
  let taken = 0;
  const files = options.SIZE_LIMIT === undefined ? eligible : eligible.filter((f) => {
    if (taken >= options.SIZE_LIMIT!) return false;
    taken += f.file.size;
    return true;
  });
  if (files.length === 0) return table([['status', T.varchar()]], [[NOTHING]], 'COPY');

  const created: string[] = [];
  // What DuckDB reads for each file: the file itself, or a readable copy (BROTLI / DEFLATE, or a
  // RECORD_DELIMITER that is not a newline) with its own format. Outcomes always name the staged file.
  const rewritten = new Map<number, ReadableCopy>();
  const sourceOf = async (i: number): Promise<{ file: StageFile; format: FileFormat }> => {
    if (!needsReadableCopy(format, files[i].file.path)) return { file: files[i].file, format };
    let r = rewritten.get(i);
    if (!r) {
      r = await readableCopy(files[i].file, format);
      rewritten.set(i, r);
    }
    return r;
  };
  try {
    const readFile = async (i: number): Promise<FileOutcome> => {
      const metadata = includeMetadata && metadataFields(includeMetadata, columns, stage.listPrefix + files[i].file.path, files[i], now);
      const read: StagedRead = { ...(await sourceOf(i)), scratch: `_bkl_copy_${i}`, columns, tableName, truncate, metadata };
      const staged = format.type === 'CSV' ? await readCsv(session, read, await csvLayout(session, read, match)) : await readDocuments(session, read, match);
      created.push(...staged.temporaries);
      return decide({ ...staged.outcome, file: files[i].file, name: stage.listPrefix + files[i].file.path, md5: files[i].md5 }, onError);
    };
    if (stmt.validationMode) {
      const outcomes: FileOutcome[] = [];
      for (let i = 0; i < files.length; i += 1) outcomes.push(await readFile(i));
      return await validationResult(session, stmt.validationMode, outcomes, columns);
    }

    const jobId = session.currentQueryId ?? '';
    const t = versionedTarget(target);
    const names = columns.map((c) => c.name);
    const required = columns.map((c, j) => (c.nullable ? undefined : `c${j + 1} IS NULL`)).filter((x): x is string => x !== undefined);
    // Files are read before the write transaction (DuckDB's CSV reader may not create its reject
    // tables inside one); only the one-pass fast read runs inside it, and a file it rejects rows of
    // sends the statement round again with that file on the exact path.
    const exact = new Set<number>();
    let outcomes: FileOutcome[] = [];
    if (stmt.transform) {
      outcomes = await transformedLoad(session, stmt.transform.selectSql, files, sourceOf, stage, columns, onError, { tableName, truncate }, created);
      await session.engine.writes.run(session, async (w) => {
        for (const o of outcomes) {
          if (o.status !== 'LOAD_FAILED' && o.converted) o.rowsLoaded = await appendRows(session.conn, t, names, goodRows(o.converted, columns.length), w);
        }
        await recordLoads(session, jobId, object, target.path, stage, outcomes, now);
      });
    }
    for (let round = 0; !stmt.transform; round += 1) {
      const plan: ({ kind: 'direct'; sql: string; rejects: string } | { kind: 'typed'; table: string } | { kind: 'exact'; outcome: FileOutcome })[] = [];
      for (let i = 0; i < files.length; i += 1) {
        const scratch = `_bkl_fast_${round}_${i}`;
        const fastRead = { ...(await sourceOf(i)), columns };
        // Metadata columns are filled by the exact path.
        const fastSql = format.type === 'CSV' && !exact.has(i) && !includeMetadata ? fastCsvSql(fastRead, await csvLayout(session, fastRead, match), `${scratch}_rej`, `${scratch}_scan`) : undefined;
        if (fastSql !== undefined) created.push(`${scratch}_rej`, `${scratch}_scan`);
        if (fastSql !== undefined && required.length === 0) {
          plan.push({ kind: 'direct', sql: fastSql, rejects: `${scratch}_rej` });
          continue;
        }
        if (fastSql !== undefined) {
          const typed = `${scratch}_typed`;
          created.push(typed);
          await session.conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(typed)} AS ${fastSql}`);
          const check = await session.conn.query(`SELECT (SELECT count(*) FROM temp.${duckIdent(`${scratch}_rej`)}), (SELECT count(*) FROM temp.${duckIdent(typed)} WHERE ${required.join(' OR ')})`);
          if (Number(check.rows[0][0]) === 0 && Number(check.rows[0][1]) === 0) {
            plan.push({ kind: 'typed', table: typed });
            continue;
          }
        }
        const o = await readFile(i);
        if (onError.kind === 'ABORT_STATEMENT' && o.errorsSeen > 0) throw abortError(o);
        plan.push({ kind: 'exact', outcome: o });
      }
      outcomes = [];
      let rejected: number | undefined;
      await session.engine.writes.run(session, async (w) => {
        for (let i = 0; i < files.length && rejected === undefined; i += 1) {
          const p = plan[i];
          const base = { file: files[i].file, name: stage.listPrefix + files[i].file.path, md5: files[i].md5, status: 'LOADED' as const, errorsSeen: 0, errors: [] };
          // A file read without errors: ON_ERROR only sets its error limit.
          const clean = (n: number) => decide({ ...base, rowsParsed: n, rowsLoaded: 0, errorLimit: 1 }, onError);
          if (p.kind === 'direct') {
            const n = await appendRows(session.conn, t, names, p.sql, w);
            if (Number((await session.conn.query(`SELECT count(*) FROM temp.${duckIdent(p.rejects)}`)).rows[0][0]) > 0) rejected = i;
            else outcomes.push(clean(n));
          } else if (p.kind === 'typed') {
            const n = await appendRows(session.conn, t, names, `SELECT * FROM temp.${duckIdent(p.table)}`, w);
            outcomes.push(clean(n));
          } else {
            const o = p.outcome;
            if (o.status !== 'LOAD_FAILED' && o.converted) {
              o.rowsLoaded = await appendRows(session.conn, t, names, goodRows(o.converted, columns.length), w);
            }
            outcomes.push(o);
          }
        }
        if (rejected !== undefined) throw new RoundAgain();
        await recordLoads(session, jobId, object, target.path, stage, outcomes, now);
      }).catch((e) => {
        if (!(e instanceof RoundAgain)) throw e;
      });
      if (rejected === undefined) break;
      exact.add(rejected);
    }
    if (options.PURGE) {
      try {
        session.engine.stageFiles.remove(outcomes.filter((o) => o.status === 'LOADED').map((o) => o.file));
      } catch {
        // Snowflake: a failed purge does not fail the load.
      }
    }
    const shown = options.RETURN_FAILED_ONLY ? outcomes.filter((o) => o.status !== 'LOADED') : outcomes;
    return table(
      [
        ['file', T.varchar()],
        ['status', T.varchar()],
        ['rows_parsed', T.number()],
        ['rows_loaded', T.number()],
        ['error_limit', T.number()],
        ['errors_seen', T.number()],
        ['first_error', T.varchar()],
        ['first_error_line', T.number()],
        ['first_error_character', T.number()],
        ['first_error_column_name', T.varchar()],
      ],
      shown.map((o) => {
        const e = o.errors[0];
        return [o.name, o.status, o.rowsParsed, o.rowsLoaded, o.errorLimit, o.errorsSeen, e?.message ?? null, e?.line ?? null, e?.character ?? null, e?.columnName ?? null];
      }),
      'COPY',
    );
  } finally {
    for (const t of created) await session.conn.run(`DROP TABLE IF EXISTS temp.${duckIdent(t)}`).catch(() => undefined);
    for (const r of rewritten.values()) r.remove();
  }
}

/** Each file through the transformation query (see transform.ts); ON_ERROR applies as for any load. */
async function transformedLoad(
  session: Session,
  selectSql: string,
  files: { file: StageFile; md5: string }[],
  sourceOf: (i: number) => Promise<{ file: StageFile; format: FileFormat }>,
  stage: ResolvedStage,
  columns: { name: string; type: SfType; nullable: boolean }[],
  onError: OnError,
  opts: { tableName: string; truncate: boolean },
  created: string[],
): Promise<FileOutcome[]> {
  // Once ON_ERROR has decided a file's fate, the rest of it need not be evaluated.
  const stopAfter = onError.kind === 'ABORT_STATEMENT' ? 1 : onError.kind === 'SKIP_FILE' && onError.limit !== undefined ? onError.limit : Infinity;
  const outcomes: FileOutcome[] = [];
  for (let i = 0; i < files.length; i += 1) {
    const name = stage.listPrefix + files[i].file.path;
    const src = await sourceOf(i);
    const read = await transformFile(session, src.file, name, src.format, selectSql, columns, { scratch: `_bkl_tr_${i}`, tableName: opts.tableName, truncate: opts.truncate, stopAfter }, created);
    const o = decide({ ...read, file: files[i].file, md5: files[i].md5, status: 'LOADED', rowsLoaded: 0, errorLimit: 1 }, onError);
    if (onError.kind === 'ABORT_STATEMENT' && o.errorsSeen > 0) throw abortError(o);
    outcomes.push(o);
  }
  return outcomes;
}

/** INCLUDE_METADATA's columns as text over a file's raw table (`rowid`: the record's position). */
function metadataFields(
  include: Record<string, MetadataColumn>,
  columns: { name: string }[],
  listed: string,
  file: { file: StageFile; md5: string },
  now: number,
): Map<number, string> {
  const text: Record<MetadataColumn, string> = {
    METADATA$FILENAME: sqlString(listed),
    METADATA$FILE_ROW_NUMBER: 'CAST(rowid + 1 AS VARCHAR)',
    METADATA$FILE_CONTENT_KEY: sqlString(file.md5),
    METADATA$FILE_LAST_MODIFIED: sqlString(file.file.lastModified.toISOString()),
    METADATA$START_SCAN_TIME: sqlString(new Date(now).toISOString()),
  };
  return new Map(Object.entries(include).map(([name, meta]) => [columns.findIndex((c) => c.name === name), text[meta]]));
}

/** The rows of a conversion table that fit every column. */
function goodRows(converted: string, n: number): string {
  return `SELECT ${Array.from({ length: n }, (_, j) => `v${j + 1}`).join(', ')} FROM temp.${duckIdent(converted)} WHERE _bad IS NULL`;
}

/** A fast read rejected rows: the write is rolled back and the statement goes round again. */
class RoundAgain extends Error {}

/** The table's columns the files fill: the column list, or all columns in order. */
function targetColumns(o: ObjectEntry, names: string[] | undefined): { name: string; type: SfType; nullable: boolean }[] {
  if (!names) return o.columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable }));
  return names.map((n) => {
    const c = o.columns.find((x) => x.name === n);
    if (!c) throw errors.invalidIdentifier(n);
    return { name: c.name, type: c.type, nullable: c.nullable };
  });
}

function effectiveFormat(session: Session, stmt: CopyIntoTableStatement, stage: ResolvedStage): FileFormat {
  if (stmt.fileFormat?.formatName) return findFileFormat(session, stmt.fileFormat.formatName, 'COPY INTO').format;
  if (stmt.fileFormat) return formatFromProperties(stmt.fileFormat.options);
  return stageFormat(session, stage.stage) ?? { type: 'CSV', options: {} };
}

function effectiveOptions(stmt: CopyIntoTableStatement, stage: ResolvedStage): CopyOptions {
  const base = stage.stage?.properties.COPY_OPTIONS ? (JSON.parse(stage.stage.properties.COPY_OPTIONS) as CopyOptions) : undefined;
  return copyOptionsFromProperties(stmt.options, base);
}

/** FILES (names relative to the location) or PATTERN (a regular expression on the path in the stage). */
function selectFiles(session: Session, stmt: CopyIntoTableStatement, stage: ResolvedStage, onError: OnError): StageFile[] {
  const all = filesAt(session, stage, undefined);
  if (stmt.files) {
    if (stmt.files.length > 1000) throw errors.invalidOperation('FILES may list at most 1000 files.');
    const out: StageFile[] = [];
    for (const name of stmt.files) {
      const path = safeJoin(stage.path.endsWith('/') || stage.path === '' ? stage.path : `${stage.path}/`, name);
      const f = all.find((x) => x.path === path);
      if (f) out.push(f);
      else if (onError.kind === 'ABORT_STATEMENT') throw errors.userError('100083', '58030', `Remote file '${stage.listPrefix}${path}' was not found. There are several potential causes. The file might not exist. The required credentials may be missing or invalid.`);
    }
    return out;
  }
  if (stmt.pattern !== undefined) {
    const re = compilePattern(stmt.pattern);
    return all.filter((f) => re.test(f.path));
  }
  return all;
}

/**
 * Files whose content (by MD5) this table has not loaded within 64 days, or all of them with FORCE;
 * with `partial`, also those whose last load was PARTIALLY_LOADED. A file whose load status is
 * uncertain — modified more than 64 days ago, for a table older than that, with no load metadata
 * left — is skipped unless LOAD_UNCERTAIN_FILES, as in Snowflake: it may well have been loaded.
 */
async function notYetLoaded(
  session: Session,
  table: ObjectEntry,
  stage: ResolvedStage,
  files: StageFile[],
  now: number,
  opts: { force: boolean; partial: boolean; uncertain: boolean },
): Promise<{ file: StageFile; md5: string }[]> {
  const withSums = [];
  for (const f of files) withSums.push({ file: f, md5: await session.engine.stageFiles.md5(f) });
  if (opts.force || withSums.length === 0) return withSums;
  const horizon = now - LOAD_METADATA_DAYS * 86_400_000;
  const rows = await session.conn.rows(
    `SELECT path, md5 FROM ${S}.load_history WHERE table_id = ${Math.trunc(table.id)} AND stage_key = ${sqlString(`${stage.area}/${stage.key}`)} ` +
      `AND status IN ('LOADED'${opts.partial ? '' : ", 'PARTIALLY_LOADED'"}) AND last_load_ms > ${Math.trunc(horizon)}`,
  );
  const loaded = new Set(rows.map((r) => `${r.path}\u0000${r.md5}`));
  const uncertain = (f: StageFile) => !opts.uncertain && f.lastModified.getTime() <= horizon && table.createdOn.getTime() <= horizon;
  return withSums.filter((f) => !loaded.has(`${f.file.path}\u0000${f.md5}`) && !uncertain(f.file));
}

/** ON_ERROR applied to a file's counts. */
function decide(o: FileOutcome, onError: OnError): FileOutcome {
  const good = Math.max(0, o.rowsParsed - o.errorsSeen);
  if (o.errorsSeen === 0) return { ...o, status: 'LOADED', errorLimit: onError.kind === 'CONTINUE' ? o.rowsParsed : (onError.kind === 'SKIP_FILE' ? (onError.limit ?? 1) : 1), rowsLoaded: good };
  switch (onError.kind) {
    case 'ABORT_STATEMENT':
      return { ...o, status: 'LOAD_FAILED', errorLimit: 1, rowsLoaded: 0 };
    case 'CONTINUE':
      return { ...o, status: good > 0 ? 'PARTIALLY_LOADED' : 'LOAD_FAILED', errorLimit: o.rowsParsed, rowsLoaded: good };
    case 'SKIP_FILE': {
      const limit = onError.percent !== undefined ? Math.max(1, Math.floor((o.rowsParsed * onError.percent) / 100)) : (onError.limit ?? 1);
      const skip = onError.percent !== undefined ? (o.errorsSeen * 100) / Math.max(1, o.rowsParsed) > onError.percent : o.errorsSeen >= limit;
      if (skip) return { ...o, status: 'LOAD_FAILED', errorLimit: limit, rowsLoaded: 0 };
      return { ...o, status: good > 0 ? 'PARTIALLY_LOADED' : 'LOAD_FAILED', errorLimit: limit, rowsLoaded: good };
    }
  }
}

function abortError(o: FileOutcome): SnowflakeError {
  const e = o.errors[0];
  const where = `\n  File '${o.name}', line ${e.line}, character ${e.character}\n  Row ${e.rowNumber}${e.columnName ? `, column ${e.columnName}` : ''}`;
  return errors.userError(
    e.code,
    e.sqlState,
    `${e.message}${where}\n  If you would like to continue loading when an error is encountered, use other values such as 'SKIP_FILE' or 'CONTINUE' for the ON_ERROR option.`,
  );
}

async function recordLoads(
  session: Session,
  jobId: string,
  o: ObjectEntry,
  path: { database: { name: string }; schema: { name: string } },
  stage: ResolvedStage,
  outcomes: FileOutcome[],
  now: number,
): Promise<void> {
  const s = (v: string | null | undefined) => (v === null || v === undefined ? 'NULL' : sqlString(v));
  const n = (v: number | null | undefined) => (v === null || v === undefined ? 'NULL' : String(Math.trunc(v)));
  const history = outcomes.map((x) => {
    const e = x.errors[0];
    return (
      `(${s(jobId)}, ${n(o.id)}, ${s(o.name)}, ${s(path.schema.name)}, ${s(path.database.name)}, ${s(`${stage.area}/${stage.key}`)}, ${s(x.file.path)}, ${s(x.name)}, ${s(x.md5)}, ` +
      `${n(x.file.size)}, ${n(now)}, ${s(x.status)}, ${n(x.rowsParsed)}, ${n(x.rowsLoaded)}, ${n(x.errorLimit)}, ${n(x.errorsSeen)}, ${s(e?.message)}, ${n(e?.line)}, ${n(e?.character)}, ${s(e?.columnName)})`
    );
  });
  await session.conn.run(`INSERT INTO ${S}.load_history VALUES ${history.join(', ')}`);
  const rejects = outcomes.flatMap((x) =>
    x.errors.map(
      (e) =>
        `(${s(jobId)}, ${s(x.name)}, ${n(e.line)}, ${n(e.character)}, ${s(e.category)}, ${s(e.code)}, ${s(e.sqlState)}, ${s(e.message)}, ${s(e.columnName)}, ${n(e.rowNumber)}, ${s(e.record)})`,
    ),
  );
  if (rejects.length > 0) await session.conn.run(`INSERT INTO ${S}.load_rejects VALUES ${rejects.join(', ')}`);
}

/** VALIDATION_MODE: what the load would do, nothing loaded. */
async function validationResult(session: Session, mode: string, outcomes: FileOutcome[], columns: { name: string; type: SfType }[]): Promise<ResultBody> {
  const rowsMode = /^RETURN_(\d+)_ROWS$/.exec(mode);
  if (rowsMode) {
    const wanted = Number(rowsMode[1]);
    const first = outcomes.find((o) => o.errorsSeen > 0);
    if (first) throw abortError(first);
    const rows: unknown[][] = [];
    for (const o of outcomes) {
      if (rows.length >= wanted || !o.converted) break;
      const r = await session.conn.query(`SELECT ${columns.map((_, j) => `v${j + 1}`).join(', ')} FROM temp.${o.converted} ORDER BY _r LIMIT ${wanted - rows.length}`);
      rows.push(...r.rows);
    }
    const { toValue } = await import('../results/values.ts');
    return table(
      columns.map((c) => [c.name, c.type] as [string, SfType]),
      rows.map((r) => r.map((v, j) => toValue(v as never, columns[j].type, session.timezone))),
      'COPY',
    );
  }
  if (mode !== 'RETURN_ERRORS' && mode !== 'RETURN_ALL_ERRORS') throw errors.invalidValue(`invalid value [${mode}] for parameter 'VALIDATION_MODE'`);
  return errorRows(outcomes.flatMap((o) => o.errors.map((e) => ({ file: o.name, e }))));
}

export function errorRows(list: { file: string; e: LoadError }[]): ResultBody {
  return table(
    [
      ['ERROR', T.varchar()],
      ['FILE', T.varchar()],
      ['LINE', T.number()],
      ['CHARACTER', T.number()],
      ['BYTE_OFFSET', T.number()],
      ['CATEGORY', T.varchar()],
      ['CODE', T.number()],
      ['SQL_STATE', T.number()],
      ['COLUMN_NAME', T.varchar()],
      ['ROW_NUMBER', T.number()],
      ['ROW_START_LINE', T.number()],
      ['REJECTED_RECORD', T.varchar()],
    ],
    list.map(({ file, e }) => [e.message, file, e.line, e.character, null, e.category, Number(e.code), Number(e.sqlState) || null, e.columnName, e.rowNumber, e.line, e.record]),
    'COPY',
  );
}


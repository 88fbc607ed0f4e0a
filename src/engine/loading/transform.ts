/**
 * COPY transformations: `COPY INTO t [(cols)] FROM (SELECT $1, $2:field, METADATA$FILENAME,
 * METADATA$FILE_ROW_NUMBER … FROM @stage [alias])`. Each file's rows are staged as a temporary table —
 * CSV fields as text columns ($1 … $n), a JSON document or Parquet row as one VARIANT ($1), plus the
 * two METADATA$ columns — and the query (Snowflake SQL, translated like any SELECT) reads them under
 * the name the grammar put in place of the location. Its result is cast to the target columns and
 * kept in a temporary table, so a value that does not convert fails that file before anything is
 * written.
 */
import { duckIdent, errors, sqlString, T, translateQuery, type ResolvedRelation } from '../../sql/index.ts';
import type { ColumnEntry, StageFile } from '../../storage/index.ts';
import { castToColumns } from '../dynamic/incremental.ts';
import { mapDuckError } from '../results/duck-errors.ts';
import type { Session } from '../session/session.ts';
import { optionOf, type FileFormat } from './file-format.ts';
import { compression } from './readers.ts';

export interface Transformed {
  /** The temporary table of rows in the target columns' types (undefined when the file failed). */
  table?: string;
  rows: number;
  error?: { message: string; code: string; sqlState: string };
}

/** Stages one file's rows for the query: text fields (CSV) or one document per row (JSON, Parquet). */
async function stageRows(session: Session, file: StageFile, name: string, format: FileFormat, staged: string): Promise<ResolvedRelation> {
  const conn = session.conn;
  const meta = `${sqlString(name)} AS "METADATA$FILENAME"`;
  let columns: { name: string; type: ReturnType<typeof T.varchar> }[];
  if (format.type === 'CSV') {
    const quote = String(optionOf(format, 'FIELD_OPTIONALLY_ENCLOSED_BY'));
    const nulls = (optionOf(format, 'NULL_IF') as string[]).slice();
    if (optionOf(format, 'EMPTY_FIELD_AS_NULL') === true) nulls.push('');
    const source =
      `read_csv(${sqlString(file.absolute)}, all_varchar = true, header = false, skip = ${Math.trunc(Number(optionOf(format, 'SKIP_HEADER')))}, ` +
      `delim = ${sqlString(String(optionOf(format, 'FIELD_DELIMITER')))}, quote = ${sqlString(quote === 'NONE' ? '' : quote)}, escape = ${sqlString(quote === 'NONE' ? '' : quote)}, ` +
      `nullstr = [${nulls.map(sqlString).join(', ')}], compression = ${sqlString(compression(format, file.path))}, null_padding = true, strict_mode = false)`;
    const described = await conn.rows(`DESCRIBE SELECT * FROM ${source}`);
    const fields = described.map((d, j) => `${duckIdent(String(d.column_name))} AS c${j + 1}`);
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(staged)} AS SELECT ${fields.join(', ')}, ${meta}, row_number() OVER () AS "METADATA$FILE_ROW_NUMBER" FROM ${source}`);
    columns = described.map((_, j) => ({ name: `c${j + 1}`, type: T.varchar() }));
  } else {
    const c = compression(format, file.path);
    const source =
      format.type === 'JSON'
        ? `SELECT json AS c1 FROM read_json_objects(${sqlString(file.absolute)}, format = '${optionOf(format, 'STRIP_OUTER_ARRAY') === true ? 'array' : 'unstructured'}', compression = ${sqlString(c === 'none' ? 'uncompressed' : c)})`
        : `SELECT to_json(p) AS c1 FROM read_parquet(${sqlString(file.absolute)}) p`;
    await conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(staged)} AS SELECT c1, ${meta}, row_number() OVER () AS "METADATA$FILE_ROW_NUMBER" FROM (${source})`);
    columns = [{ name: 'c1', type: T.variant() }];
  }
  return {
    duckSchema: 'temp',
    duckName: staged,
    columns: [...columns, { name: 'METADATA$FILENAME', type: T.varchar() }, { name: 'METADATA$FILE_ROW_NUMBER', type: T.number() }],
    kind: 'TABLE',
    displayName: name,
  };
}

export async function transformFile(
  session: Session,
  file: StageFile,
  name: string,
  format: FileFormat,
  selectSql: string,
  targets: ColumnEntry[],
  scratch: string,
  created: string[],
): Promise<Transformed> {
  const staged = `${scratch}_staged`;
  const out = `${scratch}_out`;
  created.push(staged, out);
  let relation: ResolvedRelation;
  try {
    relation = await stageRows(session, file, name, format, staged);
  } catch (e) {
    const err = mapDuckError(e, () => undefined);
    return { rows: 0, error: { message: `Error reading ${name}: ${err.message.split('\n')[0]}`, code: '100069', sqlState: '22000' } };
  }
  // Translated fresh for each file (its columns differ), never from the translation cache.
  const parsed = session.parse(selectSql);
  if (parsed.kind !== 'query') throw errors.syntaxMessage('A COPY transformation must be a SELECT.');
  session.stagedRows = relation;
  let translated;
  try {
    translated = translateQuery(parsed, selectSql, session.translateContext());
  } finally {
    session.stagedRows = undefined;
  }
  if (translated.columns.length !== targets.length) {
    throw errors.userError(
      '002020',
      '21S01',
      `SQL compilation error:\nInsert value list does not match column list expecting ${targets.length} but got ${translated.columns.length}`,
    );
  }
  try {
    await session.conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(out)} AS ${castToColumns(translated.sql, targets)}`);
  } catch (e) {
    const err = mapDuckError(e, () => undefined);
    return { rows: 0, error: { message: err.message, code: err.code, sqlState: err.sqlState } };
  }
  const n = Number((await session.conn.query(`SELECT count(*) FROM temp.${duckIdent(out)}`)).rows[0][0]);
  return { table: out, rows: n };
}

/**
 * COPY INTO @stage FROM { table | (query) } — unloading (semantics §6.5): the query runs as any
 * SELECT (Snowflake SQL translated), and DuckDB writes its result as one CSV, JSON or Parquet file
 * into the stage: `<path>data_0_0_0.csv.gz` for a folder, `<prefix>_0_0_0.csv.gz` for a prefix, the
 * name as given with SINGLE = TRUE. Existing files are kept unless OVERWRITE = TRUE.
 */
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { errors, sqlString, T, translateQuery, type CopyIntoLocationStatement } from '../../sql/index.ts';
import { safeJoin } from '../../storage/index.ts';
import { translateForSession, beforeRun } from '../query/query.ts';
import { table, type ResultBody } from '../results/result-set.ts';
import type { Session } from '../session/session.ts';
import { formatFromProperties, optionOf, type FileFormat } from './file-format.ts';
import { findFileFormat, stageFormat } from './stage-ddl.ts';
import { resolveStage } from './stage-commands.ts';

const OPTIONS = ['OVERWRITE', 'SINGLE', 'MAX_FILE_SIZE', 'HEADER', 'INCLUDE_QUERY_ID', 'DETAILED_OUTPUT'];

function flag(v: { text: string } | undefined, fallback: boolean): boolean {
  return v ? v.text.toUpperCase() === 'TRUE' : fallback;
}

export async function copyIntoLocation(session: Session, stmt: CopyIntoLocationStatement): Promise<ResultBody> {
  for (const k of Object.keys(stmt.options)) if (!OPTIONS.includes(k)) throw errors.invalidOperation(`invalid copy option '${k}' for unloading`);
  const stage = resolveStage(session, stmt.to, 'COPY INTO');
  const format: FileFormat = stmt.fileFormat?.formatName
    ? findFileFormat(session, stmt.fileFormat.formatName, 'COPY INTO').format
    : stmt.fileFormat
      ? formatFromProperties(stmt.fileFormat.options)
      : (stageFormat(session, stage.stage) ?? { type: 'CSV', options: {} });

  const parsed = session.parse(stmt.querySql);
  if (parsed.kind !== 'query') throw errors.syntaxMessage('COPY INTO <location> needs a table or a query (SELECT …) to unload.');
  const translated = await translateForSession(session, stmt.querySql, () => translateQuery(parsed, stmt.querySql, session.translateContext()));
  await beforeRun(session, translated.info);
  if (format.type === 'JSON' && (translated.columns.length !== 1 || !['VARIANT', 'OBJECT', 'ARRAY'].includes((translated.columns[0].type?.kind ?? 'VARIANT')))) {
    throw errors.userError('002019', '0A000', 'SQL compilation error:\nJSON file format can produce one and only one column of type variant, object, or array. Unload OBJECT_CONSTRUCT(*) to write each row as an object.');
  }

  const compression = unloadCompression(format);
  const extension = format.type === 'CSV' ? '.csv' : format.type === 'JSON' ? '.json' : '.parquet';
  const suffix = compression === 'gzip' ? '.gz' : compression === 'zstd' ? '.zst' : '';
  const single = flag(stmt.options.SINGLE, false);
  const path = stage.path;
  const name = single ? path : path === '' || path.endsWith('/') ? `${path}data_0_0_0${extension}${suffix}` : `${path}_0_0_0${extension}${suffix}`;
  if (name === '' || name.endsWith('/')) throw errors.invalidOperation('SINGLE = TRUE needs a file name in the location (@stage/path/file.csv).');
  const relative = safeJoin('', name);
  const target = join(session.engine.stageFiles.dir(stage.area, stage.key), ...relative.split('/'));
  if (existsSync(target) && !flag(stmt.options.OVERWRITE, false)) {
    throw errors.userError('001030', '22000', `Files already existing at the unload destination: ${stage.listPrefix}${relative}. Use overwrite option to force unloading.`);
  }
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.bkl-tmp-unload-${process.pid}-${Date.now()}`);
  const query = format.type === 'JSON' ? `SELECT ${'"' + translated.columns[0].name.replace(/"/g, '""') + '"'} AS j FROM (${translated.sql})` : translated.sql;
  const counted = await session.conn.query(`SELECT count(*) FROM (${translated.sql})`);
  await session.conn.run(`COPY (${query}) TO ${sqlString(tmp)} (${copyOptions(format, compression, flag(stmt.options.HEADER, false)).join(', ')})`);
  renameSync(tmp, target);
  const rows = Number(counted.rows[0][0]);
  const size = statSync(target).size;
  if (flag(stmt.options.DETAILED_OUTPUT, false)) {
    return table(
      [
        ['FILE_NAME', T.varchar()],
        ['FILE_SIZE', T.number()],
        ['ROW_COUNT', T.number()],
      ],
      [[relative, size, rows]],
      'UNLOAD',
    );
  }
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

/**
 * Staged files DuckDB cannot read as they are, rewritten into a temporary copy it can:
 *
 * - compressed with BROTLI, DEFLATE or RAW_DEFLATE (DuckDB reads gzip and zstd only): decompressed
 *   with Node's zlib;
 * - CSV whose RECORD_DELIMITER is not a newline (`'|'`, `';;'`, `'\x1e'` …; DuckDB's reader only knows
 *   newlines): parsed by csv-parse with the format's own record and field delimiters, quote and escape,
 *   and written back with newline records. A field that was enclosed stays enclosed (so NULL_IF and
 *   EMPTY_FIELD_AS_NULL see it as Snowflake would), and a field holding a newline, a quote or the
 *   delimiter is enclosed so that it survives the trip. One record per line keeps the lines DuckDB
 *   reports equal to the record numbers.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { parse } from 'csv-parse';
import { errors } from '../../sql/index.ts';
import type { StageFile } from '../../storage/index.ts';
import { optionOf, type FileFormat } from './file-format.ts';
import { bz2Unsupported, codecOf, type Codec } from './readers.ts';

const NEWLINES = ['\n', '\r\n', '\r'];
const ZLIB: Partial<Record<Codec, () => Transform>> = { gzip: createGunzip, brotli: createBrotliDecompress, deflate: createInflate, raw_deflate: createInflateRaw };

function customRecords(format: FileFormat): boolean {
  return format.type === 'CSV' && !NEWLINES.includes(String(optionOf(format, 'RECORD_DELIMITER')));
}

/** True when DuckDB cannot read this file under this format as it is. */
export function needsReadableCopy(format: FileFormat, path: string): boolean {
  if (format.type === 'PARQUET') return false;
  const codec = codecOf(format, path);
  return customRecords(format) || codec === 'brotli' || codec === 'deflate' || codec === 'raw_deflate';
}

export interface ReadableCopy {
  file: StageFile;
  format: FileFormat;
  remove: () => void;
}

/** The readable copy and the format to read it with (uncompressed; rewritten records: UTF-8, `"` quotes). */
export async function readableCopy(file: StageFile, format: FileFormat): Promise<ReadableCopy> {
  const codec = codecOf(format, file.path);
  if (codec === 'bz2') throw bz2Unsupported();
  const records = customRecords(format);
  if (codec === 'zstd' && records) throw errors.unsupported('COMPRESSION = ZSTD with a RECORD_DELIMITER other than a newline');
  const dir = mkdtempSync(join(tmpdir(), 'backlot-readable-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const target = join(dir, 'staged');
  const stages: (Readable | Transform)[] = [createReadStream(file.absolute)];
  const decompress = ZLIB[codec];
  if (decompress) stages.push(decompress());
  try {
    if (records) await rewriteRecords(stages, format, target);
    else await pipeline([...stages, createWriteStream(target)] as never);
  } catch (e) {
    remove();
    const what = records ? `with RECORD_DELIMITER '${String(optionOf(format, 'RECORD_DELIMITER'))}'` : `as ${codec.toUpperCase()}`;
    throw errors.userError('100065', '22000', `Error reading ${file.path} ${what}: ${(e as Error).message}`);
  }
  const options = records
    ? { ...format.options, RECORD_DELIMITER: '\n', COMPRESSION: 'NONE', ENCODING: 'UTF8', FIELD_OPTIONALLY_ENCLOSED_BY: '"', ESCAPE: 'NONE' }
    : { ...format.options, COMPRESSION: 'NONE' };
  return { file: { ...file, absolute: target }, format: { type: format.type, options }, remove };
}

async function rewriteRecords(input: (Readable | Transform)[], format: FileFormat, target: string): Promise<void> {
  const recordDelimiter = String(optionOf(format, 'RECORD_DELIMITER'));
  if (recordDelimiter === 'NONE' || recordDelimiter === '') throw errors.unsupported('RECORD_DELIMITER = NONE');
  const delimiter = String(optionOf(format, 'FIELD_DELIMITER'));
  const quote = String(optionOf(format, 'FIELD_OPTIONALLY_ENCLOSED_BY'));
  const escape = String(optionOf(format, 'ESCAPE'));
  const encoding = String(optionOf(format, 'ENCODING')).toUpperCase().replace('-', '');
  const parser = parse({
    delimiter,
    record_delimiter: recordDelimiter,
    quote: quote === 'NONE' ? false : quote,
    escape: escape === 'NONE' ? (quote === 'NONE' ? null : quote) : escape,
    relax_column_count: true,
    encoding: encoding === 'UTF8' ? 'utf8' : encoding === 'UTF16' ? 'utf16le' : 'latin1',
    cast: (value, context) => (context.quoting || /["\r\n]/.test(value) || value.includes(delimiter) ? `"${value.replaceAll('"', '""')}"` : value),
  });
  const out = createWriteStream(target);
  const write = (async () => {
    for await (const record of parser as AsyncIterable<string[]>) {
      if (!out.write(`${record.join(delimiter)}\n`)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  })();
  await Promise.all([pipeline([...input, parser] as never), write]);
}

/**
 * CSV files whose RECORD_DELIMITER is not a newline (`'|'`, `';;'`, `'\x1e'` …). DuckDB's reader only
 * knows newlines, so such a file is first rewritten — parsed by csv-parse with the format's own
 * record and field delimiters, quote and escape — into a temporary file of newline-separated records
 * that DuckDB then reads like any other. A field that was enclosed stays enclosed (so NULL_IF and
 * EMPTY_FIELD_AS_NULL see it as Snowflake would), and a field holding a newline, a quote or the
 * delimiter is enclosed so that it survives the trip. One record per line keeps the lines DuckDB
 * reports equal to the record numbers.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { parse } from 'csv-parse';
import { errors } from '../../sql/index.ts';
import type { StageFile } from '../../storage/index.ts';
import { optionOf, type FileFormat } from './file-format.ts';
import { compression } from './readers.ts';

const NEWLINES = ['\n', '\r\n', '\r'];

/** True when the format's records are not separated by newlines. */
export function needsRecordRewrite(format: FileFormat): boolean {
  return format.type === 'CSV' && !NEWLINES.includes(String(optionOf(format, 'RECORD_DELIMITER')));
}

export interface RewrittenFile {
  file: StageFile;
  format: FileFormat;
  remove: () => void;
}

/** The file with newline records and the format to read it with (uncompressed, UTF-8, `"` quotes). */
export async function rewriteRecords(file: StageFile, format: FileFormat): Promise<RewrittenFile> {
  const recordDelimiter = String(optionOf(format, 'RECORD_DELIMITER'));
  if (recordDelimiter === 'NONE' || recordDelimiter === '') throw errors.unsupported('RECORD_DELIMITER = NONE');
  const delimiter = String(optionOf(format, 'FIELD_DELIMITER'));
  const quote = String(optionOf(format, 'FIELD_OPTIONALLY_ENCLOSED_BY'));
  const escape = String(optionOf(format, 'ESCAPE'));
  const c = compression(format, file.path);
  if (c === 'zstd') throw errors.unsupported('COMPRESSION = ZSTD with a RECORD_DELIMITER other than a newline');
  const encoding = String(optionOf(format, 'ENCODING')).toUpperCase().replace('-', '');
  const dir = mkdtempSync(join(tmpdir(), 'backlot-records-'));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const target = join(dir, 'records.csv');
  try {
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
    const input = createReadStream(file.absolute);
    await Promise.all([c === 'gzip' ? pipeline(input, createGunzip(), parser) : pipeline(input, parser), write]);
  } catch (e) {
    remove();
    throw errors.userError('100065', '22000', `Error parsing ${file.path} with RECORD_DELIMITER '${recordDelimiter}': ${(e as Error).message}`);
  }
  const rewritten: FileFormat = {
    type: 'CSV',
    options: { ...format.options, RECORD_DELIMITER: '\n', COMPRESSION: 'NONE', ENCODING: 'UTF8', FIELD_OPTIONALLY_ENCLOSED_BY: '"', ESCAPE: 'NONE' },
  };
  return { file: { ...file, absolute: target }, format: rewritten, remove };
}

/**
 * One NDJSON batch against a table's columns: each line becomes a row of text fields (in the
 * column order, ready for the staging table) or a rejection with a reason — malformed JSON, not an
 * object, an unknown or duplicated column, a missing required column, a value of the wrong kind, a
 * row over the size limit. Finer checks (a date that does not parse, a number out of range) happen
 * in SQL when the staged text is converted; those rows are rejected there with the same shape.
 */
import type { SfType } from '../sql/index.ts';

export interface IngestColumn {
  name: string;
  type: SfType;
  nullable: boolean;
  /** The column has a DEFAULT (or is an identity): a row without its key takes the default. */
  hasDefault?: boolean;
}

export interface ParsedRow {
  line: number;
  /** Text per column (NULL as null), in column order. */
  fields: (string | null)[];
  /** Columns (indices) whose key the row left out and that take their default; absent when none. */
  defaulted?: number[];
  raw: string;
}

export interface RejectedRow {
  line: number;
  code: string;
  reason: string;
  raw: string;
}

export interface ParsedBatch {
  rows: ParsedRow[];
  rejected: RejectedRow[];
}

/** The column a JSON key names: the exact name first, then the name as Snowflake folds it (memoised: keys repeat). */
function columnIndex(columns: IngestColumn[]): (key: string) => number {
  const known = new Map(columns.map((c, i) => [c.name, i]));
  const folded = new Map(columns.map((c, i) => [c.name.toUpperCase(), i]));
  return (key) => {
    let j = known.get(key);
    if (j === undefined) {
      j = folded.get(key.toUpperCase()) ?? -1;
      if (known.size < 10_000) known.set(key, j);
    }
    return j;
  };
}

/** A value's text for its column, or why it cannot be one. */
function fieldText(t: SfType, v: unknown): string | null | { error: string } {
  if (v === null || v === undefined) return null;
  switch (t.kind) {
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      if (t.kind === 'OBJECT' && (typeof v !== 'object' || Array.isArray(v))) return { error: 'expected a JSON object' };
      if (t.kind === 'ARRAY' && !Array.isArray(v)) return { error: 'expected a JSON array' };
      return JSON.stringify(v);
    case 'NUMBER':
    case 'FLOAT':
      if (typeof v === 'number') return String(v);
      if (typeof v === 'string' && v.trim() !== '') return v;
      return { error: `expected a number, got ${describe(v)}` };
    case 'BOOLEAN':
      if (typeof v === 'boolean') return String(v);
      if (typeof v === 'string') return v;
      return { error: `expected a boolean, got ${describe(v)}` };
    case 'VARCHAR':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean') return String(v);
      return { error: `expected a string, got ${describe(v)}` };
    default:
      if (typeof v === 'string') return v;
      if (typeof v === 'number' && (t.kind === 'TIMESTAMP_NTZ' || t.kind === 'TIMESTAMP_LTZ' || t.kind === 'TIMESTAMP_TZ')) {
        return new Date(v < 1e11 ? v * 1000 : v).toISOString();
      }
      return { error: `expected a string, got ${describe(v)}` };
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}

export function parseBatch(body: string, columns: IngestColumn[], maxRowBytes: number): ParsedBatch {
  const indexOf = columnIndex(columns);
  const rows: ParsedRow[] = [];
  const rejected: RejectedRow[] = [];
  const n = columns.length;
  const seen = new Array<boolean>(n);
  let lineNo = 0;
  let at = 0;
  // A hot loop (tens of thousands of rows a second): no closures or temporary arrays per line.
  while (at <= body.length) {
    let end = body.indexOf('\n', at);
    if (end < 0) end = body.length;
    lineNo += 1;
    let raw = body.slice(at, end);
    at = end + 1;
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    if (raw.trim() === '') continue;
    // UTF-8 needs at most 3 bytes per UTF-16 unit: count the bytes only when it could matter.
    if (raw.length * 3 > maxRowBytes) {
      const bytes = Buffer.byteLength(raw, 'utf8');
      if (bytes > maxRowBytes) {
        rejected.push(rejection(lineNo, 'ROW_TOO_LARGE', `row is ${bytes} bytes, over the limit of ${maxRowBytes}`, raw));
        continue;
      }
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      rejected.push(rejection(lineNo, 'MALFORMED_JSON', `malformed JSON: ${(e as Error).message}`, raw));
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      rejected.push(rejection(lineNo, 'NOT_AN_OBJECT', `a row must be a JSON object, got ${describe(value)}`, raw));
      continue;
    }
    const fields: (string | null)[] = new Array(n).fill(null);
    seen.fill(false);
    let code: string | undefined;
    let reason = '';
    const obj = value as Record<string, unknown>;
    for (const k in obj) {
      const j = indexOf(k);
      if (j < 0) {
        code = 'UNKNOWN_COLUMN';
        reason = `column '${k}' is not in the table`;
        break;
      }
      if (seen[j]) {
        code = 'DUPLICATE_COLUMN';
        reason = `column '${columns[j].name}' is given twice`;
        break;
      }
      seen[j] = true;
      const f = fieldText(columns[j].type, obj[k]);
      if (typeof f !== 'string' && f !== null) {
        code = 'WRONG_TYPE';
        reason = `column '${columns[j].name}' (${columns[j].type.kind}): ${f.error}`;
        break;
      }
      fields[j] = f;
    }
    // A left-out key means the column's default (an explicit null means NULL, as in INSERT).
    let defaulted: number[] | undefined;
    if (code === undefined) {
      for (let j = 0; j < n; j += 1) {
        if (!seen[j] && columns[j].hasDefault) {
          (defaulted ??= []).push(j);
          continue;
        }
        if (!columns[j].nullable && fields[j] === null) {
          code = 'MISSING_REQUIRED';
          reason = `column '${columns[j].name}' is required (NOT NULL) but ${seen[j] ? 'null' : 'missing'}`;
          break;
        }
      }
    }
    if (code !== undefined) rejected.push(rejection(lineNo, code, reason, raw));
    else rows.push(defaulted ? { line: lineNo, fields, defaulted, raw } : { line: lineNo, fields, raw });
  }
  return { rows, rejected };
}

function rejection(line: number, code: string, reason: string, raw: string): RejectedRow {
  return { line, code, reason, raw: raw.length > 65536 ? `${raw.slice(0, 65536)}…` : raw };
}

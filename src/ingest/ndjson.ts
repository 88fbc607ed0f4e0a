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
}

export interface ParsedRow {
  line: number;
  /** Text per column (NULL as null), in column order. */
  fields: (string | null)[];
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

/** The column a JSON key names: the exact name first, then the name as Snowflake folds it. */
function columnIndex(columns: IngestColumn[]): (key: string) => number {
  const exact = new Map(columns.map((c, i) => [c.name, i]));
  const folded = new Map(columns.map((c, i) => [c.name.toUpperCase(), i]));
  return (key) => exact.get(key) ?? folded.get(key.toUpperCase()) ?? -1;
}

/** A value's text for its column, or why it cannot be one. */
function fieldText(t: SfType, v: unknown): { text: string | null } | { error: string } {
  if (v === null || v === undefined) return { text: null };
  switch (t.kind) {
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      if (t.kind === 'OBJECT' && (typeof v !== 'object' || Array.isArray(v))) return { error: 'expected a JSON object' };
      if (t.kind === 'ARRAY' && !Array.isArray(v)) return { error: 'expected a JSON array' };
      return { text: JSON.stringify(v) };
    case 'NUMBER':
    case 'FLOAT':
      if (typeof v === 'number') return { text: String(v) };
      if (typeof v === 'string' && v.trim() !== '') return { text: v };
      return { error: `expected a number, got ${describe(v)}` };
    case 'BOOLEAN':
      if (typeof v === 'boolean') return { text: String(v) };
      if (typeof v === 'string') return { text: v };
      return { error: `expected a boolean, got ${describe(v)}` };
    case 'VARCHAR':
      if (typeof v === 'string') return { text: v };
      if (typeof v === 'number' || typeof v === 'boolean') return { text: String(v) };
      return { error: `expected a string, got ${describe(v)}` };
    default:
      if (typeof v === 'string') return { text: v };
      if (typeof v === 'number' && (t.kind === 'TIMESTAMP_NTZ' || t.kind === 'TIMESTAMP_LTZ' || t.kind === 'TIMESTAMP_TZ')) {
        return { text: new Date(v < 1e11 ? v * 1000 : v).toISOString() };
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
  const lines = body.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    let raw = lines[i];
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    if (raw.trim() === '') continue;
    const line = i + 1;
    const reject = (code: string, reason: string) => rejected.push({ line, code, reason, raw: raw.length > 65536 ? `${raw.slice(0, 65536)}…` : raw });
    const bytes = Buffer.byteLength(raw, 'utf8');
    if (bytes > maxRowBytes) {
      reject('ROW_TOO_LARGE', `row is ${bytes} bytes, over the limit of ${maxRowBytes}`);
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      reject('MALFORMED_JSON', `malformed JSON: ${(e as Error).message}`);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      reject('NOT_AN_OBJECT', `a row must be a JSON object, got ${describe(value)}`);
      continue;
    }
    const fields: (string | null)[] = new Array(columns.length).fill(null);
    const seen = new Array<boolean>(columns.length).fill(false);
    let problem: [string, string] | undefined;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const j = indexOf(key);
      if (j < 0) {
        problem = ['UNKNOWN_COLUMN', `column '${key}' is not in the table`];
        break;
      }
      if (seen[j]) {
        problem = ['DUPLICATE_COLUMN', `column '${columns[j].name}' is given twice`];
        break;
      }
      seen[j] = true;
      const f = fieldText(columns[j].type, v);
      if ('error' in f) {
        problem = ['WRONG_TYPE', `column '${columns[j].name}' (${columns[j].type.kind}): ${f.error}`];
        break;
      }
      fields[j] = f.text;
    }
    if (!problem) {
      const missing = columns.findIndex((c, j) => !c.nullable && fields[j] === null);
      if (missing >= 0) problem = ['MISSING_REQUIRED', `column '${columns[missing].name}' is required (NOT NULL) but ${seen[missing] ? 'null' : 'missing'}`];
    }
    if (problem) reject(problem[0], problem[1]);
    else rows.push({ line, fields, raw });
  }
  return { rows, rejected };
}

/**
 * How result values look in each output format. JSON keeps types (numbers as numbers, VARIANT as
 * its JSON value, dates and timestamps as ISO-8601 strings); table and CSV show Snowflake's default
 * display formats (timestamps to milliseconds, booleans as True/False in tables).
 */
import type { ResultColumn, Value } from '../../engine/index.ts';

/** Milliseconds display of a canonical timestamp 'YYYY-MM-DD HH:MM:SS[.ffffff][±HH:MM]'. */
function timestampParts(v: string): { base: string; frac: string; offset: string } {
  const m = /^(\d{4,}-\d\d-\d\d \d\d:\d\d:\d\d)(\.\d+)?([+-]\d\d(?::?\d\d)?)?$/.exec(v);
  if (!m) return { base: v, frac: '', offset: '' };
  return { base: m[1], frac: (m[2] ?? '').slice(1), offset: m[3] ?? '' };
}

function offsetHHMM(offset: string): string {
  if (offset === '') return '';
  const sign = offset[0];
  const digits = offset.slice(1).replace(':', '').padEnd(4, '0');
  return `${sign}${digits}`;
}

/** Text shown in table and CSV output. */
export function displayText(v: Value, col: ResultColumn): string {
  if (v === null) return 'NULL';
  switch (col.type.kind) {
    case 'BOOLEAN':
      return v ? 'True' : 'False';
    case 'FLOAT':
      return formatFloat(v as number);
    case 'TIMESTAMP_NTZ': {
      const p = timestampParts(String(v));
      return `${p.base}.${p.frac.padEnd(3, '0').slice(0, 3)}`;
    }
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_TZ': {
      const p = timestampParts(String(v));
      return `${p.base}.${p.frac.padEnd(3, '0').slice(0, 3)} ${offsetHHMM(p.offset)}`;
    }
    default:
      return String(v);
  }
}

export function formatFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'inf';
  if (n === -Infinity) return '-inf';
  return String(n);
}

/** A value as a JSON token (text), exact for NUMBER and VARIANT. */
export function jsonToken(v: Value, col: ResultColumn): string {
  if (v === null) return 'null';
  switch (col.type.kind) {
    case 'NUMBER':
      return String(v);
    case 'FLOAT': {
      const n = v as number;
      return Number.isFinite(n) ? JSON.stringify(n) : JSON.stringify(formatFloat(n));
    }
    case 'BOOLEAN':
      return v ? 'true' : 'false';
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      return String(v);
    case 'TIMESTAMP_NTZ':
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_TZ': {
      const p = timestampParts(String(v));
      const frac = p.frac === '' ? '.000' : `.${p.frac.padEnd(3, '0')}`;
      return JSON.stringify(`${p.base.replace(' ', 'T')}${frac}${p.offset.length === 3 ? `${p.offset}:00` : p.offset}`);
    }
    default:
      return JSON.stringify(String(v));
  }
}

/**
 * Result values in Snowflake's terms, converted from DuckDB's. Canonical JS forms, one per type:
 * NUMBER → exact decimal text; FLOAT → number; VARCHAR → string; BOOLEAN → boolean;
 * DATE → 'YYYY-MM-DD'; TIME → 'HH:MM:SS[.ffffff]'; TIMESTAMP_NTZ → 'YYYY-MM-DD HH:MM:SS[.ffffff]';
 * TIMESTAMP_LTZ/TZ → the same plus '+HH:MM' in the session time zone; VARIANT/OBJECT/ARRAY → JSON
 * text; BINARY → upper-case hex.
 */
import {
  DuckDBBlobValue,
  DuckDBTimestampTZValue,
  type DuckDBValue,
} from '@duckdb/node-api';
import { typeFromDuck, type SfType } from '../../sql/index.ts';
import type { DuckColumn } from '../../storage/index.ts';

export type Value = string | number | boolean | null;

export interface ResultColumn {
  name: string;
  type: SfType;
}

/**
 * The Snowflake type of a result column: DuckDB's type decides the family (the values come from
 * there); the translator's inferred type refines it when it agrees (OBJECT vs VARIANT, VARCHAR length,
 * TIMESTAMP_TZ vs LTZ, NUMBER precision).
 */
export function resultType(duck: DuckColumn, inferred: SfType | undefined): SfType {
  const base = typeFromDuck(duck.type, duck.alias);
  if (!inferred || inferred.kind === base.kind) {
    if (inferred && base.kind === 'NUMBER' && inferred.kind === 'NUMBER') {
      return inferred.scale === base.scale ? inferred : base;
    }
    return inferred ?? base;
  }
  if (base.kind === 'VARIANT' && (inferred.kind === 'OBJECT' || inferred.kind === 'ARRAY')) return inferred;
  if (base.kind === 'TIMESTAMP_LTZ' && inferred.kind === 'TIMESTAMP_TZ') return inferred;
  return base;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: tz,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    formatters.set(tz, f);
  }
  return f;
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** Wall-clock text and offset of an instant (epoch microseconds) in an IANA time zone. */
export function formatInstant(micros: bigint, tz: string): string {
  const ms = Number(micros / 1000n);
  const frac = Number(((micros % 1000000n) + 1000000n) % 1000000n);
  const parts = formatterFor(tz).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  const y = get('year');
  const mo = get('month');
  const d = get('day');
  const h = get('hour');
  const mi = get('minute');
  const s = get('second');
  const wallMs = Date.UTC(y, mo - 1, d, h, mi, s);
  const offsetMin = Math.round((wallMs - Math.floor(ms / 1000) * 1000) / 60000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const fraction = frac === 0 ? '' : `.${pad(frac, 6).replace(/0+$/, '')}`;
  return `${pad(y, 4)}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)}:${pad(s)}${fraction}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Converts one DuckDB value to the canonical form for its Snowflake type. */
export function toValue(v: DuckDBValue, type: SfType, tz: string): Value {
  if (v === null || v === undefined) return null;
  switch (type.kind) {
    case 'NUMBER':
      return typeof v === 'bigint' || typeof v === 'number' ? String(v) : String(v);
    case 'FLOAT':
      return typeof v === 'number' ? v : Number(String(v));
    case 'BOOLEAN':
      return typeof v === 'boolean' ? v : String(v) === 'true';
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_TZ':
      if (v instanceof DuckDBTimestampTZValue) return formatInstant(v.micros, tz);
      return String(v);
    case 'BINARY':
      if (v instanceof DuckDBBlobValue) return Buffer.from(v.bytes).toString('hex').toUpperCase();
      return String(v);
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      if (typeof v === 'string') return v;
      return JSON.stringify(plain(v));
    default:
      if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
      return String(v);
  }
}

/** Lists, structs and maps that DuckDB returns where Snowflake would return a VARIANT. */
function plain(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v !== 'object') return v;
  const o = v as { items?: unknown[]; entries?: Record<string, unknown> | { key: unknown; value: unknown }[] };
  if (Array.isArray(o.items)) return o.items.map(plain);
  if (Array.isArray(o.entries)) return Object.fromEntries(o.entries.map((e) => [String(e.key), plain(e.value)]));
  if (o.entries && typeof o.entries === 'object') {
    return Object.fromEntries(Object.entries(o.entries).map(([k, x]) => [k, plain(x)]));
  }
  return String(v);
}

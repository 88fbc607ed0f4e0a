/**
 * VARIANT paths and implicit conversions.
 *
 * Snowflake: `v:a.b[0]`, `v['a']`, GET_PATH(v, 'a.b') return VARIANT (SQL NULL when the path is
 * missing, JSON null when the value is null); a VARIANT compared with or combined with a typed value is
 * converted to that type (`v:name = 'x'`, `v:qty + 1`, `UPPER(v:name)`).
 * DuckDB: VARIANT is stored as JSON text; json_extract keeps JSON (strings stay quoted) and comparing
 * JSON with a string literal tries to parse the literal as JSON.
 *
 * Gap closed: paths become json_extract with a DuckDB JSON path built from parsed path segments, and
 * a VARIANT operand is converted (through sf_v2s, which unquotes strings) wherever Snowflake converts.
 */
import { errors } from '../errors.ts';
import { isSemiStructured, T, type SfType } from '../types/snowflake-types.ts';
import { mk, type AstNode } from './ast.ts';

export type PathSegment = { key: string } | { index: number };

/** Parses a Snowflake path (`a.b[0]."c d"['e']`) into segments. */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  let i = 0;
  const s = path.trim();
  const bad = () => errors.invalidValue(`Invalid extraction path '${path}'`);
  let expectKey = true;
  while (i < s.length) {
    const c = s[i];
    if (c === '.') {
      if (expectKey && out.length > 0) throw bad();
      i += 1;
      expectKey = true;
      continue;
    }
    if (c === '[') {
      const close = findClose(s, i);
      if (close < 0) throw bad();
      const inner = s.slice(i + 1, close).trim();
      if (/^\d+$/.test(inner)) out.push({ index: Number(inner) });
      else if ((inner.startsWith("'") && inner.endsWith("'")) || (inner.startsWith('"') && inner.endsWith('"'))) {
        out.push({ key: unquote(inner) });
      } else throw bad();
      i = close + 1;
      expectKey = false;
      continue;
    }
    if (c === '"') {
      let j = i + 1;
      let key = '';
      while (j < s.length) {
        if (s[j] === '"') {
          if (s[j + 1] === '"') {
            key += '"';
            j += 2;
            continue;
          }
          break;
        }
        key += s[j];
        j += 1;
      }
      if (j >= s.length) throw bad();
      out.push({ key });
      i = j + 1;
      expectKey = false;
      continue;
    }
    let j = i;
    while (j < s.length && s[j] !== '.' && s[j] !== '[') j += 1;
    const key = s.slice(i, j);
    if (key === '') throw bad();
    out.push({ key });
    i = j;
    expectKey = false;
  }
  return out;
}

function findClose(s: string, open: number): number {
  let quote: string | undefined;
  for (let i = open + 1; i < s.length; i += 1) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === ']') return i;
  }
  return -1;
}

function unquote(q: string): string {
  const inner = q.slice(1, -1);
  return q[0] === "'" ? inner.replace(/''/g, "'") : inner.replace(/""/g, '"');
}

/** DuckDB JSON path text (`$.a."b c"[0]`) for segments. */
export function duckJsonPath(segments: PathSegment[]): string {
  let p = '$';
  for (const seg of segments) {
    if ('index' in seg) p += `[${seg.index}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg.key)) p += `.${seg.key}`;
    else p += `."${seg.key.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  }
  return p;
}

/** Snowflake-style path text for FLATTEN's PATH column. */
export function snowflakePathText(segments: PathSegment[]): string {
  let p = '';
  for (const seg of segments) {
    if ('index' in seg) p += `[${seg.index}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg.key)) p += p === '' ? seg.key : `.${seg.key}`;
    else p += `['${seg.key.replace(/'/g, "''")}']`;
  }
  return p;
}

/** `json_extract(expr, '<path>')`, or the expression itself for an empty path. */
export function extractPath(expr: AstNode, segments: PathSegment[]): AstNode {
  if (segments.length === 0) return expr;
  return mk.fn('json_extract', [expr, mk.string(duckJsonPath(segments))]);
}

export function isVariant(t: SfType | undefined): boolean {
  return t !== undefined && isSemiStructured(t);
}

/** A VARIANT value as VARCHAR, as Snowflake's implicit and explicit casts convert it. */
export function variantToVarchar(n: AstNode): AstNode {
  return mk.fn('sf_v2s', [n]);
}

/** Converts a value of type `from` so it can stand where Snowflake expects type `to`. */
export function coerce(n: AstNode, from: SfType | undefined, to: SfType['kind']): AstNode {
  if (from === undefined) return n;
  if (isVariant(from)) {
    switch (to) {
      case 'VARCHAR':
        return variantToVarchar(n);
      case 'NUMBER':
      case 'FLOAT':
        return mk.cast(variantToVarchar(n), 'DOUBLE');
      case 'BOOLEAN':
        return mk.cast(variantToVarchar(n), 'BOOLEAN');
      case 'DATE':
        return mk.fn('sf_to_date', [variantToVarchar(n)]);
      case 'TIME':
        return mk.fn('sf_to_time', [variantToVarchar(n)]);
      case 'TIMESTAMP_NTZ':
        return mk.fn('sf_to_timestamp_ntz', [variantToVarchar(n)]);
      case 'TIMESTAMP_LTZ':
      case 'TIMESTAMP_TZ':
        return mk.fn('sf_to_timestamp_ltz', [variantToVarchar(n)]);
      default:
        return n;
    }
  }
  if (to === 'VARIANT' || to === 'OBJECT' || to === 'ARRAY') return toVariant(n, from);
  if (to === 'VARCHAR' && from.kind === 'FLOAT') return mk.fn('sf_float_to_varchar', [n]);
  if (to === 'VARCHAR' && from.kind === 'BINARY') return mk.fn('hex', [n]);
  if (to === 'VARCHAR' && from.kind === 'TIMESTAMP_NTZ') return mk.fn('sf_ts_to_varchar', [n]);
  if (to === 'VARCHAR' && (from.kind === 'TIMESTAMP_LTZ' || from.kind === 'TIMESTAMP_TZ')) return mk.fn('sf_tstz_to_varchar', [n]);
  if (to === 'VARCHAR' && from.kind !== 'VARCHAR') return mk.cast(n, 'VARCHAR');
  if (to === 'BOOLEAN' && from.kind === 'VARCHAR') return mk.fn('sf_to_boolean', [n]);
  return n;
}

/** Wraps a non-VARIANT value into a VARIANT (TO_VARIANT / implicit conversion into VARIANT). */
export function toVariant(n: AstNode, from: SfType | undefined): AstNode {
  if (from !== undefined && isVariant(from)) return n;
  return mk.fn('to_json', [n]);
}

export const VARIANT = T.variant();

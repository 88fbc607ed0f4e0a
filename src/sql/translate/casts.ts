/**
 * CAST, `::` and TRY_CAST.
 *
 * Snowflake: casting a VARCHAR to DATE/TIMESTAMP/TIME/BOOLEAN accepts its AUTO input formats
 * ('01/02/2024', 'yes'); casting a VARIANT unwraps its value ('"x"'::VARIANT::STRING is x);
 * casting to VARIANT wraps any value; number-to-string casts print FLOAT without a trailing `.0`.
 * DuckDB: CAST accepts ISO formats only, keeps JSON quoting, and parses strings cast to JSON.
 *
 * Gap closed: casts go through the `sf_*` conversion macros where the semantics differ, and the
 * target type is mapped to its DuckDB storage type (NUMBER(38,0) → BIGINT, VARIANT → JSON …).
 */
import { errors } from '../errors.ts';
import { duckTypeOf, isSemiStructured, typeFromName, type SfType } from '../types/snowflake-types.ts';
import { mk, stringLiteral, type AstNode } from './ast.ts';
import { coerce, isVariant, toVariant, variantToVarchar } from './variant.ts';

interface PolyglotDataType {
  data_type: string;
  name?: string;
  precision?: number | null;
  scale?: number | null;
  length?: number | null;
  timezone?: boolean;
}

const SIMPLE: Record<string, string> = {
  int: 'INT',
  big_int: 'BIGINT',
  small_int: 'SMALLINT',
  tiny_int: 'TINYINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  var_char: 'VARCHAR',
  text: 'TEXT',
  char: 'CHAR',
  boolean: 'BOOLEAN',
  date: 'DATE',
  binary: 'BINARY',
  var_binary: 'VARBINARY',
  json: 'VARIANT',
};

/** The Snowflake type a polyglot data_type node denotes. */
export function typeFromDataType(dt: unknown): SfType {
  const d = dt as PolyglotDataType;
  const params = (...xs: (number | null | undefined)[]) => xs.filter((x): x is number => typeof x === 'number');
  switch (d.data_type) {
    case 'decimal':
      return typeFromName('NUMBER', params(d.precision, d.scale));
    case 'var_char':
    case 'char':
    case 'text':
    case 'binary':
    case 'var_binary':
      return typeFromName(SIMPLE[d.data_type], params(d.length));
    case 'time':
      return typeFromName('TIME', params(d.precision));
    case 'timestamp':
      return typeFromName(d.timezone ? 'TIMESTAMP_TZ' : 'TIMESTAMP_NTZ', params(d.precision));
    case 'custom': {
      // Custom names carry their parameters in the text: `TIMESTAMPNTZ(6)`.
      const text = String(d.name ?? '');
      const open = text.indexOf('(');
      const base = open < 0 ? text : text.slice(0, open);
      const inner = open < 0 ? [] : text.slice(open + 1, text.lastIndexOf(')')).split(',').map((x) => Number(x.trim()));
      return typeFromName(base, inner);
    }
    default: {
      const simple = SIMPLE[d.data_type];
      if (simple) return typeFromName(simple);
      throw errors.unsupported(`data type ${d.data_type}`);
    }
  }
}

/** Casts `n` (of Snowflake type `from`, undefined when unknown) to `to`. */
export function castTo(n: AstNode, from: SfType | undefined, to: SfType, safe: boolean, fromStringLiteral = false): AstNode {
  const duck = duckTypeOf(to);
  const plain = () => (safe ? mk.tryCast(n, duck) : mk.cast(n, duck));
  if (isSemiStructured(to)) return toVariant(n, from);
  if (isVariant(from)) return castText(variantToVarchar(n), to, safe, duck);
  const textual = from?.kind === 'VARCHAR' || fromStringLiteral;
  if (textual) return castText(n, to, safe, duck);
  if (to.kind === 'VARCHAR' && from !== undefined) return coerce(n, from, 'VARCHAR');
  if (to.kind === 'DATE' && from !== undefined && (from.kind === 'NUMBER' || from.kind === 'FLOAT')) {
    return mk.cast(mk.fn('sf_epoch_to_ntz', [n]), 'DATE');
  }
  if ((to.kind === 'TIMESTAMP_NTZ' || to.kind === 'TIMESTAMP_LTZ' || to.kind === 'TIMESTAMP_TZ') && (from?.kind === 'NUMBER' || from?.kind === 'FLOAT')) {
    const ntz = mk.fn('sf_epoch_to_ntz', [n]);
    return to.kind === 'TIMESTAMP_NTZ' ? ntz : mk.cast(mk.fn('timezone', [mk.string('UTC'), ntz]), 'TIMESTAMPTZ');
  }
  if (to.kind === 'BOOLEAN' && (from?.kind === 'NUMBER' || from?.kind === 'FLOAT')) return mk.paren(mk.binary('neq', n, mk.number(0)));
  return plain();
}

/**
 * Date and timestamp literals in ISO form, which DuckDB's own cast reads exactly as Snowflake's AUTO
 * format does. Cast natively, DuckDB folds them to a constant and skips row groups by it; the AUTO
 * conversion (it tries several formats and fails with Snowflake's message) is not folded, so a
 * `WHERE at > DATEADD(day, -7, '2024-07-01'::TIMESTAMP_LTZ)` converted it row by row.
 */
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?)?$/;
/** With an offset as Snowflake prints it (` -0700`) or in ISO form (`-07:00`, `Z`). */
const ISO_TIMESTAMP_ZONED = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?)? ?(Z|[+-]\d{2}:?\d{2})?$/;

/** The literal as DuckDB's cast reads it the same way, or undefined when it may not. */
function isoLiteral(text: AstNode, to: SfType): string | undefined {
  const value = stringLiteral(text);
  if (value === undefined) return undefined;
  const pattern = to.kind === 'DATE' ? ISO_DATE : to.kind === 'TIMESTAMP_NTZ' ? ISO_TIMESTAMP : to.kind === 'TIMESTAMP_LTZ' || to.kind === 'TIMESTAMP_TZ' ? ISO_TIMESTAMP_ZONED : undefined;
  const m = pattern?.exec(value);
  if (!m) return undefined;
  const [y, mo, d, h, mi, sec, fraction, zone] = m.slice(1);
  // A real calendar date and time of day (otherwise the AUTO conversion gives Snowflake's error).
  const t = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(sec ?? 0)));
  const real =
    t.getUTCFullYear() === Number(y) && t.getUTCMonth() === Number(mo) - 1 && t.getUTCDate() === Number(d) &&
    t.getUTCHours() === Number(h ?? 0) && t.getUTCMinutes() === Number(mi ?? 0) && t.getUTCSeconds() === Number(sec ?? 0);
  if (!real || (zone !== undefined && h === undefined)) return undefined;
  const offset = zone === undefined || zone === 'Z' ? (zone ?? '') : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  return h === undefined ? `${y}-${mo}-${d}` : `${y}-${mo}-${d} ${h}:${mi}:${sec}${fraction ?? ''}${offset}`;
}

/** Casts text with Snowflake's AUTO input formats. */
function castText(text: AstNode, to: SfType, safe: boolean, duck: string): AstNode {
  const iso = isoLiteral(text, to);
  if (iso !== undefined) return mk.cast(mk.string(iso), duck);
  const prefix = safe ? 'sf_try_' : 'sf_';
  switch (to.kind) {
    case 'DATE':
      return mk.fn(`${prefix}to_date`, [text]);
    case 'TIME':
      return mk.fn(`${prefix}to_time`, [text]);
    case 'TIMESTAMP_NTZ':
      return mk.fn(`${prefix}to_timestamp_ntz`, [text]);
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_TZ':
      return mk.fn(`${prefix}to_timestamp_ltz`, [text]);
    case 'BOOLEAN':
      return mk.fn(`${prefix}to_boolean`, [text]);
    case 'BINARY':
      // Snowflake reads text as hex (BINARY_INPUT_FORMAT = HEX); DuckDB would take the raw bytes.
      return safe ? mk.fn('try', [mk.fn('unhex', [text])]) : mk.fn('sf_hex_to_binary', [text]);
    case 'NUMBER':
      // DuckDB rounds a string with a fraction to the target scale, as Snowflake does.
      return safe ? mk.tryCast(text, duck) : mk.cast(text, duck);
    default:
      return safe ? mk.tryCast(text, duck) : mk.cast(text, duck);
  }
}

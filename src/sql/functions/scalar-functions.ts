/**
 * Catalogue entries: conditional expressions, numbers, strings, hashing and session context.
 */
import { errors } from '../errors.ts';
import { duckTypeOf, T, type SfType } from '../types/snowflake-types.ts';
import { mk, numberLiteral, stringLiteral, type AstNode } from '../translate/ast.ts';
import { coerce } from '../translate/variant.ts';
import { numberQuotient, quotientScale } from '../translate/number-division.ts';
import {
  BOOL,
  call,
  coerceArgs,
  firstKnownType,
  FLOAT,
  NUM,
  same,
  STR,
  typed,
  type CallInfo,
  type FunctionSpec,
} from './spec.ts';

function numericResult(c: CallInfo): SfType {
  return c.types.some((t) => t?.kind === 'FLOAT') ? FLOAT : NUM;
}

/** NUMBER / NUMBER keeps NUMBER with Snowflake's scale: max(s, min(s + 6, 12)). */
function quotientType(c: CallInfo): SfType {
  const [a, b] = c.types;
  if (a?.kind === 'NUMBER' && b?.kind === 'NUMBER') return T.number(38, quotientScale(a.scale));
  return FLOAT;
}

/**
 * DIV0 / DIV0NULL: 0 where the divisor is 0 (or, for `orNull`, NULL); NUMBERs divided exactly, as `/`
 * divides them.
 */
function division(macro: string, orNull: boolean): FunctionSpec {
  return {
    min: 2,
    max: 2,
    returns: quotientType,
    emit: (c) => {
      const [a, b] = coerceArgs(c, ['NUMBER', 'NUMBER']);
      const [ta, tb] = c.types;
      if (ta?.kind !== 'NUMBER' || tb?.kind !== 'NUMBER') return call(macro, a, b);
      const zero = orNull ? mk.binary('or', mk.binary('eq', b, mk.number(0)), mk.isNull(b)) : mk.binary('eq', b, mk.number(0));
      const q = numberQuotient(a, b, ta, tb);
      return mk.caseWhen([[zero, mk.cast(mk.number(0), duckTypeOf(q.type))]], q.node);
    },
  };
}

/** Snowflake's GREATEST/LEAST return NULL when any argument is NULL; DuckDB's skip NULLs. */
function nullStrict(fn: string): FunctionSpec {
  return {
    min: 1,
    max: Infinity,
    returns: firstKnownType(),
    emit: (c) => {
      const anyNull = c.args.map((a) => mk.isNull(a)).reduce((l, r) => mk.binary('or', l, r));
      return call('if', anyNull, mk.null(), call(fn, ...c.args));
    },
  };
}

function concatAll(c: CallInfo): AstNode {
  const parts = coerceArgs(c, ['VARCHAR']);
  return parts.reduce((l, r) => mk.binary('concat', l, r));
}

function decode(c: CallInfo): AstNode {
  const [subject, ...rest] = c.args;
  const hasDefault = rest.length % 2 === 1;
  let result: AstNode = hasDefault ? rest[rest.length - 1] : mk.null();
  const pairs = hasDefault ? rest.length - 1 : rest.length;
  for (let i = pairs - 2; i >= 0; i -= 2) {
    result = call('if', call('sf_equal_null', subject, rest[i]), rest[i + 1], result);
  }
  return result;
}

function sha2(c: CallInfo, hex: boolean): AstNode {
  const bits = c.args.length > 1 ? numberLiteral(c.raw[1]) : 256;
  if (bits !== 256) throw errors.unsupported(`SHA2 with ${bits ?? 'non-constant'} bits (only 256 is available)`);
  const digest = call('sha256', coerce(c.args[0], c.types[0], 'VARCHAR'));
  return hex ? digest : call('unhex', digest);
}

function uniform(c: CallInfo): AstNode {
  const [lo, hi, gen] = c.args;
  const float = c.types[0]?.kind === 'FLOAT' || c.types[1]?.kind === 'FLOAT' || hasDecimalPoint(c.raw[0]) || hasDecimalPoint(c.raw[1]);
  const random = gen !== undefined && isRandomCall(c.raw[2]);
  if (float) return call('sf_uniform_float', lo, hi);
  if (!random && gen !== undefined) return call('sf_uniform_int_seeded', lo, hi, gen);
  return call('sf_uniform_int', lo, hi);
}

function hasDecimalPoint(raw: AstNode | undefined): boolean {
  const n = raw === undefined ? undefined : numberLiteral(raw);
  return n !== undefined && !Number.isInteger(n);
}

function isRandomCall(raw: AstNode | undefined): boolean {
  const f = raw && (raw.function as { name?: string } | undefined);
  return f !== undefined && String(f.name).toUpperCase() === 'RANDOM';
}

/** Context functions become constants of the session. */
function sessionValue(pick: (c: CallInfo) => string | undefined): FunctionSpec {
  return {
    min: 0,
    max: 0,
    returns: STR,
    emit: (c) => {
      const v = pick(c);
      return v === undefined ? mk.cast(mk.null(), 'VARCHAR') : mk.string(v);
    },
  };
}

export const SCALAR_FUNCTIONS: Record<string, FunctionSpec> = {
  // Conditional
  IFF: {
    min: 3,
    max: 3,
    returns: firstKnownType(1),
    emit: (c) => call('if', coerce(c.args[0], c.types[0], 'BOOLEAN'), c.args[1], c.args[2]),
  },
  NVL: same('coalesce', firstKnownType(), 2),
  IFNULL: same('coalesce', firstKnownType(), 2),
  COALESCE: same('coalesce', firstKnownType(), 1, Infinity),
  NVL2: same('sf_nvl2', firstKnownType(1), 3),
  NULLIF: same('nullif', firstKnownType(), 2),
  ZEROIFNULL: same('sf_zeroifnull', firstKnownType(), 1),
  NULLIFZERO: same('sf_nullifzero', firstKnownType(), 1),
  DECODE: { min: 3, max: Infinity, returns: firstKnownType(2), emit: decode },
  EQUAL_NULL: same('sf_equal_null', BOOL, 2),
  GREATEST: nullStrict('greatest'),
  LEAST: nullStrict('least'),
  GREATEST_IGNORE_NULLS: same('greatest', firstKnownType(), 1, Infinity),
  LEAST_IGNORE_NULLS: same('least', firstKnownType(), 1, Infinity),
  BOOLAND: { min: 2, max: 2, returns: BOOL, emit: (c) => mk.binary('and', mk.paren(mk.binary('neq', c.args[0], mk.number(0))), mk.paren(mk.binary('neq', c.args[1], mk.number(0)))) },
  BOOLOR: { min: 2, max: 2, returns: BOOL, emit: (c) => mk.binary('or', mk.paren(mk.binary('neq', c.args[0], mk.number(0))), mk.paren(mk.binary('neq', c.args[1], mk.number(0)))) },
  BOOLNOT: { min: 1, max: 1, returns: BOOL, emit: (c) => mk.binary('eq', c.args[0], mk.number(0)) },

  // Numbers
  ABS: typed('abs', ['NUMBER'], (c) => c.types[0]),
  HAVERSINE: typed('sf_haversine', ['FLOAT', 'FLOAT', 'FLOAT', 'FLOAT'], FLOAT),
  WIDTH_BUCKET: typed('sf_width_bucket', ['FLOAT', 'FLOAT', 'FLOAT', 'NUMBER'], NUM),
  // Under GROUP BY ROLLUP / CUBE / GROUPING SETS: which of the expressions are rolled up, as bits.
  GROUPING: { min: 1, max: Infinity, returns: NUM, emit: (c) => call('grouping', ...c.args) },
  GROUPING_ID: { min: 1, max: Infinity, returns: NUM, emit: (c) => call('grouping', ...c.args) },
  CEIL: roundTo('ceil'),
  FLOOR: roundTo('floor'),
  ROUND: typed('round', ['NUMBER', 'NUMBER'], (c) => c.types[0], 1, 2),
  TRUNC: typed('trunc', ['NUMBER', 'NUMBER'], (c) => c.types[0], 1, 2),
  TRUNCATE: typed('trunc', ['NUMBER', 'NUMBER'], (c) => c.types[0], 1, 2),
  SIGN: typed('sign', ['NUMBER'], NUM),
  SQRT: typed('sqrt', ['FLOAT'], FLOAT),
  CBRT: typed('cbrt', ['FLOAT'], FLOAT),
  SQUARE: { min: 1, max: 1, returns: numericResult, emit: (c) => { const a = coerce(c.args[0], c.types[0], 'NUMBER'); return mk.binary('mul', a, a); } },
  EXP: typed('exp', ['FLOAT'], FLOAT),
  LN: typed('ln', ['FLOAT'], FLOAT),
  LOG: typed('log', ['FLOAT', 'FLOAT'], FLOAT, 2, 2),
  POWER: typed('power', ['FLOAT', 'FLOAT'], FLOAT, 2, 2),
  POW: typed('power', ['FLOAT', 'FLOAT'], FLOAT, 2, 2),
  MOD: typed('sf_mod', ['NUMBER', 'NUMBER'], numericResult, 2, 2),
  DIV0: division('sf_div0', false),
  DIV0NULL: division('sf_div0null', true),
  PI: same('pi', FLOAT, 0),
  RADIANS: typed('radians', ['FLOAT'], FLOAT),
  DEGREES: typed('degrees', ['FLOAT'], FLOAT),
  SIN: typed('sin', ['FLOAT'], FLOAT),
  COS: typed('cos', ['FLOAT'], FLOAT),
  TAN: typed('tan', ['FLOAT'], FLOAT),
  ASIN: typed('asin', ['FLOAT'], FLOAT),
  ACOS: typed('acos', ['FLOAT'], FLOAT),
  ATAN: typed('atan', ['FLOAT'], FLOAT),
  ATAN2: typed('atan2', ['FLOAT', 'FLOAT'], FLOAT),
  FACTORIAL: typed('factorial', ['NUMBER'], NUM),
  BITAND: { min: 2, max: 2, returns: NUM, emit: (c) => mk.binary('bitwise_and', c.args[0], c.args[1]) },
  BITOR: { min: 2, max: 2, returns: NUM, emit: (c) => mk.binary('bitwise_or', c.args[0], c.args[1]) },
  BITXOR: { min: 2, max: 2, returns: NUM, emit: (c) => call('xor', c.args[0], c.args[1]) },
  RANDOM: { min: 0, max: 1, returns: NUM, emit: () => call('sf_random') },
  NORMAL: {
    min: 3,
    max: 3,
    returns: FLOAT,
    emit: (c) => {
      const [mean, stddev, gen] = coerceArgs(c, ['FLOAT', 'FLOAT', 'NUMBER']);
      return isRandomCall(c.raw[2]) ? call('sf_normal', mean, stddev) : call('sf_normal_seeded', mean, stddev, gen);
    },
  },
  RANDSTR: {
    min: 2,
    max: 2,
    returns: STR,
    emit: (c) => {
      const [length, gen] = coerceArgs(c, ['NUMBER', 'NUMBER']);
      // A RANDOM() generator is evaluated for every character (each draws anew); a seed gives one string.
      return call('sf_randstr', mk.cast(length, 'BIGINT'), gen);
    },
  },
  UNIFORM: { min: 3, max: 3, returns: (c) => (c.types[0]?.kind === 'FLOAT' || c.types[1]?.kind === 'FLOAT' ? FLOAT : NUM), emit: uniform },

  // Strings
  LENGTH: typed('length', ['VARCHAR'], NUM),
  LEN: typed('length', ['VARCHAR'], NUM),
  CHAR_LENGTH: typed('length', ['VARCHAR'], NUM),
  UPPER: typed('upper', ['VARCHAR'], STR),
  LOWER: typed('lower', ['VARCHAR'], STR),
  INITCAP: typed('sf_initcap', ['VARCHAR'], STR),
  TRIM: typed('trim', ['VARCHAR', 'VARCHAR'], STR, 1, 2),
  LTRIM: typed('ltrim', ['VARCHAR', 'VARCHAR'], STR, 1, 2),
  RTRIM: typed('rtrim', ['VARCHAR', 'VARCHAR'], STR, 1, 2),
  SUBSTR: typed('substring', ['VARCHAR', 'NUMBER', 'NUMBER'], STR, 2, 3),
  SUBSTRING: typed('substring', ['VARCHAR', 'NUMBER', 'NUMBER'], STR, 2, 3),
  LEFT: typed('left', ['VARCHAR', 'NUMBER'], STR),
  RIGHT: typed('right', ['VARCHAR', 'NUMBER'], STR),
  LPAD: typed('lpad', ['VARCHAR', 'NUMBER', 'VARCHAR'], STR, 2, 3),
  RPAD: typed('rpad', ['VARCHAR', 'NUMBER', 'VARCHAR'], STR, 2, 3),
  REVERSE: typed('reverse', ['VARCHAR'], STR),
  INSERT: insertText(),
  REPEAT: typed('repeat', ['VARCHAR', 'NUMBER'], STR),
  SPACE: { min: 1, max: 1, returns: STR, emit: (c) => call('repeat', mk.string(' '), c.args[0]) },
  REPLACE: {
    min: 2,
    max: 3,
    returns: STR,
    emit: (c) => {
      const [s, from, to] = coerceArgs(c, ['VARCHAR']);
      return call('replace', s, from, to ?? mk.string(''));
    },
  },
  TRANSLATE: typed('translate', ['VARCHAR'], STR, 3, 3),
  CONCAT: { min: 1, max: Infinity, returns: STR, emit: concatAll },
  CONCAT_WS: {
    min: 2,
    max: Infinity,
    returns: STR,
    emit: (c) => {
      const [sep, ...rest] = coerceArgs(c, ['VARCHAR']);
      const joined = rest.reduce((l, r) => mk.binary('concat', mk.binary('concat', l, sep), r));
      return joined;
    },
  },
  CONTAINS: typed('contains', ['VARCHAR', 'VARCHAR'], BOOL),
  STARTSWITH: typed('starts_with', ['VARCHAR', 'VARCHAR'], BOOL),
  ENDSWITH: typed('ends_with', ['VARCHAR', 'VARCHAR'], BOOL),
  POSITION: position(),
  CHARINDEX: position(),
  SPLIT_PART: {
    min: 3,
    max: 3,
    returns: STR,
    emit: (c) => {
      const [s, sep, n] = coerceArgs(c, ['VARCHAR', 'VARCHAR', 'NUMBER']);
      // Snowflake treats part 0 as 1.
      const part = numberLiteral(c.raw[2]) === 0 ? mk.number(1) : n;
      return call('split_part', s, sep, part);
    },
  },
  STRTOK: {
    min: 1,
    max: 3,
    returns: STR,
    emit: (c) => {
      const [s, d, n] = coerceArgs(c, ['VARCHAR', 'VARCHAR', 'NUMBER']);
      return call('sf_strtok', s, d ?? mk.string(' '), n ?? mk.number(1));
    },
  },
  STRTOK_TO_ARRAY: {
    min: 1,
    max: 2,
    returns: T.array(),
    emit: (c) => {
      const [s, d] = coerceArgs(c, ['VARCHAR', 'VARCHAR']);
      return call('sf_strtok_to_array', s, d ?? mk.string(' '));
    },
  },
  REGEXP_LIKE: regexpLike(),
  RLIKE: regexpLike(),
  REGEXP_SUBSTR: {
    min: 2,
    max: 6,
    returns: STR,
    emit: (c) => {
      const [s, p, pos, occ, params, group] = coerceArgs(c, ['VARCHAR', 'VARCHAR', 'NUMBER', 'NUMBER', 'VARCHAR', 'NUMBER']);
      const pattern = withRegexParams(p, c.raw[4]);
      const grp = group ?? (params !== undefined && (stringLiteral(c.raw[4]) ?? '').includes('e') ? mk.number(1) : mk.number(0));
      return call('sf_regexp_substr', s, pattern, pos ?? mk.number(1), occ ?? mk.number(1), grp);
    },
  },
  REGEXP_REPLACE: {
    min: 2,
    max: 6,
    returns: STR,
    emit: (c) => {
      const [s, p, r, pos, occ] = coerceArgs(c, ['VARCHAR', 'VARCHAR', 'VARCHAR', 'NUMBER', 'NUMBER', 'VARCHAR']);
      if ((pos && numberLiteral(c.raw[3]) !== 1) || (occ && numberLiteral(c.raw[4]) !== 0)) {
        throw errors.unsupported('REGEXP_REPLACE with a position or occurrence');
      }
      return call('regexp_replace', s, withRegexParams(p, c.raw[5]), r ?? mk.string(''), mk.string('g'));
    },
  },
  REGEXP_COUNT: {
    min: 2,
    max: 4,
    returns: NUM,
    emit: (c) => {
      const [s, p] = coerceArgs(c, ['VARCHAR', 'VARCHAR']);
      if (c.args.length > 2) throw errors.unsupported('REGEXP_COUNT with a position or parameters');
      return call('sf_regexp_count', s, p);
    },
  },
  REGEXP_INSTR: {
    min: 2,
    max: 2,
    returns: NUM,
    emit: (c) => call('sf_regexp_instr', ...coerceArgs(c, ['VARCHAR', 'VARCHAR'])),
  },
  ASCII: typed('ascii', ['VARCHAR'], NUM),
  UNICODE: typed('unicode', ['VARCHAR'], NUM),
  CHR: typed('chr', ['NUMBER'], STR),
  CHAR: typed('chr', ['NUMBER'], STR),
  EDITDISTANCE: typed('levenshtein', ['VARCHAR', 'VARCHAR'], NUM),
  HEX_ENCODE: { min: 1, max: 2, returns: STR, emit: (c) => call('upper', call('hex', coerce(c.args[0], c.types[0], 'VARCHAR'))) },
  HEX_DECODE_STRING: { min: 1, max: 1, returns: STR, emit: (c) => call('decode', call('unhex', coerce(c.args[0], c.types[0], 'VARCHAR'))) },
  TO_BINARY: binaryFrom(false),
  TRY_TO_BINARY: binaryFrom(true),
  BASE64_ENCODE: { min: 1, max: 3, returns: STR, emit: (c) => call('to_base64', call('encode', coerce(c.args[0], c.types[0], 'VARCHAR'))) },
  BASE64_DECODE_STRING: { min: 1, max: 2, returns: STR, emit: (c) => call('decode', call('from_base64', coerce(c.args[0], c.types[0], 'VARCHAR'))) },

  // Hashing
  MD5: typed('md5', ['VARCHAR'], STR),
  MD5_HEX: typed('md5', ['VARCHAR'], STR),
  SHA1: typed('sha1', ['VARCHAR'], STR),
  SHA1_HEX: typed('sha1', ['VARCHAR'], STR),
  SHA2: { min: 1, max: 2, returns: STR, emit: (c) => sha2(c, true) },
  SHA2_HEX: { min: 1, max: 2, returns: STR, emit: (c) => sha2(c, true) },
  SHA2_BINARY: { min: 1, max: 2, returns: T.binary(), emit: (c) => sha2(c, false) },
  HASH: {
    min: 1,
    max: Infinity,
    returns: NUM,
    emit: (c) => {
      if (c.args.length === 1) return call('sf_hash', c.args[0]);
      return call('sf_hash', call('row', ...c.args));
    },
  },
  UUID_STRING: {
    min: 0,
    max: 2,
    returns: STR,
    emit: (c) => {
      if (c.args.length > 0) throw errors.unsupported('UUID_STRING with a namespace (version 5 UUIDs)');
      return mk.cast(call('uuid'), 'VARCHAR');
    },
  },

  // Session context
  CURRENT_DATABASE: sessionValue((c) => c.session.database),
  CURRENT_SCHEMA: sessionValue((c) => c.session.schema),
  CURRENT_ROLE: sessionValue((c) => c.session.role),
  CURRENT_USER: sessionValue((c) => c.session.user),
  CURRENT_WAREHOUSE: sessionValue((c) => c.session.warehouse),
  CURRENT_ACCOUNT: sessionValue((c) => c.session.account),
  CURRENT_ACCOUNT_NAME: sessionValue((c) => c.session.account),
  CURRENT_REGION: sessionValue((c) => c.session.region),
  CURRENT_SESSION: sessionValue((c) => c.session.sessionId),
  CURRENT_VERSION: sessionValue((c) => c.session.version),
  CURRENT_CLIENT: sessionValue(() => 'Backlot'),
  CURRENT_ROLE_TYPE: sessionValue(() => 'ROLE'),
  CURRENT_SECONDARY_ROLES: sessionValue(() => '{"roles":"","value":""}'),
  CURRENT_AVAILABLE_ROLES: sessionValue((c) => JSON.stringify([c.session.role])),
};

/**
 * CEIL / FLOOR (x [, scale]): DuckDB's take no scale, so with one the value is truncated to the scale
 * (exact for NUMBER) and moved one step (10^-scale) up or down when truncation went the wrong way.
 */
function roundTo(fn: 'ceil' | 'floor'): FunctionSpec {
  return {
    min: 1,
    max: 2,
    returns: (c) => c.types[0],
    emit: (c) => {
      const [x, scale] = coerceArgs(c, ['NUMBER', 'NUMBER']);
      if (scale === undefined) return call(fn, x);
      const digits = numberLiteral(c.raw[1]);
      const step =
        digits === undefined || !Number.isInteger(digits)
          ? call('pow', mk.number('10.0'), mk.binary('sub', mk.number(0), scale))
          : mk.number(digits > 0 ? `0.${'0'.repeat(digits - 1)}1` : `1${'0'.repeat(-digits)}`);
      const cut = call('trunc', x, scale);
      const moved = fn === 'ceil' ? mk.binary('add', cut, step) : mk.binary('sub', cut, step);
      const wrongWay = fn === 'ceil' ? mk.binary('gt', x, mk.number(0)) : mk.binary('lt', x, mk.number(0));
      const value = mk.caseWhen([[mk.binary('eq', x, cut), x], [wrongWay, moved]], cut);
      return c.types[0] ? mk.cast(value, duckTypeOf(c.types[0])) : value;
    },
  };
}

/** INSERT(base, pos, len, text): `len` characters of `base` from `pos` replaced by `text`. */
function insertText(): FunctionSpec {
  return {
    min: 4,
    max: 4,
    returns: STR,
    emit: (c) => {
      const [base, pos, len, text] = coerceArgs(c, ['VARCHAR', 'NUMBER', 'NUMBER', 'VARCHAR']);
      return call('sf_insert', base, mk.cast(pos, 'BIGINT'), mk.cast(len, 'BIGINT'), text);
    },
  };
}

/** POSITION / CHARINDEX(sub, s [, start]): 1-based, 0 when absent. */
function position(): FunctionSpec {
  return {
    min: 2,
    max: 3,
    returns: NUM,
    emit: (c) => {
      const [sub, s, start] = coerceArgs(c, ['VARCHAR', 'VARCHAR', 'NUMBER']);
      return start === undefined ? call('strpos', s, sub) : call('sf_charindex', sub, s, start);
    },
  };
}

/** TO_BINARY(text [, 'HEX' | 'BASE64' | 'UTF-8']). */
function binaryFrom(safe: boolean): FunctionSpec {
  return {
    min: 1,
    max: 2,
    returns: T.binary(),
    emit: (c) => {
      const format = (c.raw[1] === undefined ? 'HEX' : (stringLiteral(c.raw[1]) ?? '')).toUpperCase();
      const text = coerce(c.args[0], c.types[0], 'VARCHAR');
      let out: AstNode;
      if (format === 'HEX') out = call(safe ? 'unhex' : 'sf_hex_to_binary', text);
      else if (format === 'BASE64') out = call('from_base64', text);
      else if (format === 'UTF-8' || format === 'UTF8') out = call('encode', text);
      else throw errors.invalidArgument('TO_BINARY', `unknown format '${format}'`);
      return safe ? call('try', out) : out;
    },
  };
}

function regexpLike(): FunctionSpec {
  return {
    min: 2,
    max: 3,
    returns: BOOL,
    emit: (c) => {
      const [s, p] = coerceArgs(c, ['VARCHAR', 'VARCHAR']);
      return call('regexp_full_match', s, withRegexParams(p, c.raw[2]));
    },
  };
}

/** Snowflake regex parameters (c, i, m, e, s) as an inline RE2 flag group. */
function withRegexParams(pattern: AstNode, raw: AstNode | undefined): AstNode {
  if (raw === undefined) return pattern;
  const params = stringLiteral(raw);
  if (params === undefined) throw errors.unsupported('regular-expression parameters that are not a constant');
  let flags = '';
  for (const ch of params) {
    if (ch === 'i' && !flags.includes('i')) flags += 'i';
    else if (ch === 'm' && !flags.includes('m')) flags += 'm';
    else if (ch === 's' && !flags.includes('s')) flags += 's';
    else if (ch === 'c') flags = flags.replace('i', '');
    else if (ch !== 'e') throw errors.invalidValue(`Invalid regular-expression parameter '${ch}'.`);
  }
  return flags === '' ? pattern : mk.binary('concat', mk.string(`(?${flags})`), pattern);
}


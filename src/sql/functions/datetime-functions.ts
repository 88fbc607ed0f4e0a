/**
 * Catalogue entries: conversion functions (TO_*, TRY_TO_*) and date/time arithmetic.
 */
import { errors } from '../errors.ts';
import { duckTypeOf, T, type SfType } from '../types/snowflake-types.ts';
import { mk, numberLiteral, stringLiteral, type AstNode } from '../translate/ast.ts';
import { coerce, isVariant, variantToVarchar } from '../translate/variant.ts';
import { duckExtractPart, intervalFunction, isDateLevel, type DatePart } from './date-parts.ts';
import { formatModelPieces, formatModelToStrftime } from './format-models.ts';
import {
  BOOL,
  call,
  datePartArg,
  DATE,
  FLOAT,
  literalStringArg,
  LTZ,
  NTZ,
  NUM,
  STR,
  TIME,
  type CallInfo,
  type FunctionSpec,
} from './spec.ts';

/** An argument as text for string-parsing conversions (VARIANT strings unquoted). */
function asText(c: CallInfo, i: number): AstNode {
  return isVariant(c.types[i]) ? variantToVarchar(c.args[i]) : c.args[i];
}

function isNumeric(t: SfType | undefined): boolean {
  return t?.kind === 'NUMBER' || t?.kind === 'FLOAT';
}

function isTemporal(t: SfType | undefined): boolean {
  return t?.kind === 'DATE' || t?.kind === 'TIMESTAMP_NTZ' || t?.kind === 'TIMESTAMP_LTZ' || t?.kind === 'TIMESTAMP_TZ';
}

/** TO_DATE / DATE / TRY_TO_DATE. */
function toDate(safe: boolean): FunctionSpec {
  return {
    min: 1,
    max: 2,
    returns: DATE,
    emit: (c) => {
      const t = c.types[0];
      if (c.args.length === 2) {
        const fmt = formatModelToStrftime(literalStringArg(c.raw[1], c.name, 'format'));
        const parsed = safe
          ? call('try_strptime', mk.cast(asText(c, 0), 'VARCHAR'), mk.string(fmt))
          : call('sf_strptime_checked', asText(c, 0), mk.string(fmt), mk.string('Date'));
        return mk.cast(parsed, 'DATE');
      }
      if (t?.kind === 'DATE') return c.args[0];
      if (isTemporal(t)) return mk.cast(c.args[0], 'DATE');
      if (isNumeric(t)) return mk.cast(call('sf_epoch_to_ntz', c.args[0]), 'DATE');
      return call(safe ? 'sf_try_to_date' : 'sf_to_date', asText(c, 0));
    },
  };
}

/** TO_TIMESTAMP[_NTZ|_LTZ|_TZ] and TRY_ forms. */
function toTimestamp(kind: 'NTZ' | 'LTZ', safe: boolean): FunctionSpec {
  const target = kind === 'NTZ' ? NTZ : LTZ;
  const duck = kind === 'NTZ' ? 'TIMESTAMP' : 'TIMESTAMPTZ';
  return {
    min: 1,
    max: 2,
    returns: target,
    emit: (c) => {
      const t = c.types[0];
      if (c.args.length === 2) {
        const scale = numberLiteral(c.raw[1]);
        if (scale !== undefined) {
          // TO_TIMESTAMP(number, scale): the number counts 10^-scale seconds.
          const micros = mk.binary('mul', mk.cast(c.args[0], 'DOUBLE'), mk.number(10 ** (6 - scale)));
          const ntz = call('make_timestamp', mk.cast(micros, 'BIGINT'));
          return kind === 'NTZ' ? ntz : mk.cast(call('timezone', mk.string('UTC'), ntz), 'TIMESTAMPTZ');
        }
        const fmt = formatModelToStrftime(literalStringArg(c.raw[1], c.name, 'format'));
        const parsed = safe
          ? call('try_strptime', mk.cast(asText(c, 0), 'VARCHAR'), mk.string(fmt))
          : call('sf_strptime_checked', asText(c, 0), mk.string(fmt), mk.string('Timestamp'));
        return mk.cast(parsed, duck);
      }
      if (isTemporal(t)) return mk.cast(c.args[0], duck);
      if (isNumeric(t)) {
        const ntz = call('sf_epoch_to_ntz', c.args[0]);
        return kind === 'NTZ' ? ntz : mk.cast(call('timezone', mk.string('UTC'), ntz), 'TIMESTAMPTZ');
      }
      const fn = `sf_${safe ? 'try_' : ''}to_timestamp_${kind.toLowerCase()}`;
      return call(fn, asText(c, 0));
    },
  };
}

function toTime(safe: boolean): FunctionSpec {
  return {
    min: 1,
    max: 2,
    returns: TIME,
    emit: (c) => {
      if (c.args.length === 2) {
        const fmt = formatModelToStrftime(literalStringArg(c.raw[1], c.name, 'format'));
        const parsed = safe
          ? call('try_strptime', mk.cast(asText(c, 0), 'VARCHAR'), mk.string(fmt))
          : call('sf_strptime_checked', asText(c, 0), mk.string(fmt), mk.string('Time'));
        return mk.cast(parsed, 'TIME');
      }
      if (c.types[0]?.kind === 'TIME') return c.args[0];
      if (isTemporal(c.types[0])) return mk.cast(c.args[0], 'TIME');
      return call(safe ? 'sf_try_to_time' : 'sf_to_time', asText(c, 0));
    },
  };
}

/** TO_NUMBER(x [, format] [, precision [, scale]]) and its synonyms. */
function toNumber(safe: boolean, fixed?: SfType): FunctionSpec {
  const resultType = (c: CallInfo): SfType => {
    if (fixed) return fixed;
    const rest = stringLiteral(c.raw[1]) !== undefined ? c.raw.slice(2) : c.raw.slice(1);
    const p = rest[0] !== undefined ? numberLiteral(rest[0]) : 38;
    const s = rest[1] !== undefined ? numberLiteral(rest[1]) : 0;
    if (p === undefined || s === undefined) throw errors.unsupported(`${c.name} with a non-constant precision or scale`);
    return T.number(p, s);
  };
  return {
    min: 1,
    max: 4,
    returns: resultType,
    emit: (c) => {
      if (stringLiteral(c.raw[1]) !== undefined) throw errors.unsupported(`${c.name} with a format model`);
      const target = resultType(c);
      const src = isVariant(c.types[0]) ? variantToVarchar(c.args[0]) : c.args[0];
      const duck = duckTypeOf(target);
      // Strings with a fraction round when cast to an integer type, as in Snowflake.
      return safe ? mk.tryCast(src, duck) : mk.cast(src, duck);
    },
  };
}

function toBoolean(safe: boolean): FunctionSpec {
  return {
    min: 1,
    max: 1,
    returns: BOOL,
    emit: (c) => {
      const t = c.types[0];
      if (t?.kind === 'BOOLEAN') return c.args[0];
      if (isNumeric(t)) return mk.paren(mk.binary('neq', c.args[0], mk.number(0)));
      return call(safe ? 'sf_try_to_boolean' : 'sf_to_boolean', asText(c, 0));
    },
  };
}

/** TO_CHAR / TO_VARCHAR. */
function toVarchar(): FunctionSpec {
  return {
    min: 1,
    max: 2,
    returns: STR,
    emit: (c) => {
      const t = c.types[0];
      if (c.args.length === 2) {
        const pieces = formatModelPieces(literalStringArg(c.raw[1], c.name, 'format'));
        if (isNumeric(t)) throw errors.unsupported(`${c.name} of a number with a format model`);
        const value = t === undefined || t.kind === 'VARCHAR' ? mk.cast(c.args[0], 'TIMESTAMP') : c.args[0];
        const printed = pieces.map((p) => {
          if (typeof p === 'string') return call('strftime', value, mk.string(p));
          if (p.offset === 'TZH') return call('sf_tz_hour', value);
          if (p.offset === 'TZM') return call('lpad', mk.cast(call('abs', call('timezone_minute', value)), 'VARCHAR'), mk.number(2), mk.string('0'));
          return call('sf_tz_offset', value, mk.string(p.offset === 'TZH:TZM' ? ':' : ''));
        });
        return printed.reduce((a, b) => mk.binary('concat', a, b));
      }
      return coerce(c.args[0], t ?? T.varchar(), 'VARCHAR');
    },
  };
}

/** DATEADD(part, n, value) and its synonyms TIMEADD / TIMESTAMPADD. */
function dateAdd(): FunctionSpec {
  return {
    min: 3,
    max: 3,
    partArgs: [0],
    returns: (c) => {
      const part = datePartArg(c.raw[0], c.name);
      const t = c.types[2];
      if (t?.kind === 'DATE') return isDateLevel(part) ? DATE : NTZ;
      if (t === undefined || t.kind === 'VARCHAR') return NTZ;
      return t;
    },
    emit: (c) => {
      const part = datePartArg(c.raw[0], c.name);
      return addInterval(part, c.args[1], c.args[2], c.types[2]);
    },
  };
}

function addInterval(part: DatePart, n: AstNode, value: AstNode, t: SfType | undefined): AstNode {
  const { fn, factor } = intervalFunction(part);
  const amount = factor === 1 ? n : mk.binary('mul', n, mk.number(factor));
  const interval = call(fn, fn === 'to_seconds' ? amount : mk.cast(amount, 'BIGINT'));
  if (t?.kind === 'DATE') {
    const sum = mk.binary('add', value, interval);
    return isDateLevel(part) ? mk.cast(sum, 'DATE') : sum;
  }
  if (t === undefined || t.kind === 'VARCHAR' || isVariant(t)) {
    const ts = isVariant(t) ? call('sf_to_timestamp_ntz', variantToVarchar(value)) : mk.cast(value, 'TIMESTAMP');
    return mk.binary('add', ts, interval);
  }
  return mk.binary('add', value, interval);
}

/** DATEDIFF(part, a, b): the number of part boundaries crossed from a to b, as Snowflake counts. */
function dateDiff(): FunctionSpec {
  return {
    min: 3,
    max: 3,
    partArgs: [0],
    returns: NUM,
    emit: (c) => {
      const part = datePartArg(c.raw[0], c.name);
      const [a, b] = [temporal(c, 1), temporal(c, 2)];
      const unit =
        part === 'WEEKISO' ? 'week' : part === 'DAYOFWEEK' || part === 'DAYOFYEAR' || part === 'DAYOFWEEKISO' ? 'day' : part.toLowerCase();
      const known = ['year', 'quarter', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond', 'microsecond', 'nanosecond'];
      if (!known.includes(unit)) throw errors.invalidValue(`Invalid date/time part '${part}' for DATEDIFF.`);
      return call(`sf_datediff_${unit}`, a, b);
    },
  };
}

/** A temporal argument; strings and VARIANTs are read as timestamps, as Snowflake does here. */
function temporal(c: CallInfo, i: number): AstNode {
  const t = c.types[i];
  if (t === undefined || t.kind === 'VARCHAR') return mk.cast(c.args[i], 'TIMESTAMP');
  if (isVariant(t)) return call('sf_to_timestamp_ntz', variantToVarchar(c.args[i]));
  return c.args[i];
}

function dateTrunc(): FunctionSpec {
  return {
    min: 2,
    max: 2,
    partArgs: [0],
    returns: (c) => c.types[1] ?? NTZ,
    emit: (c) => {
      const part = datePartArg(c.raw[0], c.name);
      const unit = part === 'WEEKISO' ? 'week' : part.toLowerCase();
      const value = temporal(c, 1);
      const truncated = call('date_trunc', mk.string(unit), value);
      if (c.types[1]?.kind === 'DATE') return mk.cast(truncated, 'DATE');
      if (c.types[1]?.kind === 'TIME') return mk.cast(call('date_trunc', mk.string(unit), mk.binary('add', mk.cast(mk.string('1970-01-01'), 'DATE'), c.args[1])), 'TIME');
      return truncated;
    },
  };
}

function datePart(fixed?: DatePart): FunctionSpec {
  return {
    min: fixed ? 1 : 2,
    max: fixed ? 1 : 2,
    partArgs: fixed ? [] : [0],
    returns: NUM,
    emit: (c) => {
      const part = fixed ?? datePartArg(c.raw[0], c.name);
      const value = temporal(c, fixed ? 0 : 1);
      switch (part) {
        case 'EPOCH_SECOND':
          return mk.cast(call('epoch', value), 'BIGINT');
        case 'EPOCH_MILLISECOND':
          return call('epoch_ms', value);
        case 'EPOCH_MICROSECOND':
          return call('epoch_us', value);
        case 'EPOCH_NANOSECOND':
          return call('epoch_ns', value);
        case 'NANOSECOND':
          return mk.binary('mul', mk.binary('mod', call('date_part', mk.string('microsecond'), value), mk.number(1000000)), mk.number(1000));
        default:
          return mk.cast(call('date_part', mk.string(duckExtractPart(part)), value), 'BIGINT');
      }
    },
  };
}

function lastDay(): FunctionSpec {
  return {
    min: 1,
    max: 2,
    partArgs: [1],
    returns: DATE,
    emit: (c) => {
      const part = c.raw[1] === undefined ? 'MONTH' : datePartArg(c.raw[1], c.name);
      const d = temporal(c, 0);
      switch (part) {
        case 'MONTH':
          return call('last_day', d);
        case 'YEAR':
          return call('sf_last_day_year', d);
        case 'QUARTER':
          return call('sf_last_day_quarter', d);
        case 'WEEK':
          return call('sf_last_day_week', d);
        default:
          throw errors.invalidValue(`Invalid date/time part '${part}' for LAST_DAY.`);
      }
    },
  };
}

const SLICE_PARTS = ['YEAR', 'QUARTER', 'MONTH', 'WEEK', 'DAY', 'HOUR', 'MINUTE', 'SECOND'];

/**
 * TIME_SLICE(t, n, part [, 'START' | 'END']): the start (or end) of the n-part slice that holds t.
 * Slices are counted from 1970-01-01 00:00:00, weekly ones from the Monday of that week (1969-12-29,
 * the week start DATE_TRUNC uses too). A DATE gives a DATE (date parts only), anything else a
 * TIMESTAMP_NTZ.
 */
function timeSlice(): FunctionSpec {
  return {
    min: 3,
    max: 4,
    partArgs: [2, 3],
    returns: (c) => (c.types[0]?.kind === 'DATE' ? DATE : NTZ),
    emit: (c) => {
      const part = datePartArg(c.raw[2], c.name);
      const isDate = c.types[0]?.kind === 'DATE';
      if (!SLICE_PARTS.slice(0, isDate ? 5 : 8).includes(part)) throw errors.invalidValue(`Invalid date/time part '${part}' for TIME_SLICE.`);
      const edge = c.raw[3] === undefined ? 'START' : literalStringArg(c.raw[3], c.name, 'start_or_end').toUpperCase();
      if (edge !== 'START' && edge !== 'END') throw errors.invalidValue(`TIME_SLICE's fourth argument must be 'START' or 'END', not '${edge}'.`);
      const length = numberLiteral(c.raw[1]);
      if (length !== undefined && (length < 1 || !Number.isInteger(length))) throw errors.invalidValue(`TIME_SLICE's slice length must be an integer of at least 1, not ${length}.`);
      const { fn, factor } = intervalFunction(part);
      const width = call(fn, mk.binary('mul', mk.cast(c.args[1], 'INTEGER'), mk.number(factor)));
      const type = isDate ? 'DATE' : 'TIMESTAMP';
      const origin = mk.cast(mk.string(part === 'WEEK' ? '1969-12-29' : '1970-01-01'), type);
      const start = call('time_bucket', width, isDate ? c.args[0] : mk.cast(temporal(c, 0), 'TIMESTAMP'), origin);
      return edge === 'START' ? start : mk.cast(mk.binary('add', start, width), type);
    },
  };
}

/** The DuckDB session variable holding a dynamic-table refresh's instant (ms) for a moment. */
export const instantVariable = (moment: 'OLD' | 'NEW'): string => `__backlot_instant_${moment.toLowerCase()}`;

/**
 * `_BACKLOT_INSTANT('OLD' | 'NEW')`: the instant a dynamic table's refresh evaluates CURRENT_TIMESTAMP
 * and friends at, for the previous refresh or this one (src/sql/dynamic/time-filters.ts). Internal.
 */
const INSTANT: FunctionSpec = {
  min: 1,
  max: 1,
  returns: T.number(18, 0),
  emit: (c) => {
    const moment = stringLiteral(c.raw[0]);
    if (moment !== 'OLD' && moment !== 'NEW') throw errors.invalidValue(`${c.name} takes 'OLD' or 'NEW'`);
    return mk.cast(call('getvariable', mk.string(instantVariable(moment))), 'BIGINT');
  },
};

function now(wrap: (n: AstNode) => AstNode, returns: SfType): FunctionSpec {
  return { min: 0, max: 1, returns, emit: () => wrap(call('sf_now')) };
}

export const DATETIME_FUNCTIONS: Record<string, FunctionSpec> = {
  TIME_SLICE: timeSlice(),
  TO_DATE: toDate(false),
  DATE: toDate(false),
  TRY_TO_DATE: toDate(true),
  TO_TIMESTAMP: toTimestamp('NTZ', false),
  TO_TIMESTAMP_NTZ: toTimestamp('NTZ', false),
  TO_TIMESTAMP_LTZ: toTimestamp('LTZ', false),
  TO_TIMESTAMP_TZ: toTimestamp('LTZ', false),
  TRY_TO_TIMESTAMP: toTimestamp('NTZ', true),
  TRY_TO_TIMESTAMP_NTZ: toTimestamp('NTZ', true),
  TRY_TO_TIMESTAMP_LTZ: toTimestamp('LTZ', true),
  TRY_TO_TIMESTAMP_TZ: toTimestamp('LTZ', true),
  TO_TIME: toTime(false),
  TIME: toTime(false),
  TRY_TO_TIME: toTime(true),
  TO_NUMBER: toNumber(false),
  TO_DECIMAL: toNumber(false),
  TO_NUMERIC: toNumber(false),
  TRY_TO_NUMBER: toNumber(true),
  TRY_TO_DECIMAL: toNumber(true),
  TRY_TO_NUMERIC: toNumber(true),
  TO_DOUBLE: toNumber(false, FLOAT),
  TRY_TO_DOUBLE: toNumber(true, FLOAT),
  TO_BOOLEAN: toBoolean(false),
  TRY_TO_BOOLEAN: toBoolean(true),
  TO_VARCHAR: toVarchar(),
  TO_CHAR: toVarchar(),

  DATEADD: dateAdd(),
  TIMEADD: dateAdd(),
  TIMESTAMPADD: dateAdd(),
  DATEDIFF: dateDiff(),
  TIMEDIFF: dateDiff(),
  TIMESTAMPDIFF: dateDiff(),
  DATE_TRUNC: dateTrunc(),
  TRUNC_DATE: dateTrunc(),
  DATE_PART: datePart(),
  YEAR: datePart('YEAR'),
  QUARTER: datePart('QUARTER'),
  MONTH: datePart('MONTH'),
  WEEK: datePart('WEEK'),
  WEEKOFYEAR: datePart('WEEK'),
  WEEKISO: datePart('WEEKISO'),
  DAY: datePart('DAY'),
  DAYOFMONTH: datePart('DAY'),
  DAYOFWEEK: datePart('DAYOFWEEK'),
  DAYOFWEEKISO: datePart('DAYOFWEEKISO'),
  DAYOFYEAR: datePart('DAYOFYEAR'),
  YEAROFWEEK: datePart('YEAROFWEEK'),
  YEAROFWEEKISO: datePart('YEAROFWEEKISO'),
  HOUR: datePart('HOUR'),
  MINUTE: datePart('MINUTE'),
  SECOND: datePart('SECOND'),
  LAST_DAY: lastDay(),
  DAYNAME: { min: 1, max: 1, returns: STR, emit: (c) => call('sf_dayname', temporal(c, 0)) },
  MONTHNAME: { min: 1, max: 1, returns: STR, emit: (c) => call('sf_monthname', temporal(c, 0)) },
  ADD_MONTHS: {
    min: 2,
    max: 2,
    returns: (c) => c.types[0] ?? DATE,
    emit: (c) => addInterval('MONTH', c.args[1], c.args[0], c.types[0]),
  },
  MONTHS_BETWEEN: {
    min: 2,
    max: 2,
    returns: NUM,
    emit: (c) => {
      const [a, b] = [temporal(c, 0), temporal(c, 1)];
      const months = call('sf_datediff_month', b, a);
      const days = mk.binary('sub', call('date_part', mk.string('day'), a), call('date_part', mk.string('day'), b));
      return call('round', mk.binary('add', months, mk.binary('div', days, mk.number(31))), mk.number(6));
    },
  },
  NEXT_DAY: { min: 2, max: 2, returns: DATE, emit: (c) => call('sf_next_day', temporal(c, 0), c.args[1]) },
  PREVIOUS_DAY: { min: 2, max: 2, returns: DATE, emit: (c) => call('sf_previous_day', temporal(c, 0), c.args[1]) },
  DATE_FROM_PARTS: typedParts('make_date', 3, DATE),
  DATEFROMPARTS: typedParts('make_date', 3, DATE),
  TIME_FROM_PARTS: {
    min: 3,
    max: 4,
    returns: TIME,
    emit: (c) => call('make_time', c.args[0], c.args[1], secondsWithNanos(c, 2, 3)),
  },
  TIMESTAMP_FROM_PARTS: timestampFromParts(),
  TIMESTAMP_NTZ_FROM_PARTS: timestampFromParts(),
  CONVERT_TIMEZONE: {
    min: 2,
    max: 3,
    returns: (c) => (c.args.length === 3 ? NTZ : NTZ),
    emit: (c) =>
      c.args.length === 3
        ? call('sf_convert_timezone3', c.args[0], c.args[1], c.args[2])
        : call('sf_convert_timezone2', c.args[0], c.args[1]),
  },
  _BACKLOT_INSTANT: INSTANT,
  CURRENT_TIMESTAMP: now((n) => n, LTZ),
  LOCALTIMESTAMP: now((n) => n, LTZ),
  SYSTIMESTAMP: now((n) => n, LTZ),
  GETDATE: now((n) => n, LTZ),
  SYSDATE: now((n) => call('timezone', mk.string('UTC'), n), NTZ),
  CURRENT_DATE: now((n) => mk.cast(n, 'DATE'), DATE),
  // DuckDB casts TIMESTAMPTZ to TIME only through the local TIMESTAMP (the session time zone's wall clock).
  CURRENT_TIME: now((n) => mk.cast(mk.cast(n, 'TIMESTAMP'), 'TIME'), TIME),
  LOCALTIME: now((n) => mk.cast(mk.cast(n, 'TIMESTAMP'), 'TIME'), TIME),
};

function typedParts(fn: string, n: number, returns: SfType): FunctionSpec {
  return { min: n, max: n, returns, emit: (c) => call(fn, ...c.args.map((a) => mk.cast(a, 'BIGINT'))) };
}

function secondsWithNanos(c: CallInfo, secIdx: number, nanoIdx: number): AstNode {
  const sec = mk.cast(c.args[secIdx], 'DOUBLE');
  if (c.args[nanoIdx] === undefined) return sec;
  return mk.binary('add', sec, mk.binary('div', mk.cast(c.args[nanoIdx], 'DOUBLE'), mk.number(1e9)));
}

function timestampFromParts(): FunctionSpec {
  return {
    min: 2,
    max: 7,
    returns: NTZ,
    emit: (c) => {
      if (c.args.length === 2) return mk.binary('add', mk.cast(c.args[0], 'DATE'), mk.cast(c.args[1], 'TIME'));
      if (c.args.length < 6) throw errors.wrongArgumentCount(`${c.name}(...)`, c.args.length, '6');
      const [y, mo, d, h, mi] = c.args.map((a) => mk.cast(a, 'BIGINT'));
      return call('make_timestamp', y, mo, d, h, mi, secondsWithNanos(c, 5, 6));
    },
  };
}

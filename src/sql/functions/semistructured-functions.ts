/**
 * Catalogue entries: VARIANT, OBJECT and ARRAY functions, stored in DuckDB as JSON.
 */
import { errors } from '../errors.ts';
import { mk, stringLiteral, type AstNode } from '../translate/ast.ts';
import { coerce, extractPath, parsePath, toVariant, variantToVarchar } from '../translate/variant.ts';
import { ARRAY, BOOL, call, coerceArgs, NUM, OBJECT, STR, VARIANT, type CallInfo, type FunctionSpec } from './spec.ts';
import type { SfType } from '../types/snowflake-types.ts';

function text(c: CallInfo, i: number): AstNode {
  return coerce(c.args[i], c.types[i], 'VARCHAR');
}

function variantArg(c: CallInfo, i: number): AstNode {
  return toVariant(c.args[i], c.types[i]);
}

/** A function whose `arity` arguments are all VARIANT, computed by one macro. */
function variantMacro(macro: string, arity: number, returns: SfType): FunctionSpec {
  return { min: arity, max: arity, returns, emit: (c) => call(macro, ...c.args.map((_, i) => variantArg(c, i))) };
}

/** OBJECT_DELETE / OBJECT_PICK keys: the arguments after the object, or one ARRAY of them. */
function objectKeys(c: CallInfo): AstNode {
  if (c.args.length === 2 && c.types[1]?.kind === 'ARRAY') {
    return call('list_transform', call('sf_jlist', variantArg(c, 1)), mk.lambda('K', call('json_extract_string', mk.column('K'), mk.string('$'))));
  }
  return mk.list(c.args.slice(1).map((_, i) => text(c, i + 1)));
}

/** Key/value pairs as `row(key, value-as-json)` entries. */
function pairs(c: CallInfo): AstNode[] {
  if (c.args.length % 2 !== 0) throw errors.invalidArgument(c.name, 'expects key/value pairs');
  const out: AstNode[] = [];
  for (let i = 0; i < c.args.length; i += 2) out.push(call('row', text(c, i), variantArg(c, i + 1)));
  return out;
}

function objectConstruct(keepNull: boolean): FunctionSpec {
  return {
    min: 0,
    max: Infinity,
    returns: OBJECT,
    emit: (c) => {
      if (c.raw.some((r) => 'star' in r)) throw errors.unsupported(`${c.name}(*)`);
      if (c.args.length === 0) return mk.cast(mk.string('{}'), 'JSON');
      const list = mk.list(pairs(c));
      // Snowflake drops keys whose value is SQL NULL (JSON null is kept) unless _KEEP_NULL.
      const entries = keepNull
        ? list
        : call('list_filter', list, mk.lambda('E', mk.isNull(mk.subscript(mk.column('E'), mk.number(2)), true)));
      return call('to_json', call('map_from_entries', entries));
    },
  };
}

function isType(jsonType: string): FunctionSpec {
  return { min: 1, max: 1, returns: BOOL, emit: (c) => call('sf_is_type', variantArg(c, 0), mk.string(jsonType)) };
}

function asType(duck: string, jsonTypes: string[], returns: FunctionSpec['returns']): FunctionSpec {
  return {
    min: 1,
    max: 1,
    returns,
    emit: (c) => {
      const v = variantArg(c, 0);
      const cond = jsonTypes.map((t) => call('sf_is_type', v, mk.string(t))).reduce((l, r) => mk.binary('or', l, r));
      const value = duck === 'JSON' ? v : mk.cast(variantToVarchar(v), duck);
      return mk.caseWhen([[cond, value]]);
    },
  };
}

export const SEMISTRUCTURED_FUNCTIONS: Record<string, FunctionSpec> = {
  PARSE_JSON: {
    min: 1,
    max: 2,
    returns: VARIANT,
    emit: (c) => {
      if (c.args.length === 2 && stringLiteral(c.raw[1]) !== 's' && stringLiteral(c.raw[1]) !== 'd') {
        throw errors.invalidArgument('PARSE_JSON', "the second argument must be 's' or 'd'");
      }
      return call('sf_parse_json', text(c, 0));
    },
  },
  TRY_PARSE_JSON: { min: 1, max: 2, returns: VARIANT, emit: (c) => call('sf_try_parse_json', text(c, 0)) },
  CHECK_JSON: {
    min: 1,
    max: 1,
    returns: STR,
    emit: (c) => call('if', call('json_valid', text(c, 0)), mk.cast(mk.null(), 'VARCHAR'), mk.string('invalid JSON')),
  },
  TO_VARIANT: { min: 1, max: 1, returns: VARIANT, emit: (c) => variantArg(c, 0) },
  TO_OBJECT: { min: 1, max: 1, returns: OBJECT, emit: (c) => variantArg(c, 0) },
  TO_ARRAY: {
    min: 1,
    max: 1,
    returns: ARRAY,
    emit: (c) => {
      const v = variantArg(c, 0);
      return call('if', mk.isNull(v), mk.cast(mk.null(), 'JSON'), call('if', call('sf_is_type', v, mk.string('ARRAY')), v, call('json_array', v)));
    },
  },
  TO_JSON: { min: 1, max: 1, returns: STR, emit: (c) => mk.cast(variantArg(c, 0), 'VARCHAR') },
  JSON_EXTRACT_PATH_TEXT: {
    min: 2,
    max: 2,
    returns: STR,
    emit: (c) => {
      const path = stringLiteral(c.raw[1]);
      if (path === undefined) throw errors.unsupported('JSON_EXTRACT_PATH_TEXT with a non-constant path');
      return variantToVarchar(extractPath(call('sf_parse_json', text(c, 0)), parsePath(path)));
    },
  },
  ARRAY_CONSTRUCT: {
    min: 0,
    max: Infinity,
    returns: ARRAY,
    emit: (c) => call('json_array', ...c.args.map((_, i) => variantArg(c, i))),
  },
  ARRAY_CONSTRUCT_COMPACT: {
    min: 0,
    max: Infinity,
    returns: ARRAY,
    emit: (c) =>
      call('to_json', call('list_filter', mk.list(c.args.map((_, i) => variantArg(c, i))), mk.lambda('X', mk.isNull(mk.column('X'), true)))),
  },
  OBJECT_CONSTRUCT: objectConstruct(false),
  OBJECT_CONSTRUCT_KEEP_NULL: objectConstruct(true),
  OBJECT_INSERT: {
    min: 3,
    max: 4,
    returns: OBJECT,
    emit: (c) => call('json_merge_patch', variantArg(c, 0), call('json_object', text(c, 1), variantArg(c, 2))),
  },
  OBJECT_KEYS: variantMacro('sf_object_keys', 1, ARRAY),
  ARRAY_SIZE: variantMacro('sf_array_size', 1, NUM),
  ARRAY_CONTAINS: variantMacro('sf_array_contains', 2, BOOL),
  ARRAY_POSITION: variantMacro('sf_array_position', 2, NUM),
  ARRAY_TO_STRING: { min: 2, max: 2, returns: STR, emit: (c) => call('sf_array_to_string', variantArg(c, 0), text(c, 1)) },
  ARRAY_CAT: variantMacro('sf_array_cat', 2, ARRAY),
  ARRAY_APPEND: variantMacro('sf_array_append', 2, ARRAY),
  ARRAY_DISTINCT: variantMacro('sf_array_distinct', 1, ARRAY),
  ARRAY_PREPEND: variantMacro('sf_array_prepend', 2, ARRAY),
  ARRAY_COMPACT: variantMacro('sf_array_compact', 1, ARRAY),
  ARRAY_REMOVE: variantMacro('sf_array_remove', 2, ARRAY),
  ARRAY_EXCEPT: variantMacro('sf_array_except', 2, ARRAY),
  ARRAY_INTERSECTION: variantMacro('sf_array_intersection', 2, ARRAY),
  ARRAY_FLATTEN: variantMacro('sf_array_flatten', 1, ARRAY),
  ARRAY_MAX: variantMacro('sf_array_max', 1, VARIANT),
  ARRAY_MIN: variantMacro('sf_array_min', 1, VARIANT),
  ARRAY_SORT: {
    min: 1,
    max: 3,
    returns: ARRAY,
    emit: (c) => {
      const [, asc, nullsFirst] = coerceArgs(c, ['VARIANT', 'BOOLEAN', 'BOOLEAN']);
      const ascending = asc ?? mk.boolean(true);
      // NULLs go last when ascending and first when descending, unless told.
      return call('sf_array_sort', variantArg(c, 0), ascending, nullsFirst ?? mk.not(ascending));
    },
  },
  ARRAY_GENERATE_RANGE: {
    min: 2,
    max: 3,
    returns: ARRAY,
    emit: (c) => {
      const [start, stop, step] = coerceArgs(c, ['NUMBER', 'NUMBER', 'NUMBER']).map((a) => mk.cast(a, 'BIGINT'));
      return call('to_json', call('range', start, stop, step ?? mk.number(1)));
    },
  },
  OBJECT_DELETE: { min: 2, max: Infinity, returns: OBJECT, emit: (c) => call('sf_object_delete', variantArg(c, 0), objectKeys(c)) },
  OBJECT_PICK: { min: 2, max: Infinity, returns: OBJECT, emit: (c) => call('sf_object_pick', variantArg(c, 0), objectKeys(c)) },
  ARRAY_SLICE: {
    min: 3,
    max: 3,
    returns: ARRAY,
    emit: (c) => call('sf_array_slice', variantArg(c, 0), ...coerceArgs(c, ['VARIANT', 'NUMBER', 'NUMBER']).slice(1)),
  },
  ARRAYS_OVERLAP: {
    min: 2,
    max: 2,
    returns: BOOL,
    emit: (c) => call('list_has_any', call('sf_array_elements', variantArg(c, 0)), call('sf_array_elements', variantArg(c, 1))),
  },
  GET: {
    min: 2,
    max: 2,
    returns: VARIANT,
    emit: (c) => {
      const key = stringLiteral(c.raw[1]);
      if (key !== undefined) return extractPath(variantArg(c, 0), [{ key }]);
      return call('sf_get', variantArg(c, 0), c.args[1]);
    },
  },
  GET_PATH: {
    min: 2,
    max: 2,
    returns: VARIANT,
    emit: (c) => {
      const path = stringLiteral(c.raw[1]);
      if (path === undefined) throw errors.unsupported('GET_PATH with a non-constant path');
      return extractPath(variantArg(c, 0), parsePath(path));
    },
  },
  TYPEOF: variantMacro('sf_typeof', 1, STR),
  IS_NULL_VALUE: variantMacro('sf_is_null_value', 1, BOOL),
  STRIP_NULL_VALUE: variantMacro('sf_strip_null_value', 1, VARIANT),
  IS_OBJECT: isType('OBJECT'),
  IS_ARRAY: isType('ARRAY'),
  IS_VARCHAR: isType('VARCHAR'),
  IS_BOOLEAN: isType('BOOLEAN'),
  IS_INTEGER: {
    min: 1,
    max: 1,
    returns: BOOL,
    emit: (c) => call('list_contains', mk.list([mk.string('BIGINT'), mk.string('UBIGINT')]), call('json_type', variantArg(c, 0))),
  },
  IS_DECIMAL: { min: 1, max: 1, returns: BOOL, emit: (c) => mk.binary('eq', call('sf_typeof', variantArg(c, 0)), mk.string('DECIMAL')) },
  IS_DOUBLE: { min: 1, max: 1, returns: BOOL, emit: (c) => mk.binary('eq', call('sf_typeof', variantArg(c, 0)), mk.string('DOUBLE')) },
  AS_VARCHAR: asType('VARCHAR', ['VARCHAR'], STR),
  AS_CHAR: asType('VARCHAR', ['VARCHAR'], STR),
  AS_INTEGER: asType('BIGINT', ['BIGINT', 'UBIGINT'], NUM),
  AS_NUMBER: asType('DOUBLE', ['BIGINT', 'UBIGINT', 'DOUBLE'], NUM),
  AS_DOUBLE: asType('DOUBLE', ['BIGINT', 'UBIGINT', 'DOUBLE'], NUM),
  AS_BOOLEAN: asType('BOOLEAN', ['BOOLEAN'], BOOL),
  AS_OBJECT: asType('JSON', ['OBJECT'], OBJECT),
  AS_ARRAY: asType('JSON', ['ARRAY'], ARRAY),
  SPLIT: { min: 2, max: 2, returns: ARRAY, emit: (c) => call('sf_split', text(c, 0), text(c, 1)) },
};


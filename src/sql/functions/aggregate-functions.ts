/**
 * Catalogue entries: aggregate and window functions.
 */
import { errors } from '../errors.ts';
import { mk, type AstNode } from '../translate/ast.ts';
import { numberQuotient, quotientScale } from '../translate/number-division.ts';
import { coerce, toVariant } from '../translate/variant.ts';
import { T, type SfType } from '../types/snowflake-types.ts';
import {
  aggregateCall,
  ARRAY,
  BOOL,
  call,
  FLOAT,
  NUM,
  OBJECT,
  sameAggregate,
  STR,
  type CallInfo,
  type FunctionSpec,
} from './spec.ts';

function numericAgg(duck: string, returns: FunctionSpec['returns'] = (c) => c.types[0]): FunctionSpec {
  return {
    min: 1,
    max: 1,
    aggregate: true,
    returns,
    emit: (c) => aggregateCall(c, duck, [coerce(c.args[0], c.types[0], 'NUMBER')]),
  };
}

/** The type of AVG over NUMBER(p, s): a quotient by a count, NUMBER(38, max(s, min(s + 6, 12))). */
function averageType(t: Extract<SfType, { kind: 'NUMBER' }>): SfType {
  return T.number(38, quotientScale(t.scale));
}

/**
 * An average of NUMBER(p, s) values from their sum and count (aggregates, or window functions once
 * windowed): NULL for no values, else the NUMBER quotient, exactly as `sum / count` is computed.
 */
function averageOf(sum: AstNode, count: AstNode, t: Extract<SfType, { kind: 'NUMBER' }>): AstNode {
  return numberQuotient(sum, call('nullif', count, mk.number(0)), t, { scale: 0 }).node;
}

/** MEDIAN of NUMBER(p, s) is NUMBER(p + 3, s + 3) (the argument is cast to it before DuckDB's median). */
export function medianType(t: SfType | undefined): SfType | undefined {
  return t?.kind === 'NUMBER' ? T.number(Math.min(38, t.precision + 3), Math.min(37, t.scale + 3)) : undefined;
}

function withNotNull(c: CallInfo, value: AstNode): AstNode {
  const notNull = mk.isNull(value, true);
  return c.filter ? mk.binary('and', mk.paren(c.filter as AstNode), notNull) : notNull;
}

function arrayAgg(distinct: boolean): FunctionSpec {
  return {
    min: 1,
    max: 1,
    aggregate: true,
    returns: ARRAY,
    emit: (c) => {
      const agg = aggregateCall({ ...c, filter: withNotNull(c, c.args[0]) }, 'list', c.args, distinct || c.distinct);
      return call('coalesce', call('to_json', agg), mk.cast(mk.string('[]'), 'JSON'));
    },
  };
}

function percentile(duck: string): FunctionSpec {
  return {
    min: 1,
    max: 1,
    aggregate: true,
    returns: FLOAT,
    emit: (c) => {
      const order = c.orderBy as { this: AstNode; desc?: boolean }[];
      if (order.length !== 1) throw errors.invalidArgument(duck, 'needs WITHIN GROUP (ORDER BY <expr>)');
      const fraction = order[0].desc ? mk.binary('sub', mk.number(1), c.args[0]) : c.args[0];
      return aggregateCall({ ...c, orderBy: [] }, duck, [order[0].this, fraction]);
    },
  };
}

function windowOnly(duck: string, min = 0, max = min, returns: FunctionSpec['returns'] = NUM): FunctionSpec {
  return { min, max, returns, windowOnly: true, emit: (c) => withIgnoreNulls(c, call(duck, ...c.args)) };
}

function withIgnoreNulls(c: CallInfo, n: AstNode): AstNode {
  if (!c.ignoreNulls) return n;
  const data = n.function as Record<string, unknown>;
  return { function: { ...data, ignore_nulls: true } };
}

export const AGGREGATE_FUNCTIONS: Record<string, FunctionSpec> = {
  COUNT: {
    min: 0,
    max: 1,
    aggregate: true,
    returns: NUM,
    emit: (c) => (c.args.length === 0 ? aggregateCall(c, 'count_star', []) : aggregateCall(c, 'count')),
  },
  // COUNT(CASE WHEN … THEN 1 END): DuckDB's count_if gives NULL when every condition is NULL; Snowflake 0.
  COUNT_IF: { min: 1, max: 1, aggregate: true, returns: NUM, emit: (c) => aggregateCall(c, 'count', [mk.caseWhen([[coerce(c.args[0], c.types[0], 'BOOLEAN'), mk.number(1)]])]) },
  // A sum of NUMBER(p, s) is NUMBER(38, s), as in Snowflake: it can outgrow its arguments' precision.
  SUM: numericAgg('sum', (c) => {
    const t = c.types[0];
    return t?.kind === 'FLOAT' ? FLOAT : t?.kind === 'NUMBER' ? T.number(38, t.scale) : NUM;
  }),
  // AVG of NUMBER(p, s) is the NUMBER quotient SUM / COUNT, with division's scale (an integer's
  // average has six decimals, 1.666667); DuckDB's avg would give a DOUBLE.
  AVG: {
    min: 1,
    max: 1,
    aggregate: true,
    returns: (c) => (c.types[0]?.kind === 'NUMBER' ? averageType(c.types[0]) : FLOAT),
    emit: (c) => {
      const t = c.types[0];
      const arg = coerce(c.args[0], t, 'NUMBER');
      if (t?.kind !== 'NUMBER') return aggregateCall(c, 'avg', [arg]);
      return averageOf(aggregateCall(c, 'sum', [arg]), aggregateCall(c, 'count', [arg]), t);
    },
  },
  MIN: sameAggregate('min', (c) => c.types[0]),
  MAX: sameAggregate('max', (c) => c.types[0]),
  ANY_VALUE: sameAggregate('any_value', (c) => c.types[0]),
  // MEDIAN of NUMBER(p, s) is NUMBER(p + 3, s + 3), as in Snowflake: the middle of two values needs
  // digits the values do not have (computed at that scale, so DuckDB does not round to the input's).
  MEDIAN: {
    min: 1,
    max: 1,
    aggregate: true,
    returns: (c) => medianType(c.types[0]) ?? c.types[0],
    emit: (c) => {
      const arg = coerce(c.args[0], c.types[0], 'NUMBER');
      const t = medianType(c.types[0]);
      return aggregateCall(c, 'median', [t?.kind === 'NUMBER' ? mk.cast(arg, `DECIMAL(${t.precision}, ${t.scale})`) : arg]);
    },
  },
  MODE: sameAggregate('mode', (c) => c.types[0]),
  STDDEV: numericAgg('stddev_samp', FLOAT),
  STDDEV_SAMP: numericAgg('stddev_samp', FLOAT),
  STDDEV_POP: numericAgg('stddev_pop', FLOAT),
  VARIANCE: numericAgg('var_samp', FLOAT),
  VARIANCE_SAMP: numericAgg('var_samp', FLOAT),
  VAR_SAMP: numericAgg('var_samp', FLOAT),
  VARIANCE_POP: numericAgg('var_pop', FLOAT),
  VAR_POP: numericAgg('var_pop', FLOAT),
  KURTOSIS: numericAgg('kurtosis', FLOAT),
  SKEW: numericAgg('skewness', FLOAT),
  CORR: sameAggregate('corr', FLOAT, 2),
  COVAR_SAMP: sameAggregate('covar_samp', FLOAT, 2),
  COVAR_POP: sameAggregate('covar_pop', FLOAT, 2),
  // Linear regression of y (first argument) on x, over the rows where both are non-NULL.
  REGR_SLOPE: sameAggregate('regr_slope', FLOAT, 2),
  REGR_INTERCEPT: sameAggregate('regr_intercept', FLOAT, 2),
  REGR_R2: sameAggregate('regr_r2', FLOAT, 2),
  REGR_COUNT: sameAggregate('regr_count', NUM, 2),
  REGR_AVGX: sameAggregate('regr_avgx', FLOAT, 2),
  REGR_AVGY: sameAggregate('regr_avgy', FLOAT, 2),
  REGR_SXX: sameAggregate('regr_sxx', FLOAT, 2),
  REGR_SYY: sameAggregate('regr_syy', FLOAT, 2),
  REGR_SXY: sameAggregate('regr_sxy', FLOAT, 2),
  APPROX_COUNT_DISTINCT: sameAggregate('approx_count_distinct', NUM),
  HLL: sameAggregate('approx_count_distinct', NUM),
  APPROX_PERCENTILE: sameAggregate('approx_quantile', FLOAT, 2),
  PERCENTILE_CONT: percentile('quantile_cont'),
  PERCENTILE_DISC: percentile('quantile_disc'),
  BOOLAND_AGG: { min: 1, max: 1, aggregate: true, returns: BOOL, emit: (c) => aggregateCall(c, 'bool_and', [coerce(c.args[0], c.types[0], 'BOOLEAN')]) },
  BOOLOR_AGG: { min: 1, max: 1, aggregate: true, returns: BOOL, emit: (c) => aggregateCall(c, 'bool_or', [coerce(c.args[0], c.types[0], 'BOOLEAN')]) },
  BITAND_AGG: sameAggregate('bit_and', NUM),
  BITOR_AGG: sameAggregate('bit_or', NUM),
  BITXOR_AGG: sameAggregate('bit_xor', NUM),
  MIN_BY: sameAggregate('arg_min', (c) => c.types[0], 2),
  MAX_BY: sameAggregate('arg_max', (c) => c.types[0], 2),
  LISTAGG: {
    min: 1,
    max: 2,
    aggregate: true,
    returns: STR,
    emit: (c) => {
      const value = coerce(c.args[0], c.types[0], 'VARCHAR');
      const sep = c.args[1] ?? mk.string('');
      return call('coalesce', aggregateCall(c, 'string_agg', [value, sep]), mk.string(''));
    },
  },
  STRING_AGG: {
    min: 1,
    max: 2,
    aggregate: true,
    returns: STR,
    emit: (c) => aggregateCall(c, 'string_agg', [coerce(c.args[0], c.types[0], 'VARCHAR'), c.args[1] ?? mk.string(',')]),
  },
  ARRAY_AGG: arrayAgg(false),
  ARRAY_UNIQUE_AGG: arrayAgg(true),
  // Multiset union: each value as many times as the input array holding it most often (NULLs ignored).
  ARRAY_UNION_AGG: {
    min: 1,
    max: 1,
    aggregate: true,
    returns: ARRAY,
    emit: (c) => {
      const arrays = aggregateCall({ ...c, filter: withNotNull(c, c.args[0]) }, 'list', [call('sf_jlist', toVariant(c.args[0], c.types[0]))]);
      return call('sf_union_multiset', arrays);
    },
  },
  OBJECT_AGG: {
    min: 2,
    max: 2,
    aggregate: true,
    returns: OBJECT,
    emit: (c) => {
      const [k, v] = [coerce(c.args[0], c.types[0], 'VARCHAR'), toVariant(c.args[1], c.types[1])];
      const filter = mk.binary('and', withNotNull(c, k), mk.isNull(v, true));
      const entries = aggregateCall({ ...c, filter }, 'list', [call('row', k, v)]);
      return call('coalesce', call('to_json', call('map_from_entries', entries)), mk.cast(mk.string('{}'), 'JSON'));
    },
  },

  // Window functions
  ROW_NUMBER: windowOnly('row_number'),
  RANK: windowOnly('rank'),
  DENSE_RANK: windowOnly('dense_rank'),
  PERCENT_RANK: windowOnly('percent_rank', 0, 0, FLOAT),
  CUME_DIST: windowOnly('cume_dist', 0, 0, FLOAT),
  NTILE: windowOnly('ntile', 1, 1),
  LAG: windowOnly('lag', 1, 3, (c) => c.types[0]),
  LEAD: windowOnly('lead', 1, 3, (c) => c.types[0]),
  FIRST_VALUE: windowOnly('first_value', 1, 1, (c) => c.types[0]),
  LAST_VALUE: windowOnly('last_value', 1, 1, (c) => c.types[0]),
  NTH_VALUE: windowOnly('nth_value', 2, 2, (c) => c.types[0]),
  SEQ1: seq(),
  SEQ2: seq(),
  SEQ4: seq(),
  SEQ8: seq(),
};

/** SEQn(): a 0-based row counter, as Snowflake's generator queries use it. */
function seq(): FunctionSpec {
  return {
    min: 0,
    max: 1,
    returns: NUM,
    emit: () => {
      const over = { window_name: null, partition_by: [], order_by: [], frame: null, alias: null };
      return mk.paren(mk.binary('sub', { window_function: { this: call('row_number'), over } }, mk.number(1)));
    },
  };
}

/**
 * Function calls in one shape.
 *
 * polyglot parses many Snowflake functions into dedicated nodes (`nvl`, `date_diff`, `to_number`,
 * `substring` …) and prints some of them back for DuckDB with different semantics (DATEDIFF's
 * arguments swapped, PARSE_JSON as JSON()). This pass turns every such node back into a plain call —
 * `function { name, args }` for scalars, `aggregate_function { name, args, distinct, order_by }` for
 * aggregates — named as Snowflake names it, so the function catalogue alone decides the translation.
 */
import { errors } from '../errors.ts';
import { dataOf, kindOf, mapTree, mk, node, type AstNode } from './ast.ts';

type Data = Record<string, unknown>;

/** Dedicated scalar nodes whose arguments are plain fields, in order. */
const SCALAR_FIELDS: Record<string, [string, string[]]> = {
  if_func: ['IFF', ['condition', 'true_value', 'false_value']],
  nvl: ['NVL', ['this', 'expression']],
  nvl2: ['NVL2', ['this', 'true_value', 'false_value']],
  contains: ['CONTAINS', ['this', 'expression']],
  starts_with: ['STARTSWITH', ['this', 'expression']],
  ends_with: ['ENDSWITH', ['this', 'expression']],
  array_size: ['ARRAY_SIZE', ['this']],
  array_contains: ['ARRAY_CONTAINS', ['this', 'expression']],
  array_position: ['ARRAY_POSITION', ['this', 'expression']],
  array_append: ['ARRAY_APPEND', ['this', 'expression']],
  array_distinct: ['ARRAY_DISTINCT', ['this']],
  array_prepend: ['ARRAY_PREPEND', ['this', 'expression']],
  array_compact: ['ARRAY_COMPACT', ['this']],
  array_except: ['ARRAY_EXCEPT', ['this', 'expression']],
  array_remove: ['ARRAY_REMOVE', ['this', 'expression']],
  typeof: ['TYPEOF', ['this']],
  to_json: ['TO_JSON', ['this']],
  parse_json: ['PARSE_JSON', ['this']],
  length: ['LENGTH', ['this']],
  substring: ['SUBSTR', ['this', 'start', 'length']],
  upper: ['UPPER', ['this']],
  lower: ['LOWER', ['this']],
  initcap: ['INITCAP', ['this']],
  str_position: ['POSITION', ['substr', 'this', 'position']],
  year: ['YEAR', ['this']],
  month: ['MONTH', ['this']],
  day: ['DAY', ['this']],
  hour: ['HOUR', ['this']],
  minute: ['MINUTE', ['this']],
  second: ['SECOND', ['this']],
  quarter: ['QUARTER', ['this']],
  day_of_week: ['DAYOFWEEK', ['this']],
  day_of_year: ['DAYOFYEAR', ['this']],
  day_of_month: ['DAYOFMONTH', ['this']],
  week_of_year: ['WEEKOFYEAR', ['this']],
  abs: ['ABS', ['this']],
  ceil: ['CEIL', ['this', 'decimals']],
  floor: ['FLOOR', ['this', 'scale']],
  sqrt: ['SQRT', ['this']],
  cbrt: ['CBRT', ['this']],
  ln: ['LN', ['this']],
  exp: ['EXP', ['this']],
  sign: ['SIGN', ['this']],
  radians: ['RADIANS', ['this']],
  degrees: ['DEGREES', ['this']],
  sin: ['SIN', ['this']],
  cos: ['COS', ['this']],
  tan: ['TAN', ['this']],
  asin: ['ASIN', ['this']],
  acos: ['ACOS', ['this']],
  atan: ['ATAN', ['this']],
  atan2: ['ATAN2', ['this', 'expression']],
  power: ['POWER', ['this', 'expression']],
  mod_func: ['MOD', ['this', 'expression']],
  regexp_like: ['REGEXP_LIKE', ['this', 'pattern', 'flags']],
  next_day: ['NEXT_DAY', ['this', 'expression']],
  previous_day: ['PREVIOUS_DAY', ['this', 'expression']],
  add_months: ['ADD_MONTHS', ['this', 'expression']],
  months_between: ['MONTHS_BETWEEN', ['this', 'expression']],
  reverse: ['REVERSE', ['this']],
  repeat: ['REPEAT', ['this', 'times']],
  left: ['LEFT', ['this', 'length']],
  right: ['RIGHT', ['this', 'length']],
  ascii: ['ASCII', ['this']],
  unicode: ['UNICODE', ['this']],
  random: ['RANDOM', []],
  rand: ['RANDOM', ['seed']],
  pi: ['PI', []],
  equal_null: ['EQUAL_NULL', ['this', 'expression']],
  null_if: ['NULLIF', ['this', 'expression']],
  nullif: ['NULLIF', ['this', 'expression']],
  split_part: ['SPLIT_PART', ['this', 'delimiter', 'part_index']],
  row_number: ['ROW_NUMBER', []],
  rank: ['RANK', []],
  dense_rank: ['DENSE_RANK', []],
  percent_rank: ['PERCENT_RANK', []],
  cume_dist: ['CUME_DIST', []],
  n_tile: ['NTILE', ['num_buckets']],
  first_value: ['FIRST_VALUE', ['this']],
  last_value: ['LAST_VALUE', ['this']],
  nth_value: ['NTH_VALUE', ['this', 'offset']],
  lag: ['LAG', ['this', 'offset', 'default']],
  lead: ['LEAD', ['this', 'offset', 'default']],
};

/** Dedicated aggregate nodes: `{ this, distinct, filter, order_by, name }`. */
const AGGREGATES: Record<string, string> = {
  sum: 'SUM',
  avg: 'AVG',
  min: 'MIN',
  max: 'MAX',
  median: 'MEDIAN',
  mode: 'MODE',
  count_if: 'COUNT_IF',
  approx_count_distinct: 'APPROX_COUNT_DISTINCT',
  approx_distinct: 'APPROX_COUNT_DISTINCT',
  any_value: 'ANY_VALUE',
  stddev: 'STDDEV',
  stddev_samp: 'STDDEV_SAMP',
  stddev_pop: 'STDDEV_POP',
  variance: 'VARIANCE',
  var_samp: 'VAR_SAMP',
  var_pop: 'VAR_POP',
  array_agg: 'ARRAY_AGG',
  array_unique_agg: 'ARRAY_UNIQUE_AGG',
  logical_and: 'BOOLAND_AGG',
  logical_or: 'BOOLOR_AGG',
};

function fn(name: string, args: unknown[]): AstNode {
  return mk.fn(name, args.filter((a) => a !== null && a !== undefined) as AstNode[]);
}

function agg(name: string, args: unknown[], d: Data): AstNode {
  return node('aggregate_function', {
    name,
    args: args.filter((a) => a !== null && a !== undefined),
    distinct: d.distinct === true,
    filter: d.filter ?? null,
    order_by: (d.order_by as unknown[]) ?? [],
    ignore_nulls: d.ignore_nulls ?? null,
  });
}

/** Fields of dedicated nodes that carry no argument (comments, spelling, flags handled elsewhere). */
const IGNORED_FIELDS = new Set(['span', 'trailing_comments', 'original_name', 'ignore_nulls', 'name']);

function isEmptyField(v: unknown): boolean {
  return v === null || v === undefined || v === false || (Array.isArray(v) && v.length === 0);
}

function normalizeNode(n: AstNode): AstNode {
  const kind = kindOf(n)!;
  const d = (n[kind] ?? {}) as Data;
  const simple = SCALAR_FIELDS[kind];
  if (simple) {
    const [name, fields] = simple;
    // A field this table does not map would be dropped silently (a wrong answer); say so instead.
    const unmapped = Object.keys(d).find((k) => !fields.includes(k) && !IGNORED_FIELDS.has(k) && !isEmptyField(d[k]));
    if (unmapped !== undefined) throw errors.unsupported(`${name} with ${unmapped}`);
    const out = fn(name, fields.map((f) => d[f]));
    // IGNORE NULLS on LAG/LEAD/FIRST_VALUE … is kept on the call.
    if (d.ignore_nulls === true) return node('function', { ...(out.function as Data), ignore_nulls: true });
    return out;
  }
  const aggName = AGGREGATES[kind];
  if (aggName) return agg(aggName, [d.this], d);
  switch (kind) {
    case 'count':
      return agg('COUNT', d.star === true ? [] : [d.this, ...((d.expressions as unknown[]) ?? [])], { ...d, star: d.star });
    case 'list_agg':
      return agg('LISTAGG', [d.this, d.separator], d);
    case 'date_diff':
      // polyglot stores DATEDIFF(unit, a, b) as { this: b, expression: a }.
      return fn('DATEDIFF', [mk.string(String(d.unit ?? 'DAY').toUpperCase()), d.expression, d.this]);
    case 'extract': {
      // polyglot names the parts it knows ("Year") and wraps the others ({ Custom: "epoch_second" }).
      const field = typeof d.field === 'object' && d.field !== null ? Object.values(d.field as Record<string, unknown>)[0] : d.field;
      const named = String(field) === 'TimezoneHour' ? 'TIMEZONE_HOUR' : String(field) === 'TimezoneMinute' ? 'TIMEZONE_MINUTE' : String(field);
      return fn('DATE_PART', [mk.string(named.toUpperCase()), d.this]);
    }
    case 'last_day':
      return fn('LAST_DAY', [d.this, d.unit ? mk.string(String(d.unit).toUpperCase()) : undefined]);
    case 'to_number': {
      const safe = dataOf<{ value: boolean }>(d.safe, 'boolean')?.value === true;
      const args = [d.this, d.format, d.precision, d.scale];
      return fn(safe ? 'TRY_TO_NUMBER' : 'TO_NUMBER', args);
    }
    case 'coalesce': {
      const name = String(d.original_name ?? 'COALESCE').toUpperCase();
      return fn(name === 'IFNULL' || name === 'NVL' ? name : 'COALESCE', (d.expressions as unknown[]) ?? []);
    }
    case 'trim': {
      const pos = String(d.position ?? 'Both');
      const name = pos === 'Leading' ? 'LTRIM' : pos === 'Trailing' ? 'RTRIM' : 'TRIM';
      return fn(name, [d.this, d.characters]);
    }
    case 'log':
      return d.base ? fn('LOG', [d.base, d.this]) : fn('LN', [d.this]);
    case 'within_group': {
      const inner = normalizeNode(d.this as AstNode);
      const a = dataOf<Data>(inner, 'aggregate_function');
      if (!a) return n;
      return node('aggregate_function', { ...a, order_by: d.order_by ?? [], within_group: true });
    }
    case 'aggregate_function': {
      const a = d as Data;
      return node('aggregate_function', { ...a, name: String(a.name).toUpperCase() });
    }
    case 'function': {
      return node('function', { ...d, name: String(d.name).toUpperCase() });
    }
    default:
      return n;
  }
}

/** Rewrites every dedicated function node in the tree into a plain call. */
export function normalizeFunctions(ast: AstNode): AstNode {
  return mapTree(ast, normalizeNode) as AstNode;
}

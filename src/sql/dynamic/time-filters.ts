/**
 * CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_TIME (and their aliases) in a dynamic table's filters.
 *
 * Snowflake refreshes such a table incrementally when its mode is INCREMENTAL (AUTO picks FULL):
 * `WHERE event_time > DATEADD(day, -7, CURRENT_TIMESTAMP())` keeps a sliding window, rows leaving it
 * as time passes even when no input changed. Every computation of a dynamic table evaluates these
 * functions at the refresh's data timestamp (so a refresh is reproducible and the next one knows
 * the moment the stored rows were computed for).
 *
 * The incremental planner needs two moments in one query — the previous refresh's (OLD) and this
 * one's (NEW) — so rendering marks each call of a block's own filter with the moment it stands for
 * (`_BACKLOT_AT_OLD('CURRENT_DATE')`); before translating, the marks become reads of the moment's
 * instant (`resolveTimes`), which the refresh sets on its connection (`instantsSql`).
 */
import type { AstNode } from '../statements/statement.ts';
import { instantVariable } from '../functions/datetime-functions.ts';
import { parseExpressionAst } from '../statements/parse-statement.ts';
import { dataOf, kindOf, mapTree, mk, stringLiteral, walk } from '../translate/ast.ts';

type Data = Record<string, unknown>;

export type Moment = 'OLD' | 'NEW';

/**
 * The functions whose value is the current moment, with the expression each is at a moment: the
 * instant (ms since the epoch) is a session variable the refresh sets (`instantsSql`), so the query
 * text — and its translation, kept between refreshes — stays the same as time moves. DuckDB reads the
 * variable when it binds the query: the bound is a constant it skips row groups by. (From a number,
 * not text: the text conversion is evaluated row by row.)
 */
const TEMPLATES: Record<string, string> = {
  CURRENT_TIMESTAMP: `TO_TIMESTAMP_LTZ($, 3)`,
  LOCALTIMESTAMP: `TO_TIMESTAMP_LTZ($, 3)`,
  SYSTIMESTAMP: `TO_TIMESTAMP_LTZ($, 3)`,
  GETDATE: `TO_TIMESTAMP_LTZ($, 3)`,
  // SYSDATE is UTC wall-clock time without a zone.
  SYSDATE: `TO_TIMESTAMP_NTZ($, 3)`,
  // The date and time in the session's time zone, as the functions themselves give them.
  CURRENT_DATE: `CAST(TO_TIMESTAMP_LTZ($, 3) AS DATE)`,
  CURRENT_TIME: `CAST(CAST(TO_TIMESTAMP_LTZ($, 3) AS TIMESTAMP_NTZ) AS TIME)`,
  LOCALTIME: `CAST(CAST(TO_TIMESTAMP_LTZ($, 3) AS TIMESTAMP_NTZ) AS TIME)`,
};

/** Sets the two moments' instants on the connection that runs a dynamic table's computation. */
export function instantsSql(times: Record<Moment, number>): string {
  return (['OLD', 'NEW'] as const).map((m) => `SET VARIABLE ${instantVariable(m)} = ${Math.trunc(times[m])}`).join('; ');
}

export const TIME_FUNCTIONS: ReadonlySet<string> = new Set(Object.keys(TEMPLATES));

const MARK = '_BACKLOT_AT_';

function timeFunctionName(n: AstNode): string | undefined {
  const f = dataOf<Data>(n, 'function');
  if (!f) return undefined;
  const name = String(f.name).toUpperCase();
  return TIME_FUNCTIONS.has(name) ? name : undefined;
}

/** Whether an expression calls one of the time functions. */
export function usesTime(e: unknown): boolean {
  let found = false;
  walk(e, (n) => {
    if (found) return false;
    if (timeFunctionName(n) || isMark(n)) found = true;
    return !found;
  });
  return found;
}

/**
 * Whether some SELECT of the query filters on the current time (WHERE, HAVING, QUALIFY): its rows
 * change as time passes. A time only stamped into the output does not make a refresh needed.
 */
export function filtersRowsOnTime(ast: unknown): boolean {
  let found = false;
  walk(ast, (n) => {
    if (found) return false;
    const d = dataOf<Data>(n, 'select');
    if (d) found = [d.where_clause, d.having, d.qualify].some((c) => usesTime((c as Data | null)?.this));
    return !found;
  });
  return found;
}

function isMark(n: AstNode): boolean {
  const f = dataOf<Data>(n, 'function');
  return f !== undefined && String(f.name).toUpperCase().startsWith(MARK);
}

/** The expression with each time function call marked as standing for `moment`. */
export function markTime(e: AstNode, moment: Moment): AstNode {
  return mapTree(e, (n) => {
    if (!timeFunctionName(n)) return n;
    // The function is named by a string: resolving works bottom-up and must not see it as a call.
    return mk.fn(`${MARK}${moment}`, [mk.string(timeFunctionName(n)!)]);
  }) as AstNode;
}

/** Parsed templates, per function and moment. */
const parsed = new Map<string, AstNode>();

/** The function `name` at `moment`, as an expression reading the moment's instant. */
function timeAt(name: string, moment: Moment): AstNode {
  const key = `${name} ${moment}`;
  let e = parsed.get(key);
  if (!e) parsed.set(key, (e = parseExpressionAst(TEMPLATES[name].replace('$', `${INSTANT}('${moment}')`))));
  return e;
}

/** The internal function reading a moment's instant (see datetime-functions.ts). */
const INSTANT = '_BACKLOT_INSTANT';

/**
 * Marked calls resolved to read their moment's instant, and unmarked ones NEW's: the query as it
 * runs at the instants `instantsSql` set.
 */
export function resolveTimes(ast: AstNode): AstNode {
  // mapTree copies only what changes: a query without the time comes back as it was.
  return mapTree(ast, (n) => {
    const f = dataOf<Data>(n, 'function');
    if (!f) return n;
    const name = String(f.name).toUpperCase();
    if (name === `${MARK}OLD` || name === `${MARK}NEW`) return timeAt(stringLiteral((f.args as AstNode[])[0])!, name === `${MARK}OLD` ? 'OLD' : 'NEW');
    const t = timeFunctionName(n);
    return t ? timeAt(t, 'NEW') : n;
  }) as AstNode;
}

const COMPARISONS = new Set(['gt', 'gte', 'lt', 'lte', 'eq', 'neq']);

function conjuncts(e: AstNode): AstNode[] {
  const and = dataOf<Data>(e, 'and');
  if (and) return [...conjuncts(and.left as AstNode), ...conjuncts(and.right as AstNode)];
  const paren = dataOf<Data>(e, 'paren');
  if (paren && dataOf(paren.this, 'and')) return conjuncts(paren.this as AstNode);
  return [e];
}

/**
 * A condition every row whose WHERE changed its mind between the two moments meets, for DuckDB to
 * skip row groups by: a comparison `x op g(now)` can only change where x lies between g's values at
 * the two moments (inclusive), whatever the operator. Each conjunct on the time gives such a band;
 * a row flipped only if some band holds it. Undefined when some conjunct uses the time otherwise.
 */
export function flipBand(where: AstNode): AstNode | undefined {
  const bands: AstNode[] = [];
  const band = (x: AstNode, g: AstNode) => {
    const [lo, hi] = [mk.fn('LEAST', [markTime(g, 'OLD'), markTime(g, 'NEW')]), mk.fn('GREATEST', [markTime(g, 'OLD'), markTime(g, 'NEW')])];
    // A bound that is NULL at one moment flips every row: no band then.
    const within = mk.binary('and', mk.binary('gte', x, lo), mk.binary('lte', x, hi));
    bands.push(mk.paren(mk.binary('or', mk.isNull(lo), within)));
  };
  for (const c of conjuncts(where)) {
    if (!usesTime(c)) continue;
    const kind = kindOf(c)!;
    const d = c[kind] as Data;
    if (COMPARISONS.has(kind)) {
      const [l, r] = [d.left as AstNode, d.right as AstNode];
      if (usesTime(l) === usesTime(r)) return undefined;
      if (usesTime(l)) band(r, l);
      else band(l, r);
    } else if (kind === 'between' && !usesTime(d.this)) {
      for (const bound of [d.low, d.high] as AstNode[]) if (usesTime(bound)) band(d.this as AstNode, bound);
    } else {
      return undefined;
    }
  }
  return bands.length === 0 ? undefined : bands.reduce((a, b) => mk.binary('or', a, b));
}

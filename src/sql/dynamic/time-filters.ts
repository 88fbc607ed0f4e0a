/**
 * CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_TIME (and their aliases) in a dynamic table's filters.
 *
 * Snowflake refreshes such a table incrementally when its mode is INCREMENTAL (AUTO picks FULL):
 * `WHERE event_time > DATEADD(day, -7, CURRENT_TIMESTAMP())` keeps a sliding window, rows leaving it
 * as time passes even when no input changed. Every computation of a dynamic table evaluates these
 * functions at the refresh's data timestamp (so a refresh is reproducible and the next one knows
 * the moment the stored rows were computed for), as literals put in place of the calls.
 *
 * The incremental planner needs two moments in one query — the previous refresh's (OLD) and this
 * one's (NEW) — so rendering marks each call of a block's own filter with the moment it stands for
 * (`_BACKLOT_AT_OLD(CURRENT_DATE)`), and the refresh resolves the marks to literals before
 * translating (`resolveTimes`).
 */
import type { AstNode } from '../statements/statement.ts';
import { parseExpressionAst } from '../statements/parse-statement.ts';
import { dataOf, kindOf, mapTree, mk, stringLiteral, walk } from '../translate/ast.ts';

type Data = Record<string, unknown>;

export type Moment = 'OLD' | 'NEW';

/** The functions whose value is the current moment, with the expression each is at a given instant. */
const TEMPLATES: Record<string, string> = {
  CURRENT_TIMESTAMP: `CAST('$' AS TIMESTAMP_LTZ)`,
  LOCALTIMESTAMP: `CAST('$' AS TIMESTAMP_LTZ)`,
  SYSTIMESTAMP: `CAST('$' AS TIMESTAMP_LTZ)`,
  GETDATE: `CAST('$' AS TIMESTAMP_LTZ)`,
  // SYSDATE is UTC wall-clock time without a zone.
  SYSDATE: `CAST('$' AS TIMESTAMP_NTZ)`,
  // The date and time in the session's time zone, as the functions themselves give them.
  CURRENT_DATE: `CAST(CAST('$' AS TIMESTAMP_LTZ) AS DATE)`,
  CURRENT_TIME: `CAST(CAST(CAST('$' AS TIMESTAMP_LTZ) AS TIMESTAMP_NTZ) AS TIME)`,
  LOCALTIME: `CAST(CAST(CAST('$' AS TIMESTAMP_LTZ) AS TIMESTAMP_NTZ) AS TIME)`,
};

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

/** Parsed templates, per function (the literal is put in per call). */
const parsed = new Map<string, AstNode>();

/** The function `name`'s value at `ms`, as an expression. */
export function timeLiteral(name: string, ms: number): AstNode {
  let template = parsed.get(name);
  if (!template) parsed.set(name, (template = parseExpressionAst(TEMPLATES[name])));
  const iso = new Date(ms).toISOString();
  const text = name === 'SYSDATE' ? iso.replace('T', ' ').replace('Z', '') : iso;
  return mapTree(template, (n) => (kindOf(n) === 'literal' && dataOf<Data>(n, 'literal')?.value === '$' ? { literal: { ...dataOf<Data>(n, 'literal'), value: text } } : n)) as AstNode;
}

/**
 * Marked calls resolved to the literal of their moment, and unmarked ones to NEW's: the query as it
 * runs at those instants.
 */
export function resolveTimes(ast: AstNode, times: Record<Moment, number>): AstNode {
  if (!usesTime(ast)) return ast;
  return mapTree(ast, (n) => {
    const f = dataOf<Data>(n, 'function');
    if (!f) return n;
    const name = String(f.name).toUpperCase();
    if (name === `${MARK}OLD` || name === `${MARK}NEW`) {
      const fn = stringLiteral((f.args as AstNode[])[0])!;
      return timeLiteral(fn, times[name === `${MARK}OLD` ? 'OLD' : 'NEW']);
    }
    const t = timeFunctionName(n);
    return t ? timeLiteral(t, times.NEW) : n;
  }) as AstNode;
}

/** The query with every time function call evaluated at `ms` (a full computation at a data timestamp). */
export function atTime(ast: AstNode, ms: number): AstNode {
  return resolveTimes(ast, { OLD: ms, NEW: ms });
}

/**
 * Calls the function catalogue cannot express as one DuckDB call over translated arguments: those
 * that bind names (lambdas), that stand for a window over a derived value, or whose `*` argument
 * stands for the FROM clause's columns.
 */
import { errors } from '../errors.ts';
import { T } from '../types/snowflake-types.ts';
import { dataOf, ident, identValue, kindOf, mk, node, type AstNode, type Ident } from './ast.ts';
import type { ExpressionTranslator, Typed } from './expressions.ts';
import { Scope } from './scope.ts';
import { isVariant, toVariant } from './variant.ts';

type Data = Record<string, unknown>;

/**
 * TRANSFORM(array, x -> expr), FILTER(array, x -> cond), REDUCE(array, init, (acc, x) -> expr) over
 * a semi-structured ARRAY: the lambda runs in DuckDB over the array's elements, each a VARIANT (and
 * REDUCE's accumulator too), so Snowflake's conversions of VARIANT values apply inside it.
 */
export function higherOrder(tr: ExpressionTranslator, name: 'TRANSFORM' | 'FILTER' | 'REDUCE', args: AstNode[], scope: Scope): Typed {
  const params = name === 'REDUCE' ? 2 : 1;
  if (args.length !== params + 1) throw errors.wrongArgumentCount(`${name}(…)`, args.length, String(params + 1));
  const lambda = dataOf<Data>(args[args.length - 1], 'lambda');
  const names = ((lambda?.parameters as Ident[]) ?? []).map((p) => identValue(p) ?? '');
  if (!lambda || names.length !== params) {
    throw errors.invalidArgument(name, `the last argument must be a lambda with ${params === 1 ? 'one parameter' : 'two parameters'}`);
  }
  const array = tr.expr(args[0], scope);
  if (array.type !== undefined && array.type.kind !== 'ARRAY' && !isVariant(array.type)) {
    throw errors.invalidArgument(name, `the first argument must be an ARRAY, not ${array.type.kind}`);
  }
  const inner = new Scope(scope);
  inner.add({ alias: '', columns: names.map((n) => ({ name: n, type: T.variant() })) });
  const body = tr.expr(lambda.body as AstNode, inner);
  const elements = mk.fn('sf_jlist', [toVariant(array.node, array.type)]);
  const fn = (bodyNode: AstNode) => node('lambda', { parameters: names.map((n) => ident(n)), body: bodyNode, colon: false, parameter_types: [] });
  if (name === 'TRANSFORM') return { node: mk.fn('to_json', [mk.fn('list_transform', [elements, fn(toVariant(body.node, body.type))])]), type: T.array() };
  if (name === 'FILTER') return { node: mk.fn('to_json', [mk.fn('list_filter', [elements, fn(tr.asBoolean(body))])]), type: T.array() };
  const init = tr.expr(args[1], scope);
  return { node: mk.fn('list_reduce', [elements, fn(toVariant(body.node, body.type)), toVariant(init.node, init.type)]), type: T.variant() };
}

/**
 * CONDITIONAL_TRUE_EVENT(cond) OVER (…): how many rows of the partition, in the window's order up to
 * and including this one, met the condition (0 before the first) — a running count, row by row.
 */
export function trueEvents(tr: ExpressionTranslator, d: Data, over: Data, scope: Scope): Typed {
  const args = (d.args as AstNode[]) ?? [];
  if (args.length !== 1) throw errors.wrongArgumentCount('CONDITIONAL_TRUE_EVENT(…)', args.length, '1');
  if (!over || ((over.order_by as unknown[]) ?? []).length === 0) throw errors.syntaxMessage('CONDITIONAL_TRUE_EVENT requires an ORDER BY in its OVER clause.');
  const hit = mk.caseWhen([[tr.condition(args[0], scope), mk.number(1)]], mk.number(0));
  const rows = { kind: 'Rows', start: 'UnboundedPreceding', end: 'CurrentRow', exclude: null, kind_text: 'ROWS', start_side_text: 'PRECEDING' };
  return { node: node('window_function', { this: mk.fn('sum', [hit]), over: { ...over, frame: rows } }), type: T.number(38, 0) };
}

/**
 * Functions whose `*` (or `t.*`) argument stands for the columns of the FROM clause: HASH(*) hashes
 * them all, OBJECT_CONSTRUCT(*) makes an object keyed by their names.
 */
const STAR_ARGUMENTS: Record<string, 'columns' | 'pairs'> = { HASH: 'columns', OBJECT_CONSTRUCT: 'pairs', OBJECT_CONSTRUCT_KEEP_NULL: 'pairs' };

export function expandStarArguments(name: string, args: AstNode[], scope: Scope): AstNode[] {
  const shape = STAR_ARGUMENTS[name];
  if (!shape || !args.some((a) => kindOf(a) === 'star')) return args;
  return args.flatMap((a) => {
    const star = dataOf<Data>(a, 'star');
    if (!star) return [a];
    const qualifier = identValue(star.table as Ident | null);
    const except = new Set(((star.except as Ident[]) ?? []).map((x) => identValue(x)));
    const relations = qualifier !== undefined ? scope.relations.filter((r) => r.alias === qualifier) : scope.relations;
    if (qualifier !== undefined && relations.length === 0) throw errors.invalidIdentifier(`${qualifier}.*`);
    const columns = relations.flatMap((r) => r.columns.filter((c) => !except.has(c.name)).map((c) => mk.column(c.name, r.alias === '' ? undefined : r.alias)));
    if (columns.length === 0) throw errors.syntaxMessage(`${name}(*) needs a FROM clause with columns.`);
    return shape === 'columns' ? columns : columns.flatMap((c) => [mk.string(identValue(dataOf<Data>(c, 'column')!.name as Ident)!), c]);
  });
}

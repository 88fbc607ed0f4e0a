/**
 * Streams on views (semantics §1.6): Snowflake allows them on views made of projections, filters,
 * inner and cross joins and UNION ALL over tables, and tracks each view row by the identities of the
 * table rows it comes from. This pass checks a view body has that shape and translates it with one
 * more output column, the row's identity: the row ids of its source rows (and, under UNION ALL, the
 * branch), so two versions of the view can be compared row by row.
 *
 * The context's resolveRelation must give each table at the wanted version with its row id
 * available as `_BACKLOT_ROW_ID` (the engine uses the table's ROWS macro).
 */
import { errors } from '../errors.ts';
import { parseStatement } from '../statements/parse-statement.ts';
import { dataOf, identValue, kindOf, mk, withData, type AstNode, type Ident } from './ast.ts';
import type { TranslateContext } from './context.ts';
import { prepareAst } from './prepare.ts';
import { printDuckDb } from './print.ts';
import { QueryTranslator, tableNameParts } from './queries.ts';
import { newInfo } from './translate.ts';
import { ROW_ID } from './versioning.ts';

type Data = Record<string, unknown>;

/** The column that carries each view row's identity. */
export const VIEW_ROW = '_BACKLOT_VIEW_ROW';

export interface ViewRows {
  /** DuckDB SQL: the view's columns, then VIEW_ROW. */
  sql: string;
  /** Tables the view reads, as name parts (for change tracking and has-data checks). */
  tables: string[][];
}

export function translateViewRows(viewSql: string, ctx: TranslateContext): ViewRows {
  const parsed = parseStatement(viewSql).statement;
  if (parsed.kind !== 'query') throw unsupported('a view that is not a query');
  const ast = prepareAst(parsed.ast);
  const tables: string[][] = [];
  let branch = 0;
  const rewrite = (q: AstNode): AstNode => {
    const kind = kindOf(q);
    const d = (kind ? q[kind] : {}) as Data;
    if (kind === 'union') {
      if (d.all !== true) throw unsupported('UNION without ALL');
      if (d.order_by || d.limit || d.offset) throw unsupported('ORDER BY or LIMIT');
      return withData(q, { left: rewrite(d.left as AstNode), right: rewrite(d.right as AstNode) });
    }
    if (kind === 'subquery' || kind === 'paren') return withData(q, { this: rewrite(d.this as AstNode) });
    if (kind !== 'select') throw unsupported(kind === 'intersect' || kind === 'except' ? kind.toUpperCase() : (kind ?? 'this query form'));
    return selectWithRowId(q, d, ctx, tables, branch++);
  };
  const rewritten = rewrite(ast);
  const q = new QueryTranslator(ctx, newInfo());
  const result = q.query(rewritten);
  return { sql: printDuckDb(result.node), tables };
}

function unsupported(what: string) {
  return errors.unsupported(`streams on views with ${what} (only projections, filters, inner joins and UNION ALL over tables)`);
}

function selectWithRowId(q: AstNode, d: Data, ctx: TranslateContext, tables: string[][], branch: number): AstNode {
  for (const [key, what] of [
    ['group_by', 'GROUP BY'],
    ['having', 'HAVING'],
    ['qualify', 'QUALIFY'],
    ['limit', 'LIMIT'],
    ['fetch', 'FETCH'],
    ['top', 'TOP'],
    ['distinct_on', 'DISTINCT ON'],
    ['with', 'WITH'],
    ['connect', 'CONNECT BY'],
  ] as const) {
    if (d[key] !== null && d[key] !== undefined && !(Array.isArray(d[key]) && (d[key] as unknown[]).length === 0)) throw unsupported(what);
  }
  if (d.distinct === true) throw unsupported('DISTINCT');
  const from = (dataOf<Data>(d.from, 'from') ?? (d.from as Data | null))?.expressions as AstNode[] | undefined;
  if (!from || from.length === 0) throw unsupported('no FROM');
  const refs: { alias: string; parts: string[] }[] = [];
  const addRef = (item: AstNode) => {
    const t = dataOf<Data>(item, 'table');
    if (!t || t.when || t.changes) throw unsupported('a FROM item that is not a table');
    const parts = tableNameParts(t);
    refs.push({ alias: identValue(t.alias as Ident | null) ?? parts[parts.length - 1], parts });
    tables.push(parts);
  };
  for (const item of from) addRef(item);
  for (const j of (d.joins as Data[]) ?? []) {
    if (j.kind !== 'Inner' && j.kind !== 'Cross') throw unsupported(`${String(j.kind).toUpperCase()} JOIN`);
    addRef(j.this as AstNode);
  }
  // `*` expands to the tables' own columns: the row-id column must not leak into the view.
  const expressions: AstNode[] = [];
  for (const item of (d.expressions as AstNode[]) ?? []) {
    const star = dataOf<Data>(item, 'star');
    if (!star) {
      if (containsWindowOrSubquery(item)) throw unsupported('window functions or subqueries in the select list');
      expressions.push(item);
      continue;
    }
    if (star.except || star.replace || star.rename) throw unsupported('* EXCLUDE / REPLACE / RENAME');
    const qualifier = identValue(star.table as Ident | null);
    for (const r of refs) {
      if (qualifier !== undefined && r.alias !== qualifier) continue;
      for (const c of ctx.resolveRelation(r.parts).columns) expressions.push(mk.column(c.name, r.alias));
    }
  }
  const ids = refs.map((r) => mk.cast(mk.column(ROW_ID, r.alias), 'VARCHAR'));
  const identity = mk.fn('concat_ws', [mk.string(':'), mk.string(`b${branch}`), ...ids]);
  return withData(q, { expressions: [...expressions, mk.alias(identity, VIEW_ROW)] });
}

function containsWindowOrSubquery(n: unknown): boolean {
  if (n === null || typeof n !== 'object') return false;
  if (Array.isArray(n)) return n.some(containsWindowOrSubquery);
  const o = n as Data;
  if ('window_function' in o || 'subquery' in o || 'exists' in o) return true;
  return Object.values(o).some(containsWindowOrSubquery);
}



/**
 * The incremental planner's view of a bound dynamic-table query (DESIGN §5): a tree of blocks —
 * SELECT blocks over FROM items, UNION [ALL] of blocks, constant VALUES — each with the shape that
 * decides how its changes are found:
 *
 * - spj (projections, filters, inner/cross joins, LATERAL FLATTEN): its output changes are computed
 *   directly from its inputs' changes (the join delta rule), exactly;
 * - group (GROUP BY / aggregates), window (window functions partitioned alike), distinct, and spj
 *   with LEFT joins: partitioned by a key — the group-by expressions, the common PARTITION BY, or the
 *   output row itself. The keys the inputs' changes touch are collected; only those partitions are
 *   recomputed and compared with what is stored.
 *
 * Anything else — non-deterministic functions (the current time is allowed in WHERE, HAVING and
 * QUALIFY, as in Snowflake), subqueries outside FROM, LIMIT, set operations other than UNION, outer
 * joins other than LEFT, recursive CTEs — makes the query unsupported, with the reason AUTO records
 * as refresh_mode_reason.
 */
import type { AstNode } from '../statements/statement.ts';
import { dataOf, identValue, mk, kindOf, numberLiteral, walk, type Ident } from '../translate/ast.ts';
import { inlineCtes } from './ctes.ts';
import { parsePlaceholder } from './placeholders.ts';
import { TIME_FUNCTIONS, usesTime } from './time-filters.ts';

type Data = Record<string, unknown>;

export { Unsupported } from './unsupported.ts';
import { Unsupported } from './unsupported.ts';

export type JoinKind = 'from' | 'inner' | 'left';

export interface Item {
  /** Position among the block's FROM items (FROM list first, then joins). */
  index: number;
  alias: string;
  /** input: a base table or dynamic table; derived: a subquery; fixed: FLATTEN, VALUES, GENERATOR. */
  kind: 'input' | 'derived' | 'fixed';
  inputId?: number;
  block?: Block;
  node: AstNode;
  join: JoinKind;
  /** Where the item sits in the SELECT: `from.expressions[i]` or `joins[i].this`. */
  slot: { where: 'from' | 'join'; index: number };
  /** A LEFT join's ON condition. */
  on?: AstNode;
}

/** How a keyed block is partitioned: by expressions over its FROM rows, or by its output row. */
export type KeySpec = { kind: 'exprs'; exprs: AstNode[] } | { kind: 'output' };

export interface SelectBlock {
  kind: 'select';
  id: number;
  /** The SELECT's data (fields of the polyglot node). */
  data: Data;
  items: Item[];
  shape: 'spj' | 'group' | 'window' | 'distinct';
  /** Present for keyed blocks (every shape but spj without LEFT joins). */
  key?: KeySpec;
  hasLeftJoin: boolean;
  /**
   * Where the block's filters call CURRENT_TIMESTAMP and friends (time-filters.ts): in WHERE (rows
   * enter and leave as time passes), in HAVING or QUALIFY (whole groups or partitions do).
   */
  time?: { where: boolean; grouped: boolean };
}

export interface UnionBlock {
  kind: 'union';
  id: number;
  data: Data;
  all: boolean;
  branches: Block[];
}

export interface ConstantBlock {
  kind: 'constant';
  id: number;
  node: AstNode;
}

export type Block = SelectBlock | UnionBlock | ConstantBlock;

/** True when a block's changes come from a key (partitions recomputed) rather than directly. */
export function isKeyed(b: Block): boolean {
  return (b.kind === 'select' && b.key !== undefined) || (b.kind === 'union' && !b.all);
}

/** Functions whose value is not a function of the row (or changes with time and session). */
const NON_DETERMINISTIC = new Set([
  'RANDOM',
  'RANDSTR',
  'UUID_STRING',
  'UNIFORM',
  'NORMAL',
  'ZIPF',
  'SEQ1',
  'SEQ2',
  'SEQ4',
  'SEQ8',
  'CURRENT_DATE',
  'CURRENT_TIME',
  'CURRENT_TIMESTAMP',
  'LOCALTIME',
  'LOCALTIMESTAMP',
  'SYSDATE',
  'SYSTIMESTAMP',
  'GETDATE',
  'CURRENT_ROLE',
  'CURRENT_USER',
  'CURRENT_SESSION',
  'CURRENT_STATEMENT',
  'CURRENT_TRANSACTION',
  'CURRENT_WAREHOUSE',
  'CURRENT_ACCOUNT',
  'CURRENT_REGION',
  'CURRENT_CLIENT',
  'CURRENT_IP_ADDRESS',
  'LAST_QUERY_ID',
  'ANY_VALUE',
]);

/** Whether some block of the query filters on the current time (see SelectBlock.time). */
export function filtersOnTime(b: Block): boolean {
  if (b.kind === 'union') return b.branches.some(filtersOnTime);
  if (b.kind !== 'select') return false;
  return b.time !== undefined || b.items.some((it) => it.block !== undefined && filtersOnTime(it.block));
}

export function analyze(ast: AstNode): Block {
  return new Analyzer().query(inlineCtes(ast));
}

class Analyzer {
  private next = 0;

  query(q: AstNode): Block {
    const kind = kindOf(q);
    const d = (kind ? q[kind] : {}) as Data;
    switch (kind) {
      case 'select':
        return this.select(d);
      case 'union': {
        rejectModifiers(d, 'UNION');
        const all = d.all === true;
        return { kind: 'union', id: this.next++, data: d, all, branches: [this.query(d.left as AstNode), this.query(d.right as AstNode)] };
      }
      case 'intersect':
      case 'except':
        throw new Unsupported(`Unsupported query operator type: SetOperation[${kind.toUpperCase()}]`);
      case 'subquery':
      case 'paren':
        rejectModifiers(d, 'a subquery');
        return this.query(d.this as AstNode);
      case 'values':
        return { kind: 'constant', id: this.next++, node: q };
      default:
        throw new Unsupported(`query form ${kind ?? 'unknown'}`);
    }
  }

  private select(d: Data): SelectBlock {
    for (const [field, what] of [
      ['connect', 'CONNECT BY'],
      ['limit', 'LIMIT'],
      ['offset', 'OFFSET'],
      ['fetch', 'FETCH'],
      ['top', 'TOP'],
      ['sample', 'SAMPLE'],
      ['distinct_on', 'DISTINCT ON'],
      ['windows', 'a WINDOW clause'],
      ['lateral_views', 'LATERAL VIEW'],
      ['into', 'SELECT INTO'],
    ] as const) {
      if (present(d[field])) throw new Unsupported(`${what} is not supported for incremental refresh`);
    }
    const items = this.items(d);
    const hasLeftJoin = items.some((i) => i.join === 'left');
    const aliases = new Set(items.map((i) => i.alias));
    const exprs = expressionParts(d);
    const filters = filterParts(d);
    for (const e of exprs) checkExpression(e, aliases, filters.includes(e));
    const windows = collectWindows((d.expressions as AstNode[]) ?? []).concat(collectWindows(d.qualify));
    const aggregated = present(d.group_by) || exprs.some(hasAggregate);
    const distinct = d.distinct === true;
    const block: SelectBlock = { kind: 'select', id: this.next++, data: d, items, shape: 'spj', hasLeftJoin };
    const [where, having, qualify] = filters;
    if (usesTime(filters)) block.time = { where: usesTime(where), grouped: usesTime(having) || usesTime(qualify) };
    if (aggregated) {
      if (distinct) throw new Unsupported('SELECT DISTINCT with GROUP BY is not supported for incremental refresh');
      block.shape = 'group';
      const groupKey = groupExpressions(d);
      if (windows.length > 0) {
        const common = commonPartition(windows);
        if (common.some(hasAggregate)) throw new Unsupported('window functions partitioned by aggregates are not supported for incremental refresh');
        block.key = { kind: 'exprs', exprs: oneKey(common) };
      } else {
        block.key = { kind: 'exprs', exprs: oneKey(groupKey) };
      }
      return block;
    }
    if (windows.length > 0) {
      if (distinct) throw new Unsupported('SELECT DISTINCT with window functions is not supported for incremental refresh');
      block.shape = 'window';
      block.key = { kind: 'exprs', exprs: oneKey(commonPartition(windows)) };
      return block;
    }
    if (present(d.qualify)) throw new Unsupported('QUALIFY without window functions');
    if (present(d.having)) throw new Unsupported('HAVING without GROUP BY');
    if (distinct) {
      block.shape = 'distinct';
      block.key = { kind: 'output' };
      return block;
    }
    if (hasLeftJoin) block.key = { kind: 'output' };
    return block;
  }

  private items(d: Data): Item[] {
    const items: Item[] = [];
    const from = ((d.from as Data | null)?.expressions as AstNode[]) ?? [];
    from.forEach((n, i) => items.push(this.item(n, items.length, 'from', { where: 'from', index: i })));
    ((d.joins as Data[]) ?? []).forEach((j, i) => {
      const kind = String(j.kind ?? 'Inner');
      let join: JoinKind;
      if (kind === 'Inner' || kind === 'Cross' || kind === 'Implicit') join = 'inner';
      else if (kind === 'Left' || kind === 'LeftOuter') join = 'left';
      else throw new Unsupported(`${kind.toUpperCase()} JOIN is not supported for incremental refresh`);
      if (j.natural === true) throw new Unsupported('NATURAL JOIN is not supported for incremental refresh');
      if (present(j.match_condition)) throw new Unsupported('ASOF JOIN is not supported for incremental refresh');
      if (join === 'left' && present(j.using)) throw new Unsupported('LEFT JOIN … USING is not supported for incremental refresh (write the ON condition)');
      const item = this.item(j.this as AstNode, items.length, join, { where: 'join', index: i });
      if (join === 'left') item.on = (j.on as AstNode | null) ?? undefined;
      items.push(item);
    });
    if (items.length === 0) throw new Unsupported('a SELECT without FROM');
    return items;
  }

  private item(n: AstNode, index: number, join: JoinKind, slot: Item['slot']): Item {
    const kind = kindOf(n);
    const d = (kind ? n[kind] : {}) as Data;
    if (kind === 'table') {
      const name = identValue(d.name as Ident) ?? '';
      const p = parsePlaceholder(name);
      if (!p || p.kind !== 'I' || p.role !== undefined) throw new Unsupported(`FROM item ${name}`);
      return { index, alias: identValue(d.alias as Ident | null) ?? name, kind: 'input', inputId: p.n, node: n, join, slot };
    }
    if (kind === 'subquery') {
      if (d.lateral) throw new Unsupported('LATERAL subqueries are not supported for incremental refresh');
      const alias = identValue(d.alias as Ident | null);
      if (alias === undefined) throw new Unsupported('a derived table without an alias');
      if (dataOf(d.this, 'values')) return { index, alias, kind: 'fixed', node: n, join, slot };
      return { index, alias, kind: 'derived', block: this.query(d.this as AstNode), node: n, join, slot };
    }
    const fn = dataOf<Data>(n, 'lateral')?.this ?? dataOf<Data>(n, 'alias')?.this ?? n;
    const f = dataOf<Data>(fn, 'function');
    const fname = f ? String(f.name).toUpperCase() : '';
    const inner = fname === 'TABLE' ? dataOf<Data>(((f!.args as AstNode[]) ?? [])[0], 'function') : f;
    const innerName = inner ? String(inner.name).toUpperCase() : '';
    if (innerName === 'FLATTEN' || innerName === 'GENERATOR' || kind === 'values') {
      const alias = aliasOf(n) ?? innerName;
      return { index, alias, kind: 'fixed', node: n, join, slot };
    }
    throw new Unsupported(`FROM item ${innerName || kind || 'unknown'} is not supported for incremental refresh`);
  }
}

function aliasOf(n: AstNode): string | undefined {
  const lateral = dataOf<Data>(n, 'lateral');
  if (lateral) return typeof lateral.alias === 'string' ? lateral.alias.toUpperCase() : identValue(lateral.alias as Ident | null);
  const alias = dataOf<Data>(n, 'alias');
  if (alias) return identValue(alias.alias as Ident);
  return undefined;
}

function present(v: unknown): boolean {
  return v !== null && v !== undefined && v !== false && !(Array.isArray(v) && v.length === 0);
}

/** ORDER BY on a subquery is harmless; LIMIT and friends change which rows exist. */
function rejectModifiers(d: Data, what: string): void {
  for (const f of ['limit', 'offset', 'fetch']) if (present(d[f])) throw new Unsupported(`${f.toUpperCase()} on ${what} is not supported for incremental refresh`);
}

/** The WHERE, HAVING and QUALIFY conditions (undefined where absent). */
function filterParts(d: Data): (AstNode | undefined)[] {
  const clause = (v: unknown) => (v as Data | null)?.this as AstNode | undefined;
  return [clause(d.where_clause), clause(d.having), clause(d.qualify)];
}

/** The expression parts of a SELECT (everything but its FROM items). */
function expressionParts(d: Data): AstNode[] {
  const out: AstNode[] = [...((d.expressions as AstNode[]) ?? [])];
  const clause = (v: unknown) => (v as Data | null)?.this as AstNode | undefined;
  for (const c of [clause(d.where_clause), clause(d.having), clause(d.qualify)]) if (c) out.push(c);
  for (const g of ((d.group_by as Data | null)?.expressions as AstNode[]) ?? []) out.push(g);
  for (const j of (d.joins as Data[]) ?? []) if (j.on) out.push(j.on as AstNode);
  return out;
}

/** `filter`: the expression is a WHERE, HAVING or QUALIFY condition, where the current time may be used. */
function checkExpression(e: AstNode, aliases: Set<string>, filter: boolean): void {
  walk(e, (n) => {
    const kind = kindOf(n)!;
    if (['select', 'union', 'intersect', 'except', 'subquery', 'exists'].includes(kind)) {
      throw new Unsupported('subqueries outside FROM are not supported for incremental refresh');
    }
    const d = n[kind] as Data;
    if (kind === 'in' && present(d.query)) throw new Unsupported('IN (subquery) is not supported for incremental refresh');
    if (kind === 'function' || kind === 'aggregate_function') {
      const name = String(d.name).toUpperCase();
      if (TIME_FUNCTIONS.has(name) && !filter) {
        throw new Unsupported(`${name} outside WHERE, HAVING and QUALIFY is not supported for incremental refresh`);
      }
      if ((NON_DETERMINISTIC.has(name) && !TIME_FUNCTIONS.has(name)) || name.startsWith('SYSTEM$')) throw new Unsupported(`non-deterministic function ${name} is not supported for incremental refresh`);
    }
    if (kind === 'column') {
      const name = identValue(d.name as Ident);
      const table = identValue(d.table as Ident | null);
      if (name === 'NEXTVAL' && table !== undefined && !aliases.has(table)) throw new Unsupported('sequences are not supported for incremental refresh');
    }
    if (kind === 'parameter') throw new Unsupported('variables in a dynamic table definition');
    return true;
  });
}

function hasAggregate(e: unknown): boolean {
  let found = false;
  walk(e, (n) => {
    if (found) return false;
    const kind = kindOf(n);
    if (kind === 'window_function') return false;
    if (kind === 'aggregate_function') {
      found = true;
      return false;
    }
    return true;
  });
  return found;
}

interface WindowUse {
  partition: AstNode[];
}

function collectWindows(v: unknown): WindowUse[] {
  const out: WindowUse[] = [];
  walk(v, (n) => {
    const w = dataOf<Data>(n, 'window_function');
    if (!w) return true;
    const over = w.over as Data | null;
    if (!over || present(over.window_name) || present(over.name)) throw new Unsupported('named windows are not supported for incremental refresh');
    out.push({ partition: (over.partition_by as AstNode[]) ?? [] });
    return true;
  });
  return out;
}

/** The PARTITION BY expressions every window function shares (the partition key). */
function commonPartition(windows: WindowUse[]): AstNode[] {
  let common = windows[0].partition;
  for (const w of windows.slice(1)) {
    const keys = new Set(w.partition.map(astKey));
    common = common.filter((p) => keys.has(astKey(p)));
  }
  if (common.length === 0) throw new Unsupported('window functions without a common PARTITION BY are not supported for incremental refresh');
  return common;
}

/**
 * GROUP BY items as expressions: positions and select aliases stand for the select item's
 * expression. (Every non-aggregate select item is a function of the group, so an alias's expression
 * is always a valid key even where Snowflake would group by a same-named column.)
 */
export function groupExpressions(d: Data): AstNode[] {
  const items = (d.expressions as AstNode[]) ?? [];
  const g = d.group_by as Data | null | undefined;
  if (!g) return [];
  if (g.all === true) return items.filter((i) => !hasAggregate(i) && !dataOf(i, 'star')).map(unalias);
  const aliases = new Map<string, AstNode>();
  for (const i of items) {
    const a = dataOf<Data>(i, 'alias');
    if (a) aliases.set(identValue(a.alias as Ident) ?? '', a.this as AstNode);
  }
  return ((g.expressions as AstNode[]) ?? []).map((e) => {
    const f = dataOf<Data>(e, 'function');
    const fname = f ? String(f.name).toUpperCase() : '';
    if (fname === 'ROLLUP' || fname === 'CUBE' || fname === 'GROUPING SETS' || kindOf(e) === 'rollup' || kindOf(e) === 'cube' || kindOf(e) === 'grouping_sets') {
      throw new Unsupported('ROLLUP, CUBE and GROUPING SETS are not supported for incremental refresh');
    }
    const pos = numberLiteral(e);
    if (pos !== undefined && Number.isInteger(pos)) {
      const item = items[pos - 1];
      if (!item || dataOf(item, 'star')) throw new Unsupported(`GROUP BY position ${pos}`);
      return unalias(item);
    }
    const col = dataOf<Data>(e, 'column');
    if (col && !col.table) {
      const target = aliases.get(identValue(col.name as Ident) ?? '');
      if (target) {
        if (hasAggregate(target)) throw new Unsupported('GROUP BY on an aggregate');
        return target;
      }
    }
    return e;
  });
}

function unalias(item: AstNode): AstNode {
  const a = dataOf<Data>(item, 'alias');
  return a ? (a.this as AstNode) : item;
}

/**
 * A global aggregate (or a window over the whole input) is one partition: its key is the constant
 * TRUE, so any change touches it and it is recomputed whole.
 */
function oneKey(exprs: AstNode[]): AstNode[] {
  return exprs.length > 0 ? exprs : [mk.boolean(true)];
}

/** A structural key for comparing expressions (positions stripped). */
export function astKey(n: unknown): string {
  return JSON.stringify(n, (k, v) => (k === 'span' || k === 'trailing_comments' || k === 'leading_comments' ? undefined : v));
}

/**
 * Where a keyed top block's key sits in its output, so the stored rows of a partition can be found:
 * positions of the output columns equal to each key expression, or undefined when some key is not
 * an output column (the refresh then applies the top block's change instead).
 */
export function keyPositions(b: Block, outputs: { name: string }[]): number[] | undefined {
  if (b.kind === 'union') return b.all ? undefined : outputs.map((_, i) => i);
  if (b.kind !== 'select' || !b.key) return undefined;
  if (b.key.kind === 'output') return outputs.map((_, i) => i);
  const items = (b.data.expressions as AstNode[]) ?? [];
  const itemKeys = items.map((it) => astKey(dataOf<Record<string, unknown>>(it, 'alias')?.this ?? it));
  const single = items.length === 1 && dataOf(items[0], 'star') !== undefined && b.items.filter((i) => i.kind !== 'fixed').length === 1;
  const positions: number[] = [];
  for (const e of b.key.exprs) {
    let pos = items.some((it) => dataOf(it, 'star')) ? -1 : itemKeys.indexOf(astKey(e));
    const col = dataOf<Record<string, unknown>>(e, 'column');
    if (pos < 0 && single && col) {
      const name = identValue(col.name as Ident);
      const matches = outputs.map((o, i) => (o.name === name ? i : -1)).filter((i) => i >= 0);
      if (matches.length === 1) pos = matches[0];
    }
    if (pos < 0) return undefined;
    positions.push(pos);
  }
  return positions;
}


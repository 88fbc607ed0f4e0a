/**
 * Running aggregate state for GROUP BY blocks whose aggregates can be updated from the changed rows
 * alone — SUM, COUNT(*), COUNT(x), COUNT(DISTINCT x) and MEDIAN (with a count per group and value
 * beside the state), AVG (a sum and a count), MIN and MAX. A MIN / MAX is updated from the changed rows unless a
 * removed row held the group's extreme and no added row reaches it; only such groups are recomputed
 * from their rows. Without the state, every group touched by a change is recomputed from all of its
 * rows, which for changes scattered over many groups means reading the whole input.
 *
 * The state holds, per group: the key values (`_K1 …`), the row count (`_N`), and per aggregate a
 * running sum (`_S<i>`) and/or count of non-null arguments (`_C<i>`), or its extreme (`_M<i>`). A
 * change adds, per touched group, the new images' contributions and subtracts the old images'. The
 * output row of a group is the block's select list evaluated over its state row: each aggregate call
 * is replaced by the state columns that hold it (SUM by `_S<i>` when `_C<i>` > 0, else NULL; AVG by
 * `_S<i>` / `_C<i>`), each group-key expression by its key column; a group with `_N` = 0 is gone.
 */
import type { AstNode } from '../statements/statement.ts';
import { dataOf, kindOf, mk, walk, withData } from '../translate/ast.ts';
import { astKey, groupExpressions, type SelectBlock } from './analyze.ts';
import { derivedPlaceholder } from './placeholders.ts';

type Data = Record<string, unknown>;

export interface AggregatePart {
  /**
   * DISTINCT: COUNT(DISTINCT x), whose `_C<i>` is the group's number of distinct non-null values.
   * MEDIAN's `_M<i>` is recomputed for the touched groups from a count per group and value.
   */
  kind: 'SUM' | 'COUNT' | 'DISTINCT' | 'AVG' | 'MIN' | 'MAX' | 'MEDIAN';
  /** The argument (absent for COUNT(*), which is `_N`). */
  arg?: AstNode;
  /** Index among the arguments (`_A<i>` in delta rows, `_S<i>` / `_C<i>` in the state). */
  index: number;
  node: AstNode;
}

export interface AggregatePlan {
  keys: AstNode[];
  parts: AggregatePart[];
  /** Aggregate calls by structural key. */
  byKey: Map<string, AggregatePart | 'STAR'>;
  /**
   * Some part is a MIN / MAX: a removed row can take its group's extreme with it, and the group is
   * then recomputed from its rows.
   */
  hasExtremes: boolean;
}

const INVERTIBLE = new Set(['SUM', 'COUNT', 'AVG', 'MIN', 'MAX', 'MEDIAN']);

/** The plan when every aggregate of a plain GROUP BY block is invertible, else undefined. */
export function aggregatePlan(b: SelectBlock): AggregatePlan | undefined {
  const d = b.data;
  if (b.shape !== 'group' || b.hasLeftJoin || d.distinct === true) return undefined;
  if (d.having || d.qualify) return undefined;
  if (b.items.some((it) => it.kind === 'derived')) return undefined;
  const keys = groupExpressions(d);
  if (keys.length === 0) return undefined; // a global aggregate has a row even with no input rows
  const parts: AggregatePart[] = [];
  const byKey = new Map<string, AggregatePart | 'STAR'>();
  let ok = true;
  walk(d.expressions, (n) => {
    if (!ok) return false;
    const kind = kindOf(n);
    if (kind === 'window_function') {
      ok = false;
      return false;
    }
    if (kind !== 'aggregate_function') return true;
    const a = dataOf<Data>(n, 'aggregate_function')!;
    const name = String(a.name);
    const args = (a.args as AstNode[]) ?? [];
    const distinct = a.distinct === true;
    if (!INVERTIBLE.has(name) || (distinct && name !== 'COUNT') || a.filter || ((a.order_by as unknown[]) ?? []).length > 0 || args.length > 1) {
      ok = false;
      return false;
    }
    const key = astKey(n);
    if (byKey.has(key)) return false;
    if (name === 'COUNT' && args.length === 0) {
      byKey.set(key, 'STAR');
      return false;
    }
    if (args.length !== 1) {
      ok = false;
      return false;
    }
    const part: AggregatePart = { kind: distinct ? 'DISTINCT' : (name as AggregatePart['kind']), arg: args[0], index: parts.length + 1, node: n };
    parts.push(part);
    byKey.set(key, part);
    return false;
  });
  return ok ? { keys, parts, byKey, hasExtremes: parts.some((p) => p.kind === 'MIN' || p.kind === 'MAX') } : undefined;
}

/** The select list of delta rows: the group keys and the aggregates' arguments. */
export function deltaSelect(plan: AggregatePlan): AstNode[] {
  return [...plan.keys.map((e, i) => mk.alias(e, `_BACKLOT_K${i + 1}`)), ...plan.parts.map((p) => mk.alias(p.arg!, `_BACKLOT_A${p.index}`))];
}

/** Names of the state columns, in order. */
export function stateColumns(plan: AggregatePlan): string[] {
  const cols = plan.keys.map((_, i) => `_K${i + 1}`);
  cols.push('_N');
  for (const p of plan.parts) {
    if (p.kind === 'SUM' || p.kind === 'AVG') cols.push(`_S${p.index}`);
    if (p.kind === 'MIN' || p.kind === 'MAX' || p.kind === 'MEDIAN') cols.push(`_M${p.index}`);
    else cols.push(`_C${p.index}`);
  }
  return cols;
}

/**
 * The block's select list over a state relation (placeholder `__BKL_D<n>_DNEW` aliased `_S`): only
 * groups that still have rows.
 */
export function outputFromState(b: SelectBlock, plan: AggregatePlan, stateId: number): AstNode | undefined {
  const items = stateItems(b, plan, (c) => c);
  if (!items) return undefined;
  const select = mk.select(items, [stateRef(stateId)]);
  return withData(select, { where_clause: { this: mk.binary('gt', mk.column('_N', '_S'), mk.number(0)) } });
}

/**
 * Every touched group's new and old output rows side by side, over a merged state relation that
 * has, besides the new state, the old state under `_O`-prefixed names (`_ON`, `_OS1`, …): the new
 * row's items as `_BACKLOT_X<i>`, the old row's as `_BACKLOT_Y<i>`, then the relation's `passthrough`
 * columns. No filter: whether each row exists is the caller's to decide (`_N` > 0 for the new one).
 */
export function changeFromState(b: SelectBlock, plan: AggregatePlan, stateId: number, passthrough: string[]): AstNode | undefined {
  const news = stateItems(b, plan, (c) => c);
  const olds = stateItems(b, plan, (c) => (c.startsWith('_K') ? c : `_O${c.slice(1)}`));
  if (!news || !olds) return undefined;
  const unaliased = (n: AstNode) => (kindOf(n) === 'alias' ? (dataOf<Data>(n, 'alias')!.this as AstNode) : n);
  const items = [
    ...news.map((n, i) => mk.alias(unaliased(n), `_BACKLOT_X${i + 1}`)),
    ...olds.map((n, i) => mk.alias(unaliased(n), `_BACKLOT_Y${i + 1}`)),
    ...passthrough.map((c) => mk.column(c, '_S')),
  ];
  return mk.select(items, [stateRef(stateId)]);
}

const stateRef = (stateId: number): AstNode => mk.tableRef(undefined, derivedPlaceholder(stateId, 'DNEW'), '_S');

/**
 * The select list with each aggregate call replaced by the state column holding it (named through
 * `name`, so that the old state's columns can be read instead) and each group key by its column;
 * undefined when some column is read that is not a group key as written.
 */
function stateItems(b: SelectBlock, plan: AggregatePlan, name: (column: string) => string): AstNode[] | undefined {
  const keyIndex = new Map(plan.keys.map((e, i) => [astKey(e), i]));
  const col = (c: string) => mk.column(name(c), '_S');
  let leftover = false;
  const replace = (n: AstNode): AstNode => {
    const k = keyIndex.get(astKey(n));
    if (k !== undefined) return col(`_K${k + 1}`);
    if (kindOf(n) === 'aggregate_function') {
      const part = plan.byKey.get(astKey(n));
      if (part === 'STAR') return col('_N');
      if (!part) {
        leftover = true;
        return n;
      }
      if (part.kind === 'COUNT' || part.kind === 'DISTINCT') return col(`_C${part.index}`);
      if (part.kind === 'MIN' || part.kind === 'MAX' || part.kind === 'MEDIAN') return col(`_M${part.index}`);
      const some = mk.binary('gt', col(`_C${part.index}`), mk.number(0));
      // AVG as the division of its sum by its count — as AVG itself is translated.
      if (part.kind === 'AVG') return mk.caseWhen([[some, mk.binary('div', col(`_S${part.index}`), col(`_C${part.index}`))]], mk.null());
      return mk.caseWhen([[some, col(`_S${part.index}`)]], mk.null());
    }
    return n;
  };
  const items = ((b.data.expressions as AstNode[]) ?? []).map((item) => {
    const a = dataOf<Data>(item, 'alias');
    const inner = a ? (a.this as AstNode) : item;
    const out = replaceTopDown(inner, replace);
    return a ? withData(item, { this: out }) : out;
  });
  // A column left over means the select list reads a column that is not a group key as written.
  walk(items, (n) => {
    if (kindOf(n) === 'column') {
      const c = dataOf<Data>(n, 'column')!;
      const table = c.table as { name?: string } | undefined;
      if (!table || table.name !== '_S') leftover = true;
    }
    return true;
  });
  return leftover ? undefined : items;
}

/** Replaces the outermost nodes `fn` changes; does not descend into a replaced node. */
function replaceTopDown(value: unknown, fn: (n: AstNode) => AstNode): AstNode {
  const go = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(go);
    if (kindOf(v) !== undefined) {
      const out = fn(v as AstNode);
      if (out !== v) return out;
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, k === 'span' ? x : go(x)]));
  };
  return go(value) as AstNode;
}

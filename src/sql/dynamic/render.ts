/**
 * The queries an incremental refresh runs, as Snowflake syntax trees over placeholder relations
 * (see placeholders.ts), ready for translation:
 *
 * - stateQuery: a block with every input as of one version (OLD or NEW);
 * - deltaTerm: the join delta rule's j-th term — item j as its changed rows (old or new images),
 *   items before it at NEW, items after it at OLD. Summed over the changed items, the terms with new
 *   images minus those with old images are exactly the block's change (for inner joins), and each
 *   row of the old or new result that involves a changed row appears in some term;
 * - nullExtension: for an item on the right of a LEFT JOIN, the left rows it matched (before or
 *   after), null-extended, which may appear or disappear when it changes;
 * - keyedQuery: a keyed block with its partition key appended to the select list.
 */
import type { AstNode } from '../statements/statement.ts';
import { dataOf, ident, mk, node, withData } from '../translate/ast.ts';
import type { Block, Item, SelectBlock } from './analyze.ts';
import { derivedPlaceholder, inputPlaceholder, type Role } from './placeholders.ts';
import { flipBand, markTime, type Moment } from './time-filters.ts';

type Data = Record<string, unknown>;

/** Name of the n-th appended key column in a keyed query's output. */
const keyColumn = (i: number): string => `_BACKLOT_K${i + 1}`;

/** The block with every input (and every derived table inside it) at one version. */
export function stateQuery(b: Block, state: 'OLD' | 'NEW'): AstNode {
  switch (b.kind) {
    case 'constant':
      return b.node;
    case 'union':
      return node('union', { ...b.data, left: stateQuery(b.branches[0], state), right: stateQuery(b.branches[1], state) });
    case 'select':
      return renderSelect(b, () => state, {});
  }
}

export interface SelectOptions {
  /** Replaces the select list. */
  select?: AstNode[];
  /** Appends to the select list. */
  append?: AstNode[];
  /** Keeps only the FROM/WHERE rows: drops GROUP BY, HAVING, QUALIFY and DISTINCT. */
  rowsOnly?: boolean;
  /** More WHERE conditions (ANDed). */
  where?: AstNode[];
  /** An item whose LEFT JOIN becomes an inner join (the changed item of a delta term). */
  innerItem?: number;
  /**
   * The moment the block's own filters read the current time at (time-filters.ts). By default OLD
   * when every input is read as it was (the block as of the previous refresh), NEW otherwise: the
   * delta rule's terms are this refresh's query over changed rows.
   */
  time?: Moment;
  /**
   * Rows whose WHERE changed its mind between the two moments, with every input as given: ENTER —
   * true now, not before; LEAVE — the other way; EITHER — true at one of them.
   */
  flip?: 'ENTER' | 'LEAVE' | 'EITHER';
}

/** A SELECT block with each FROM item in the role `role` gives it. ORDER BY is dropped. */
export function renderSelect(b: SelectBlock, role: (it: Item) => Role, opts: SelectOptions): AstNode {
  const d = b.data;
  const from = d.from as Data | null;
  const fromItems = b.items.filter((i) => i.slot.where === 'from');
  const joinItems = b.items.filter((i) => i.slot.where === 'join');
  const patch: Data = { order_by: null, with: null };
  if (from) {
    const expressions = [...((from.expressions as AstNode[]) ?? [])];
    for (const it of fromItems) expressions[it.slot.index] = renderItem(it, role(it));
    patch.from = { ...from, expressions };
  }
  if (Array.isArray(d.joins)) {
    patch.joins = (d.joins as Data[]).map((j, i) => {
      const it = joinItems.find((x) => x.slot.index === i)!;
      const out: Data = { ...j, this: renderItem(it, role(it)) };
      if (opts.innerItem === it.index && it.join === 'left') out.kind = 'Inner';
      return out;
    });
  }
  if (opts.select) patch.expressions = opts.select;
  if (opts.append) patch.expressions = [...((d.expressions as AstNode[]) ?? []), ...opts.append];
  if (opts.rowsOnly) Object.assign(patch, { group_by: null, having: null, qualify: null, distinct: false });
  let existing = (d.where_clause as Data | null)?.this as AstNode | undefined;
  if (b.time) {
    const moment = opts.time ?? (b.items.every((it) => role(it) === 'OLD') ? 'OLD' : 'NEW');
    const at = (e: AstNode | undefined, m: Moment) => (e === undefined ? undefined : markTime(e, m));
    for (const f of ['having', 'qualify'] as const) {
      const clause = d[f] as Data | null;
      if (clause?.this && !opts.rowsOnly) patch[f] = { ...clause, this: at(clause.this as AstNode, moment) };
    }
    if (existing && opts.flip) {
      const [now, then] = [mk.paren(at(existing, 'NEW')!), mk.paren(at(existing, 'OLD')!)];
      const not = (e: AstNode) => mk.not(mk.fn('COALESCE', [e, mk.boolean(false)]));
      existing = opts.flip === 'ENTER' ? mk.binary('and', now, not(then)) : opts.flip === 'LEAVE' ? mk.binary('and', then, not(now)) : mk.binary('or', now, then);
      const band = opts.flip === 'EITHER' ? undefined : flipBand((d.where_clause as Data).this as AstNode);
      if (band) existing = mk.binary('and', existing, mk.paren(band));
    } else {
      existing = at(existing, moment);
    }
    if (existing) patch.where_clause = { ...(d.where_clause as Data), this: existing };
  }
  if (opts.where && opts.where.length > 0) {
    const conditions = existing ? [mk.paren(existing), ...opts.where] : opts.where;
    patch.where_clause = { ...((d.where_clause as Data | null) ?? {}), this: conditions.reduce((a, c) => mk.binary('and', a, c)) };
  }
  return node('select', { ...d, ...patch });
}

function renderItem(it: Item, role: Role): AstNode {
  if (it.kind === 'fixed') return it.node;
  if (it.kind === 'input') return withData(it.node, { name: ident(inputPlaceholder(it.inputId!, role)) });
  if (role === 'OLD' || role === 'NEW') return withData(it.node, { this: stateQuery(it.block!, role) });
  const sub = dataOf<Data>(it.node, 'subquery')!;
  return tableRef(derivedPlaceholder(it.block!.id, role), it.alias, (sub.column_aliases as unknown[]) ?? []);
}

function tableRef(name: string, alias: string, columnAliases: unknown[]): AstNode {
  return withData(mk.tableRef(undefined, name, alias), { column_aliases: columnAliases });
}

/** Term j of the delta rule (see the file comment), with the given select list. */
export function deltaTerm(b: SelectBlock, j: number, image: 'DOLD' | 'DNEW', select: AstNode[] | undefined, rowsOnly: boolean): AstNode {
  const role = (it: Item): Role => (it.index < j ? 'NEW' : it.index === j ? image : 'OLD');
  return renderSelect(b, role, { select, rowsOnly, innerItem: j });
}

/**
 * Rows that item j (on the right of a LEFT JOIN) null-extends at `state`: the block with item j
 * empty, restricted to left rows its changed rows (`image`) match.
 */
export function nullExtension(b: SelectBlock, j: number, state: 'OLD' | 'NEW', image: 'DOLD' | 'DNEW', select: AstNode[] | undefined, rowsOnly: boolean): AstNode {
  const it = b.items[j];
  const probe = mk.select([mk.number(1)], [renderItem(it, image)]);
  const matched = it.on ? withData(probe, { where_clause: { this: it.on } }) : probe;
  const exists = node('exists', { this: matched, not: false });
  return renderSelect(b, (x) => (x.index === j ? 'EMPTY' : state), { select, rowsOnly, where: [exists] });
}

/** Key expressions as select items `_BACKLOT_K1 …`. */
export function keyItems(exprs: AstNode[]): AstNode[] {
  return exprs.map((e, i) => mk.alias(e, keyColumn(i)));
}

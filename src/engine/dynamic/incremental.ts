/**
 * Incremental refresh (DESIGN §5): the planner's blocks turned into SQL over the inputs' change sets.
 *
 * The inputs' changes since the last refresh are read once into temporary tables (old images, new
 * images): unpaired images (layout.ts imagesSql — as multisets, new state = old state − old images +
 * new images, which is all the delta rules need), or only the inserted rows when the commit log says
 * every commit in between appended. Then, bottom-up, each block whose inputs changed gets its own
 * change as two temporary tables of output rows (removed, added):
 *
 * - an spj block directly, by the join delta rule (render.ts) — exact for inner joins;
 * - a keyed block by its partitions: the keys the changed rows touch (in old and new states, with
 *   left-join null extensions) are collected, only those partitions are computed as of before and
 *   now, and the two multisets are compared (EXCEPT ALL both ways);
 * - UNION ALL as the sum of its branches' changes; UNION as a keyed block over its branches'.
 *
 * The dynamic table itself is then written from either its top block's change (rows removed are
 * matched to stored rows by value) or, for keyed tops whose key is among the output columns, by
 * recomputing the touched partitions and comparing them with the stored rows of those partitions.
 *
 * Partition filters are also given to DuckDB as constants (an IN list or a range of each key column)
 * so it can skip row groups by their min/max statistics instead of scanning whole inputs.
 */
import {
  deltaTerm,
  duckIdent,
  columnValueSql,
  errors,
  keyItems,
  nullExtension,
  renderSelect,
  resolveTimes,
  sqlString,
  stateQuery,
  translatePreparedQuery,
  type AstNode,
  type Block,
  type BoundQuery,
  type Item,
  type Moment,
  type SelectBlock,
  type SfType,
} from '../../sql/index.ts';
import { imagesSql, insertedSql, stateSql, versionedTable, type ColumnEntry, type SchemaEntry, type StorageConnection } from '../../storage/index.ts';
import type { Session } from '../session/session.ts';
import { derivedTable, dynamicContext, inputChangesTable, versionVariablesSql, type RelationPlan } from './dt-context.ts';

export interface ChangeTables {
  /** Temporary tables holding the block's removed and added output rows. */
  removed: string;
  added: string;
}

interface Column {
  name: string;
  type: SfType | undefined;
}

const c = (i: number): string => `_c${i + 1}`;
const k = (i: number): string => `_k${i + 1}`;

/** Temporary tables up to this many rows are left for the next refresh to replace. */
const KEEP_TEMP_ROWS = 50_000;
/** Distinct key values up to which a partition filter is an IN list rather than a range. */
export const IN_LIST_LIMIT = 64;
/** Column types whose order lets DuckDB skip row groups on a range. */
const ORDERABLE = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL\(\d+,\d+\)|DATE|TIME|TIMESTAMP|TIMESTAMP WITH TIME ZONE|VARCHAR|BOOLEAN)$/;

/** Translations of generated queries, per session (see IncrementalRun.translate). */
const translations = new WeakMap<object, Map<string, { sql: string; columns: Column[] }>>();
const TRANSLATIONS_KEPT = 1000;

/**
 * The stored rows of a dynamic table are not the previous refresh's result as computed now (a data
 * directory changed by hand): the refresh recomputes the table instead (a REINITIALIZE).
 */
export class StoredRowsDiffer extends Error {}

/** Per connection, the input image views kept between refreshes (view name → its CREATE text). */
const keptViews = new WeakMap<StorageConnection, Map<string, string>>();

export class IncrementalRun {
  /** Temporary tables made, with their row counts. */
  private readonly temps = new Map<string, number>();
  private readonly views = new Set<string>();
  private readonly deltas = new Map<number, ChangeTables | undefined>();
  private readonly columnCache = new Map<number, Column[]>();
  readonly plan: RelationPlan;
  /** Every changed input only gained rows (appends: the common case of loads and event streams). */
  insertOnly = false;

  constructor(
    private readonly session: Session,
    private readonly schema: SchemaEntry,
    private readonly bound: BoundQuery,
    private readonly changed: Set<number>,
    oldVersions: Map<number, number>,
    newVersions: Map<number, number>,
    /** Builds every table empty (`WHERE false`): checks that the whole plan compiles, at no cost. */
    private readonly dryRun = false,
    /**
     * For a query that filters on the current time, the data timestamps (ms) of the previous refresh
     * and of this one: what CURRENT_TIMESTAMP and friends stand for as of before and now (see
     * time-filters.ts).
     */
    readonly times?: Record<Moment, number>,
  ) {
    this.plan = { oldVersions, newVersions, derivedColumns: new Map(), derivedTypes: new Map() };
  }

  private get conn(): StorageConnection {
    return this.session.conn;
  }

  /**
   * Translates a generated query. The same queries come back refresh after refresh (1–2 ms each to
   * translate), so translations are kept per session (its parameters shape them): keyed by the query,
   * the catalog version and the plan's derived tables. Inputs read at a version read it from session
   * variables (set by prepareInputs), so the versions do not change the text.
   */
  translate(ast: AstNode): { sql: string; columns: Column[] } {
    const engine = this.session.engine;
    let cache = translations.get(this.session);
    if (!cache) translations.set(this.session, (cache = new Map()));
    const plan = this.plan;
    if (this.times) ast = resolveTimes(ast);
    const key = JSON.stringify([engine.catalog.version, this.schema.id, ast, [...plan.derivedColumns], [...plan.derivedTypes]]);
    const hit = cache.get(key);
    if (hit) return hit;
    const t = translatePreparedQuery(ast, dynamicContext(this.session, this.schema, this.bound, plan, true));
    const result = { sql: t.sql, columns: t.columns };
    if (cache.size >= TRANSLATIONS_KEPT) cache.delete(cache.keys().next().value!);
    cache.set(key, result);
    return result;
  }

  /** Reads a query's rows (outside a dry run: the caller knows the tables it reads exist). */
  async query(sql: string): Promise<unknown[][]> {
    return (await this.conn.query(sql)).rows;
  }

  /** Runs a statement on the run's temporary tables (nothing, in a dry run). */
  async execute(sql: string): Promise<void> {
    if (!this.dryRun) await this.conn.run(sql);
  }

  /**
   * Creates (or replaces) a temporary table from a query; returns its row count. In the same round
   * trip, `before` (statements) runs first and `after` last: a query over the new table whose first
   * row splits its row count (its values add up to it), returned instead.
   */
  async materialize(name: string, sql: string, before?: string): Promise<number>;
  async materialize(name: string, sql: string, before: string, after: string): Promise<unknown[]>;
  async materialize(name: string, sql: string, before = '', after?: string): Promise<number | unknown[]> {
    this.temps.set(name, Infinity);
    const create = `CREATE OR REPLACE TEMP TABLE ${name} AS ${this.dryRun ? `SELECT * FROM (${sql}) WHERE false` : sql}`;
    const r = await this.conn.query(`${before ? `${before}; ` : ''}${create}${after ? `; ${after}` : ''}`);
    // DuckDB answers CREATE TABLE … AS with the number of rows written.
    const row = r.rows[0] ?? [0];
    const rows = after ? row.reduce<number>((a, v) => a + Number(v), 0) : Number(row[0]);
    this.temps.set(name, rows);
    return after ? row : rows;
  }

  /**
   * Reads each changed input's change set once into a temporary table, with its old and new images
   * as two temporary views over it (what the generated queries read as DOLD and DNEW).
   */
  async prepareInputs(): Promise<Map<number, { inserted: number; deleted: number }>> {
    // The versions the generated queries read their inputs at (see translate), set in the first
    // input's round trip.
    let before = versionVariablesSql(this.session, this.bound, this.plan) ?? '';
    const counts = new Map<number, { inserted: number; deleted: number }>();
    for (const id of this.changed) {
      const object = this.session.engine.catalog.objects.get(id)!;
      const cols = object.columns.map((col) => duckIdent(col.name)).join(', ');
      const from = this.plan.oldVersions.get(id) ?? 0;
      const to = this.plan.newVersions.get(id)!;
      const all = `_bkl_i${id}_chg`;
      // Appends (the commit log says so): the new rows, with no pairing of before and after images.
      const appended = this.session.engine.commits.changesIn(id, from, to)?.appendOnly === true;
      const t = versionedTable(object);
      if (appended) {
        const rows = await this.materialize(all, `SELECT ${cols}, false AS _bkl_old FROM (${insertedSql(t, from, to)})`, before);
        counts.set(id, { deleted: 0, inserted: rows });
      } else {
        // The old and new images counted in the same round trip.
        const split = `SELECT count(*) FILTER (WHERE _bkl_old), count(*) FILTER (WHERE NOT _bkl_old) FROM temp.${all}`;
        const n = await this.materialize(all, `SELECT ${cols}, _backlot_old AS _bkl_old FROM (${imagesSql(t, from, to)})`, before, split);
        counts.set(id, { deleted: Number(n[0]), inserted: Number(n[1]) });
      }
      before = '';
      await this.imageViews(id, cols, all);
    }
    // No input changed (only the time moved): the versions are still read.
    if (before) await this.conn.run(before);
    // Rows also leave a time-filtered block as time passes.
    this.insertOnly = [...counts.values()].every((n) => n.deleted === 0) && !this.timeMovedAtAll;
    return counts;
  }

  /**
   * For a table's first refresh through its running aggregate state (refresh.ts): every input's rows
   * as of now are its new image and none is old. They are read in place through the DOLD and DNEW
   * views; a change set of whole inputs is not copied into a table.
   */
  async prepareWholeInputs(): Promise<void> {
    const variables = versionVariablesSql(this.session, this.bound, this.plan);
    if (variables) await this.conn.run(variables);
    for (const id of this.changed) {
      const object = this.session.engine.catalog.objects.get(id)!;
      const cols = object.columns.map((col) => duckIdent(col.name)).join(', ');
      const rows = stateSql(versionedTable(object), String(this.plan.newVersions.get(id)!));
      await this.view(inputChangesTable(id, 'dold'), `SELECT ${cols} FROM (${rows}) WHERE false`, inputChangesTable(id, 'dnew'), `SELECT ${cols} FROM (${rows})`);
    }
    this.insertOnly = !this.timeMovedAtAll;
  }

  /** The DOLD and DNEW views of an input's change table. */
  private async imageViews(id: number, cols: string, table: string): Promise<void> {
    const dold = inputChangesTable(id, 'dold');
    const dnew = inputChangesTable(id, 'dnew');
    await this.view(dold, `SELECT ${cols} FROM temp.${table} WHERE _bkl_old`, dnew, `SELECT ${cols} FROM temp.${table} WHERE NOT _bkl_old`);
  }

  /**
   * Creates temporary views (name, query, name, query, …). Views hold no rows, so outside a
   * transaction (where nothing can roll their creation back) they are kept on the connection and
   * made again only when their text changes; otherwise they are dropped with the run's tables.
   */
  async view(...pairs: string[]): Promise<void> {
    const first = pairs[0];
    let sql = '';
    for (let i = 0; i < pairs.length; i += 2) sql += `${i > 0 ? '; ' : ''}CREATE OR REPLACE TEMP VIEW ${pairs[i]} AS ${pairs[i + 1]}`;
    const keep = !this.dryRun && !this.conn.transactionOpen;
    let kept = keptViews.get(this.conn);
    if (!kept) keptViews.set(this.conn, (kept = new Map()));
    if (keep && kept.get(first) === sql) return;
    kept.delete(first);
    if (!keep) for (let i = 0; i < pairs.length; i += 2) this.views.add(pairs[i]);
    await this.conn.run(sql);
    if (keep) kept.set(first, sql);
  }

  /**
   * Whether the block's own filters read the current time and it moved since the previous refresh:
   * rows (or, for HAVING and QUALIFY, whole partitions) may enter or leave with no input changed.
   */
  timeMoved(b: Block): b is SelectBlock & { time: NonNullable<SelectBlock['time']> } {
    return b.kind === 'select' && b.time !== undefined && this.timeMovedAtAll;
  }

  /** The query filters on the current time, and it moved since the previous refresh. */
  get timeMovedAtAll(): boolean {
    return this.times !== undefined && this.times.OLD !== this.times.NEW;
  }

  /**
   * The rows of the block as it was (every input as of the previous refresh) whose WHERE changed its
   * mind as time moved —
   * the `flip` terms that, added to the delta rule's (which read this refresh's time), make the whole
   * change: Q_now(R_now) − Q_then(R_then) = [Q_now(R_now) − Q_now(R_then)] + [Q_now(R_then) − Q_then(R_then)].
   */
  flipTerm(b: SelectBlock, flip: 'ENTER' | 'LEAVE' | 'EITHER', select: AstNode[] | undefined, rowsOnly: boolean): string {
    return this.translate(renderSelect(b, this.asWas, { select, rowsOnly, flip })).sql;
  }

  /**
   * An item as it was at the previous refresh: read as OLD if it changed since, else as it is now —
   * the same rows, and a query whose translation does not depend on versions (so it is kept).
   */
  readonly asWas = (it: Item): 'OLD' | 'NEW' => (this.itemChanged(it) ? 'OLD' : 'NEW');

  itemChanged(it: Item): boolean {
    if (it.kind === 'input') return this.changed.has(it.inputId!);
    if (it.kind === 'derived') return this.blockChanged(it.block!);
    return false;
  }

  blockChanged(b: Block): boolean {
    if (b.kind === 'constant') return false;
    if (b.kind === 'union') return b.branches.some((x) => this.blockChanged(x));
    return this.timeMoved(b) || b.items.some((it) => this.itemChanged(it));
  }

  /** The block's output columns (translated once, at NEW). */
  columnsOf(b: Block): Column[] {
    let cols = this.columnCache.get(b.id);
    if (!cols) {
      cols = this.translate(stateQuery(b, 'NEW')).columns;
      this.columnCache.set(b.id, cols);
    }
    return cols;
  }

  /** Unique, non-empty names for a block's change tables (what its parent's queries read). */
  private changeColumns(b: Block): Column[] {
    const seen = new Set<string>();
    return this.columnsOf(b).map((col, i) => {
      let name = col.name === '' ? c(i) : col.name;
      while (seen.has(name.toUpperCase())) name = `${name}_${i + 1}`;
      seen.add(name.toUpperCase());
      return { name, type: col.type };
    });
  }

  private async store(b: Block, removedSql: string, addedSql: string): Promise<ChangeTables> {
    const cols = this.changeColumns(b);
    const names = cols.map((x) => duckIdent(x.name)).join(', ');
    const removed = derivedTable(b.id, 'dold');
    const added = derivedTable(b.id, 'dnew');
    await this.materialize(removed, `SELECT * FROM (${removedSql}) AS _d(${names})`);
    await this.materialize(added, `SELECT * FROM (${addedSql}) AS _d(${names})`);
    await this.materialize(derivedTable(b.id, 'empty'), `SELECT * FROM temp.${removed} LIMIT 0`);
    this.plan.derivedColumns.set(b.id, cols.map((x) => x.name));
    return { removed, added };
  }

  /** The block's change (removed and added output rows), or undefined when its inputs did not change. */
  async delta(b: Block): Promise<ChangeTables | undefined> {
    if (this.deltas.has(b.id)) return this.deltas.get(b.id);
    let out: ChangeTables | undefined;
    if (this.blockChanged(b)) {
      if (b.kind === 'union') out = b.all ? await this.unionAllDelta(b) : await this.keyedDelta(b);
      else if (b.kind === 'select') out = b.key ? await this.keyedDelta(b) : await this.directDelta(b);
    }
    this.deltas.set(b.id, out);
    return out;
  }

  private async childDeltas(b: SelectBlock): Promise<void> {
    for (const it of b.items) if (it.kind === 'derived' && this.itemChanged(it)) await this.delta(it.block!);
  }

  /** spj: the delta rule's terms with new images minus those with old images. */
  private async directDelta(b: SelectBlock): Promise<ChangeTables> {
    await this.childDeltas(b);
    const terms = (image: 'DOLD' | 'DNEW') => b.items.filter((it) => this.itemChanged(it)).map((it) => this.translate(deltaTerm(b, it.index, image, undefined, false)).sql);
    const [removed, added] = [terms('DOLD'), terms('DNEW')];
    // An spj block filters on time in WHERE only (HAVING and QUALIFY make a block keyed).
    if (this.timeMoved(b)) {
      removed.push(this.flipTerm(b, 'LEAVE', undefined, false));
      added.push(this.flipTerm(b, 'ENTER', undefined, false));
    }
    return this.fromTerms(b, removed, added);
  }

  /** Removed = old-image terms EXCEPT ALL new-image terms; added the other way round. */
  private async fromTerms(b: Block, oldTerms: string[], newTerms: string[]): Promise<ChangeTables> {
    const width = this.columnsOf(b).length;
    const names = Array.from({ length: width }, (_, i) => c(i)).join(', ');
    const union = (terms: string[]) => {
      if (terms.length === 0) throw errors.internal(`no change terms for block ${b.id}`);
      return terms.map((t) => `SELECT * FROM (${t})`).join(' UNION ALL ');
    };
    const minus = `_bkl_m${b.id}`;
    const plus = `_bkl_p${b.id}`;
    await this.materialize(minus, `SELECT * FROM (${union(oldTerms)}) AS _t(${names})`);
    await this.materialize(plus, `SELECT * FROM (${union(newTerms)}) AS _t(${names})`);
    return this.store(b, `SELECT * FROM temp.${minus} EXCEPT ALL SELECT * FROM temp.${plus}`, `SELECT * FROM temp.${plus} EXCEPT ALL SELECT * FROM temp.${minus}`);
  }

  private async unionAllDelta(b: Extract<Block, { kind: 'union' }>): Promise<ChangeTables> {
    const parts: ChangeTables[] = [];
    for (const br of b.branches) {
      const d = await this.delta(br);
      if (d) parts.push(d);
    }
    return this.fromTerms(
      b,
      parts.map((p) => `SELECT * FROM temp.${p.removed}`),
      parts.map((p) => `SELECT * FROM temp.${p.added}`),
    );
  }

  /**
   * The rows an append adds to an spj block whose FROM items are all inputs (no LEFT join, no
   * derived tables), or undefined when the shortcut does not apply. With inserts only, the delta
   * rule's new-image terms are exactly the new rows and no old row can disappear, so nothing needs
   * comparing.
   */
  appendedRows(b: Block): string | undefined {
    if (!this.insertOnly || b.kind !== 'select' || b.key || b.hasLeftJoin || this.timeMoved(b)) return undefined;
    if (b.items.some((it) => it.kind === 'derived')) return undefined;
    const terms = b.items.filter((it) => this.itemChanged(it)).map((it) => this.translate(deltaTerm(b, it.index, 'DNEW', undefined, false)).sql);
    if (terms.length === 0) return undefined;
    const names = this.columnsOf(b).map((_, i) => c(i)).join(', ');
    return `SELECT * FROM (${terms.map((t) => `SELECT * FROM (${t})`).join(' UNION ALL ')}) AS _t(${names})`;
  }

  /** A keyed block: recompute the touched partitions before and now, and compare. */
  private async keyedDelta(b: SelectBlock | Extract<Block, { kind: 'union' }>): Promise<ChangeTables> {
    const touched = await this.touched(b);
    await this.prefilter(touched);
    const before = this.restricted(b, 'OLD', touched);
    const now = this.restricted(b, 'NEW', touched);
    const beforeT = `_bkl_rb${b.id}`;
    const nowT = `_bkl_rn${b.id}`;
    await this.materialize(beforeT, before);
    await this.materialize(nowT, now);
    return this.store(b, `SELECT * FROM temp.${beforeT} EXCEPT ALL SELECT * FROM temp.${nowT}`, `SELECT * FROM temp.${nowT} EXCEPT ALL SELECT * FROM temp.${beforeT}`);
  }

  /**
   * The partition keys the inputs' changes touch, as a temporary table `_bkl_t<id>(_k1 …)`: the key
   * of every row, before or now, that involves a changed row, and of every row a LEFT JOIN's changes
   * null-extend or stop null-extending.
   */
  async touched(b: SelectBlock | Extract<Block, { kind: 'union' }>): Promise<Touched> {
    const table = `_bkl_t${b.id}`;
    if (b.kind === 'union') {
      // UNION (distinct): an output row's presence changes only if some branch's count of it did.
      const parts: string[] = [];
      for (const br of b.branches) {
        const d = await this.delta(br);
        if (d) parts.push(`SELECT * FROM temp.${d.removed}`, `SELECT * FROM temp.${d.added}`);
      }
      const width = this.columnsOf(b).length;
      const names = Array.from({ length: width }, (_, i) => k(i)).join(', ');
      await this.materialize(table, `SELECT DISTINCT * FROM (${parts.join(' UNION ALL ')}) AS _t(${names})`);
      return { table, width };
    }
    await this.childDeltas(b);
    const key = b.key!;
    const select = key.kind === 'exprs' ? keyItems(key.exprs) : undefined;
    const rowsOnly = key.kind === 'exprs';
    const terms: string[] = [];
    for (const it of b.items) {
      if (!this.itemChanged(it)) continue;
      for (const image of ['DOLD', 'DNEW'] as const) {
        terms.push(this.translate(deltaTerm(b, it.index, image, select, rowsOnly)).sql);
        if (it.join === 'left') {
          for (const state of ['OLD', 'NEW'] as const) terms.push(this.translate(nullExtension(b, it.index, state, image, select, rowsOnly)).sql);
        }
      }
    }
    if (this.timeMoved(b)) {
      // Rows whose WHERE flipped touch their partitions; a HAVING or QUALIFY on the time may flip any
      // partition that has rows at either moment.
      if (b.time.grouped) terms.push(this.flipTerm(b, 'EITHER', select, rowsOnly));
      else for (const flip of ['ENTER', 'LEAVE'] as const) terms.push(this.flipTerm(b, flip, select, rowsOnly));
    }
    const width = key.kind === 'exprs' ? key.exprs.length : this.columnsOf(b).length;
    const names = Array.from({ length: width }, (_, i) => k(i)).join(', ');
    await this.materialize(table, `SELECT DISTINCT * FROM (${terms.map((t) => `SELECT * FROM (${t})`).join(' UNION ALL ')}) AS _t(${names})`);
    return { table, width };
  }

  /**
   * The block's output rows (as `_c1 …`) in the touched partitions, with every input at `state`.
   * The key is appended to the select list (or is the output row) and filtered on.
   */
  restricted(b: SelectBlock | Extract<Block, { kind: 'union' }>, state: 'OLD' | 'NEW', touched: Touched): string {
    const width = this.columnsOf(b).length;
    const outs = Array.from({ length: width }, (_, i) => c(i));
    if (b.kind === 'select' && b.key?.kind === 'exprs') {
      const sql = this.translate(renderSelect(b, () => state, { append: keyItems(b.key.exprs) })).sql;
      const keys = b.key.exprs.map((_, i) => k(i));
      const refs = keys.map((x) => `_q.${x}`);
      return `SELECT ${outs.join(', ')} FROM (${sql}) AS _q(${[...outs, ...keys].join(', ')}) WHERE ${this.keyFilter(touched, refs)}`;
    }
    const sql = this.translate(stateQuery(b, state)).sql;
    return `SELECT ${outs.join(', ')} FROM (${sql}) AS _q(${outs.join(', ')}) WHERE ${this.keyFilter(touched, outs.map((x) => `_q.${x}`))}`;
  }

  /**
   * `EXISTS (touched key)` plus, once computed, constant prefilters DuckDB can push into scans. When
   * the touched keys are known to hold no NULL, an `IN` instead: DuckDB runs it as a semi join that
   * hands the keys' bounds to the scan (EXISTS with IS NOT DISTINCT FROM reads every row).
   */
  keyFilter(touched: Touched, refs: string[]): string {
    const pre = (touched.prefilters ?? []).map((f, i) => (f ? f(refs[i]) : '')).filter((x) => x !== '');
    if (touched.noNulls && refs.length > 0) {
      const keys = refs.map((_, i) => k(i)).join(', ');
      const lhs = refs.length === 1 ? refs[0] : `(${refs.join(', ')})`;
      return [...pre, `${lhs} IN (SELECT ${keys} FROM temp.${touched.table})`].join(' AND ');
    }
    const match = refs.map((r, i) => `_t.${k(i)} IS NOT DISTINCT FROM ${r}`).join(' AND ');
    const exists = `EXISTS (SELECT 1 FROM temp.${touched.table} AS _t WHERE ${match || 'true'})`;
    return [...pre, exists].join(' AND ');
  }

  /**
   * Computes, per key column of a touched table, a constant filter (IN list or range) — in one
   * query: each column's type, distinct count, bounds, whether it holds NULL, and its values when
   * there are few.
   */
  async prefilter(touched: Touched, ranges = true): Promise<void> {
    if (touched.width === 0) return;
    const stats = Array.from({ length: touched.width }, (_, i) => {
      const col = k(i);
      return (
        `any_value(typeof(${col})), count(DISTINCT ${col}), CAST(min(${col}) AS VARCHAR), CAST(max(${col}) AS VARCHAR), bool_or(${col} IS NULL), ` +
        `CASE WHEN count(DISTINCT ${col}) <= ${IN_LIST_LIMIT} THEN list(DISTINCT CAST(${col} AS VARCHAR)) FILTER (WHERE ${col} IS NOT NULL) END`
      );
    });
    const row = (await this.conn.query(`SELECT ${stats.join(', ')} FROM temp.${touched.table}`)).rows[0];
    const filters: ((ref: string) => string)[] = [];
    let nulls = false;
    for (let i = 0; i < touched.width; i += 1) {
      const [type, distinct, min, max, hasNull, values] = [String(row[i * 6]), Number(row[i * 6 + 1]), row[i * 6 + 2], row[i * 6 + 3], row[i * 6 + 4] === true, row[i * 6 + 5]];
      nulls ||= hasNull;
      if (!ORDERABLE.test(type) || distinct === 0) {
        filters.push(() => '');
        continue;
      }
      const lit = (v: unknown) => `CAST(${sqlString(String(v))} AS ${type})`;
      const orNull = (cond: string, ref: string) => (hasNull ? `(${cond} OR ${ref} IS NULL)` : cond);
      // DuckDB hands a LIST back as a value object holding its items.
      const items = Array.isArray(values) ? values : (values as { items?: unknown[] } | null)?.items;
      if (items) {
        const list = items.map(lit);
        filters.push((ref) => orNull(`${ref} IN (${list.join(', ')})`, ref));
      } else if (ranges) {
        filters.push((ref) => orNull(`${ref} BETWEEN ${lit(min)} AND ${lit(max)}`, ref));
      } else {
        filters.push(() => '');
      }
    }
    touched.prefilters = filters;
    touched.noNulls = !nulls;
  }

  /**
   * The statements dropping the temporary tables worth dropping after a successful refresh (for its
   * COMMIT batch): small ones stay on the connection until the next refresh replaces them — every
   * table a run reads it has made itself, and dropping costs about a quarter of a millisecond each.
   */
  dropStatements(keepSmall = true): string[] {
    const tables = [...this.temps].filter(([, rows]) => !keepSmall || rows > KEEP_TEMP_ROWS).map(([t]) => t);
    return [...[...this.views].map((v) => `DROP VIEW IF EXISTS temp.${v}`), ...tables.map((t) => `DROP TABLE IF EXISTS temp.${t}`)];
  }

  /** The COMMIT that ran dropStatements() succeeded: nothing is left to drop. */
  dropped(): void {
    this.views.clear();
    this.temps.clear();
  }

  /**
   * Creates (or replaces) a temporary table that outlives the run — state kept from one refresh to
   * the next. In a dry run it is built empty and dropped with the run's own tables.
   */
  async keep(name: string, sql: string): Promise<void> {
    if (this.dryRun) await this.materialize(name, sql);
    else await this.conn.run(`CREATE OR REPLACE TEMP TABLE ${name} AS ${sql}`);
  }

  /** Drops every temporary table the run made. */
  async dispose(): Promise<void> {
    const drops = this.dropStatements(false);
    if (drops.length === 0) return;
    try {
      await this.conn.run(drops.join('; '));
    } catch {
      /* rolled back with an aborted transaction */
    }
    this.views.clear();
    this.temps.clear();
  }
}

export interface Touched {
  table: string;
  width: number;
  /** Per key column, a constant filter on a column reference (empty string: none). */
  prefilters?: ((ref: string) => string)[];
  /** No key column holds NULL (known once the prefilters are computed). */
  noNulls?: boolean;
}

/** `SELECT CAST(_c1 AS t1), …` — rows of `sql` (columns `_c1 …`) as the table's column types. */
export function castToColumns(sql: string, columns: ColumnEntry[]): string {
  const casts = columns.map((col, i) => columnValueSql(c(i), col.type)).join(', ');
  return `SELECT ${casts} FROM (${sql}) AS _r(${columns.map((_, i) => c(i)).join(', ')})`;
}


/**
 * Running aggregate state (see src/sql/dynamic/aggregates.ts): for a top GROUP BY block whose
 * aggregates are SUM / COUNT / COUNT(DISTINCT) / AVG / MIN / MAX / MEDIAN, a running state per group
 * lets a refresh update the touched groups from the changed rows alone, instead of re-reading all
 * rows of every touched group (which, for changes scattered over many groups, is a pass over the
 * whole input). Only a group whose MIN or MAX a removed row held, with no added row reaching it, is
 * still recomputed from its rows.
 *
 * Each group has exactly one stored row (no HAVING: a group with rows is a row), so the state is
 * kept in the dynamic table's own rows, as physical columns after the user columns and the row id and
 * version (`_BACKLOT_STATE_K1`, `_BACKLOT_STATE_N`, …; readers name the user columns, so nobody
 * else sees them). Writing a touched group's new row writes its new state with it: there is no second
 * table to update, which was a fifth of a scattered refresh. The state columns are no row's values:
 * a group whose output did not change but whose state did (rows added and removed) has them set in
 * place, with no new version. A refresh therefore writes the touched groups without reading their
 * stored values: the old row's values are the old state's output (the aggregates kept are exact), the
 * new row's the new state's, and the row to replace is found by its row id.
 *
 * The state is a cache, not data: it can always be rebuilt from the inputs as of the last refresh.
 * The refresh that writes it records, in the table's refresh state (committed with the rows), the
 * table version at which it is exact; any other write of the table (a full refresh, a refresh by
 * another path) clears that. The next incremental refresh then rebuilds it: every group's state as of
 * the previous refresh, set in place in the group's row (found by the group key, which is an output
 * column). A table's first contents are computed this way too, from an empty state with every input
 * row a change (refresh.ts prepareFirstContents), so the state is there from the start.
 * COUNT(DISTINCT) and MEDIAN also keep a count per group and value in a temporary table, so such a
 * table rebuilds after a restart too.
 */
import {
  aggregatePlan,
  CHANGE_OP,
  CHANGE_ROWID,
  changeFromState,
  deltaSelect,
  deltaTerm,
  duckIdent,
  columnValueSql,
  duckTypeOf,
  medianType,
  newColumn,
  oldColumn,
  renderSelect,
  ROW_ID,
  stateColumns,
  T,
  VERSION,
  type AggregatePart,
  type AstNode,
  type Block,
  type SelectBlock,
  type SfType,
} from '../../sql/index.ts';
import { applyChanges, dataTable, type ChangeCounts, type ColumnEntry, type PendingWrite, type StorageConnection, type VersionedTable } from '../../storage/index.ts';
import { derivedTable } from './dt-context.ts';
import { StoredRowsDiffer, type IncrementalRun } from './incremental.ts';

/** Where the refresh keeps an aggregate table's state, and whether it holds for given versions. */
export interface AggregateContext {
  dtId: number;
  /** The dynamic table's data table (`_backlot_data."T42"`); none when validating a definition. */
  stored?: string;
  /**
   * True when the state in the rows is exact for the previous refresh's inputs: the refresh that last
   * wrote the table kept it — and, with `counts`, the value counts beside it are on this connection.
   */
  validFor(counts: boolean): Promise<boolean>;
  /**
   * False: no COUNT(DISTINCT) or MEDIAN, whose per-value counts would be kept on this connection (a
   * table's first contents written on the creating session's): such a query has no state path here.
   */
  valueCounts?: boolean;
}

export interface AggregateWrite {
  kind: 'aggregate';
  /**
   * The state was not valid: every group's state as of the previous refresh is in `temp._bkl_aggb`
   * (with its stored row's id, `_row`), to be set in the stored rows before the change is written.
   */
  rebuild: boolean;
  /** The state columns (lower case). */
  stateColumns: string[];
  /**
   * The change to write, a temporary table in applyChanges' form plus the new state columns. The
   * state knows each group's stored row (its row id and version) and — the state path's aggregates
   * being exact — its values: every touched group's old and new row and what happens to it, with no
   * read of the stored rows (see `addressedRows`).
   */
  changes: string;
  /** Its rows by operation. */
  counted: ChangeCounts;
  /** COUNT(DISTINCT x) and MEDIAN parts: each one's count per group and value (`side`) and its change (`pairs`). */
  valueCounts: ValueCounts[];
}

/**
 * A COUNT(DISTINCT x) or MEDIAN(x) part's state beside the group state: per group and non-null value,
 * how many rows hold it (`_m`). A change adds its signed rows' counts. For COUNT(DISTINCT), a value
 * whose count goes from zero to more adds one to its group's distinct count, and one whose count falls
 * to zero takes one away; a MEDIAN is recomputed, for the touched groups only, from their counts.
 * Counts that fall to zero are kept as zero (updated in place: a deleted row of a temporary table is
 * never reclaimed), so the table grows with the values ever seen, until it is next rebuilt.
 */
interface ValueCounts {
  /** The kept table (temp schema), and this refresh's merged counts of the values the change names. */
  side: string;
  pairs: string;
  keys: string[];
}

/** A COUNT(DISTINCT) or MEDIAN part's kept counts (validation runs with dtId -1 build theirs empty). */
const valueCountsPrefix = (dtId: number): string => `_bkl_dst${dtId < 0 ? 'v' : dtId}_`;
const valueCountsTableName = (dtId: number, index: number): string => `${valueCountsPrefix(dtId)}${index}`;
/** The keys of the groups whose MIN / MAX a refresh recomputed (kept until the next refresh). */
export const lostExtremesTable = (topBlockId: number): string => `_bkl_lost${STATE_ID_BASE + topBlockId}`;
/** A state column's name in the dynamic table's data table (`_n` → `_BACKLOT_STATE_N`). */
export const storedStateColumn = (c: string): string => `_BACKLOT_STATE${c.toUpperCase()}`;
/** The relation of each group's kept state (with `_row` and `_ver`, its row's id and version). */
const AGGB = 'temp._bkl_aggb';

/**
 * The old and new rows side by side over the state, per block and merged-state relation id (blocks
 * are kept per binding; building it takes ms).
 */
const changes = new WeakMap<Block, Map<number, AstNode | undefined>>();
/** The relation holding a refresh's change to write. */
const CHANGES_TABLE = '_bkl_agg_changes';

/**
 * Per refresh connection, the table version each table's COUNT(DISTINCT) / MEDIAN value counts were
 * written at (they are temporary tables: a restart loses them).
 */
const countsAt = new WeakMap<StorageConnection, Map<number, number>>();

/** Argument types MIN / MAX state is kept for. */
const ORDERED_KINDS = new Set(['NUMBER', 'FLOAT', 'VARCHAR', 'DATE', 'TIME', 'TIMESTAMP_NTZ', 'TIMESTAMP_LTZ', 'TIMESTAMP_TZ', 'BOOLEAN']);

/** Block ids of state relations are set apart from the planner's own block numbers. */
const STATE_ID_BASE = 1_000_000;
/**
 * … and those of a merged state that is a view (see prepareAggregate): one per table, so that each
 * table's view is kept from one refresh to the next on the refresh connection.
 */
const viewStateId = (dtId: number, topBlockId: number): number => 10_000_000 + (dtId + 1) * 10_000 + topBlockId;

export async function prepareAggregate(
  run: IncrementalRun,
  top: Block,
  columns: ColumnEntry[],
  positions: number[],
  ctx: AggregateContext,
): Promise<AggregateWrite | undefined> {
  if (top.kind !== 'select') return undefined;
  const plan = aggregatePlan(top);
  if (!plan) return undefined;
  // With removed rows, a MIN / MAX needs the extreme of the added rows (`_m<i>`) and of the removed
  // ones (`_r<i>`) apart; with appends only, every row adds (_sg = 1).
  const removals = plan.hasExtremes && !run.insertOnly;
  // The touched groups' merged state is a view (read once, by the change table) unless some of its
  // groups are recomputed in place: a lost MIN / MAX, a MEDIAN. A view and a table cannot share a
  // name, so the two have different relation ids.
  const recomputed = removals || plan.parts.some((p) => p.kind === 'MEDIAN');
  const stateId = recomputed ? STATE_ID_BASE + top.id : viewStateId(ctx.dtId, top.id);
  // Columns the merged state has besides the state: the old state's, and the stored row's id and
  // version.
  const stateCols = stateColumns(plan);
  const extra = [...stateCols.slice(plan.keys.length).map((c) => `_O${c.slice(1)}`), '_ROW', '_VER'];
  let perId = changes.get(top);
  if (!perId) changes.set(top, (perId = new Map()));
  let change = perId.get(stateId);
  if (change === undefined && !perId.has(stateId)) perId.set(stateId, (change = changeFromState(top, plan, stateId, [...stateCols, ...extra])));
  if (!change) return undefined;
  // Those extremes are only right when every removed row was a row before and every added row is one
  // now. With two changed inputs of a join, the delta rule's terms also hold rows that were neither
  // (an input's new row against another's old image) — once removed, once added, so a SUM or COUNT
  // nets them out but an extreme would take them. Such a change recomputes the touched groups.
  if (removals && top.items.filter((it) => run.itemChanged(it)).length > 1) return undefined;
  // Rows whose WHERE flipped as time moved are more signed rows; a HAVING or QUALIFY on the time
  // changes groups no row names, and an extreme could be taken by a row that was never one.
  const flips = run.timeMoved(top);
  if (flips && (top.time!.grouped || plan.hasExtremes)) return undefined;

  const select = deltaSelect(plan);
  const terms: { sql: string; sign: number }[] = [];
  let probe: { type: SfType | undefined }[] | undefined;
  for (const it of top.items) {
    if (!run.itemChanged(it)) continue;
    for (const image of ['DOLD', 'DNEW'] as const) {
      const t = run.translate(deltaTerm(top, it.index, image, select, true));
      probe ??= t.columns;
      terms.push({ sql: t.sql, sign: image === 'DOLD' ? -1 : 1 });
    }
  }
  if (flips) {
    for (const [flip, sign] of [['LEAVE', -1], ['ENTER', 1]] as const) {
      const t = run.translate(renderSelect(top, run.asWas, { select, rowsOnly: true, flip }));
      probe ??= t.columns;
      terms.push({ sql: t.sql, sign });
    }
  }
  if (!probe) return undefined;
  const nk = plan.keys.length;
  const keyTypes = probe.slice(0, nk).map((c) => c.type);
  const sumTypes = new Map<number, SfType>();
  // Types of the `_m<i>` state columns: an extreme's argument type, a median's own type.
  const mTypes = new Map<number, SfType | undefined>();
  for (const p of plan.parts) {
    if (p.kind === 'MIN' || p.kind === 'MAX') {
      // Scalars whose order DuckDB's comparison gives as Snowflake's MIN/MAX does.
      const t = probe[nk + p.index - 1]?.type;
      if (!t || !ORDERED_KINDS.has(t.kind)) return undefined;
      mTypes.set(p.index, t);
    }
    if (p.kind === 'DISTINCT') {
      // Values whose equality in DuckDB is Snowflake's (no floating-point or semi-structured values).
      const t = probe[nk + p.index - 1]?.type;
      if (!t || !ORDERED_KINDS.has(t.kind)) return undefined;
    }
    if (p.kind === 'MEDIAN') {
      // Numbers only; the state holds the median at its own type (NUMBER(p + 3, s + 3), or FLOAT).
      const t = probe[nk + p.index - 1]?.type;
      if (!t || (t.kind !== 'NUMBER' && t.kind !== 'FLOAT')) return undefined;
      mTypes.set(p.index, medianType(t) ?? t);
    }
    if (p.kind !== 'SUM' && p.kind !== 'AVG') continue;
    // Sums of fixed-point numbers only: floating-point sums depend on the order of addition.
    const t = probe[nk + p.index - 1]?.type;
    if (!t || t.kind !== 'NUMBER') return undefined;
    sumTypes.set(p.index, T.number(38, t.scale));
  }

  const keys = plan.keys.map((_, i) => `_k${i + 1}`);
  const names = [...keys, ...plan.parts.map((p) => `_a${p.index}`)].join(', ');
  const extremes = plan.parts.filter((p) => p.kind === 'MIN' || p.kind === 'MAX');
  // `whole`: every row is there once (a rebuild), so COUNT(DISTINCT) is counted directly; in a delta
  // its change comes from the per-value counts (see distinctDelta) and is left 0 here.
  const aggregateOf = (rows: string, withRemovals: boolean, whole = false): string => {
    const parts: string[] = [];
    for (const p of plan.parts) {
      const a = `_a${p.index}`;
      if (p.kind === 'DISTINCT') {
        parts.push(whole ? `CAST(count(DISTINCT ${a}) AS BIGINT) AS _c${p.index}` : `CAST(0 AS BIGINT) AS _c${p.index}`);
        continue;
      }
      if (p.kind === 'MEDIAN') {
        parts.push(whole ? `${medianOf(a, mTypes.get(p.index)!)} AS _m${p.index}` : `CAST(NULL AS ${duckTypeOf(mTypes.get(p.index)!)}) AS _m${p.index}`);
        continue;
      }
      if (p.kind === 'SUM' || p.kind === 'AVG') parts.push(`CAST(coalesce(sum(_sg * ${a}), 0) AS ${duckTypeOf(sumTypes.get(p.index)!)}) AS _s${p.index}`);
      if (p.kind === 'MIN' || p.kind === 'MAX') {
        const fn = p.kind.toLowerCase();
        if (!withRemovals) parts.push(`${fn}(${a}) AS _m${p.index}`);
        else parts.push(`${fn}(${a}) FILTER (WHERE _sg = 1) AS _m${p.index}`, `${fn}(${a}) FILTER (WHERE _sg = -1) AS _r${p.index}`);
      } else parts.push(`CAST(sum(CASE WHEN ${a} IS NOT NULL THEN _sg ELSE 0 END) AS BIGINT) AS _c${p.index}`);
    }
    return `SELECT ${keys.join(', ')}, CAST(sum(_sg) AS BIGINT) AS _n${parts.map((x) => `, ${x}`).join('')} FROM (${rows}) GROUP BY ${keys.join(', ')}`;
  };
  const signed = (t: { sql: string; sign: number }) => `SELECT *, ${t.sign} AS _sg FROM (${t.sql}) AS _t(${names})`;
  const changedRows = terms.map(signed).join(' UNION ALL ');
  // The per-group delta of the changed rows (aggregated inside the merge below, not stored).
  let delta = aggregateOf(changedRows, removals);

  // The state as of the previous refresh: kept, or rebuilt from the inputs at that version.
  const counted = plan.parts.filter((p) => p.kind === 'DISTINCT' || p.kind === 'MEDIAN');
  if (counted.length > 0 && ctx.valueCounts === false) return undefined;
  const rebuild = !(await ctx.validFor(counted.length > 0));
  if (rebuild) {
    const old = run.translate(renderSelect(top, () => 'OLD', { select, rowsOnly: true })).sql;
    const all = aggregateOf(signed({ sql: old, sign: 1 }), false, true);
    // Each group's stored row, found by the group key (output columns `positions`, in key order).
    const nul = 'CAST(NULL AS BIGINT)';
    const on = keys.map((k, i) => `_t.${duckIdent(columns[positions[i]].name)} IS NOT DISTINCT FROM _b.${k}`).join(' AND ');
    const rows = ctx.stored
      ? `SELECT _b.*, _t.${duckIdent(ROW_ID)} AS _row, _t.${duckIdent(VERSION)} AS _ver FROM (${all}) AS _b LEFT JOIN ${ctx.stored} AS _t ON ${on}`
      : `SELECT *, ${nul} AS _row, ${nul} AS _ver FROM (${all})`;
    const groups = await run.materialize('_bkl_aggb', rows);
    // Every group has exactly one stored row and every row a group: the stored rows are the old
    // state's output. Anything else (rows written by hand in a broken data directory) recomputes.
    if (ctx.stored) {
      const r = await run.query(`SELECT count(_row), count(DISTINCT _row), (SELECT count(*) FROM ${ctx.stored}) FROM ${AGGB}`);
      if (r[0].some((v) => Number(v) !== groups)) throw new StoredRowsDiffer();
    }
    for (const p of counted) {
      const a = `_a${p.index}`;
      await run.keep(
        valueCountsTableName(ctx.dtId, p.index),
        `SELECT ${keys.join(', ')}, ${a} AS _v, CAST(count(*) AS BIGINT) AS _m FROM (${old}) AS _t(${names}) WHERE ${a} IS NOT NULL GROUP BY ${keys.join(', ')}, ${a}`,
      );
    }
  }
  const valueCounts: ValueCounts[] = [];
  const medians: [AggregatePart, ValueCounts][] = [];
  for (const p of counted) {
    const d = await mergeValueCounts(run, ctx.dtId, p, keys, changedRows);
    valueCounts.push(d);
    if (p.kind === 'DISTINCT') delta = distinctDelta(delta, d, p, keys);
    else medians.push([p, d]);
  }
  // The touched groups' new state (`_N`, `_S<i>`, `_C<i>` after the keys): old state plus the delta.
  const cols = stateCols.map((c) => c.toLowerCase());
  const source = rebuild
    ? AGGB
    : `(SELECT ${cols.map((c) => `${duckIdent(storedStateColumn(c))} AS ${c}`).join(', ')}, ${duckIdent(ROW_ID)} AS _row, ${duckIdent(VERSION)} AS _ver FROM ${ctx.stored})`;
  const stateType = (c: string): SfType | undefined =>
    c.startsWith('_s') ? sumTypes.get(Number(c.slice(2)))! : c.startsWith('_m') ? mTypes.get(Number(c.slice(2))) : T.number(18, 0);
  const merged = derivedTable(stateId, 'dnew');
  // A group's extreme is lost when a removed row held it (the state is exact, so no removed row
  // beats it) and no added row reaches it: its new extreme is among rows the change did not name.
  const lost = (p: AggregatePart): string => {
    const [m, r] = [`_m${p.index}`, `_r${p.index}`];
    return `(s.${m} IS NOT NULL AND d.${r} = s.${m} AND (d.${m} IS NULL OR NOT (d.${m} ${p.kind === 'MAX' ? '>=' : '<='} s.${m})))`;
  };
  const combine = (c: string): string => {
    if (!c.startsWith('_m')) return `CAST(coalesce(s.${c}, 0) + d.${c} AS ${duckTypeOf(stateType(c)!)}) AS ${c}`;
    const part = plan.parts.find((p) => p.index === Number(c.slice(2)))!;
    // A MEDIAN is recomputed below from the touched groups' value counts.
    if (part.kind === 'MEDIAN') return `CAST(NULL AS ${duckTypeOf(stateType(c)!)}) AS ${c}`;
    const better = part.kind === 'MAX' ? '>' : '<';
    const merge = `CASE WHEN s.${c} IS NULL THEN d.${c} WHEN d.${c} IS NULL THEN s.${c} WHEN d.${c} ${better} s.${c} THEN d.${c} ELSE s.${c} END`;
    // A lost extreme is left NULL here and recomputed below.
    return removals ? `CASE WHEN ${lost(part)} THEN NULL ELSE ${merge} END AS ${c}` : `${merge} AS ${c}`;
  };
  const sums = cols.slice(nk).map(combine);
  // Beside the new state: the old one (`_o…`) and the stored row's id and version.
  const olds = cols.slice(nk).map((c) => `s.${c} AS _o${c.slice(1)}`);
  // With removals, a last column `_lost`: some extreme of a group that still has rows was lost.
  // (The relation declared to the translator below leaves it out; only the recompute reads it.)
  const lostColumn = removals ? `, coalesce(s._n, 0) + d._n > 0 AND (${extremes.map(lost).join(' OR ')}) AS _lost` : '';
  const list = `${keys.map((k) => `d.${k}`).join(', ')}, ${sums.join(', ')}, ${olds.join(', ')}, s._row, s._ver${lostColumn}`;
  const mergedSql = joinKept(delta, source, keys, list, '', false);
  if (recomputed) {
    await run.materialize(merged, mergedSql);
    if (removals) await recomputeLostExtremes(run, top, select, stateId, keys, extremes);
    for (const [p, counts] of medians) await recomputeMedians(run, merged, keys, p, counts, mTypes.get(p.index)!);
  } else await run.view(merged, mergedSql);
  const bigint = T.number(18, 0);
  run.plan.derivedColumns.set(stateId, [...stateCols, ...extra]);
  run.plan.derivedTypes.set(stateId, [...keyTypes, ...cols.slice(nk).map(stateType), ...cols.slice(nk).map(stateType), bigint, bigint]);
  // Materialised once, before the write transaction: the write's statements (counts, history,
  // deletes, rows) then each plan a scan of a small table instead of this query.
  const addressed = addressedRows(run.translate(change).sql, columns, [...stateCols, ...extra].map((c) => c.toLowerCase()));
  const op = duckIdent(CHANGE_OP);
  const ops = ['I', 'U', 'D', 'S'].map((o) => `count(*) FILTER (WHERE ${op} = '${o}')`).join(', ');
  const n = (await run.materialize(CHANGES_TABLE, changeTable(addressed, columns.length, cols), '', `SELECT ${ops} FROM temp.${CHANGES_TABLE}`)).map(Number);
  const byOp = { inserted: n[0], updated: n[1], deleted: n[2], same: n[3] };
  return { kind: 'aggregate', rebuild, stateColumns: cols, changes: `temp.${CHANGES_TABLE}`, counted: byOp, valueCounts };
}

/** DuckDB's median of `value`, as MEDIAN is translated: a NUMBER cast to the median's own scale first. */
function medianOf(value: string, type: SfType): string {
  return type.kind === 'NUMBER' ? `median(CAST(${value} AS ${duckTypeOf(type)}))` : `median(${value})`;
}

/**
 * Every touched group's MEDIAN from its value counts as they are after the change: the kept counts
 * of its values, the change's new counts in their place, and the values new to it.
 */
async function recomputeMedians(run: IncrementalRun, merged: string, keys: string[], p: AggregatePart, counts: ValueCounts, type: SfType): Promise<void> {
  const target = `temp.${merged}`;
  // The touched groups' kept counts (joined with `=` on keys without NULLs, so DuckDB skips the rest
  // of the kept table by the touched keys' bounds), the change's counts in their place, and the
  // values new to their group.
  const someNull = keys.map((k) => `${k} IS NULL`).join(' OR ');
  const kept = (where: string, on: string) =>
    `SELECT ${keys.map((k) => `_s.${k}`).join(', ')}, _s._v, coalesce(_p._m, _s._m) AS _m FROM (SELECT ${keys.join(', ')} FROM ${target} WHERE ${where}) AS _d ` +
    `JOIN ${counts.side} AS _s ON ${keys.map((k) => `_s.${k} ${on} _d.${k}`).join(' AND ')} LEFT JOIN ${counts.pairs} AS _p ON _p._srid = _s.rowid`;
  const now =
    `${kept(`NOT (${someNull})`, '=')} UNION ALL ${kept(someNull, 'IS NOT DISTINCT FROM')} ` +
    `UNION ALL SELECT ${keys.join(', ')}, _v, _m FROM ${counts.pairs} WHERE _srid IS NULL`;
  // Each value repeated as many times as rows hold it, so DuckDB's own median gives exactly what the
  // query does. (Picking the one or two middle values by running counts instead sorted more slowly.)
  const ks = keys.join(', ');
  const medians = `SELECT ${ks}, ${medianOf('_v', type)} AS _med FROM (SELECT ${ks}, _v, unnest(range(_m)) AS _r FROM (${now}) WHERE _m > 0) GROUP BY ${ks}`;
  const same = keys.map((k) => `${target}.${k} IS NOT DISTINCT FROM _g.${k}`).join(' AND ');
  await run.execute(`UPDATE ${target} SET _m${p.index} = _g._med FROM (${medians}) AS _g WHERE ${same}`);
}

/**
 * A COUNT(DISTINCT) part's kept counts of the values the change names, merged with the change's
 * signed rows: each value's count before (`_om`) and after (`_m`), and its row in the kept table
 * (`_srid`, NULL for a value the group never had). Values whose count did not move are left out.
 */
async function mergeValueCounts(run: IncrementalRun, dtId: number, p: AggregatePart, keys: string[], changedRows: string): Promise<ValueCounts> {
  const side = `temp.${valueCountsTableName(dtId, p.index)}`;
  const pairs = `_bkl_dstm_${p.index}`;
  const a = `_a${p.index}`;
  const byValue = `SELECT ${keys.join(', ')}, ${a} AS _v, CAST(sum(_sg) AS BIGINT) AS _dm FROM (${changedRows}) WHERE ${a} IS NOT NULL GROUP BY ${keys.join(', ')}, ${a} HAVING sum(_sg) <> 0`;
  const list = `${keys.map((k) => `d.${k}`).join(', ')}, d._v, coalesce(s._m, 0) AS _om, coalesce(s._m, 0) + d._dm AS _m, s._rid AS _srid`;
  await run.materialize(pairs, joinKept(byValue, side, keys, list, ' AND s._v = d._v'));
  return { side, pairs: `temp.${pairs}`, keys };
}

/**
 * The rows of `rows` (aliased `d`) LEFT JOINed by the group keys with a kept relation (aliased `s`,
 * with its rowid as `_rid` when `rid`: `kept` is then a table), selecting `list`. Groups are matched
 * with `=` — which lets DuckDB pass the touched keys' bounds to the kept table's scan and skip the
 * rest (IS NOT DISTINCT FROM does not) — and groups with a NULL key apart. `also` adds to both join
 * conditions.
 */
function joinKept(rows: string, kept: string, keys: string[], list: string, also = '', rid = true): string {
  const someNull = keys.map((k) => `${k} IS NULL`).join(' OR ');
  const on = (op: string) => keys.map((k) => `s.${k} ${op} d.${k}`).join(' AND ') + also;
  const s = rid ? '*, rowid AS _rid' : '*';
  return (
    `WITH _d AS MATERIALIZED (${rows}) ` +
    `SELECT ${list} FROM (SELECT * FROM _d WHERE NOT (${someNull})) d LEFT JOIN (SELECT ${s} FROM ${kept}) s ON ${on('=')} ` +
    `UNION ALL SELECT ${list} FROM (SELECT * FROM _d WHERE ${someNull}) d LEFT JOIN (SELECT ${s} FROM ${kept} WHERE ${someNull}) s ON ${on('IS NOT DISTINCT FROM')}`
  );
}

/** The per-group delta with a COUNT(DISTINCT) part's change: values that appeared less those that went. */
function distinctDelta(delta: string, d: ValueCounts, p: AggregatePart, keys: string[]): string {
  const moved = `CASE WHEN _m > 0 AND _om <= 0 THEN 1 WHEN _m <= 0 AND _om > 0 THEN -1 ELSE 0 END`;
  const perGroup = `SELECT ${keys.join(', ')}, CAST(sum(${moved}) AS BIGINT) AS _dc FROM ${d.pairs} GROUP BY ${keys.join(', ')}`;
  const on = keys.map((k) => `_y.${k} IS NOT DISTINCT FROM _x.${k}`).join(' AND ');
  return `SELECT _x.* REPLACE (CAST(coalesce(_y._dc, 0) AS BIGINT) AS _c${p.index}) FROM (${delta}) AS _x LEFT JOIN (${perGroup}) AS _y ON ${on}`;
}

/**
 * Inside the refresh's write transaction, after the rows were written: the COUNT(DISTINCT) parts'
 * kept counts brought to the refresh's versions — counts in place (zeros too), new values added.
 */
export async function updateValueCounts(conn: StorageConnection, prepared: AggregateWrite): Promise<void> {
  const steps = prepared.valueCounts.flatMap((d) => [
    `UPDATE ${d.side} SET _m = _p._m FROM ${d.pairs} AS _p WHERE _p._srid IS NOT NULL AND ${d.side}.rowid = _p._srid`,
    `INSERT INTO ${d.side} SELECT ${d.keys.join(', ')}, _v, _m FROM ${d.pairs} WHERE _srid IS NULL AND _m > 0`,
  ]);
  if (steps.length > 0) await conn.run(steps.join(';\n'));
}

/**
 * The groups of the merged state `derivedTable(stateId, 'dnew')` whose MIN / MAX extreme a removed
 * row took (`_lost`): their extremes recomputed from their rows at the new versions, found through
 * the touched-key filter a keyed recompute uses. Changes that leave every group's extreme held (or
 * beaten by an added row) recompute nothing.
 */
async function recomputeLostExtremes(run: IncrementalRun, top: SelectBlock, select: AstNode[], stateId: number, keys: string[], extremes: AggregatePart[]): Promise<void> {
  const merged = derivedTable(stateId, 'dnew');
  const table = lostExtremesTable(top.id);
  const count = await run.materialize(table, `SELECT ${keys.join(', ')} FROM temp.${merged} WHERE _lost`);
  if (count === 0) return;
  const touched = { table, width: keys.length };
  await run.prefilter(touched);
  const args = extremes.map((p) => `_a${p.index}`);
  const names = [...keys, ...args];
  const rows = run.translate(renderSelect(top, () => 'NEW', { select, rowsOnly: true })).sql;
  const extreme = extremes.map((p) => `${p.kind.toLowerCase()}(_a${p.index}) AS _m${p.index}`);
  // Every argument of the block is in the rows' select list; only the extremes' are named here.
  const all = [...keys, ...Array.from({ length: select.length - keys.length }, (_, i) => `_a${i + 1}`)];
  const recomputed =
    `SELECT ${keys.join(', ')}, ${extreme.join(', ')} FROM (SELECT ${names.join(', ')} FROM (${rows}) AS _q(${all.join(', ')}) ` +
    `WHERE ${run.keyFilter(touched, keys.map((k) => `_q.${k}`))}) GROUP BY ${keys.join(', ')}`;
  const target = `temp.${merged}`;
  const sameKey = keys.map((k) => `${target}.${k} IS NOT DISTINCT FROM _g.${k}`).join(' AND ');
  await run.execute(
    `UPDATE ${target} SET ${extremes.map((p) => `_m${p.index} = _g._m${p.index}`).join(', ')} FROM (${recomputed}) AS _g WHERE ${target}._lost AND ${sameKey}`,
  );
}

/**
 * Per touched group: the new row's values (`_x<i>`, cast to the table's columns), the old row's
 * (`_y<i>`), the merged state's columns, and `_op` — 'I' (no stored row, the group has rows now),
 * 'D' (a stored row, no rows left), 'U' (values changed), 'S' (same values), NULL (neither).
 * Old values come from the old state: the state path's aggregates (fixed-point sums, counts,
 * extremes) are exact, so they are what the stored row holds.
 */
function addressedRows(sql: string, columns: ColumnEntry[], merged: string[]): string {
  const n = columns.length;
  const xs = columns.map((_, i) => `_x${i + 1}`);
  const ys = columns.map((_, i) => `_y${i + 1}`);
  // The new values are written (so checked as a column's values are); the old ones were.
  const cast = (a: string, i: number) => `CAST(${a} AS ${duckTypeOf(columns[i].type)}) AS ${a}`;
  const written = (a: string, i: number) => `${columnValueSql(a, columns[i].type)} AS ${a}`;
  const same = n === 0 ? 'true' : xs.map((x, i) => `${x} IS NOT DISTINCT FROM ${ys[i]}`).join(' AND ');
  const op = `CASE WHEN _row IS NULL THEN CASE WHEN _n > 0 THEN 'I' END WHEN _n <= 0 THEN 'D' WHEN ${same} THEN 'S' ELSE 'U' END`;
  const typed = `SELECT ${xs.map(written).join(', ')}, ${ys.map(cast).join(', ')}, ${merged.join(', ')} FROM (${sql}) AS _r(${[...xs, ...ys, ...merged].join(', ')})`;
  return `SELECT *, ${op} AS _op FROM (${typed})`;
}

/**
 * `addressedRows` as a change table for applyChanges, with the new state columns: stored rows named
 * by row id, not rowid (a new group's row gets its id when it is written).
 */
function changeTable(addressed: string, width: number, stateColumns: string[]): string {
  const olds = Array.from({ length: width }, (_, i) => `_y${i + 1} AS ${duckIdent(oldColumn(i + 1))}`);
  const news = Array.from({ length: width }, (_, i) => `_x${i + 1} AS ${duckIdent(newColumn(i + 1))}`);
  return (
    `SELECT CAST(NULL AS BIGINT) AS ${duckIdent(CHANGE_ROWID)}, _op AS ${duckIdent(CHANGE_OP)}, ` +
    `_row AS ${duckIdent(ROW_ID)}, _ver AS ${duckIdent(VERSION)}, ${[...olds, ...news, ...stateColumns].join(', ')} ` +
    `FROM (${addressed}) WHERE _op IS NOT NULL`
  );
}

/**
 * Inside the refresh's write transaction: the touched groups' rows written with their new state by
 * row id (no read of the stored rows), after — when the state was rebuilt — every group's state as
 * of the previous refresh was set in its stored row; then the COUNT(DISTINCT) and MEDIAN counts.
 */
export async function writeAggregate(conn: StorageConnection, t: VersionedTable, prepared: AggregateWrite, w: PendingWrite): Promise<ChangeCounts> {
  const stored = dataTable(t);
  const columns = prepared.stateColumns.map(storedStateColumn);
  if (prepared.rebuild) {
    await ensureStateColumns(conn, stored, prepared.stateColumns);
    const set = columns.map((c, i) => `${duckIdent(c)} = _b.${prepared.stateColumns[i]}`).join(', ');
    await conn.run(`UPDATE ${stored} SET ${set} FROM ${AGGB} AS _b WHERE ${stored}.${duckIdent(ROW_ID)} = _b._row`);
  }
  const counts = await applyChanges(conn, t, prepared.changes, w, {
    unique: true,
    counted: prepared.counted,
    byRowId: true,
    extra: { columns, values: prepared.stateColumns },
  });
  await updateValueCounts(conn, prepared);
  return counts;
}

/**
 * Gives the data table the state columns `temp._bkl_aggb` has, with its types: a table written
 * before (or by another definition of the table) has none, or others, which are dropped.
 */
async function ensureStateColumns(conn: StorageConnection, stored: string, stateColumns: string[]): Promise<void> {
  const typeOf = async (table: string) => new Map((await conn.query(`DESCRIBE ${table}`)).rows.map((r) => [String(r[0]), String(r[1])]));
  const want = await typeOf(AGGB);
  const have = await typeOf(stored);
  const steps: string[] = [];
  const wanted = new Map(stateColumns.map((c) => [storedStateColumn(c), want.get(c)!]));
  for (const [name, type] of have) {
    if (name.startsWith(storedStateColumn('')) && wanted.get(name) !== type) steps.push(`ALTER TABLE ${stored} DROP COLUMN ${duckIdent(name)}`);
  }
  for (const [name, type] of wanted) {
    if (have.get(name) !== type) steps.push(`ALTER TABLE ${stored} ADD COLUMN ${duckIdent(name)} ${type}`);
  }
  if (steps.length > 0) await conn.run(steps.join(';\n'));
}

/** After the refresh that wrote the state committed: the table version its value counts are for. */
export function aggregateCountsWritten(conn: StorageConnection, dtId: number, tableVersion: number): void {
  let tables = countsAt.get(conn);
  if (!tables) countsAt.set(conn, (tables = new Map()));
  tables.set(dtId, tableVersion);
}

/** Whether this connection holds a table's value counts as of `tableVersion`. */
export function aggregateCountsKept(conn: StorageConnection, dtId: number, tableVersion: number): boolean {
  return countsAt.get(conn)?.get(dtId) === tableVersion;
}

/**
 * Forgets a table's value counts (the table was dropped for good, or replaced). The state columns go
 * with the table's rows.
 */
export async function dropAggregateState(conn: StorageConnection, dtId: number): Promise<void> {
  countsAt.get(conn)?.delete(dtId);
  const sides = await conn.query(`SELECT table_name FROM duckdb_tables() WHERE temporary AND starts_with(table_name, '${valueCountsPrefix(dtId)}')`);
  if (sides.rows.length > 0) await conn.run(sides.rows.map((r) => `DROP TABLE IF EXISTS temp.${String(r[0])}`).join('; '));
}

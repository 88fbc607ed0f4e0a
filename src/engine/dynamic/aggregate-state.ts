/**
 * Running aggregate state (see src/sql/dynamic/aggregates.ts): for a top GROUP BY block whose
 * aggregates are SUM / COUNT (and MIN / MAX while the changes are appends), a per-group state table
 * lets a refresh update the touched groups from the changed rows alone, instead of re-reading all rows
 * of every touched group (which, for changes scattered over many groups, is a pass over the whole
 * input).
 *
 * The state is a cache, not data: it can always be rebuilt from the inputs as of the last refresh.
 * So it lives in memory — a temporary table on the refresh connection, written in the refresh's
 * transaction (DuckDB rolls temporary tables back with it) but never to the write-ahead log — and the
 * input versions it is valid for are kept beside it, per connection, once the refresh has committed.
 * After a restart (or a full refresh, which leaves it behind) the first incremental refresh rebuilds
 * it once.
 */
import { aggregatePlan, deltaSelect, deltaTerm, duckIdent, duckTypeOf, outputFromState, renderSelect, stateColumns, T, type AstNode, type Block, type SfType } from '../../sql/index.ts';
import type { ColumnEntry, StorageConnection } from '../../storage/index.ts';
import { derivedTable } from './dt-context.ts';
import { castToColumns, type IncrementalRun } from './incremental.ts';

/** Where the refresh keeps an aggregate table's state, and whether it holds for given versions. */
export interface AggregateContext {
  dtId: number;
  /** True when the state recorded at `versions` is still exact for the previous refresh's inputs. */
  validFor(versions: Map<number, number>): Promise<boolean>;
}

export interface AggregateWrite {
  kind: 'aggregate';
  /** The stored rows of the touched groups. */
  storedWhere: string;
  /** Output positions of the group key columns (unique per row). */
  positions: number[];
  rebuild: boolean;
  merged: string;
  /** The state table's columns (the merged table has them, then `_srid`). */
  stateColumns: string[];
  /** The touched groups' new rows (a query over the merged state, read once by the write). */
  next: string;
}

const stateTableName = (dtId: number): string => `_bkl_agg_${dtId}`;
export const aggregateStateTable = (dtId: number): string => `temp.${stateTableName(dtId)}`;

/** The output query over the state, per block (blocks are kept per binding; building it takes ms). */
const outputs = new WeakMap<Block, AstNode | undefined>();

/** Per refresh connection, the input versions each table's state is valid for. */
const validAt = new WeakMap<StorageConnection, Map<number, Map<number, number>>>();

/** Argument types MIN / MAX state is kept for. */
const ORDERED_KINDS = new Set(['NUMBER', 'FLOAT', 'VARCHAR', 'DATE', 'TIME', 'TIMESTAMP_NTZ', 'TIMESTAMP_LTZ', 'TIMESTAMP_TZ', 'BOOLEAN']);

/** Block ids of state relations are set apart from the planner's own block numbers. */
const STATE_ID_BASE = 1_000_000;

export async function prepareAggregate(
  run: IncrementalRun,
  top: Block,
  columns: ColumnEntry[],
  positions: number[],
  ctx: AggregateContext,
): Promise<AggregateWrite | undefined> {
  if (top.kind !== 'select') return undefined;
  const plan = aggregatePlan(top);
  if (!plan || (plan.appendsOnly && !run.insertOnly)) return undefined;
  const stateId = STATE_ID_BASE + top.id;
  let output = outputs.get(top);
  if (output === undefined && !outputs.has(top)) outputs.set(top, (output = outputFromState(top, plan, stateId)));
  if (!output) return undefined;

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
  if (!probe) return undefined;
  const nk = plan.keys.length;
  const keyTypes = probe.slice(0, nk).map((c) => c.type);
  const sumTypes = new Map<number, SfType>();
  const extremeTypes = new Map<number, SfType | undefined>();
  for (const p of plan.parts) {
    if (p.kind === 'MIN' || p.kind === 'MAX') {
      // Scalars whose order DuckDB's comparison gives as Snowflake's MIN/MAX does.
      const t = probe[nk + p.index - 1]?.type;
      if (!t || !ORDERED_KINDS.has(t.kind)) return undefined;
      extremeTypes.set(p.index, t);
    }
    if (p.kind !== 'SUM') continue;
    // Sums of fixed-point numbers only: floating-point sums depend on the order of addition.
    const t = probe[nk + p.index - 1]?.type;
    if (!t || t.kind !== 'NUMBER') return undefined;
    sumTypes.set(p.index, T.number(38, t.scale));
  }

  const keys = plan.keys.map((_, i) => `_k${i + 1}`);
  const names = [...keys, ...plan.parts.map((p) => `_a${p.index}`)].join(', ');
  const aggregateOf = (rows: string): string => {
    const parts: string[] = [];
    for (const p of plan.parts) {
      const a = `_a${p.index}`;
      if (p.kind === 'SUM') parts.push(`CAST(coalesce(sum(_sg * ${a}), 0) AS ${duckTypeOf(sumTypes.get(p.index)!)}) AS _s${p.index}`);
      // Appends only: every row adds (_sg = 1), so the group's extreme is the extreme of old and new.
      if (p.kind === 'MIN' || p.kind === 'MAX') parts.push(`${p.kind.toLowerCase()}(${a}) AS _m${p.index}`);
      else parts.push(`CAST(sum(CASE WHEN ${a} IS NOT NULL THEN _sg ELSE 0 END) AS BIGINT) AS _c${p.index}`);
    }
    return `SELECT ${keys.join(', ')}, CAST(sum(_sg) AS BIGINT) AS _n${parts.map((x) => `, ${x}`).join('')} FROM (${rows}) GROUP BY ${keys.join(', ')}`;
  };
  const signed = (t: { sql: string; sign: number }) => `SELECT *, ${t.sign} AS _sg FROM (${t.sql}) AS _t(${names})`;
  // The per-group delta of the changed rows (aggregated inside the merge below, not stored).
  const delta = aggregateOf(terms.map(signed).join(' UNION ALL '));

  // The state as of the previous refresh: kept, or rebuilt from the inputs at that version.
  const rebuild = !(await ctx.validFor(run.plan.oldVersions));
  if (rebuild) {
    const old = run.translate(renderSelect(top, () => 'OLD', { select, rowsOnly: true })).sql;
    await run.materialize('_bkl_aggb', aggregateOf(signed({ sql: old, sign: 1 })));
  }
  // The touched groups' new state (`_N`, `_S<i>`, `_C<i>` after the keys): old state plus the delta.
  const source = rebuild ? 'temp._bkl_aggb' : aggregateStateTable(ctx.dtId);
  const cols = stateColumns(plan).map((c) => c.toLowerCase());
  const stateType = (c: string): SfType | undefined =>
    c.startsWith('_s') ? sumTypes.get(Number(c.slice(2)))! : c.startsWith('_m') ? extremeTypes.get(Number(c.slice(2))) : T.number(18, 0);
  const merged = derivedTable(stateId, 'dnew');
  const combine = (c: string): string => {
    if (!c.startsWith('_m')) return `CAST(coalesce(s.${c}, 0) + d.${c} AS ${duckTypeOf(stateType(c)!)}) AS ${c}`;
    const part = plan.parts.find((p) => p.index === Number(c.slice(2)))!;
    const better = part.kind === 'MAX' ? '>' : '<';
    return `CASE WHEN s.${c} IS NULL THEN d.${c} WHEN d.${c} IS NULL THEN s.${c} WHEN d.${c} ${better} s.${c} THEN d.${c} ELSE s.${c} END AS ${c}`;
  };
  const sums = cols.slice(nk).map(combine);
  const on = keys.map((k) => `s.${k} IS NOT DISTINCT FROM d.${k}`).join(' AND ');
  // With the kept state, each touched group's state row is remembered by its rowid (`_srid`): only
  // this connection writes the temporary state table, so the rowid still names that row when the
  // write deletes it — no second join on the keys.
  const srid = rebuild ? 'CAST(NULL AS BIGINT)' : 's.rowid';
  await run.materialize(merged, `SELECT ${keys.map((k) => `d.${k}`).join(', ')}, ${sums.join(', ')}, ${srid} AS _srid FROM (${delta}) d LEFT JOIN ${source} s ON ${on}`);
  run.plan.derivedColumns.set(stateId, stateColumns(plan));
  run.plan.derivedTypes.set(stateId, [...keyTypes, ...cols.slice(nk).map(stateType)]);

  const next = castToColumns(run.translate(output).sql, columns);
  // The merged state has a row for every touched group (its key columns lead).
  const touched = { table: merged, width: nk };
  // No constant prefilter: the stored table is the (small) output, and DuckDB hands the touched
  // keys' bounds from the semi join's build side to the scan itself.
  const storedWhere = run.keyFilter(
    touched,
    positions.map((p) => duckIdent(columns[p].name)),
  );
  return { kind: 'aggregate', storedWhere, positions, rebuild, merged, stateColumns: cols, next };
}

/** Inside the refresh's write transaction: brings the state table to the refresh's versions. */
export async function writeAggregateState(conn: StorageConnection, dtId: number, prepared: AggregateWrite): Promise<void> {
  const table = aggregateStateTable(dtId);
  const on = Array.from({ length: prepared.positions.length }, (_, i) => `s._k${i + 1} IS NOT DISTINCT FROM d._k${i + 1}`).join(' AND ');
  const remove = prepared.rebuild
    ? `CREATE OR REPLACE TEMP TABLE ${stateTableName(dtId)} AS SELECT * FROM temp._bkl_aggb; ` +
      `DELETE FROM ${table} WHERE rowid IN (SELECT s.rowid FROM ${table} s JOIN temp.${prepared.merged} d ON ${on})`
    : `DELETE FROM ${table} WHERE rowid IN (SELECT _srid FROM temp.${prepared.merged} WHERE _srid IS NOT NULL)`;
  const cols = prepared.stateColumns.join(', ');
  await conn.run(`${remove}; INSERT INTO ${table} (${cols}) SELECT ${cols} FROM temp.${prepared.merged} WHERE _n <> 0`);
}

/** After the refresh that wrote the state committed: the versions it is valid for. */
export function aggregateStateWritten(conn: StorageConnection, dtId: number, versions: Map<number, number>): void {
  let tables = validAt.get(conn);
  if (!tables) validAt.set(conn, (tables = new Map()));
  tables.set(dtId, new Map(versions));
}

/** The versions a table's state on this connection is valid for, if it has one. */
export function aggregateStateVersions(conn: StorageConnection, dtId: number): Map<number, number> | undefined {
  return validAt.get(conn)?.get(dtId);
}

/** Forgets a table's state (the table was dropped for good, or replaced). */
export async function dropAggregateState(conn: StorageConnection, dtId: number): Promise<void> {
  validAt.get(conn)?.delete(dtId);
  await conn.run(`DROP TABLE IF EXISTS ${aggregateStateTable(dtId)}`);
}

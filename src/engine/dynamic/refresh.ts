/**
 * One refresh of one dynamic table at a data version (semantics §3.4–3.6):
 *
 * - NO_DATA when no input changed since the versions its contents reflect;
 * - a full refresh (FULL mode, the first refresh, inputs replaced or altered — REINITIALIZE — or, in
 *   ADAPTIVE mode, a change too large a share of the inputs for incremental work to pay); a first
 *   refresh kept by a running aggregate state is computed through it instead (prepareFirstContents);
 * - otherwise incremental (incremental.ts).
 *
 * Base tables are read as of the data version, dynamic-table inputs as of their latest refresh (the
 * scheduler refreshes upstream tables first, at the same data version), so a pipeline never mixes
 * old and new inputs. The new rows are computed first; the write — only the rows that differ, plus
 * the table's new refresh state — then commits as one transaction, so a failed refresh leaves the
 * table exactly as it was.
 */
import { randomUUID } from 'node:crypto';
import {
  analyze,
  duckIdent,
  errors,
  filtersOnTime,
  inPipeline,
  isKeyed,
  keyPositions,
  resolveTimes,
  ROW_ID,
  SnowflakeError,
  translatePreparedQuery,
  Unsupported,
  VERSION,
  type Block,
  type BoundQuery,
} from '../../sql/index.ts';
import {
  appendRows,
  applyRowDiff,
  dataTable,
  storedRowsSql,
  SYSTEM_SCHEMA,
  versionedTable,
  type DiffCounts,
  type ObjectEntry,
  type PendingWrite,
} from '../../storage/index.ts';
import type { Session } from '../session/session.ts';
import { aggregateCountsKept, aggregateCountsWritten, prepareAggregate, writeAggregate, type AggregateContext, type AggregateWrite } from './aggregate-state.ts';
import { boundDynamicQuery, dynamicContext, refuseViewsOnDynamic, setInstants, timeUse } from './dt-context.ts';
import { mutableRegion, mutableRows } from './immutable.ts';
import type { RefreshAction } from './dt-history.ts';
import { dynamicDef, isDynamic, type DynamicTableDef } from './dt-model.ts';
import { castToColumns, IncrementalRun, StoredRowsDiffer } from './incremental.ts';

/** What a dynamic table's contents reflect: the versions of its inputs it was computed from. */
export interface DtState {
  dataMs: number;
  inputVersions: Map<number, number>;
  initialized: boolean;
  /** Rows in the inputs as last estimated (kept up to date with each refresh's changes). */
  inputRows?: number;
  /** Why the next refresh must recompute the table (its definition changed), if it must. */
  reinitialize?: string;
  /**
   * The table version at which the running aggregate state kept in the table's rows is exact for
   * `inputVersions` (see aggregate-state.ts), if it is: written by the refresh that wrote the state,
   * cleared by any other refresh that writes the table.
   */
  stateVersion?: number;
}

/** The dt_state row of a table: what a refresh commits and the scheduler saves. */
export function dtStateSql(id: number, st: DtState): string[] {
  const versions = JSON.stringify(Object.fromEntries(st.inputVersions));
  return [
    `DELETE FROM ${SYSTEM_SCHEMA}.dt_state WHERE dt_id = ${id}`,
    `INSERT INTO ${SYSTEM_SCHEMA}.dt_state (dt_id, data_ms, input_versions, initialized, state_version) ` +
      `VALUES (${id}, ${Math.trunc(st.dataMs)}, '${versions}', ${st.initialized}, ${st.stateVersion ?? 'NULL'})`,
  ];
}

export interface InputChange {
  name: string;
  kind: 'TABLE' | 'DYNAMIC_TABLE';
  inserted: number;
  deleted: number;
}

export interface RefreshOutcome {
  action: RefreshAction;
  counts: DiffCounts;
  inputsChanged: InputChange[];
  /** Why the refresh was full although the table refreshes incrementally. */
  message: string | null;
  compileMs: number;
  executeMs: number;
  state: DtState;
  queryId: string;
}

/**
 * Completing the refresh's history row inside its own transaction (every refresh but NO_DATA commits
 * one): `ready` is called just before the transaction starts and settles once no EXECUTING row is
 * being written any more (the transaction must start after one is committed, to see it); `sql` then
 * gives the statements, run in the COMMIT's round trip.
 */
export interface RecordOutcome {
  ready(): Promise<unknown>;
  sql(outcome: RefreshOutcome): string[];
}
type Finish = { ready(): Promise<unknown>; sql(counts: DiffCounts): string[] } | undefined;

/**
 * A full refresh costs about one pass over the inputs; an incremental one about a pass over the
 * changes per block, several times over. Beyond this share of the inputs (and this many rows —
 * small changes are always cheap), recomputing is chosen.
 */
export const FULL_REFRESH_SHARE = 0.15;
export const FULL_REFRESH_MIN_ROWS = 10_000;
/**
 * The same for a table whose running aggregate state holds (aggregate-state.ts). Its incremental
 * refresh reads the changes once, and a full refresh leaves it no state: the refresh after that
 * rebuilds every group's, which costs about another full refresh. Measured (bench/RESULTS.md,
 * thirteenth session: 10M rows, 100k groups, SUM/COUNT), an incremental refresh was cheaper than a
 * full one plus that rebuild up to ~60 % of the rows updated — 120 % of the input in changed images,
 * old and new counted, as the share here is. Set well below, because the input size is DuckDB's
 * estimate, which also counts rows deleted since the last checkpoint.
 */
export const STATE_FULL_REFRESH_SHARE = 0.5;

const ZERO: DiffCounts = { inserted: 0, deleted: 0, updated: 0, unchanged: 0 };

export async function refreshDynamicTable(
  session: Session,
  dt: DynamicTableDef,
  previous: DtState | undefined,
  dataVersion: number,
  dataMs: number,
  record?: RecordOutcome,
): Promise<RefreshOutcome> {
  const engine = session.engine;
  const queryId = randomUUID();
  session.currentQueryId = queryId;
  const started = performance.now();
  const object = liveObject(session, dt);
  const schema = engine.catalog.schemaOf(object);
  const bound = boundDynamicQuery(engine, dt.id, dt.query, schema);
  refuseViewsOnDynamic(bound, dt.fullName);
  const newVersions = new Map<number, number>();
  for (const [id, input] of bound.inputs) newVersions.set(id, inPipeline(input) ? engine.writes.latest : dataVersion);
  // (A NO_DATA refresh changes nothing: the stored state stays exact for the newer input versions.)
  const state: DtState = { dataMs, inputVersions: newVersions, initialized: true, stateVersion: previous?.stateVersion };
  const done = (action: RefreshAction, counts: DiffCounts, inputsChanged: InputChange[], message: string | null, compiled: number): RefreshOutcome => ({
    action,
    counts,
    inputsChanged,
    message,
    compileMs: Math.round(compiled - started),
    executeMs: Math.round(performance.now() - compiled),
    state,
    queryId,
  });
  // The outcome as it will be once committed, for the history row written with the commit.
  const finishing = (action: RefreshAction, inputsChanged: InputChange[], message: string | null, compiled: number): Finish =>
    record && { ready: () => record.ready(), sql: (counts) => record.sql(done(action, counts, inputsChanged, message, compiled)) };

  const reinit = reinitializeReason(session, dt, bound, previous);
  const changed = reinit === undefined && previous ? await changedInputs(session, bound, previous, newVersions) : new Set<number>(bound.inputs.keys());
  // A query that filters on the current time changes as time passes, with or without new data (a
  // time only stamped into the rows does not call for a refresh). Every use of the time reads it as
  // this refresh's data timestamp (and the previous one's, for what the stored rows reflect).
  const timeMoved = timeUse(bound).filtersRows && previous?.initialized === true && previous.dataMs !== dataMs;
  if (reinit === undefined && changed.size === 0 && !timeMoved) return done('NO_DATA', ZERO, [], null, performance.now());
  await setInstants(session, bound, { OLD: previous?.initialized ? previous.dataMs : dataMs, NEW: dataMs });
  const mutable = await mutableRegion(session, schema, dt.immutableWhere, object.columns, dt.fullName, dataMs, timeUse(bound).uses);

  if (reinit !== undefined || dt.refreshMode === 'FULL') {
    // Rows written by a full refresh carry no aggregate state (commitRefresh clears its version), so
    // a first refresh goes through the state when the query has one.
    const compiled = performance.now();
    const action: RefreshAction = reinit !== undefined && reinit !== 'initial' ? 'REINITIALIZE' : dt.refreshMode === 'FULL' ? 'FULL' : 'INCREMENTAL';
    const inputs = [...bound.inputs.values()].map((i) => ({ name: i.displayName, kind: i.dynamic ? ('DYNAMIC_TABLE' as const) : ('TABLE' as const), inserted: 0, deleted: 0 }));
    const message = reinit !== undefined && reinit !== 'initial' ? reinit : null;
    const shown = reinit === 'initial' ? [] : inputs;
    const finish = finishing(action, shown, message, compiled);
    if (reinit === 'initial' && dt.refreshMode !== 'FULL' && mutable === undefined) {
      const counts = await initialThroughState(session, dt, bound, newVersions, state, dataMs, finish);
      if (counts) return done(action, counts, shown, message, compiled);
    }
    const counts = await fullRefresh(session, dt, bound, newVersions, state, finish, mutable);
    return done(action, counts, shown, message, compiled);
  }

  let block: Block;
  try {
    block = analyzedBlock(bound);
  } catch (e) {
    if (e instanceof Unsupported) throw errors.invalidOperation(`Dynamic table '${dt.fullName}' can no longer be refreshed incrementally: ${e.reason}. Recreate it with REFRESH_MODE = FULL.`);
    throw e;
  }
  const times = filtersOnTime(block) ? { OLD: previous!.dataMs, NEW: dataMs } : undefined;
  const run = new IncrementalRun(session, schema, bound, changed, previous!.inputVersions, newVersions, false, times);
  try {
    const sizes = await run.prepareInputs();
    const inputsChanged: InputChange[] = [...changed].map((id) => {
      const input = bound.inputs.get(id)!;
      const n = sizes.get(id)!;
      return { name: input.displayName, kind: input.dynamic ? 'DYNAMIC_TABLE' : 'TABLE', inserted: n.inserted, deleted: n.deleted };
    });
    const changedRows = inputsChanged.reduce((a, x) => a + x.inserted + x.deleted, 0);
    if (changedRows === 0 && !timeMoved) return done('NO_DATA', ZERO, [], null, performance.now());
    // ADAPTIVE: small changes are always incremental. For larger ones the input size is looked up
    // when the last estimate (carried forward with the changes since) does not already settle it,
    // and a change that is too large a share of it reinitializes the table. INCREMENTAL never
    // switches, whatever the change (as in Snowflake).
    const net = inputsChanged.reduce((a, x) => a + x.inserted - x.deleted, 0);
    const carried = previous!.inputRows === undefined ? undefined : previous!.inputRows + net;
    let total = carried ?? Infinity;
    const adaptive = dt.refreshMode === 'ADAPTIVE';
    // With value counts on this connection too: a refresh that would rebuild them is no cheaper.
    const stateHolds = adaptive && aggregateStateHolds(session, dt, previous!, true);
    const limit = stateHolds ? STATE_FULL_REFRESH_SHARE : FULL_REFRESH_SHARE;
    if (adaptive && changedRows >= FULL_REFRESH_MIN_ROWS && (carried === undefined || changedRows > limit * carried)) {
      total = await inputRows(session, [...bound.inputs.keys()]);
    }
    if (total !== Infinity) state.inputRows = total;
    if (adaptive && changedRows > limit * total) {
      const compiled = performance.now();
      const share = Math.round((100 * changedRows) / Math.max(total, 1));
      const kept = stateHolds ? ' for a table kept by its running aggregate state' : '';
      const message = `The changes are ${share}% of the input rows; recomputing the table was cheaper than an incremental refresh (ADAPTIVE reinitializes above ${Math.round(limit * 100)}%${kept}).`;
      const counts = await fullRefresh(session, dt, bound, newVersions, state, finishing('REINITIALIZE', inputsChanged, message, compiled), mutable);
      return done('REINITIALIZE', counts, inputsChanged, message, compiled);
    }
    const compiled = performance.now();
    try {
      const aggregate: AggregateContext = {
        dtId: dt.id,
        stored: dataTable(versionedTable(object)),
        validFor: async (counts) => aggregateStateHolds(session, dt, previous!, counts),
      };
      // Immutable rows are not the state's groups' rows: such a table compares the stored rows.
      const counts = await incrementalWrite(session, dt, run, block, state, mutable === undefined ? aggregate : undefined, finishing('INCREMENTAL', inputsChanged, null, compiled), mutable);
      return done('INCREMENTAL', counts, inputsChanged, null, compiled);
    } catch (e) {
      if (!(e instanceof StoredRowsDiffer)) throw e;
      const message = 'The stored rows did not match the computed previous contents; the table was recomputed.';
      const counts = await fullRefresh(session, dt, bound, newVersions, state, finishing('REINITIALIZE', inputsChanged, message, compiled), mutable);
      return done('REINITIALIZE', counts, inputsChanged, message, compiled);
    }
  } finally {
    await run.dispose();
  }
}

/**
 * The first contents of a table kept by its running aggregate state (aggregate-state.ts), computed as
 * an incremental refresh whose change is every input row, into a table and a state that are both
 * empty: the state is then written with the rows, exact, and the next refresh uses it. (Filled by a
 * full refresh, the table has no state, and the refresh after it rebuilds the state of every group:
 * a second full computation.) Undefined, with nothing left behind, when the query has no state path or
 * the table unexpectedly has rows; otherwise the caller writes `prepared` and disposes of `run`.
 * `valueCounts`: COUNT(DISTINCT) and MEDIAN may keep their per-value counts on this connection.
 */
export async function prepareFirstContents(
  session: Session,
  object: ObjectEntry,
  bound: BoundQuery,
  newVersions: Map<number, number>,
  dataMs: number,
  valueCounts: boolean,
): Promise<{ run: IncrementalRun; block: Block; prepared: AggregateWrite } | undefined> {
  let block: Block;
  try {
    block = analyzedBlock(bound);
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
  if (block.kind !== 'select' || !isKeyed(block)) return undefined;
  const times = filtersOnTime(block) ? { OLD: dataMs, NEW: dataMs } : undefined;
  const run = new IncrementalRun(session, session.engine.catalog.schemaOf(object), bound, new Set(bound.inputs.keys()), new Map(), newVersions, false, times);
  let prepared: AggregateWrite | undefined;
  try {
    await run.prepareWholeInputs();
    const outputs = run.columnsOf(block);
    const positions = outputs.length === object.columns.length ? keyPositions(block, outputs) : undefined;
    // An empty state (nothing is old) is "rebuilt" for nothing, which also checks the table is empty.
    const aggregate: AggregateContext = { dtId: object.id, stored: dataTable(versionedTable(object)), validFor: async () => false, valueCounts };
    if (positions) prepared = await prepareAggregate(run, block, object.columns, positions, aggregate);
  } catch (e) {
    if (!(e instanceof StoredRowsDiffer || e instanceof Unsupported)) {
      await run.dispose();
      throw e;
    }
  }
  if (prepared) return { run, block, prepared };
  await run.dispose();
  return undefined;
}

/** A scheduled first refresh (INITIALIZE = ON_SCHEDULE) through the aggregate state, if it can be one. */
async function initialThroughState(
  session: Session,
  dt: DynamicTableDef,
  bound: BoundQuery,
  newVersions: Map<number, number>,
  state: DtState,
  dataMs: number,
  finish: Finish,
): Promise<DiffCounts | undefined> {
  const first = await prepareFirstContents(session, liveObject(session, dt), bound, newVersions, dataMs, true);
  if (!first) return undefined;
  try {
    return await incrementalWrite(session, dt, first.run, first.block, state, undefined, finish, undefined, first.prepared);
  } finally {
    await first.run.dispose();
  }
}

/** The planner's blocks of a bound definition, made once per binding (they are only read). */
const blocks = new WeakMap<BoundQuery, Block>();
function analyzedBlock(bound: BoundQuery): Block {
  let block = blocks.get(bound);
  if (!block) blocks.set(bound, (block = analyze(bound.ast)));
  return block;
}

function liveObject(session: Session, dt: DynamicTableDef): ObjectEntry {
  const o = session.engine.catalog.objects.get(dt.id);
  if (!o || o.droppedOn !== null || !isDynamic(o)) throw errors.doesNotExist('Dynamic table', dt.fullName);
  return o;
}

/** The last version that changed the dynamic table's rows (as the commit log knows it). */
function tableVersion(session: Session, dt: DynamicTableDef): number {
  return session.engine.commits.lastChanged.get(dt.id) ?? 0;
}

/**
 * Whether the running aggregate state in the table's rows is exact for the previous refresh's inputs:
 * the refresh that last wrote the table kept it. With `counts`, the COUNT(DISTINCT) / MEDIAN value
 * counts kept beside it (temporary tables) must also be on this connection.
 */
function aggregateStateHolds(session: Session, dt: DynamicTableDef, previous: DtState, counts: boolean): boolean {
  const version = tableVersion(session, dt);
  return previous.stateVersion === version && (!counts || aggregateCountsKept(session.conn, dt.id, version));
}

/**
 * The table version a write that kept the aggregate state leaves it exact at: the write's, if it
 * wrote rows of the table, else the table's last.
 */
export function keptStateVersion(session: Session, w: PendingWrite, dtId: number): number {
  return w.tables.has(dtId) ? w.version : (session.engine.commits.lastChanged.get(dtId) ?? 0);
}

/** Why the whole table must be recomputed, if it must: 'initial', or what changed underneath. */
function reinitializeReason(session: Session, dt: DynamicTableDef, bound: BoundQuery, previous: DtState | undefined): string | undefined {
  if (!previous || !previous.initialized) return 'initial';
  if (previous.reinitialize) return previous.reinitialize;
  const prevIds = [...previous.inputVersions.keys()].sort();
  const ids = [...bound.inputs.keys()].sort();
  if (prevIds.join(',') !== ids.join(',')) return 'An object the definition reads was replaced or renamed.';
  const catalog = session.engine.catalog;
  for (const id of [...ids, ...bound.views]) {
    const o = catalog.objects.get(id);
    if (o && o.lastAltered.getTime() > previous.dataMs && !(isDynamic(o) && id !== dt.id)) {
      return `${o.kind === 'VIEW' ? 'View' : 'Table'} ${o.name} was altered.`;
    }
  }
  return undefined;
}

/** Inputs whose rows changed between the versions last read and now (the commit log says; no data read). */
async function changedInputs(session: Session, bound: BoundQuery, previous: DtState, now: Map<number, number>): Promise<Set<number>> {
  const log = session.engine.commits;
  const out = new Set<number>();
  for (const id of bound.inputs.keys()) {
    const from = previous.inputVersions.get(id) ?? 0;
    const to = now.get(id)!;
    if ((log.lastChanged.get(id) ?? 0) <= from || to <= from) continue;
    if (await log.changedBetween(session.conn, id, from, to)) out.add(id);
  }
  return out;
}

/** Rows in the inputs (DuckDB's row count estimate: no scan). */
async function inputRows(session: Session, ids: number[]): Promise<number> {
  const catalog = session.engine.catalog;
  const names = ids.map((id) => catalog.objects.get(id)?.duckName).filter((n): n is string => n !== undefined);
  if (names.length === 0) return 0;
  const rows = await session.conn.query(
    `SELECT coalesce(sum(estimated_size), 0) FROM duckdb_tables() WHERE schema_name = '_backlot_data' AND table_name IN (${names.map((n) => `'${n}'`).join(', ')})`,
  );
  return Number(rows.rows[0][0]);
}

/** The key pairing a refresh's deleted and inserted rows into updates: a grouped top's group columns. */
function pairKeyOf(block: Block, outputs: { name: string }[]): number[] | undefined {
  if (block.kind !== 'select' || block.shape !== 'group') return undefined;
  return keyPositions(block, outputs);
}

/**
 * Commits the table's new rows and refresh state in one transaction (with `write` doing the rows).
 * `keepsState`: the write kept the running aggregate state in the rows exact (the refresh state
 * says at which table version); any other write leaves the stored state behind.
 */
async function commitRefresh(
  session: Session,
  dt: DynamicTableDef,
  state: DtState,
  finish: Finish,
  write: (w: PendingWrite, o: ObjectEntry) => Promise<DiffCounts>,
  keepsState = false,
): Promise<DiffCounts> {
  const engine = session.engine;
  await finish?.ready();
  try {
    return await engine.writes.run(session, async (w) => {
      const o = liveObject(session, dt);
      if (o.id !== dt.id) throw errors.doesNotExist('Dynamic table', dt.fullName);
      // CREATE OR ALTER changed the definition while this refresh computed the old one's rows.
      const live = dynamicDef(engine.catalog, o);
      if (live.query !== dt.query || live.refreshMode !== dt.refreshMode) {
        throw errors.invalidOperation(`The definition of dynamic table '${dt.fullName}' changed during its refresh; the next refresh recomputes it.`);
      }
      const counts = await write(w, o);
      state.stateVersion = keepsState ? keptStateVersion(session, w, dt.id) : undefined;
      // Written in the COMMIT's round trip, after the rows.
      w.atCommit.push(...dtStateSql(dt.id, state));
      if (finish) w.atCommit.push(...finish.sql(counts));
      if (o.properties.INITIALIZED !== 'true') {
        await engine.catalog.change(session.conn).putObject({ ...o, properties: { ...o.properties, INITIALIZED: 'true' } });
      }
      return counts;
    });
  } catch (e) {
    await engine.catalog.reload(session.conn);
    throw e;
  }
}

/**
 * Recomputes the whole table and writes what differs (everything, when it is empty); with IMMUTABLE
 * WHERE, only the mutable region once the table has rows.
 */
async function fullRefresh(session: Session, dt: DynamicTableDef, bound: BoundQuery, newVersions: Map<number, number>, state: DtState, finish: Finish, mutable?: string): Promise<DiffCounts> {
  const object = liveObject(session, dt);
  const schema = session.engine.catalog.schemaOf(object);
  const ctx = dynamicContext(session, schema, bound, { oldVersions: new Map(), newVersions, derivedColumns: new Map(), derivedTypes: new Map() });
  const t = translatePreparedQuery(resolveTimes(bound.ast), ctx);
  checkWidth(dt, object, t.columns.length);
  const next = castToColumns(t.sql, object.columns);
  let pairKey: number[] | undefined;
  try {
    const block = analyze(bound.ast);
    pairKey = pairKeyOf(block, t.columns);
  } catch {
    pairKey = undefined;
  }
  return commitRefresh(session, dt, state, finish, async (w, o) => {
    const table = versionedTable(o);
    const stored = Number((await session.conn.query(`SELECT count(*) FROM ${dataTable(table)}`)).rows[0][0]);
    if (stored === 0) {
      const inserted = await appendRows(session.conn, table, table.columns, next, w);
      return { inserted, deleted: 0, updated: 0, unchanged: 0 };
    }
    if (mutable === undefined) return applyRowDiff(session.conn, table, storedRowsSql(dataTable(table), table, 'true'), next, pairKey, w);
    return applyRowDiff(session.conn, table, storedRowsSql(dataTable(table), table, mutable), mutableRows(next, o.columns, mutable), pairKey, w);
  });
}

function checkWidth(dt: DynamicTableDef, o: ObjectEntry, width: number): void {
  if (width !== o.columns.length) {
    throw new SnowflakeError(
      '002201',
      '42601',
      `SQL compilation error:\nThe query of dynamic table '${dt.fullName}' now returns ${width} columns, but the table has ${o.columns.length} (an input's columns changed). Recreate the dynamic table.`,
    );
  }
}

/** An incremental refresh computed and waiting to be written (temporary tables of the new rows). */
export type PreparedWrite =
  | { kind: 'none' }
  | { kind: 'append' }
  | AggregateWrite
  | { kind: 'partitions'; storedWhere: string; pairKey: number[] | undefined }
  | { kind: 'change'; matched: string; pairKey: number[] | undefined };

/**
 * Computes an incremental refresh into temporary tables: by partition when the top block is keyed
 * and its key is among the output columns (the stored rows of those partitions are compared with
 * their recomputation), otherwise from the top block's change (removed rows matched by value).
 */
export async function prepareIncremental(run: IncrementalRun, top: Block, dt: DynamicTableDef, object: ObjectEntry, aggregate?: AggregateContext, mutable?: string): Promise<PreparedWrite> {
  const columns = object.columns;
  // With IMMUTABLE WHERE, computed rows outside the mutable region are never written.
  const inRegion = (sql: string) => (mutable === undefined ? sql : mutableRows(sql, columns, mutable));
  const outputs = run.columnsOf(top);
  checkWidth(dt, object, outputs.length);
  const pairKey = pairKeyOf(top, outputs);
  const positions = keyPositions(top, outputs);
  const n = columns.length;
  const ks = Array.from({ length: n }, (_, i) => `_k${i + 1}`);
  if (isKeyed(top) && positions && top.kind !== 'constant') {
    const viaState = aggregate ? await prepareAggregate(run, top, columns, positions, aggregate) : undefined;
    if (viaState) return viaState;
    const touched = await run.touched(top);
    await run.prefilter(touched);
    await run.materialize('_bkl_next', inRegion(castToColumns(run.restricted(top, 'NEW', touched), columns)));
    const where = run.keyFilter(
      touched,
      positions.map((p) => duckIdent(columns[p].name)),
    );
    return { kind: 'partitions', storedWhere: mutable === undefined ? where : `(${where}) AND ${mutable}`, pairKey };
  }
  const appended = run.appendedRows(top);
  if (appended !== undefined) {
    await run.materialize('_bkl_next', inRegion(castToColumns(appended, columns)));
    return { kind: 'append' };
  }
  const d = await run.delta(top);
  if (!d) return { kind: 'none' };
  await run.materialize('_bkl_removed', `SELECT * FROM (${inRegion(castToColumns(`SELECT * FROM temp.${d.removed}`, columns))}) AS _x(${ks.join(', ')})`);
  await run.materialize('_bkl_next', inRegion(castToColumns(`SELECT * FROM temp.${d.added}`, columns)));
  const removed = { table: '_bkl_removed', width: n };
  await run.prefilter(removed);
  const cols = columns.map((col) => duckIdent(col.name));
  const where = run.keyFilter(removed, cols);
  const eq = cols.map((col, i) => `s.${col} IS NOT DISTINCT FROM d.${ks[i]}`).join(' AND ');
  const matched =
    `WITH d AS (SELECT *, row_number() OVER (PARTITION BY ${ks.join(', ')}) AS _n FROM temp._bkl_removed), ` +
    `s AS (SELECT rowid AS _rid, ${duckIdent(ROW_ID)}, ${duckIdent(VERSION)}, ${cols.join(', ')}, row_number() OVER (PARTITION BY ${cols.join(', ')} ORDER BY ${duckIdent(ROW_ID)}) AS _n ` +
    `FROM ${dataTable(versionedTable(object))} WHERE ${where}) ` +
    `SELECT s._rid, s.${duckIdent(ROW_ID)}, s.${duckIdent(VERSION)}, ${cols.map((col) => `s.${col}`).join(', ')} FROM s JOIN d ON ${eq || 'true'} AND s._n = d._n`;
  return { kind: 'change', matched, pairKey };
}

/** Writes a prepared incremental refresh with the table's new refresh state. */
async function incrementalWrite(
  session: Session,
  dt: DynamicTableDef,
  run: IncrementalRun,
  top: Block,
  state: DtState,
  aggregate: AggregateContext | undefined,
  finish: Finish,
  mutable: string | undefined,
  /** Already computed (a first refresh through the aggregate state). */
  ready?: PreparedWrite,
): Promise<DiffCounts> {
  const conn = session.conn;
  const prepared = ready ?? (await prepareIncremental(run, top, dt, liveObject(session, dt), aggregate, mutable));
  const viaState = prepared.kind === 'aggregate';
  const counts = await commitRefresh(
    session,
    dt,
    state,
    finish,
    async (w, o) => {
      const counts = await writePrepared(w, o);
      w.atCommit.push(...run.dropStatements());
      return counts;
    },
    viaState,
  );
  run.dropped();
  if (viaState) aggregateCountsWritten(conn, dt.id, tableVersion(session, dt));
  return counts;

  async function writePrepared(w: PendingWrite, o: ObjectEntry): Promise<DiffCounts> {
    const table = versionedTable(o);
    switch (prepared.kind) {
      case 'none':
        return { inserted: 0, deleted: 0, updated: 0, unchanged: 0 };
      case 'append': {
        const unchanged = Number((await conn.query(`SELECT count(*) FROM ${dataTable(table)}`)).rows[0][0]);
        const inserted = await appendRows(conn, table, table.columns, 'SELECT * FROM temp._bkl_next', w);
        return { inserted, deleted: 0, updated: 0, unchanged };
      }
      case 'aggregate': {
        // The state names each touched group's stored row: no read of the stored rows.
        const c = await writeAggregate(conn, table, prepared, w);
        return { inserted: c.inserted + c.updated, deleted: c.deleted + c.updated, updated: c.updated, unchanged: c.same };
      }
      case 'partitions':
        return applyRowDiff(conn, table, storedRowsSql(dataTable(table), table, prepared.storedWhere), 'SELECT * FROM temp._bkl_next', prepared.pairKey, w);
      case 'change': {
        await run.materialize('_bkl_matched', prepared.matched);
        const counts = await conn.query('SELECT (SELECT count(*) FROM temp._bkl_matched), (SELECT count(*) FROM temp._bkl_removed)');
        if (Number(counts.rows[0][0]) !== Number(counts.rows[0][1])) throw new StoredRowsDiffer();
        return applyRowDiff(conn, table, 'SELECT * FROM temp._bkl_matched', 'SELECT * FROM temp._bkl_next', prepared.pairKey, w);
      }
    }
  }
}

/**
 * The dynamic-table scheduler (semantics §3.2–3.6). Nobody writes orchestration code: each active
 * dynamic table with a time lag is refreshed every half lag, so its data is never older than its lag
 * plus a refresh; a DOWNSTREAM table only when a table that reads it refreshes.
 *
 * Refreshes run in rounds, one round at a time (so no table is ever refreshed twice at once). A round
 * takes the tables due (or asked for), adds every dynamic table they read, directly or through views,
 * and refreshes them upstream first at one data version: every table of a pipeline reflects the same
 * base data. A failed refresh leaves its table as it was and marks the tables that read it
 * UPSTREAM_FAILED; five consecutive failed scheduled refreshes suspend a table and those downstream.
 *
 * Time is the engine's clock: the process calls start(); tests step it with Engine.runSchedules.
 */
import { randomUUID } from 'node:crypto';
import { mapDuckError } from '../results/duck-errors.ts';
import { inPipeline, SnowflakeError, type BoundReference } from '../../sql/index.ts';
import { SYSTEM_SCHEMA, type StorageConnection } from '../../storage/index.ts';
import type { Engine } from '../engine.ts';
import { SchedulerLoop } from '../scheduler-loop.ts';
import type { RetentionPins } from '../versioning/retention.ts';
import type { Session } from '../session/session.ts';
import { bindDynamicQuery } from './dt-context.ts';
import { dropAggregateState } from './aggregate-state.ts';
import { DynamicTableHistory, type RefreshAction, type RefreshRecord, type RefreshTrigger } from './dt-history.ts';
import { suspendCascade } from './suspension.ts';
import { allDynamicTables, dynamicDef, type DynamicTableDef, type SuspendReason } from './dt-model.ts';
import { dtStateSql, refreshDynamicTable, type DtState, type RefreshOutcome } from './refresh.ts';
import { StartedRow } from './started-row.ts';

const S = SYSTEM_SCHEMA;

/** Consecutive failed scheduled refreshes that suspend a table (Snowflake's fixed limit). */
export const SUSPEND_AFTER_FAILURES = 5;
/** Refresh history is kept for this long, as Snowflake's is. */
const HISTORY_DAYS = 7;

export interface RefreshResult {
  dt: DynamicTableDef;
  record: RefreshRecord;
  outcome?: RefreshOutcome;
  error?: SnowflakeError;
}

interface Graph {
  catalogVersion: number;
  /** Dynamic tables each one reads (directly or through views). */
  upstream: Map<number, number[]>;
  /** What each one names directly (DYNAMIC_TABLE_GRAPH_HISTORY's INPUTS). */
  references: Map<number, BoundReference[]>;
  /** Why a table's definition does not bind (an input was dropped …). */
  broken: Map<number, string>;
}

export class DynamicTableService implements RetentionPins {
  private readonly states = new Map<number, DtState>();
  private readonly failures = new Map<number, number>();
  /** The last time each table's refresh was attempted (a failing table waits a period too). */
  private readonly attempted = new Map<number, number>();
  private history!: DynamicTableHistory;
  /** History writes, on a connection of their own. */
  private conn!: StorageConnection;
  /** The session refreshes run in (its connection holds their temporary tables). */
  private session!: Session;
  private graphCache: Graph | undefined;
  private scheduledCache: { catalogVersion: number; tables: DynamicTableDef[] } | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private nextPurge = 0;
  private readonly loop: SchedulerLoop;

  constructor(readonly engine: Engine) {
    this.loop = new SchedulerLoop(engine.clock, () => this.tick(), () => this.nextDue(), 20);
  }

  async open(): Promise<void> {
    this.conn = await this.engine.warehouse.connect();
    this.history = new DynamicTableHistory(this.conn);
    await this.history.init();
    for (const r of await this.conn.rows(`SELECT * FROM ${S}.dt_state`)) {
      const versions = JSON.parse(String(r.input_versions ?? '{}')) as Record<string, number>;
      this.states.set(Number(r.dt_id), {
        dataMs: Number(r.data_ms),
        inputVersions: new Map(Object.entries(versions).map(([k, v]) => [Number(k), Number(v)])),
        initialized: r.initialized === true,
        stateVersion: r.state_version === null || r.state_version === undefined ? undefined : Number(r.state_version),
      });
    }
    this.session = await this.engine.newSession({ user: 'SYSTEM', id: `dynamic-tables-${randomUUID()}` });
  }

  /**
   * Drops a purged table's aggregate state, on the refresh connection between refresh rounds. Not
   * awaited by the purge: a round may be waiting for the write lock the purge holds.
   */
  forgetAggregateState(id: number): void {
    const run = this.chain.then(() => dropAggregateState(this.session.conn, id));
    this.chain = run.catch(() => undefined);
  }

  // ---- what other parts of the engine ask ----

  /** The oldest version of a table's history some dynamic table still has to read (RetentionPins). */
  oldestNeeded(tableId: number): number | undefined {
    let oldest: number | undefined;
    for (const [id, st] of this.states) {
      const v = st.inputVersions.get(tableId);
      if (v === undefined || !this.engine.catalog.objects.has(id)) continue;
      oldest = oldest === undefined ? v : Math.min(oldest, v);
    }
    return oldest;
  }

  /** The data timestamp a table's contents reflect (undefined before its first refresh). */
  dataTimestamp(id: number): number | undefined {
    return this.states.get(id)?.initialized ? this.states.get(id)!.dataMs : undefined;
  }

  state(id: number): DtState | undefined {
    return this.states.get(id);
  }

  /** The catalog changed (DDL): the graph is recomputed on next use, schedules re-read. */
  changed(): void {
    this.graphCache = undefined;
    this.loop.wake();
  }

  /** Dynamic tables each dynamic table reads, and those whose definition no longer binds. */
  graph(): Graph {
    const catalog = this.engine.catalog;
    if (this.graphCache && this.graphCache.catalogVersion === catalog.version) return this.graphCache;
    const upstream = new Map<number, number[]>();
    const references = new Map<number, BoundReference[]>();
    const broken = new Map<number, string>();
    for (const dt of allDynamicTables(catalog)) {
      try {
        const bound = bindDynamicQuery(this.engine, dt.query, catalog.schemaOf(dt.object));
        upstream.set(dt.id, [...bound.inputs.values()].filter(inPipeline).map((i) => i.id));
        references.set(dt.id, bound.references);
      } catch (e) {
        upstream.set(dt.id, []);
        broken.set(dt.id, e instanceof Error ? e.message : String(e));
      }
    }
    this.graphCache = { catalogVersion: catalog.version, upstream, references, broken };
    return this.graphCache;
  }

  /** Every dynamic table reading `id`, directly or further down. */
  downstreamOf(id: number): number[] {
    const g = this.graph();
    const out: number[] = [];
    const visit = (x: number) => {
      for (const [d, ups] of g.upstream) {
        if (ups.includes(x) && !out.includes(d)) {
          out.push(d);
          visit(d);
        }
      }
    };
    visit(id);
    return out;
  }

  /** Every dynamic table `id` reads, directly or further up. */
  upstreamOf(id: number): number[] {
    const g = this.graph();
    const out: number[] = [];
    const visit = (x: number) => {
      for (const u of g.upstream.get(x) ?? []) {
        if (!out.includes(u)) {
          out.push(u);
          visit(u);
        }
      }
    };
    visit(id);
    return out;
  }

  // ---- refreshing ----

  /**
   * Refreshes `ids` and every dynamic table they read, upstream first, at one data version (ALTER …
   * REFRESH, creation, and the scheduler). Resolves when the round is done.
   */
  refresh(ids: number[], trigger: RefreshTrigger): Promise<RefreshResult[]> {
    this.pending += 1;
    const run = this.chain.then(() => this.round(ids, trigger));
    this.chain = run.then(
      () => undefined,
      () => undefined,
    );
    return run.finally(() => {
      this.pending -= 1;
    });
  }

  private async round(targets: number[], trigger: RefreshTrigger): Promise<RefreshResult[]> {
    const catalog = this.engine.catalog;
    const order = this.upstreamFirst([...new Set([...targets, ...targets.flatMap((t) => this.upstreamOf(t))])]);
    const dataVersion = this.engine.writes.latest;
    const dataMs = this.engine.clock.now().getTime();
    const results: RefreshResult[] = [];
    const failed = new Set<number>();
    for (const id of order) {
      const o = catalog.objects.get(id);
      if (!o || o.droppedOn !== null) continue;
      const dt = dynamicDef(catalog, o);
      const upstreamFailed = (this.graph().upstream.get(id) ?? []).find((u) => failed.has(u));
      const base = this.record(dt, trigger, dataMs);
      if (upstreamFailed !== undefined) {
        failed.add(id);
        const up = catalog.objects.get(upstreamFailed);
        const record: RefreshRecord = {
          ...base,
          state: 'UPSTREAM_FAILED',
          stateCode: 'UPSTREAM_FAILED',
          stateMessage: `Skipped: upstream dynamic table ${up ? dynamicDef(catalog, up).fullName : upstreamFailed} failed to refresh.`,
          endMs: this.engine.clock.now().getTime(),
        };
        await this.history.write(record, false).catch(() => undefined);
        results.push({ dt, record });
        continue;
      }
      const result = await this.refreshOne(dt, base, dataVersion, dataMs, trigger);
      if (result.error) failed.add(id);
      results.push(result);
    }
    return results;
  }

  /** Orders tables so every table comes after the tables it reads. */
  upstreamFirst(ids: number[]): number[] {
    const g = this.graph();
    const out: number[] = [];
    const visiting = new Set<number>();
    const visit = (id: number) => {
      if (out.includes(id) || visiting.has(id)) return;
      visiting.add(id);
      for (const u of g.upstream.get(id) ?? []) if (ids.includes(u)) visit(u);
      visiting.delete(id);
      out.push(id);
    };
    for (const id of ids) visit(id);
    return out;
  }

  private record(dt: DynamicTableDef, trigger: RefreshTrigger, dataMs: number): RefreshRecord {
    const previous = this.states.get(dt.id);
    return {
      key: randomUUID(),
      dt,
      state: 'EXECUTING',
      stateCode: null,
      stateMessage: null,
      queryId: null,
      dataMs,
      startMs: this.engine.clock.now().getTime(),
      endMs: null,
      completionTargetMs: previous?.initialized && dt.lag.kind === 'time' ? previous.dataMs + dt.lag.seconds * 1000 : null,
      lastCompletedDependency: null,
      statistics: null,
      action: null,
      trigger,
      inputsChanged: null,
      graphValidFromMs: dt.object.lastAltered.getTime(),
    };
  }

  /**
   * CREATE OR ALTER changed a table's definition: its next refresh recomputes it (REINITIALIZE, for
   * `reason`). The persisted state was marked uninitialized in the same transaction, so after a restart
   * the first refresh recomputes it too.
   */
  redefined(id: number, reason: string): void {
    const st = this.states.get(id);
    if (st?.initialized) this.states.set(id, { ...st, reinitialize: reason });
  }

  /**
   * A table whose CREATE wrote its first contents (in the DDL transaction, so a replaced table stays
   * readable until the new one is complete): its refresh state, kept from now on.
   */
  adopt(id: number, state: DtState): void {
    this.states.set(id, state);
    this.attempted.set(id, this.engine.clock.now().getTime());
  }

  /** Forgets what `adopt` recorded when the CREATE failed after all. */
  forget(id: number): void {
    this.states.delete(id);
    this.attempted.delete(id);
  }

  /** The CREATION row of DYNAMIC_TABLE_REFRESH_HISTORY for a table its CREATE initialized. */
  async recordCreation(dt: DynamicTableDef, action: RefreshAction, inserted: number, startMs: number, queryId: string | null): Promise<void> {
    const st = this.states.get(dt.id);
    const base = this.record(dt, 'CREATION', st?.dataMs ?? startMs);
    const endMs = this.engine.clock.now().getTime();
    const record: RefreshRecord = {
      ...base,
      startMs,
      state: 'SUCCEEDED',
      stateCode: 'SUCCEEDED',
      queryId,
      endMs,
      action,
      statistics: {
        numInsertedRows: inserted,
        numDeletedRows: 0,
        numCopiedRows: 0,
        numAddedPartitions: inserted > 0 ? 1 : 0,
        numRemovedPartitions: 0,
        queuedTimeMs: 0,
        compilationTimeMs: 0,
        executionTimeMs: Math.max(0, endMs - startMs),
      },
      inputsChanged: [],
    };
    await this.history.write(record, false).catch(() => undefined);
  }

  private async refreshOne(dt: DynamicTableDef, base: RefreshRecord, dataVersion: number, dataMs: number, trigger: RefreshTrigger): Promise<RefreshResult> {
    this.attempted.set(dt.id, this.engine.clock.now().getTime());
    // The EXECUTING row is written on the service's own connection, while the refresh computes on
    // the session's, if the refresh is still running after a while: a quick refresh's row is written
    // once, complete (an INSERT with its rows, not an UPDATE finding the row among the history).
    const started = new StartedRow(() => this.history.write(base, false).then(() => true, () => false));
    // A successful refresh's row is completed inside its own transaction, so history and contents
    // commit together.
    const complete = { ready: () => started.settle(), sql: (outcome: RefreshOutcome) => [this.history.sql(this.succeeded(dt, base, outcome, dataMs), started.written)] };
    try {
      const outcome = await refreshDynamicTable(this.session, dt, this.states.get(dt.id), dataVersion, dataMs, complete);
      if (outcome.action === 'NO_DATA') await this.saveState(dt.id, outcome.state);
      this.states.set(dt.id, outcome.state);
      this.failures.set(dt.id, 0);
      const record = this.succeeded(dt, base, outcome, dataMs);
      // Every refresh but NO_DATA committed its history row with its rows (`complete`).
      if (outcome.action === 'NO_DATA') await this.history.write(record, await started.settle()).catch(() => undefined);
      return { dt, record, outcome };
    } catch (e) {
      const error = mapDuckError(e);
      const record: RefreshRecord = {
        ...base,
        state: 'FAILED',
        stateCode: error.code,
        stateMessage: error.message,
        queryId: this.session.currentQueryId ?? null,
        endMs: this.engine.clock.now().getTime(),
        statistics: { queuedTimeMs: 0, compilationTimeMs: 0, executionTimeMs: Math.max(0, this.engine.clock.now().getTime() - base.startMs) },
      };
      await this.history.write(record, await started.settle()).catch(() => undefined);
      if (trigger === 'SCHEDULED') {
        const n = (this.failures.get(dt.id) ?? 0) + 1;
        this.failures.set(dt.id, n);
        if (n >= SUSPEND_AFTER_FAILURES) {
          this.failures.set(dt.id, 0);
          await this.suspend(dt.id, 'SUSPENDED_DUE_TO_ERRORS').catch(() => undefined);
        }
      }
      return { dt, record, error };
    }
  }

  /** The history row of a refresh that succeeded with `outcome`. */
  private succeeded(dt: DynamicTableDef, base: RefreshRecord, outcome: RefreshOutcome, dataMs: number): RefreshRecord {
    const catalog = this.engine.catalog;
    const ups = this.graph().upstream.get(dt.id) ?? [];
    const last = ups.map((u) => catalog.objects.get(u)).find((u) => u !== undefined);
    return {
      ...base,
      state: 'SUCCEEDED',
      stateCode: 'SUCCEEDED',
      stateMessage: outcome.message,
      queryId: outcome.queryId,
      endMs: this.engine.clock.now().getTime(),
      action: outcome.action,
      statistics:
        outcome.action === 'NO_DATA'
          ? { queuedTimeMs: 0, compilationTimeMs: outcome.compileMs, executionTimeMs: outcome.executeMs }
          : {
              numInsertedRows: outcome.counts.inserted,
              numDeletedRows: outcome.counts.deleted,
              numCopiedRows: outcome.counts.unchanged,
              numAddedPartitions: outcome.counts.inserted > 0 ? 1 : 0,
              numRemovedPartitions: outcome.counts.deleted > 0 ? 1 : 0,
              queuedTimeMs: 0,
              compilationTimeMs: outcome.compileMs,
              executionTimeMs: outcome.executeMs,
            },
      inputsChanged:
        outcome.action === 'NO_DATA'
          ? null
          : outcome.inputsChanged.map((i) => ({
              name: i.name,
              kind: i.kind,
              statistics: { numRegisteredRows: i.inserted, numUnregisteredRows: i.deleted, numAddedPartitions: 0, numRemovedPartitions: 0 },
            })),
      lastCompletedDependency: last ? { qualified_name: dynamicDef(catalog, last).fullName, data_timestamp: new Date(this.states.get(last.id)?.dataMs ?? dataMs).toISOString() } : null,
    };
  }

  private async saveState(id: number, st: DtState): Promise<void> {
    await this.session.conn.run(['BEGIN TRANSACTION', ...dtStateSql(id, st), 'COMMIT'].join('; '));
  }

  // ---- suspending ----

  /** Auto-suspend: the table and those downstream of it stop refreshing until RESUME. */
  private async suspend(id: number, reason: SuspendReason): Promise<void> {
    const catalog = this.engine.catalog;
    await this.engine.writes.exclusive(async () => {
      const conn = this.session.conn;
      try {
        await conn.atomically(() => suspendCascade(this.engine, conn, id, reason, this.engine.clock.now()));
      } catch (e) {
        await catalog.reload(conn);
        throw e;
      }
    });
    this.changed();
  }

  // ---- scheduling ----

  /** Tables due now: active, with a time lag, and half a lag since their data timestamp. */
  private due(now: number): number[] {
    const g = this.graph();
    const out: number[] = [];
    for (const dt of this.scheduled()) {
      if (g.broken.has(dt.id) && (this.attempted.get(dt.id) ?? 0) + this.period(dt) > now) continue;
      if (this.nextDueOf(dt) <= now) out.push(dt.id);
    }
    return out;
  }

  /** Tables the scheduler refreshes on its own: active, with a time lag, scheduler enabled. */
  private scheduled(): DynamicTableDef[] {
    // Read on every tick: kept until the catalog changes rather than rebuilt from all objects each time.
    const catalog = this.engine.catalog;
    if (this.scheduledCache?.catalogVersion !== catalog.version) {
      const tables = allDynamicTables(catalog).filter((dt) => !dt.suspended && dt.lag.kind === 'time' && dt.object.properties.SCHEDULER !== 'DISABLE');
      this.scheduledCache = { catalogVersion: catalog.version, tables };
    }
    return this.scheduledCache.tables;
  }

  private period(dt: DynamicTableDef): number {
    return dt.lag.kind === 'time' ? Math.max(200, (dt.lag.seconds * 1000) / 2) : Number.POSITIVE_INFINITY;
  }

  private nextDueOf(dt: DynamicTableDef): number {
    const st = this.states.get(dt.id);
    const since = Math.max(st?.initialized ? st.dataMs : dt.object.createdOn.getTime(), this.attempted.get(dt.id) ?? 0);
    return since + this.period(dt);
  }

  /** The earliest time some table is due (for the loop and for Engine.runSchedules). */
  nextDue(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const dt of this.scheduled()) earliest = Math.min(earliest, this.nextDueOf(dt));
    return earliest;
  }

  /** Starts a round for every table due at the clock's time (cheap when none is). */
  tick(): void {
    const now = this.engine.clock.now().getTime();
    if (now >= this.nextPurge) {
      this.nextPurge = now + 3_600_000;
      void this.history.purge(now - HISTORY_DAYS * 86_400_000).catch(() => undefined);
    }
    if (this.pending > 0) return;
    const due = this.due(now);
    if (due.length > 0) void this.refresh(due, 'SCHEDULED').catch(() => undefined);
  }

  /** Waits until no round is running or queued. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.chain;
  }

  /** The system-clock loop of the long-running process. */
  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.loop.stop();
    await this.idle();
  }

  async close(): Promise<void> {
    await this.stop();
    await this.engine.closeSession(this.session);
    this.engine.warehouse.release(this.conn);
  }
}

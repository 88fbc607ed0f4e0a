/**
 * The engine façade: opens a warehouse, hands out sessions, and owns what sessions share — the
 * catalog, the clock, query history, and parse/translation caches. The CLI and (later) the server talk
 * to Backlot only through this class and Session.
 */
import { randomUUID } from 'node:crypto';
import { StageFiles, Warehouse, type CommitLog, type StorageConnection } from '../storage/index.ts';
import { systemClock, type Clock } from './clock.ts';
import { QueryHistory } from './history/query-history.ts';
import { accountUsageDdl, informationSchemaDdl } from './metadata/system-views.ts';
import { Session, type SessionOptions } from './session/session.ts';
import { BoundedCache } from './session/bounded-cache.ts';
import { purgeExpired, type PurgeReport, type RetentionPins } from './versioning/retention.ts';
import { StreamRegistry } from './streams/registry.ts';
import { TaskService } from './tasks/task-service.ts';
import { DynamicTableService } from './dynamic/dt-service.ts';
import { dynamicTableViewsDdl } from './dynamic/dt-views.ts';
import { loadViewsDdl } from './loading/load-views.ts';
import { taskViewsDdl } from './tasks/task-views.ts';
import { WriteCoordinator } from './versioning/writes.ts';
export { BACKLOT_VERSION } from './version.ts';

const PURGE_EVERY_MS = 3_600_000;

export interface EngineOptions {
  dataDir: string;
  clock?: Clock;
  /** Account name reported by CURRENT_ACCOUNT() and SHOW commands. */
  account?: string;
  threads?: number;
}

export class Engine {
  readonly warehouse: Warehouse;
  readonly clock: Clock;
  readonly account: string;
  readonly history: QueryHistory;
  /** Parsed statements by text (only those that do not depend on session state). */
  readonly parseCache = new BoundedCache<string, unknown>(2000);
  /** Translations by catalog version, session context and text. */
  readonly translationCache = new BoundedCache<string, unknown>(2000);
  /** The one-writer-at-a-time coordinator that hands out versions. */
  readonly writes: WriteCoordinator;
  /** Tasks: the scheduler and graph runs. */
  readonly tasks: TaskService;
  /** Stream offsets (what streams still need of their tables' history). */
  readonly streams: StreamRegistry;
  /** Dynamic tables: the refresh scheduler and each table's refresh state. */
  readonly dynamicTables: DynamicTableService;
  /** What streams and dynamic tables still need of each table's history. */
  retentionPins: RetentionPins;
  /** The files of internal stages (beside the warehouse file). */
  readonly stageFiles: StageFiles;
  private readonly sessions = new Set<Session>();
  /** The purge's own connection (query history's appender holds the system connection; they must not share transactions). */
  private maintenanceConn: StorageConnection | undefined;
  private nextPurge = 0;

  private constructor(warehouse: Warehouse, systemConn: StorageConnection, options: EngineOptions) {
    this.warehouse = warehouse;
    this.clock = options.clock ?? systemClock;
    this.account = options.account ?? 'BACKLOT';
    this.history = new QueryHistory(systemConn);
    this.streams = new StreamRegistry(this);
    this.tasks = new TaskService(this);
    this.dynamicTables = new DynamicTableService(this);
    // History a stream has not consumed, or a dynamic table has not read yet, stays.
    this.retentionPins = {
      oldestNeeded: (id) => {
        const a = this.streams.oldestNeeded(id);
        const b = this.dynamicTables.oldestNeeded(id);
        return a === undefined ? b : b === undefined ? a : Math.min(a, b);
      },
    };
    this.writes = new WriteCoordinator(warehouse.commits, this.clock, this.streams);
    this.stageFiles = new StageFiles(warehouse.dataDir);
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const clock = options.clock ?? systemClock;
    const warehouse = await Warehouse.open({ dataDir: options.dataDir, threads: options.threads, now: () => clock.now() });
    try {
      const systemConn = await warehouse.connect();
      const engine = new Engine(warehouse, systemConn, options);
      await systemConn.atomically(async () => {
        for (const stmt of [...accountUsageDdl(), ...taskViewsDdl(), ...dynamicTableViewsDdl(), ...loadViewsDdl()]) await systemConn.run(stmt);
        // Views added by a newer release reach databases created before it.
        for (const d of warehouse.catalog.liveDatabases()) for (const stmt of informationSchemaDdl(d.name)) await systemConn.run(stmt);
      });
      await engine.history.init();
      await engine.streams.load(systemConn);
      engine.maintenanceConn = await warehouse.connect();
      await engine.tasks.open();
      await engine.dynamicTables.open();
      await engine.purge();
      // Named stages' files whose stage is gone: a temporary stage of a session that ended in a crash.
      engine.stageFiles.prune('named', new Set([...warehouse.catalog.objects.values()].filter((o) => o.kind === 'STAGE').map((o) => String(o.id))));
      return engine;
    } catch (e) {
      await warehouse.close();
      throw e;
    }
  }

  get catalog() {
    return this.warehouse.catalog;
  }

  get commits(): CommitLog {
    return this.warehouse.commits;
  }

  /** Purges expired history and dropped tables (at open, and when the clock says it is due). */
  async purge(): Promise<PurgeReport> {
    const report = await this.writes.exclusive(() => purgeExpired(this, this.maintenance()));
    this.nextPurge = this.clock.now().getTime() + PURGE_EVERY_MS;
    return report;
  }

  /**
   * SYSTEM$STREAM_HAS_DATA found these streams empty: move their offsets to now (nothing is skipped:
   * no commit touched their sources since) so they do not go stale (semantics §1.7). Skipped while
   * someone writes; the next check does it.
   */
  async keepStreamsAlive(ids: number[]): Promise<void> {
    await this.writes.tryExclusive(async () => {
      const conn = this.maintenance();
      const now = this.clock.now().getTime();
      const moved: number[] = [];
      await conn.atomically(async () => {
        for (const id of new Set(ids)) {
          const o = this.catalog.objects.get(id);
          if (!o || o.kind !== 'STREAM' || this.streams.isStale(o) || this.streams.hasData(o)) continue;
          await conn.run(this.streams.consumeSql(id, this.writes.latest, now));
          moved.push(id);
        }
      });
      await this.streams.refresh(conn, moved);
    });
  }

  /** A connection of its own for a service that reads or writes Backlot's own tables (users …). */
  async serviceConnection(): Promise<StorageConnection> {
    return this.warehouse.connect();
  }

  private maintenance(): StorageConnection {
    if (!this.maintenanceConn) throw new Error('engine is not open');
    return this.maintenanceConn;
  }

  /**
   * Runs the purge when an hour of engine time has passed since the last one and nobody is
   * writing (a busy writer only postpones it).
   */
  async purgeIfDue(): Promise<void> {
    if (this.clock.now().getTime() < this.nextPurge) return;
    const report = await this.writes.tryExclusive(() => purgeExpired(this, this.maintenance()));
    if (report) this.nextPurge = this.clock.now().getTime() + PURGE_EVERY_MS;
  }

  async newSession(options: SessionOptions = {}): Promise<Session> {
    const conn = await this.warehouse.connect();
    const session = new Session(this, conn, { ...options, id: options.id ?? randomUUID() });
    await session.init();
    this.sessions.add(session);
    return session;
  }

  async closeSession(session: Session): Promise<void> {
    if (!this.sessions.delete(session)) return;
    await session.dispose();
    this.warehouse.release(session.conn);
  }

  /** Starts the schedulers (tasks and dynamic tables) on the engine's clock. */
  startSchedulers(): void {
    this.tasks.start();
    this.dynamicTables.start();
  }

  /**
   * For an injected clock: runs every task schedule and dynamic-table refresh due up to `until`, in
   * time order, each at its own time (`setTime` moves the clock).
   */
  async runSchedules(until: number, setTime: (ms: number) => void): Promise<void> {
    for (let guard = 0; guard < 100_000; guard += 1) {
      await this.tasks.idle();
      await this.dynamicTables.idle();
      const next = Math.min(this.tasks.nextDue(), this.dynamicTables.nextDue());
      if (next > until) break;
      if (next > this.clock.now().getTime()) setTime(next);
      this.tasks.tick();
      this.dynamicTables.tick();
      await this.tasks.idle();
      await this.dynamicTables.idle();
    }
    if (until > this.clock.now().getTime()) setTime(until);
  }

  /** Lets running graph runs and refreshes finish, flushes history, closes every session and the warehouse. */
  async close(): Promise<void> {
    await this.tasks.close();
    await this.dynamicTables.close();
    for (const s of [...this.sessions]) await this.closeSession(s);
    try {
      await this.history.flush();
    } finally {
      await this.warehouse.close();
    }
  }
}

/**
 * Write transactions. Backlot has one writer at a time: a session takes the engine's write lock at
 * its first write (DML or DDL) and keeps it until its transaction ends, so versions are handed out
 * in commit order and row ids are allocated without contention. Readers never wait: DuckDB gives
 * each statement (or explicit transaction) a consistent snapshot.
 *
 * A transaction that changed rows writes its commit-log entry inside the same DuckDB transaction as
 * the rows, so both become durable at COMMIT or neither does.
 */
import type { CommitLog, CommitRecord, PendingWrite, StorageConnection } from '../../storage/index.ts';
import type { Clock } from '../clock.ts';
import type { Session } from '../session/session.ts';

/** What else a commit writes and refreshes: the offsets of the streams its DML consumed. */
export interface StreamOffsets {
  consumeSql(streamId: number, version: number, nowMs: number): string;
  refresh(conn: StorageConnection, ids: number[]): Promise<void>;
}

export class WriteCoordinator {
  private owner: object | undefined;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly log: CommitLog,
    private readonly clock: Clock,
    private readonly offsets: StreamOffsets,
  ) {}

  /** The last committed version. */
  get latest(): number {
    return this.log.latest;
  }

  /**
   * The session's pending write, taking the write lock first if it has none (waiting while another
   * session's transaction writes). The DuckDB transaction must already be open.
   */
  async pending(session: Session): Promise<PendingWrite> {
    if (session.pendingWrite) return session.pendingWrite;
    await this.acquire(session);
    session.pendingWrite = { version: this.log.latest + 1, tables: new Set(), rewrote: new Set(), consumed: new Map(), atCommit: [] };
    return session.pendingWrite;
  }

  /**
   * Runs one statement's writes: inside the session's open transaction, or in a transaction of its
   * own that commits when `fn` succeeds and rolls back when it fails.
   */
  async run<T>(session: Session, fn: (w: PendingWrite) => Promise<T>): Promise<T> {
    if (session.inTransaction) return fn(await this.pending(session));
    const w = await this.pending(session);
    try {
      await session.conn.begin();
    } catch (e) {
      this.release(session);
      throw e;
    }
    let out: T;
    try {
      out = await fn(w);
    } catch (e) {
      await this.rollback(session);
      throw e;
    }
    await this.commit(session);
    return out;
  }

  /** Commits the session's DuckDB transaction, with its commit-log entry when it changed rows. */
  async commit(session: Session): Promise<void> {
    const w = session.pendingWrite;
    try {
      const now = this.clock.now();
      const statements: string[] = [];
      let record: CommitRecord | undefined;
      if (w && w.tables.size > 0) {
        record = { version: w.version, committedAt: now, tables: [...w.tables], rewrote: [...w.rewrote], sessionId: session.id, queryId: session.currentQueryId ?? null };
        statements.push(this.log.recordSql(record));
      }
      if (w) statements.push(...w.atCommit);
      for (const [id, version] of w?.consumed ?? []) statements.push(this.offsets.consumeSql(id, version, now.getTime()));
      if (statements.length > 0) await session.conn.commitWith(statements.join(';\n'));
      else await session.conn.commit();
      if (record) this.log.committed(record);
      if (w && w.consumed.size > 0) await this.offsets.refresh(session.conn, [...w.consumed.keys()]);
    } catch (e) {
      await session.conn.rollback();
      throw e;
    } finally {
      this.release(session);
    }
  }

  async rollback(session: Session): Promise<void> {
    try {
      await session.conn.rollback();
    } finally {
      this.release(session);
    }
  }

  /** Runs engine maintenance (the purge) while no session writes. */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const token = {};
    await this.acquire(token);
    try {
      return await fn();
    } finally {
      this.releaseOwner(token);
    }
  }

  /** Like exclusive, but gives up at once (returns undefined) when some session is writing. */
  async tryExclusive<T>(fn: () => Promise<T>): Promise<T | undefined> {
    if (this.owner !== undefined) return undefined;
    return this.exclusive(fn);
  }

  private async acquire(owner: object): Promise<void> {
    while (this.owner !== undefined && this.owner !== owner) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.owner = owner;
  }

  private release(session: Session): void {
    session.pendingWrite = undefined;
    this.releaseOwner(session);
  }

  private releaseOwner(owner: object): void {
    if (this.owner !== owner) return;
    this.owner = undefined;
    this.waiting.shift()?.();
  }
}

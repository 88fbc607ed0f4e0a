/**
 * The commit log: one row per committed write transaction that changed table data — its version,
 * commit time and the row-id high-water mark after it — and which tables it changed. Versions are
 * global and dense; the log maps times to versions for Time Travel and row ids to versions for
 * append-only change sets.
 *
 * Writers are serialised by the engine, so the next version and the next row id are known in
 * memory; the log row is written inside the writing transaction, so a commit and its log entry are
 * durable together or not at all.
 */
import type { StorageConnection } from '../duck.ts';
import { SYSTEM_SCHEMA } from '../catalog/model.ts';

const S = SYSTEM_SCHEMA;

export interface CommitRecord {
  version: number;
  committedAt: Date;
  /** Highest row id allocated by this commit or any before it. */
  rowIdHwm: number;
  /** Catalog ids of the tables whose rows changed. */
  tables: number[];
  sessionId: string;
  queryId: string | null;
}

export class CommitLog {
  /** The last committed version (0 before any commit). */
  latest = 0;
  /** Highest row id ever allocated by a committed transaction. */
  rowIdHwm = 0;

  static async load(conn: StorageConnection): Promise<CommitLog> {
    const log = new CommitLog();
    const rows = await conn.rows(`SELECT coalesce(max(version), 0) AS v, coalesce(max(row_id_hwm), 0) AS h FROM ${S}.commits`);
    log.latest = Number(rows[0].v);
    log.rowIdHwm = Number(rows[0].h);
    return log;
  }

  /** Writes the log rows inside the caller's open transaction. */
  async write(conn: StorageConnection, r: CommitRecord): Promise<void> {
    await conn.query(`INSERT INTO ${S}.commits VALUES ($1, $2, $3, $4, $5)`, [
      r.version,
      r.committedAt.getTime(),
      r.rowIdHwm,
      r.sessionId,
      r.queryId,
    ]);
    if (r.tables.length > 0) {
      await conn.run(`INSERT INTO ${S}.table_changes VALUES ${r.tables.map((t) => `(${r.version}, ${t})`).join(', ')}`);
    }
  }

  /** Makes a durable commit the latest (after DuckDB's COMMIT succeeded). */
  committed(r: CommitRecord): void {
    this.latest = r.version;
    this.rowIdHwm = r.rowIdHwm;
  }

  /** The last version committed at or before (or, with `strict`, before) a time. */
  async versionAt(conn: StorageConnection, epochMs: number, strict = false): Promise<number> {
    const rows = await conn.rows(
      `SELECT coalesce(max(version), 0) AS v FROM ${S}.commits WHERE committed_ms ${strict ? '<' : '<='} $1`,
      [epochMs],
    );
    return Number(rows[0].v);
  }

  /** The row-id high-water mark as of a version. */
  async hwmAt(conn: StorageConnection, version: number): Promise<number> {
    const rows = await conn.rows(`SELECT coalesce(max(row_id_hwm), 0) AS h FROM ${S}.commits WHERE version <= $1`, [version]);
    return Number(rows[0].h);
  }

  /** True when some version in (from, to] changed the table. */
  async changedBetween(conn: StorageConnection, tableId: number, from: number, to: number): Promise<boolean> {
    const rows = await conn.rows(
      `SELECT count(*) AS n FROM ${S}.table_changes WHERE table_id = $1 AND version > $2 AND version <= $3`,
      [tableId, from, to],
    );
    return Number(rows[0].n) > 0;
  }
}

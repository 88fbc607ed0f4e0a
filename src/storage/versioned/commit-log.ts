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
import { sqlString } from '../../sql/index.ts';
import type { StorageConnection } from '../duck.ts';
import { SYSTEM_SCHEMA } from '../catalog/model.ts';

const S = SYSTEM_SCHEMA;

/**
 * Row ids come from one DuckDB sequence. Its increments are not rolled back with a transaction, so
 * ids may have gaps, but they only grow; with one writer at a time, the ids a commit allocated are
 * exactly those between the previous commit's high-water mark and its own.
 */
export const ROW_ID_SEQUENCE = `${S}.row_ids`;
export const NEXT_ROW_ID = `nextval('${ROW_ID_SEQUENCE}')`;

export interface CommitRecord {
  version: number;
  committedAt: Date;
  /** Catalog ids of the tables whose rows changed. */
  tables: number[];
  sessionId: string;
  queryId: string | null;
  /** Tables whose rows this commit updated or deleted (the others in `tables` only gained rows). */
  rewrote?: number[];
}

/** What the commit log knows in memory about a table's changes in a range of versions. */
export interface RangeChanges {
  changed: boolean;
  /** Every commit in the range only inserted rows into the table. */
  appendOnly: boolean;
}

/** Recent commits kept in memory per table (older ranges are answered from the log table). */
const TAIL = 256;

interface Tail {
  /** The list holds every commit that changed the table after this version. */
  since: number;
  versions: number[];
  rewrote: boolean[];
}

/** The sequence's last handed-out id (0 before the first). */
const ALLOCATED = `(SELECT coalesce(last_value, start_value - 1) FROM duckdb_sequences() WHERE schema_name = '${S}' AND sequence_name = 'row_ids')`;

export class CommitLog {
  /** The last committed version (0 before any commit). */
  latest = 0;
  /** The last version that changed each table's rows (SYSTEM$STREAM_HAS_DATA reads it, not the data). */
  readonly lastChanged = new Map<number, number>();
  /**
   * Per table, the commits this process saw change it (and whether they only appended), so that a
   * dynamic table's refresh learns what changed since its last one without reading the log table.
   */
  private readonly tails = new Map<number, Tail>();
  /** Tails start at the version the log was loaded at: what came before is only in the table. */
  private loadedAt = 0;

  static async load(conn: StorageConnection): Promise<CommitLog> {
    const log = new CommitLog();
    const rows = await conn.rows(`SELECT coalesce(max(version), 0) AS v, coalesce(max(row_id_hwm), 0) AS h FROM ${S}.commits`);
    log.latest = Number(rows[0].v);
    log.loadedAt = log.latest;
    await log.advanceRowIds(conn, Number(rows[0].h));
    for (const r of await conn.rows(`SELECT t, max(version) AS v FROM (SELECT unnest(tables) AS t, version FROM ${S}.commits) GROUP BY t`)) {
      log.lastChanged.set(Number(r.t), Number(r.v));
    }
    return log;
  }

  /** The highest row id handed out so far (committed or not). */
  async allocatedRowIds(conn: StorageConnection): Promise<number> {
    return Number((await conn.rows(`SELECT ${ALLOCATED} AS v`))[0]?.v ?? 0);
  }

  /** Makes sure the sequence hands out ids above `hwm` (after ids were assigned outside it). */
  async advanceRowIds(conn: StorageConnection, hwm: number): Promise<void> {
    if ((await this.allocatedRowIds(conn)) >= hwm) return;
    await conn.run(`CREATE OR REPLACE SEQUENCE ${ROW_ID_SEQUENCE} START WITH ${hwm + 1}`);
  }

  /**
   * The statement that writes a commit's log row inside its transaction; the row-id high-water mark
   * is read from the sequence as it runs.
   */
  recordSql(r: CommitRecord): string {
    const tables = `[${r.tables.map((t) => String(Math.trunc(t))).join(', ')}]::BIGINT[]`;
    return (
      `INSERT INTO ${S}.commits SELECT ${Math.trunc(r.version)}, ${r.committedAt.getTime()}, ${ALLOCATED}, ` +
      `${sqlString(r.sessionId)}, ${r.queryId === null ? 'NULL' : sqlString(r.queryId)}, ${tables}`
    );
  }

  /** Makes a durable commit the latest (after DuckDB's COMMIT succeeded). */
  committed(r: CommitRecord): void {
    this.latest = r.version;
    const rewrote = new Set(r.rewrote ?? r.tables);
    for (const t of r.tables) {
      this.lastChanged.set(t, r.version);
      let tail = this.tails.get(t);
      if (!tail) this.tails.set(t, (tail = { since: this.loadedAt, versions: [], rewrote: [] }));
      tail.versions.push(r.version);
      tail.rewrote.push(rewrote.has(t));
      if (tail.versions.length > TAIL) {
        tail.since = tail.versions.shift()!;
        tail.rewrote.shift();
      }
    }
  }

  /**
   * Whether commits in (from, to] changed the table, and whether all of them only appended — from
   * memory, or undefined when the range reaches back before what memory holds.
   */
  changesIn(tableId: number, from: number, to: number): RangeChanges | undefined {
    const tail = this.tails.get(tableId);
    const since = tail?.since ?? this.loadedAt;
    if (from < since) return undefined;
    let changed = false;
    let appendOnly = true;
    tail?.versions.forEach((v, i) => {
      if (v <= from || v > to) return;
      changed = true;
      if (tail.rewrote[i]) appendOnly = false;
    });
    return { changed, appendOnly };
  }

  /** The last version committed at or before (or, with `strict`, before) a time. */
  async versionAt(conn: StorageConnection, epochMs: number, strict = false): Promise<number> {
    const rows = await conn.rows(
      `SELECT coalesce(max(version), 0) AS v FROM ${S}.commits WHERE committed_ms ${strict ? '<' : '<='} ${Math.trunc(epochMs)}`,
    );
    return Number(rows[0].v);
  }

  /** The row-id high-water mark as of a version. */
  async hwmAt(conn: StorageConnection, version: number): Promise<number> {
    const rows = await conn.rows(`SELECT coalesce(max(row_id_hwm), 0) AS h FROM ${S}.commits WHERE version <= ${Math.trunc(version)}`);
    return Number(rows[0].h);
  }

  /** True when some version in (from, to] changed the table. */
  async changedBetween(conn: StorageConnection, tableId: number, from: number, to: number): Promise<boolean> {
    const known = this.changesIn(tableId, from, to);
    if (known) return known.changed;
    const rows = await conn.rows(
      `SELECT count(*) AS n FROM ${S}.commits WHERE version > ${Math.trunc(from)} AND version <= ${Math.trunc(to)} AND list_contains(tables, ${Math.trunc(tableId)})`,
    );
    return Number(rows[0].n) > 0;
  }
}

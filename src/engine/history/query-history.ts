/**
 * QUERY_HISTORY: every statement, successful or not, with its text, user, role, status, error,
 * timings and row counts. Records are buffered and written in batches on the engine's own connection
 * (a per-statement commit would cost ~2 ms each); the buffer is flushed before anything reads the
 * history and at shutdown.
 */
import { DuckDBTimestampTZValue } from '@duckdb/node-api';
import { SYSTEM_SCHEMA, type StorageConnection } from '../../storage/index.ts';

export interface HistoryRecord {
  queryId: string;
  queryText: string;
  queryType: string;
  databaseName: string | null;
  schemaName: string | null;
  sessionId: string;
  userName: string;
  roleName: string;
  warehouseName: string | null;
  status: 'SUCCESS' | 'FAILED_WITH_ERROR';
  errorCode: string | null;
  errorMessage: string | null;
  startTime: Date;
  endTime: Date;
  rowsProduced: number;
  rowsInserted: number;
  rowsUpdated: number;
  rowsDeleted: number;
  /** The last committed version when the statement started and when it ended (Time Travel). */
  versionBefore: number;
  versionAfter: number;
}

/** What AT | BEFORE (STATEMENT => id) needs to know about a statement. */
export interface StatementVersions {
  endTime: Date;
  versionBefore: number;
  versionAfter: number;
}

const MAX_TEXT = 100_000;
const MAX_ERROR = 5_000;
const BATCH = 500;

export class QueryHistory {
  private buffer: (HistoryRecord & { ordinal: number })[] = [];
  private flushing: Promise<void> | undefined;
  /** Statement order, which start times alone cannot give (several statements share a millisecond). */
  private ordinal = 0;

  constructor(private readonly conn: StorageConnection) {}

  /** Continues the ordinal sequence of an existing history. */
  async init(): Promise<void> {
    const rows = await this.conn.rows(`SELECT coalesce(max(ordinal), 0) AS n FROM ${SYSTEM_SCHEMA}.query_history`);
    this.ordinal = Number(rows[0].n);
  }

  record(r: HistoryRecord): void {
    this.ordinal += 1;
    this.buffer.push({ ...r, ordinal: this.ordinal });
    if (this.buffer.length >= BATCH) void this.flush().catch(() => undefined);
  }

  /** Writes everything buffered so far. Concurrent callers wait for the same write. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.buffer.length === 0) return;
    const batch = this.buffer;
    this.buffer = [];
    this.flushing = this.write(batch).finally(() => {
      this.flushing = undefined;
    });
    await this.flushing;
  }

  /** The versions a statement saw, from the buffer or the table; undefined for an unknown id. */
  async statementVersions(queryId: string): Promise<StatementVersions | undefined> {
    for (let i = this.buffer.length - 1; i >= 0; i -= 1) {
      const r = this.buffer[i];
      if (r.queryId === queryId) return { endTime: r.endTime, versionBefore: r.versionBefore, versionAfter: r.versionAfter };
    }
    while (this.flushing) await this.flushing;
    const rows = await this.conn.rows(
      `SELECT epoch_ms(end_time) AS t, version_before AS b, version_after AS a FROM ${SYSTEM_SCHEMA}.query_history WHERE query_id = $1 LIMIT 1`,
      [queryId],
    );
    if (rows.length === 0) return undefined;
    return { endTime: new Date(Number(rows[0].t)), versionBefore: Number(rows[0].b ?? 0), versionAfter: Number(rows[0].a ?? 0) };
  }

  /** Appends the batch with DuckDB's appender (one commit; far cheaper than bound INSERTs). */
  private async write(batch: (HistoryRecord & { ordinal: number })[]): Promise<void> {
    const appender = await this.conn.raw.createAppender('query_history', SYSTEM_SCHEMA);
    const text = (v: string | null) => (v === null ? appender.appendNull() : appender.appendVarchar(v));
    const time = (d: Date) => appender.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(d.getTime()) * 1000n));
    for (const r of batch) {
      text(r.queryId);
      text(r.queryText.slice(0, MAX_TEXT));
      text(r.queryType);
      text(r.databaseName);
      text(r.schemaName);
      text(r.sessionId);
      text(r.userName);
      text(r.roleName);
      text(r.warehouseName);
      text(r.status);
      text(r.errorCode);
      text(r.errorMessage === null ? null : r.errorMessage.slice(0, MAX_ERROR));
      time(r.startTime);
      time(r.endTime);
      appender.appendBigInt(BigInt(r.endTime.getTime() - r.startTime.getTime()));
      appender.appendBigInt(BigInt(r.rowsProduced));
      appender.appendBigInt(BigInt(r.rowsInserted));
      appender.appendBigInt(BigInt(r.rowsUpdated));
      appender.appendBigInt(BigInt(r.rowsDeleted));
      appender.appendBigInt(BigInt(r.ordinal));
      appender.appendBigInt(BigInt(r.versionBefore));
      appender.appendBigInt(BigInt(r.versionAfter));
      appender.endRow();
    }
    appender.flushSync();
    appender.closeSync();
  }
}

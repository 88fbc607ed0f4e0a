/**
 * QUERY_HISTORY: every statement, successful or not, with its text, user, role, status, error,
 * timings and row counts. Records are buffered and written in batches on the engine's own connection
 * (a per-statement commit would cost ~2 ms each); the buffer is flushed before anything reads the
 * history and at shutdown.
 */
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
}

const MAX_TEXT = 100_000;
const MAX_ERROR = 5_000;
const BATCH = 500;

export class QueryHistory {
  private buffer: HistoryRecord[] = [];
  private flushing: Promise<void> | undefined;

  constructor(private readonly conn: StorageConnection) {}

  record(r: HistoryRecord): void {
    this.buffer.push(r);
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

  private async write(batch: HistoryRecord[]): Promise<void> {
    await this.conn.atomically(async () => {
      for (let i = 0; i < batch.length; i += 100) {
        const chunk = batch.slice(i, i + 100);
        const placeholders = chunk
          .map(() => '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ), ?, ?, ?, ?, ?)')
          .join(', ');
        const params = chunk.flatMap((r) => [
          r.queryId,
          r.queryText.slice(0, MAX_TEXT),
          r.queryType,
          r.databaseName,
          r.schemaName,
          r.sessionId,
          r.userName,
          r.roleName,
          r.warehouseName,
          r.status,
          r.errorCode,
          r.errorMessage === null ? null : r.errorMessage.slice(0, MAX_ERROR),
          r.startTime.toISOString(),
          r.endTime.toISOString(),
          r.endTime.getTime() - r.startTime.getTime(),
          r.rowsProduced,
          r.rowsInserted,
          r.rowsUpdated,
          r.rowsDeleted,
        ]);
        await this.conn.query(`INSERT INTO ${SYSTEM_SCHEMA}.query_history VALUES ${placeholders}`, params);
      }
    });
  }
}

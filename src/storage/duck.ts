/**
 * A thin wrapper over one @duckdb/node-api connection: run statements, read results with their
 * DuckDB types, and run a block in a transaction. Every SQL statement Backlot sends to DuckDB goes
 * through here, so there is one place to trace or time them.
 */
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';

export interface DuckColumn {
  name: string;
  /** DuckDB's type text: `BIGINT`, `DECIMAL(10,2)`, `TIMESTAMP WITH TIME ZONE` … */
  type: string;
  /** Logical alias (`JSON`) when present. */
  alias?: string;
}

export interface DuckResult {
  columns: DuckColumn[];
  rows: DuckDBValue[][];
}

export class StorageConnection {
  private inTransaction = false;

  constructor(readonly raw: DuckDBConnection) {}

  /** Runs a statement and discards its result. */
  async run(sql: string): Promise<void> {
    await this.raw.run(sql);
  }

  /** Runs a statement and reads all of its rows. */
  async query(sql: string, params?: Record<string, unknown> | unknown[]): Promise<DuckResult> {
    const reader = params ? await this.raw.runAndReadAll(sql, params as never) : await this.raw.runAndReadAll(sql);
    const types = reader.columnTypes();
    const columns = reader.columnNames().map((name, i) => ({
      name,
      type: types[i].toString(),
      alias: types[i].alias ?? undefined,
    }));
    return { columns, rows: reader.getRows() };
  }

  /** Rows as JSON-friendly values (bigints as strings), for catalog reads. */
  async rows(sql: string, params?: Record<string, unknown> | unknown[]): Promise<Record<string, unknown>[]> {
    const reader = params ? await this.raw.runAndReadAll(sql, params as never) : await this.raw.runAndReadAll(sql);
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  get transactionOpen(): boolean {
    return this.inTransaction;
  }

  async begin(): Promise<void> {
    await this.raw.run('BEGIN TRANSACTION');
    this.inTransaction = true;
  }

  async commit(): Promise<void> {
    this.inTransaction = false;
    await this.raw.run('COMMIT');
  }

  async rollback(): Promise<void> {
    this.inTransaction = false;
    try {
      await this.raw.run('ROLLBACK');
    } catch {
      // Nothing to roll back (DuckDB already aborted the transaction).
    }
  }

  /**
   * Runs `fn` atomically: in a new transaction that commits on success and rolls back on error, or
   * inside the caller's open transaction.
   */
  async atomically<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn();
    await this.begin();
    try {
      const out = await fn();
      await this.commit();
      return out;
    } catch (e) {
      await this.rollback();
      throw e;
    }
  }

  close(): void {
    this.raw.closeSync();
  }
}

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
  /**
   * BEGIN is sent with the transaction's first statement rather than on its own: one round trip
   * less per write, which is most of what a small autocommit write costs besides the commit.
   */
  private beginPending = false;

  constructor(readonly raw: DuckDBConnection) {}

  /** The text to send: the deferred BEGIN first, when there is one. */
  private withBegin(sql: string): string {
    if (!this.beginPending) return sql;
    this.beginPending = false;
    return `BEGIN TRANSACTION;\n${sql}`;
  }

  /** Sends a deferred BEGIN on its own (before a statement with parameters, which must be alone). */
  private async flushBegin(): Promise<void> {
    if (!this.beginPending) return;
    this.beginPending = false;
    await this.raw.run('BEGIN TRANSACTION');
  }

  /**
   * Sends text that may carry the deferred BEGIN. DuckDB parses the whole text before running any of
   * it, so on a parse error the BEGIN did not run either and stays deferred.
   */
  private async send<T>(sql: string, fn: (text: string) => Promise<T>): Promise<T> {
    const hadBegin = this.beginPending;
    try {
      return await fn(this.withBegin(sql));
    } catch (e) {
      if (hadBegin && /^Parser Error/.test(String((e as Error).message))) this.beginPending = true;
      throw e;
    }
  }

  /** Runs a statement and discards its result. */
  async run(sql: string): Promise<void> {
    await this.send(sql, (text) => this.raw.run(text));
  }

  /** Runs a statement and reads all of its rows. */
  async query(sql: string, params?: Record<string, unknown> | unknown[]): Promise<DuckResult> {
    if (params) await this.flushBegin();
    const reader = params ? await this.raw.runAndReadAll(sql, params as never) : await this.send(sql, (text) => this.raw.runAndReadAll(text));
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
    if (params) await this.flushBegin();
    const reader = params ? await this.raw.runAndReadAll(sql, params as never) : await this.send(sql, (text) => this.raw.runAndReadAll(text));
    return reader.getRowObjectsJson() as Record<string, unknown>[];
  }

  get transactionOpen(): boolean {
    return this.inTransaction;
  }

  async begin(): Promise<void> {
    if (this.inTransaction) throw new Error('a transaction is already open on this connection');
    this.beginPending = true;
    this.inTransaction = true;
  }

  async commit(): Promise<void> {
    this.inTransaction = false;
    if (this.beginPending) {
      this.beginPending = false;
      return;
    }
    await this.raw.run('COMMIT');
  }

  /** Runs a last statement and commits, in one round trip (the commit log's row, then COMMIT). */
  async commitWith(sql: string): Promise<void> {
    this.inTransaction = false;
    await this.send(`${sql};\nCOMMIT`, (text) => this.raw.run(text));
  }

  async rollback(): Promise<void> {
    this.inTransaction = false;
    if (this.beginPending) {
      this.beginPending = false;
      return;
    }
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

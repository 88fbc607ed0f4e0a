/**
 * The warehouse: one DuckDB file per Backlot data directory, owned by one process. Opening it locks
 * the directory, creates or upgrades the system catalog, installs the Snowflake function macros and
 * loads the catalog into memory.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { macroDefinitions, macrosVersion, tableMacroDefinitions } from '../sql/index.ts';
import { Catalog } from './catalog/catalog.ts';
import { SYSTEM_SCHEMA } from './catalog/model.ts';
import { MIGRATIONS } from './catalog/system-schema.ts';
import { StorageConnection } from './duck.ts';
import { DataDirectoryLock } from './lock.ts';
import { CommitLog } from './versioned/commit-log.ts';
import { upgradeLegacyTables } from './versioned/tables.ts';

export interface WarehouseOptions {
  /** Data directory; created when missing. */
  dataDir: string;
  /** DuckDB worker threads (default: DuckDB's own choice). */
  threads?: number;
  /** The current time (injectable for tests); stamps the commit of any upgrade at open. */
  now?: () => Date;
}

export class Warehouse {
  readonly dataDir: string;
  readonly catalog: Catalog;
  readonly commits: CommitLog;
  private readonly connections = new Set<StorageConnection>();
  private closed = false;

  private constructor(
    dataDir: string,
    private readonly instance: DuckDBInstance,
    private readonly lock: DataDirectoryLock,
    catalog: Catalog,
    commits: CommitLog,
  ) {
    this.dataDir = dataDir;
    this.catalog = catalog;
    this.commits = commits;
  }

  static async open(options: WarehouseOptions): Promise<Warehouse> {
    const dataDir = resolve(options.dataDir);
    mkdirSync(dataDir, { recursive: true });
    const lock = DataDirectoryLock.acquire(dataDir);
    try {
      const config: Record<string, string> = {};
      if (options.threads) config.threads = String(options.threads);
      const instance = await DuckDBInstance.create(join(dataDir, 'warehouse.duckdb'), config);
      const conn = new StorageConnection(await instance.connect());
      try {
        await migrate(conn);
        await installMacros(conn);
        const catalog = await Catalog.load(conn);
        const commits = await CommitLog.load(conn);
        await upgradeLegacyTables(conn, catalog, commits, (options.now ?? (() => new Date()))());
        return new Warehouse(dataDir, instance, lock, catalog, commits);
      } finally {
        conn.close();
      }
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /** A new DuckDB connection (one per session: DuckDB transactions are per connection). */
  async connect(): Promise<StorageConnection> {
    if (this.closed) throw new Error('warehouse is closed');
    const conn = new StorageConnection(await this.instance.connect());
    this.connections.add(conn);
    return conn;
  }

  release(conn: StorageConnection): void {
    if (this.connections.delete(conn)) conn.close();
  }

  /** Checkpoints the file, closes every connection and releases the directory lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const c of this.connections) {
      try {
        c.close();
      } catch {
        /* already closed */
      }
    }
    this.connections.clear();
    try {
      const conn = new StorageConnection(await this.instance.connect());
      await conn.run('CHECKPOINT');
      conn.close();
    } finally {
      this.instance.closeSync();
      this.lock.release();
    }
  }
}

async function migrate(conn: StorageConnection): Promise<void> {
  const exists = await conn.rows(
    `SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = '${SYSTEM_SCHEMA}' AND table_name = 'meta'`,
  );
  let version = 0;
  if (Number(exists[0].n) > 0) {
    const v = await conn.rows(`SELECT value FROM ${SYSTEM_SCHEMA}.meta WHERE key = 'schema_version'`);
    version = v.length > 0 ? Number(v[0].value) : 0;
  }
  for (let i = version; i < MIGRATIONS.length; i += 1) {
    await conn.atomically(async () => {
      const step = MIGRATIONS[i];
      for (const stmt of Array.isArray(step) ? step : await step(conn)) await conn.run(stmt);
      if (i > 0) await conn.run(`UPDATE ${SYSTEM_SCHEMA}.meta SET value = '${i + 1}' WHERE key = 'schema_version'`);
    });
  }
}

async function installMacros(conn: StorageConnection): Promise<void> {
  const version = macrosVersion();
  const rows = await conn.rows(`SELECT value FROM ${SYSTEM_SCHEMA}.meta WHERE key = 'macros_version'`);
  if (rows.length > 0 && rows[0].value === version) return;
  await conn.atomically(async () => {
    for (const stmt of [...macroDefinitions(), ...tableMacroDefinitions()]) await conn.run(stmt);
    await conn.run(`DELETE FROM ${SYSTEM_SCHEMA}.meta WHERE key = 'macros_version'`);
    await conn.run(`INSERT INTO ${SYSTEM_SCHEMA}.meta VALUES ('macros_version', '${version}')`);
  });
}

/**
 * Creating and reshaping versioned tables: the current-rows table, its history and its macros move
 * together, so history reads always use the table's current definition (as Snowflake's do): a column
 * added later appears in old versions with its default, a dropped column disappears from them.
 */
import { duckIdent, duckTypeOf, ROW_ID, VERSION } from '../../sql/index.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { DATA_SCHEMA, SYSTEM_SCHEMA, type ObjectEntry } from '../catalog/model.ts';
import type { StorageConnection } from '../duck.ts';
import type { CommitLog } from './commit-log.ts';
import { createHistoryDdl, dataTable, dataTableName, hiddenColumnsDdl, historyTable, historyTableName, macroDdl, type VersionedTable } from './layout.ts';

/** The layout's view of a catalog table. */
export function versionedTable(o: Pick<ObjectEntry, 'id' | 'temporary' | 'columns'>): VersionedTable {
  return { id: o.id, temporary: o.temporary, columns: o.columns.map((c) => c.name) };
}

/**
 * DDL for a new table: `columnDdl` holds each user column's DuckDB definition (name, type, DEFAULT,
 * NOT NULL) for the current-rows table; history columns carry only the types.
 */
export function createTableDdl(o: Pick<ObjectEntry, 'id' | 'temporary' | 'columns'>, columnDdl: string[]): string[] {
  const t = versionedTable(o);
  const body = [...columnDdl, ...hiddenColumnsDdl()].join(', ');
  const create = o.temporary ? `CREATE TEMP TABLE ${duckIdent(dataTableName(o.id))} (${body})` : `CREATE TABLE ${dataTable(t)} (${body})`;
  return [create, createHistoryDdl(t, o.columns.map((c) => duckTypeOf(c.type))), ...macroDdl(t)];
}

/** ADD COLUMN on both tables; history rows take the column's default, as Snowflake's do. */
export function addColumnDdl(after: Pick<ObjectEntry, 'id' | 'temporary' | 'columns'>, columnDdl: string, historyColumnDdl: string): string[] {
  const t = versionedTable(after);
  return [`ALTER TABLE ${dataTable(t)} ADD COLUMN ${columnDdl}`, `ALTER TABLE ${historyTable(t)} ADD COLUMN ${historyColumnDdl}`, ...macroDdl(t)];
}

export function dropColumnDdl(after: Pick<ObjectEntry, 'id' | 'temporary' | 'columns'>, name: string): string[] {
  return replaceColumnsDdl(after, [name], []);
}

/**
 * Drops some columns and adds others in one change (a dynamic table's CREATE OR ALTER): the data and
 * history tables altered alike, the macros made once for the final columns — a table may pass
 * through having no column of its own, which no macro could read.
 */
export function replaceColumnsDdl(after: Pick<ObjectEntry, 'id' | 'temporary' | 'columns'>, dropped: string[], added: string[]): string[] {
  const t = versionedTable(after);
  const alter = (sql: string) => [`ALTER TABLE ${dataTable(t)} ${sql}`, `ALTER TABLE ${historyTable(t)} ${sql}`];
  return [...dropped.flatMap((name) => alter(`DROP COLUMN ${duckIdent(name)}`)), ...added.flatMap((ddl) => alter(`ADD COLUMN ${ddl}`)), ...macroDdl(t)];
}

export function renameColumnDdl(after: Pick<ObjectEntry, 'id' | 'temporary' | 'columns'>, from: string, to: string): string[] {
  const t = versionedTable(after);
  const rename = (table: string) => `ALTER TABLE ${table} RENAME COLUMN ${duckIdent(from)} TO ${duckIdent(to)}`;
  return [rename(dataTable(t)), rename(historyTable(t)), ...macroDdl(t)];
}

export function setColumnTypeDdl(o: Pick<ObjectEntry, 'id' | 'temporary' | 'columns'>, name: string, duckType: string): string[] {
  const t = versionedTable(o);
  const alter = (table: string) => `ALTER TABLE ${table} ALTER COLUMN ${duckIdent(name)} SET DATA TYPE ${duckType}`;
  return [alter(dataTable(t)), alter(historyTable(t)), ...macroDdl(t)];
}

/**
 * Tables written before versioning existed get their hidden columns (version 0: "before history
 * began"), fresh row ids, a history table and macros, recorded as one commit. Runs at open.
 */
export async function upgradeLegacyTables(conn: StorageConnection, catalog: Catalog, log: CommitLog, now: Date): Promise<number> {
  await refreshMacros(conn, catalog);
  const have = await conn.rows(
    `SELECT table_name AS t FROM duckdb_columns() WHERE schema_name = '${DATA_SCHEMA}' AND column_name = '${ROW_ID}'`,
  );
  const upgraded = new Set(have.map((r) => String(r.t)));
  const legacy = [...catalog.objects.values()].filter((o) => o.kind === 'TABLE' && !o.temporary && !upgraded.has(dataTableName(o.id)));
  if (legacy.length === 0) return 0;
  const exists = new Set(
    (await conn.rows(`SELECT table_name AS t FROM duckdb_tables() WHERE schema_name = '${DATA_SCHEMA}'`)).map((r) => String(r.t)),
  );
  let hwm = await log.allocatedRowIds(conn);
  const version = log.latest + 1;
  const changed: number[] = [];
  await conn.atomically(async () => {
    for (const o of legacy) {
      if (!exists.has(dataTableName(o.id))) continue;
      const t = versionedTable(o);
      await conn.run(`ALTER TABLE ${dataTable(t)} ADD COLUMN ${duckIdent(ROW_ID)} BIGINT`);
      await conn.run(`ALTER TABLE ${dataTable(t)} ADD COLUMN ${duckIdent(VERSION)} BIGINT DEFAULT 0`);
      await conn.run(`UPDATE ${dataTable(t)} SET ${duckIdent(ROW_ID)} = ${hwm} + rowid + 1`);
      const max = await conn.rows(`SELECT coalesce(max(${duckIdent(ROW_ID)}), ${hwm}) AS m FROM ${dataTable(t)}`);
      hwm = Math.max(hwm, Number(max[0].m));
      await conn.run(createHistoryDdl(t, o.columns.map((c) => duckTypeOf(c.type))));
      for (const sql of macroDdl(t)) await conn.run(sql);
      changed.push(o.id);
    }
    if (changed.length > 0) {
      await log.advanceRowIds(conn, hwm);
      await conn.run(log.recordSql({ version, committedAt: now, tables: changed, sessionId: 'upgrade', queryId: null }));
    }
  });
  if (changed.length > 0) log.committed({ version, committedAt: now, tables: changed, sessionId: 'upgrade', queryId: null });
  return changed.length;
}

/** Bumped whenever the macros' SQL changes; tables get new macros at the next open. */
const LAYOUT_VERSION = '4';

/** Recreates every persistent table's macros when they were written by another layout version. */
async function refreshMacros(conn: StorageConnection, catalog: Catalog): Promise<void> {
  const rows = await conn.rows(`SELECT value FROM ${SYSTEM_SCHEMA}.meta WHERE key = 'versioned_layout'`);
  if (rows.length > 0 && rows[0].value === LAYOUT_VERSION) return;
  const tables = new Set(
    (await conn.rows(`SELECT table_name AS t FROM duckdb_tables() WHERE schema_name = '${DATA_SCHEMA}'`)).map((r) => String(r.t)),
  );
  await conn.atomically(async () => {
    for (const o of catalog.objects.values()) {
      if (o.kind !== 'TABLE' || !tables.has(historyTableName(o.id))) continue;
      for (const sql of macroDdl(versionedTable(o))) await conn.run(sql);
    }
    await conn.run(`DELETE FROM ${SYSTEM_SCHEMA}.meta WHERE key = 'versioned_layout'`);
    await conn.run(`INSERT INTO ${SYSTEM_SCHEMA}.meta VALUES ('versioned_layout', '${LAYOUT_VERSION}')`);
  });
}

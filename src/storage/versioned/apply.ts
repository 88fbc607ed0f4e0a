/**
 * Writing versioned tables. Every change is an append or a delete by DuckDB rowid (or by row id, when
 * the caller knows the rows only by it) — never a scattered UPDATE or MERGE, which DuckDB executes
 * far more slowly on large files (DESIGN §12):
 * - inserts append new rows with fresh row ids and the writing version;
 * - updates and deletes append the old images to history (closing their validity at this version),
 *   delete the old rows by rowid, and append the new images under the same row ids.
 * An image written and replaced inside one transaction was never visible to anyone else, so it does
 * not go to history (its validity range would be empty).
 */
import { CHANGE_OP, CHANGE_ROWID, duckIdent, errors, newColumn, oldColumn, ROW_ID, TO_VERSION, VERSION } from '../../sql/index.ts';
import type { StorageConnection } from '../duck.ts';
import { NEXT_ROW_ID } from './commit-log.ts';
import { dataTable, historyInsertColumns, historyTable, stateSql, type VersionedTable } from './layout.ts';

/** The open write transaction: its version, the tables it changed and the streams it consumed. */
export interface PendingWrite {
  readonly version: number;
  /** Catalog ids of the tables whose rows changed. */
  readonly tables: Set<number>;
  /** Of those, the tables with rows updated or deleted (not only inserted). */
  readonly rewrote: Set<number>;
  /** Statements to run just before COMMIT, in the same round trip (state written with the rows). */
  readonly atCommit: string[];
  /** Streams read by DML in this transaction, with the version their offset moves to at commit. */
  readonly consumed: Map<number, number>;
}

const ROW = duckIdent(ROW_ID);
const VER = duckIdent(VERSION);

function columnList(names: string[]): string {
  return names.map(duckIdent).join(', ');
}

function count(r: { rows: unknown[][] }): number {
  return Number(r.rows[0]?.[0] ?? 0);
}

/**
 * Appends the rows of `sourceSql` (one column per entry of `columns`, in that order) as new rows.
 * Columns not listed take their defaults. Returns how many rows were inserted.
 */
export async function appendRows(conn: StorageConnection, t: VersionedTable, columns: string[], sourceSql: string, w: PendingWrite): Promise<number> {
  const aliases = columns.map((_, i) => `_c${i + 1}`);
  const sql =
    `INSERT INTO ${dataTable(t)} (${columnList(columns)}, ${ROW}, ${VER}) ` +
    `SELECT ${aliases.join(', ')}, ${NEXT_ROW_ID}, ${w.version} FROM (${sourceSql}) AS _s(${aliases.join(', ')})`;
  const n = count(await conn.query(sql));
  if (n > 0) w.tables.add(t.id);
  return n;
}

export interface ChangeCounts {
  inserted: number;
  updated: number;
  deleted: number;
  /** Rows of operation 'S' (same values: a caller's way of counting rows it compared and kept). */
  same: number;
}

export interface ApplyOptions {
  /** The caller guarantees each target row appears at most once (the duplicate check is skipped). */
  unique?: boolean;
  /** Target rows are named by their row id (ROW_ID) instead of DuckDB's rowid. */
  byRowId?: boolean;
  /**
   * Physical columns of the data table beyond the user columns (a dynamic table's running aggregate
   * state): `columns` are written from the change table's `values` with every new image ('I', 'U'),
   * and set in place for 'S' rows — they are no row's values, so changing them makes no new version.
   */
  extra?: { columns: string[]; values: string[] };
  /** The change table's operations, counted by the caller (with `unique`): no pass to count them. */
  counted?: ChangeCounts;
}

/**
 * Applies a materialised change table (see CHANGE_* in sql/translate/versioning.ts) to a table.
 * When a target row appears more than once, `duplicates` decides: several DELETEs of one row are one
 * delete; a row both updated and deleted, or updated more than once, fails with Snowflake's 100090
 * (MERGE's ERROR_ON_NONDETERMINISTIC_MERGE default). Rows of other operations are ignored.
 */
export async function applyChanges(conn: StorageConnection, t: VersionedTable, changes: string, w: PendingWrite, options: ApplyOptions = {}): Promise<ChangeCounts> {
  const op = duckIdent(CHANGE_OP);
  // The column naming each change's target row, and the table column it names.
  const target = duckIdent(options.byRowId ? ROW_ID : CHANGE_ROWID);
  const targetColumn = options.byRowId ? ROW : 'rowid';
  // One pass for the counts and for whether any target row appears more than once.
  const c = options.unique ? options.counted : undefined;
  const stats = c
    ? [c.inserted, c.updated, c.deleted, 0, c.same]
    : (
        await conn.query(
          `SELECT count(*) FILTER (WHERE ${op} = 'I'), count(*) FILTER (WHERE ${op} = 'U'), count(*) FILTER (WHERE ${op} = 'D'), ` +
            `${options.unique ? '0' : `count(${target}) - count(DISTINCT ${target})`}, count(*) FILTER (WHERE ${op} = 'S') FROM ${changes}`,
        )
      ).rows[0].map((v) => Number(v));
  let [inserted, updated, deleted] = stats.slice(0, 3);
  const same = stats[4];
  let source = changes;
  if (stats[3] > 0) {
    const dup = await conn.query(
      `SELECT ${target}, count(*) FILTER (WHERE ${op} = 'U') AS u FROM ${changes} WHERE ${target} IS NOT NULL GROUP BY ${target} HAVING count(*) > 1 ORDER BY u DESC LIMIT 1`,
    );
    if (Number(dup.rows[0][1]) > 0) throw await duplicateRowError(conn, t, changes, target, dup.rows[0][0]);
    // Only repeated deletes: one delete per target row.
    source = `(SELECT DISTINCT ON (${target}) * FROM ${changes} WHERE ${target} IS NOT NULL UNION ALL SELECT * FROM ${changes} WHERE ${target} IS NULL)`;
    const distinct = await conn.query(`SELECT count(*) FILTER (WHERE ${op} = 'D') FROM ${source}`);
    deleted = Number(distinct.rows[0][0]);
  }
  const olds = t.columns.map((_, i) => duckIdent(oldColumn(i + 1))).join(', ');
  const news = t.columns.map((_, i) => duckIdent(newColumn(i + 1))).join(', ');
  const extra = options.extra;
  const cols = columnList(extra ? [...t.columns, ...extra.columns] : t.columns);
  const values = extra ? `${news}, ${extra.values.join(', ')}` : news;
  const steps: string[] = [];
  if (updated + deleted > 0) {
    steps.push(
      `INSERT INTO ${historyTable(t)} (${historyInsertColumns(t)}) SELECT ${olds}, ${ROW}, ${VER}, ${w.version} FROM ${source} WHERE ${op} IN ('U', 'D') AND ${VER} < ${w.version}`,
      `DELETE FROM ${dataTable(t)} WHERE ${targetColumn} IN (SELECT ${target} FROM ${source} WHERE ${op} IN ('U', 'D'))`,
    );
  }
  if (updated > 0) {
    steps.push(`INSERT INTO ${dataTable(t)} (${cols}, ${ROW}, ${VER}) SELECT ${values}, ${ROW}, ${w.version} FROM ${source} WHERE ${op} = 'U'`);
  }
  if (inserted > 0) {
    steps.push(`INSERT INTO ${dataTable(t)} (${cols}, ${ROW}, ${VER}) SELECT ${values}, ${NEXT_ROW_ID}, ${w.version} FROM ${source} WHERE ${op} = 'I'`);
  }
  if (extra && same > 0) {
    const set = extra.columns.map((c, i) => `${duckIdent(c)} = _s.${extra.values[i]}`).join(', ');
    steps.push(`UPDATE ${dataTable(t)} SET ${set} FROM (SELECT * FROM ${source} WHERE ${op} = 'S') AS _s WHERE ${dataTable(t)}.${targetColumn} = _s.${target}`);
  }
  // One round trip for all the writes (they run in order, in the caller's transaction).
  if (steps.length > 0) await conn.run(steps.join(';\n'));
  if (inserted + updated + deleted > 0) w.tables.add(t.id);
  if (updated + deleted > 0) w.rewrote.add(t.id);
  return { inserted, updated, deleted, same };
}

/** Snowflake's 100090, naming the values of the target row that several source rows matched. */
async function duplicateRowError(conn: StorageConnection, t: VersionedTable, changes: string, target: string, id: unknown): Promise<Error> {
  const olds = t.columns.map((_, i) => `CAST(${duckIdent(oldColumn(i + 1))} AS VARCHAR)`).join(', ');
  const r = await conn.query(`SELECT ${olds} FROM ${changes} WHERE ${target} = ${String(id)} LIMIT 1`);
  const values = (r.rows[0] ?? []).map((v) => (v === null ? 'NULL' : JSON.stringify(String(v)))).join(', ');
  return errors.duplicateRow(values);
}

/** Deletes every row (TRUNCATE, INSERT OVERWRITE), keeping the images for Time Travel and streams. */
export async function deleteAll(conn: StorageConnection, t: VersionedTable, w: PendingWrite): Promise<number> {
  const cols = columnList(t.columns);
  await conn.run(`INSERT INTO ${historyTable(t)} (${historyInsertColumns(t)}) SELECT ${cols}, ${ROW}, ${VER}, ${w.version} FROM ${dataTable(t)} WHERE ${VER} < ${w.version}`);
  const n = count(await conn.query(`DELETE FROM ${dataTable(t)}`));
  if (n > 0) {
    w.tables.add(t.id);
    w.rewrote.add(t.id);
  }
  return n;
}

/**
 * Fills a new table with another table's rows — as of a version, or current — keeping their row
 * ids (a clone's rows are the same rows, as in Snowflake). The target's columns match the source's.
 */
export async function copyRows(conn: StorageConnection, from: VersionedTable, to: VersionedTable, asOf: number | undefined, w: PendingWrite): Promise<number> {
  const cols = columnList(from.columns);
  const source = asOf === undefined ? `SELECT ${cols}, ${ROW} FROM ${dataTable(from)}` : stateSql(from, String(asOf), true);
  const n = count(await conn.query(`INSERT INTO ${dataTable(to)} (${columnList(to.columns)}, ${ROW}, ${VER}) SELECT *, ${w.version} FROM (${source})`));
  if (n > 0) w.tables.add(to.id);
  return n;
}

/** Removes history images that ended at or before `cutoff` (no reader can ask for them any more). */
export async function purgeHistory(conn: StorageConnection, t: Pick<VersionedTable, 'id' | 'temporary'>, cutoff: number): Promise<number> {
  return count(await conn.query(`DELETE FROM ${historyTable(t)} WHERE ${duckIdent(TO_VERSION)} <= ${cutoff}`));
}


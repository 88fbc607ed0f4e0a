/**
 * Bringing part of a versioned table to a new set of rows while changing only what differs — how a
 * dynamic table refresh writes (DESIGN §5: an incremental refresh changes only the rows whose values
 * changed, so streams and downstream tables see exactly the change).
 *
 * `current` selects the stored rows concerned, `next` the rows that should replace them. Rows equal
 * in both (compared as multisets, NULLs equal) are left alone, keeping their row ids. The rest are
 * deleted or inserted; when a key is given, a deleted and an inserted row with the same key become an
 * update of one row id (a downstream stream then sees an update pair, as for a table's UPDATE).
 */
import { CHANGE_OP, CHANGE_ROWID, duckIdent, newColumn, oldColumn, ROW_ID, VERSION } from '../../sql/index.ts';
import type { StorageConnection } from '../duck.ts';
import { applyChanges, type PendingWrite } from './apply.ts';
import type { VersionedTable } from './layout.ts';

export interface DiffCounts {
  inserted: number;
  deleted: number;
  /** Rows rewritten with new values under their row id (each also counts as inserted and deleted). */
  updated: number;
  /** Rows in the compared part that stayed as they were. */
  unchanged: number;
}

/** Column aliases used inside the diff: `_c1 … _cn`. */
const col = (i: number): string => `_c${i + 1}`;

function eqAll(a: string, b: string, n: number): string {
  if (n === 0) return 'true';
  return Array.from({ length: n }, (_, i) => `${a}.${col(i)} IS NOT DISTINCT FROM ${b}.${col(i)}`).join(' AND ');
}

/**
 * The stored rows of `t` chosen by `where` (SQL over the table's columns, or 'true'), in the shape
 * rowDiff's `current` expects.
 */
export function storedRowsSql(tableSql: string, t: VersionedTable, where: string): string {
  const cols = t.columns.map(duckIdent).join(', ');
  return `SELECT rowid, ${duckIdent(ROW_ID)}, ${duckIdent(VERSION)}${cols ? `, ${cols}` : ''} FROM ${tableSql} WHERE ${where}`;
}

/**
 * Computes and applies the difference. `current` returns DuckDB rowid, ROW_ID, VERSION, then the
 * table's columns in order; `next` returns the table's columns in order, already of their types.
 * `pairBy` lists column positions forming a key that pairs deletions with insertions.
 */
export async function applyRowDiff(
  conn: StorageConnection,
  t: VersionedTable,
  current: string,
  next: string,
  pairBy: number[] | undefined,
  w: PendingWrite,
  scratch = '_backlot_diff',
): Promise<DiffCounts> {
  const n = t.columns.length;
  const names = Array.from({ length: n }, (_, i) => col(i));
  const partition = n === 0 ? '' : `PARTITION BY ${names.join(', ')}`;
  const cur = `SELECT *, row_number() OVER (${partition} ORDER BY _row) AS _n FROM (${current}) AS _cur(_rid, _row, _ver${n ? ', ' + names.join(', ') : ''})`;
  const nxt = `SELECT *, row_number() OVER (${partition}) AS _n FROM (${next}) AS _nxt(${names.join(', ')})`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${scratch}_cur AS ${cur}`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${scratch}_nxt AS ${nxt}`);
  // Dropped with the commit (an aborted transaction drops them on rollback).
  w.atCommit.push(...['cur', 'nxt', 'gone', 'added', 'changes'].map((x) => `DROP TABLE IF EXISTS temp.${scratch}_${x}`));
  const gone = `SELECT * FROM ${scratch}_cur c WHERE NOT EXISTS (SELECT 1 FROM ${scratch}_nxt x WHERE ${eqAll('x', 'c', n)} AND x._n = c._n)`;
  const added = `SELECT * FROM ${scratch}_nxt x WHERE NOT EXISTS (SELECT 1 FROM ${scratch}_cur c WHERE ${eqAll('x', 'c', n)} AND x._n = c._n)`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${scratch}_gone AS ${gone}`);
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${scratch}_added AS ${added}`);
  const sizes = await conn.query(`SELECT (SELECT count(*) FROM ${scratch}_cur), (SELECT count(*) FROM ${scratch}_gone), (SELECT count(*) FROM ${scratch}_added)`);
  const [curRows, goneRows, addedRows] = sizes.rows[0].map((v) => Number(v));
  if (goneRows === 0 && addedRows === 0) return { inserted: 0, deleted: 0, updated: 0, unchanged: curRows };

  const olds = (p: string | null) => names.map((c, i) => `${p ? `${p}.${c}` : 'NULL'} AS ${duckIdent(oldColumn(i + 1))}`).join(', ');
  const news = (p: string | null) => names.map((c, i) => `${p ? `${p}.${c}` : 'NULL'} AS ${duckIdent(newColumn(i + 1))}`).join(', ');
  const head = (rid: string, op: string, row: string, ver: string) =>
    `${rid} AS ${duckIdent(CHANGE_ROWID)}, '${op}' AS ${duckIdent(CHANGE_OP)}, ${row} AS ${duckIdent(ROW_ID)}, ${ver} AS ${duckIdent(VERSION)}`;
  let changes: string;
  if (pairBy && pairBy.length > 0 && goneRows > 0 && addedRows > 0) {
    const keys = pairBy.map(col);
    const keyEq = keys.map((k) => `g.${k} IS NOT DISTINCT FROM a.${k}`).join(' AND ');
    const g = `SELECT *, row_number() OVER (PARTITION BY ${keys.join(', ')} ORDER BY _row) AS _p FROM ${scratch}_gone`;
    const a = `SELECT *, row_number() OVER (PARTITION BY ${keys.join(', ')}) AS _p FROM ${scratch}_added`;
    changes =
      `WITH g AS (${g}), a AS (${a}) ` +
      `SELECT ${head('g._rid', 'U', 'g._row', 'g._ver')}, ${olds('g')}, ${news('a')} FROM g JOIN a ON ${keyEq} AND g._p = a._p ` +
      `UNION ALL SELECT ${head('g._rid', 'D', 'g._row', 'g._ver')}, ${olds('g')}, ${news(null)} FROM g WHERE NOT EXISTS (SELECT 1 FROM a WHERE ${keyEq} AND g._p = a._p) ` +
      `UNION ALL SELECT ${head('NULL', 'I', 'NULL', 'NULL')}, ${olds(null)}, ${news('a')} FROM a WHERE NOT EXISTS (SELECT 1 FROM g WHERE ${keyEq} AND g._p = a._p)`;
  } else {
    changes =
      `SELECT ${head('g._rid', 'D', 'g._row', 'g._ver')}, ${olds('g')}, ${news(null)} FROM ${scratch}_gone g ` +
      `UNION ALL SELECT ${head('NULL', 'I', 'NULL', 'NULL')}, ${olds(null)}, ${news('a')} FROM ${scratch}_added a`;
  }
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${scratch}_changes AS ${changes}`);
  const counts = await applyChanges(conn, t, `temp.${scratch}_changes`, w);
  return {
    inserted: counts.inserted + counts.updated,
    deleted: counts.deleted + counts.updated,
    updated: counts.updated,
    unchanged: curRows - goneRows,
  };
}

/**
 * applyRowDiff for when the columns at `key` identify a row in both `current` and `next` (a GROUP BY
 * table's group key): rows are matched by key in one pass — same key and values: unchanged; same key,
 * other values: an update of that row id; a key on one side only: a delete or an insert. The change
 * table is built straight from the stored rows and `next` (one statement), and a key is never on two
 * rows, so no duplicate check is needed.
 */
export async function applyKeyedDiff(conn: StorageConnection, t: VersionedTable, current: string, next: string, key: number[], w: PendingWrite, scratch = '_backlot_kdiff'): Promise<DiffCounts> {
  const n = t.columns.length;
  const names = Array.from({ length: n }, (_, i) => col(i));
  const keyEq = key.map((i) => `c.${col(i)} IS NOT DISTINCT FROM x.${col(i)}`).join(' AND ');
  const olds = names.map((c, i) => `c.${c} AS ${duckIdent(oldColumn(i + 1))}`).join(', ');
  const news = names.map((c, i) => `x.${c} AS ${duckIdent(newColumn(i + 1))}`).join(', ');
  // 'S': same key and values — kept in the table only to count the unchanged rows.
  const op = `CASE WHEN c._rid IS NULL THEN 'I' WHEN x._here IS NULL THEN 'D' WHEN ${eqAll('c', 'x', n)} THEN 'S' ELSE 'U' END`;
  const changes = `${scratch}_changes`;
  const total = Number(
    (
      await conn.query(
        `CREATE OR REPLACE TEMP TABLE ${changes} AS ` +
          `WITH c AS (SELECT * FROM (${current}) AS _cur(_rid, _row, _ver, ${names.join(', ')})), x AS (SELECT *, true AS _here FROM (${next}) AS _nxt(${names.join(', ')})) ` +
          `SELECT c._rid AS ${duckIdent(CHANGE_ROWID)}, ${op} AS ${duckIdent(CHANGE_OP)}, c._row AS ${duckIdent(ROW_ID)}, c._ver AS ${duckIdent(VERSION)}, ${olds}, ${news} ` +
          `FROM c FULL OUTER JOIN x ON ${keyEq}`,
      )
    ).rows[0]?.[0] ?? 0,
  );
  // Dropped with the commit (an aborted transaction drops it on rollback).
  w.atCommit.push(`DROP TABLE IF EXISTS temp.${changes}`);
  const counts = await applyChanges(conn, t, `temp.${changes}`, w, { unique: true });
  const inserted = counts.inserted + counts.updated;
  return { inserted, deleted: counts.deleted + counts.updated, updated: counts.updated, unchanged: total - counts.inserted - counts.updated - counts.deleted };
}

/**
 * The physical layout of a versioned table (DESIGN §3) and the SQL that reads it.
 *
 * A table with catalog id 42 is three kinds of DuckDB object in its physical schema (`_backlot_data`,
 * or `temp` for session-temporary tables):
 * - `T42`: the current rows — user columns, then ROW_ID (stable, never reused) and VERSION (the
 *   commit that wrote this image of the row);
 * - `H42`: before-images of updated and deleted rows — user columns, ROW_ID, FROM and TO: the image
 *   was current in versions [FROM, TO). Images are appended when they end, so TO only grows along
 *   the table, and DuckDB's min/max zone maps skip old row groups for every filter on TO;
 * - table macros `T42_AT(v)` (the rows as of version v) and `T42_CHANGES(v1, v2)` /
 *   `T42_APPENDS(h1, h2, v1, v2)` (the net and the append-only change set after v1 up to v2).
 *   Called with literal versions, their filters become constants DuckDB pushes into the scans.
 *
 * State at version v = current rows written at or before v ∪ history images current at v.
 */
import { duckIdent, FROM_VERSION, ROW_ID, TO_VERSION, VERSION } from '../../sql/index.ts';
import { DATA_SCHEMA } from '../catalog/model.ts';

/** What the layout needs to know about a table. */
export interface VersionedTable {
  /** Catalog id: names the physical objects. */
  id: number;
  /** Session-temporary tables live in DuckDB's temp schema. */
  temporary: boolean;
  /** User column names, in order (Snowflake names, exact case). */
  columns: string[];
}

export const dataTableName = (id: number): string => `T${id}`;
export const historyTableName = (id: number): string => `H${id}`;

export function physicalSchema(t: Pick<VersionedTable, 'temporary'>): string {
  return t.temporary ? 'temp' : DATA_SCHEMA;
}

/** `_backlot_data."T42"`: the current rows. */
export function dataTable(t: Pick<VersionedTable, 'id' | 'temporary'>): string {
  return `${physicalSchema(t)}.${duckIdent(dataTableName(t.id))}`;
}

/** `_backlot_data."H42"`: the before-images. */
export function historyTable(t: Pick<VersionedTable, 'id' | 'temporary'>): string {
  return `${physicalSchema(t)}.${duckIdent(historyTableName(t.id))}`;
}

export type MacroKind = 'AT' | 'CHANGES' | 'APPENDS' | 'SEEDED' | 'ROWS';
export const MACRO_KINDS: MacroKind[] = ['AT', 'CHANGES', 'APPENDS', 'SEEDED', 'ROWS'];

/** Unqualified name of one of the table's macros. */
export function macroName(id: number, kind: MacroKind): string {
  return `${dataTableName(id)}_${kind}`;
}

const ROW = duckIdent(ROW_ID);
const VER = duckIdent(VERSION);
const FROM = duckIdent(FROM_VERSION);
const TO = duckIdent(TO_VERSION);

/** Names of the change-set metadata columns, in Snowflake's order. */
export const METADATA_COLUMNS = ['METADATA$ACTION', 'METADATA$ISUPDATE', 'METADATA$ROW_ID'] as const;

function list(t: VersionedTable, prefix = ''): string {
  return t.columns.map((c) => `${prefix}${duckIdent(c)}`).join(', ');
}

/** CREATE TABLE for the history of a table whose user columns have these DuckDB types. */
export function createHistoryDdl(t: VersionedTable, duckTypes: string[]): string {
  const cols = t.columns.map((c, i) => `${duckIdent(c)} ${duckTypes[i]}`);
  const body = [...cols, `${ROW} BIGINT`, `${FROM} BIGINT`, `${TO} BIGINT`].join(', ');
  return t.temporary
    ? `CREATE TEMP TABLE ${duckIdent(historyTableName(t.id))} (${body})`
    : `CREATE TABLE ${historyTable(t)} (${body})`;
}

/**
 * The history table's columns, named for an INSERT: ALTER TABLE … ADD COLUMN puts a new column after
 * the hidden ones, so the table's physical order is not the user columns first.
 */
export function historyInsertColumns(t: VersionedTable): string {
  return [...t.columns.map(duckIdent), ROW, FROM, TO].join(', ');
}

/** The hidden columns of the current-rows table, appended after the user columns. */
export function hiddenColumnsDdl(): string[] {
  return [`${ROW} BIGINT NOT NULL`, `${VER} BIGINT NOT NULL`];
}

/**
 * Rows as of version `v` (a SQL expression): user columns, plus ROW_ID when `withRowId` — for
 * clones, which keep their source's row ids as Snowflake's do.
 */
export function stateSql(t: VersionedTable, v: string, withRowId = false): string {
  const cols = list(t) + (withRowId ? `, ${ROW}` : '');
  return (
    `SELECT ${cols} FROM ${dataTable(t)} WHERE ${VER} <= ${v} ` +
    `UNION ALL SELECT ${cols} FROM ${historyTable(t)} WHERE ${FROM} <= ${v} AND ${TO} > ${v}`
  );
}

/**
 * The net change set after version v1 up to and including v2 (SQL expressions), with Snowflake's
 * stream semantics: per row id, the image current at v1 (if any) against the image current at v2
 * (if any). Present→absent is a DELETE, absent→present an INSERT, present→different a DELETE +
 * INSERT pair with METADATA$ISUPDATE; rows inserted and deleted in between, or changed back to what
 * they were, do not appear. Only images that begin or end inside (v1, v2] are read.
 */
export function changesSql(t: VersionedTable, v1: string, v2: string): string {
  const cols = list(t);
  const b = list(t, 'b.');
  const a = list(t, 'a.');
  const before = `SELECT ${cols}, ${ROW} FROM ${historyTable(t)} WHERE ${TO} > ${v1} AND ${TO} <= ${v2} AND ${FROM} <= ${v1}`;
  const after =
    `SELECT ${cols}, ${ROW} FROM ${dataTable(t)} WHERE ${VER} > ${v1} AND ${VER} <= ${v2} ` +
    `UNION ALL SELECT ${cols}, ${ROW} FROM ${historyTable(t)} WHERE ${TO} > ${v2} AND ${FROM} > ${v1} AND ${FROM} <= ${v2}`;
  const differs = t.columns.length === 0 ? 'false' : `ROW(${b}) IS DISTINCT FROM ROW(${a})`;
  return (
    `WITH b AS (${before}), a AS (${after}), ` +
    `j AS (SELECT ${t.columns.map((c, i) => `b.${duckIdent(c)} AS _b${i}, a.${duckIdent(c)} AS _a${i}`).join(', ')}, ` +
    `b.${ROW} AS _brow, a.${ROW} AS _arow, b.${ROW} IS NOT NULL AND a.${ROW} IS NOT NULL AS _upd, ` +
    `(b.${ROW} IS NULL OR a.${ROW} IS NULL OR ${differs}) AS _chg ` +
    `FROM b FULL OUTER JOIN a ON b.${ROW} = a.${ROW}) ` +
    `SELECT ${t.columns.map((c, i) => `_b${i} AS ${duckIdent(c)}`).join(', ')}, 'DELETE' AS "METADATA$ACTION", _upd AS "METADATA$ISUPDATE", CAST(_brow AS VARCHAR) AS "METADATA$ROW_ID" FROM j WHERE _brow IS NOT NULL AND _chg ` +
    `UNION ALL SELECT ${t.columns.map((c, i) => `_a${i} AS ${duckIdent(c)}`).join(', ')}, 'INSERT', _upd, CAST(_arow AS VARCHAR) FROM j WHERE _arow IS NOT NULL AND _chg`
  );
}

/**
 * The images behind the change set after v1 up to v2, unpaired: the before-images of rows that
 * changed (current at v1, ended in the range) with `_backlot_old` true, and the images current at v2
 * that began in the range with it false. As multisets, the state at v2 is the state at v1 minus the
 * first plus the second — all an incremental computation needs. changesSql pairs them by row id to
 * drop rows that changed back to what they were and to mark updates; this skips that join.
 */
export function imagesSql(t: VersionedTable, v1: number, v2: number): string {
  const cols = list(t);
  return (
    `SELECT ${cols}, true AS _backlot_old FROM ${historyTable(t)} WHERE ${TO} > ${v1} AND ${TO} <= ${v2} AND ${FROM} <= ${v1} ` +
    `UNION ALL SELECT ${cols}, false FROM (${insertedSql(t, v1, v2)})`
  );
}

/**
 * The change set after v1 up to v2 when every commit in between only inserted rows into the table
 * (the commit log knows): the images the inserted rows had at v2 — current ones, or history images
 * that began in the range and ended after it. No image current at v1 can have ended in the range, so
 * changesSql's pairing of before and after images is not needed.
 */
export function insertedSql(t: VersionedTable, v1: number, v2: number): string {
  const cols = list(t);
  return (
    `SELECT ${cols} FROM ${dataTable(t)} WHERE ${VER} > ${v1} AND ${VER} <= ${v2} ` +
    `UNION ALL SELECT ${cols} FROM ${historyTable(t)} WHERE ${FROM} > ${v1} AND ${FROM} <= ${v2} AND ${TO} > ${v2}`
  );
}

/**
 * The append-only change set: rows whose row id was allocated after the high-water mark h1 and at
 * or before h2 (both committed by v2), each with the image it was inserted with, whatever happened
 * to it afterwards.
 */
export function appendsSql(t: VersionedTable, h1: string, h2: string, v1: string, v2: string): string {
  const cols = list(t);
  const images =
    `SELECT ${cols}, ${ROW}, ${VER} AS _backlot_since FROM ${dataTable(t)} WHERE ${ROW} > ${h1} AND ${ROW} <= ${h2} AND ${VER} <= ${v2} ` +
    `UNION ALL SELECT ${cols}, ${ROW}, ${FROM} FROM ${historyTable(t)} WHERE ${TO} > ${v1} AND ${ROW} > ${h1} AND ${ROW} <= ${h2} AND ${FROM} <= ${v2}`;
  return (
    `SELECT ${cols}, 'INSERT' AS "METADATA$ACTION", false AS "METADATA$ISUPDATE", CAST(${ROW} AS VARCHAR) AS "METADATA$ROW_ID" ` +
    `FROM (${images}) QUALIFY row_number() OVER (PARTITION BY ${ROW} ORDER BY _backlot_since) = 1`
  );
}

/**
 * The net change set between two states of any relation whose rows carry an identity column
 * (its last column): the same rules as changesSql, for view streams. `before` and `after` are
 * queries returning `columns` then the identity.
 */
export function rowDiffSql(before: string, after: string, columns: string[]): string {
  const names = columns.map((_, i) => `_c${i}`);
  const list = (p: string) => names.map((n) => `${p}.${n}`).join(', ');
  const aliases = [...names, '_row'].join(', ');
  const differs = columns.length === 0 ? 'false' : `ROW(${list('b')}) IS DISTINCT FROM ROW(${list('a')})`;
  return (
    `WITH b AS (SELECT * FROM (${before}) AS _b(${aliases})), a AS (SELECT * FROM (${after}) AS _a(${aliases})), ` +
    `j AS (SELECT ${names.map((n) => `b.${n} AS b${n}, a.${n} AS a${n}`).join(', ')}, b._row AS _brow, a._row AS _arow, ` +
    `b._row IS NOT NULL AND a._row IS NOT NULL AS _upd, (b._row IS NULL OR a._row IS NULL OR ${differs}) AS _chg ` +
    `FROM b FULL OUTER JOIN a ON b._row = a._row) ` +
    `SELECT ${columns.map((c, i) => `b${names[i]} AS ${duckIdent(c)}`).join(', ')}, 'DELETE' AS "METADATA$ACTION", _upd AS "METADATA$ISUPDATE", _brow AS "METADATA$ROW_ID" FROM j WHERE _brow IS NOT NULL AND _chg ` +
    `UNION ALL SELECT ${columns.map((_, i) => `a${names[i]}`).join(', ')}, 'INSERT', _upd, _arow FROM j WHERE _arow IS NOT NULL AND _chg`
  );
}

/**
 * An append-only stream's first read with SHOW_INITIAL_ROWS: the rows present at version v1 as
 * inserts, then every row appended after it (row ids above h1) up to v2.
 */
export function seededAppendsSql(t: VersionedTable, v1: string, h1: string, v2: string): string {
  const cols = list(t);
  return (
    `SELECT ${cols}, 'INSERT' AS "METADATA$ACTION", false AS "METADATA$ISUPDATE", CAST(${ROW} AS VARCHAR) AS "METADATA$ROW_ID" ` +
    `FROM (${stateSql(t, v1, true)}) UNION ALL ${appendsSql(t, h1, String(Number.MAX_SAFE_INTEGER), v1, v2)}`
  );
}

/**
 * Macro parameters share the name space of the columns in the macro body (DuckDB resolves a bare
 * name to a parameter first), so they carry the reserved prefix no user column may have.
 */
const P = { v: '_backlot_v', v1: '_backlot_v1', v2: '_backlot_v2', h1: '_backlot_h1', h2: '_backlot_h2' };

/** CREATE OR REPLACE for the table's three macros (after CREATE and after every column change). */
export function macroDdl(t: VersionedTable): string[] {
  const create = (kind: MacroKind, params: string, body: string) =>
    t.temporary
      ? `CREATE OR REPLACE TEMP MACRO ${duckIdent(macroName(t.id, kind))}(${params}) AS TABLE ${body}`
      : `CREATE OR REPLACE MACRO ${DATA_SCHEMA}.${duckIdent(macroName(t.id, kind))}(${params}) AS TABLE ${body}`;
  return [
    create('AT', P.v, stateSql(t, P.v)),
    create('CHANGES', `${P.v1}, ${P.v2}`, changesSql(t, P.v1, P.v2)),
    create('APPENDS', `${P.h1}, ${P.h2}, ${P.v1}, ${P.v2}`, appendsSql(t, P.h1, P.h2, P.v1, P.v2)),
    create('SEEDED', `${P.v1}, ${P.h1}, ${P.v2}`, seededAppendsSql(t, P.v1, P.h1, P.v2)),
    create('ROWS', P.v, stateSql(t, P.v, true)),
  ];
}

/** Drops everything physical of a table (purge, or a temporary table going away). */
export function dropDdl(t: Pick<VersionedTable, 'id' | 'temporary'>): string[] {
  const schema = physicalSchema(t);
  return [
    ...MACRO_KINDS.map((k) => `DROP MACRO TABLE IF EXISTS ${schema}.${duckIdent(macroName(t.id, k))}`),
    `DROP TABLE IF EXISTS ${historyTable(t)}`,
    `DROP TABLE IF EXISTS ${dataTable(t)}`,
  ];
}

/**
 * The versioned-table contract shared by translation (which writes the SQL) and storage (which
 * creates the tables): names of the hidden columns and of the placeholders the engine fills in when
 * it runs a DML plan.
 *
 * Current rows: user columns + ROW_ID (stable, never reused) + VERSION (the commit that wrote the row).
 * History:      user columns + ROW_ID + FROM_VERSION + TO_VERSION (the image was current in
 *               [FROM_VERSION, TO_VERSION)).
 */
/** Names Backlot uses for hidden columns and internal names; no user column may start with it. */
export const RESERVED_PREFIX = '_BACKLOT_';

export function isReservedName(name: string): boolean {
  return name.toUpperCase().startsWith(RESERVED_PREFIX);
}

export const ROW_ID = '_BACKLOT_ROW_ID';
export const VERSION = '_BACKLOT_VERSION';
export const FROM_VERSION = '_BACKLOT_FROM';
export const TO_VERSION = '_BACKLOT_TO';

/** Columns of a change table (a DML plan's `changes` query): DuckDB rowid, operation, old/new values. */
export const CHANGE_ROWID = '_BACKLOT_DUCK_ROWID';
export const CHANGE_OP = '_BACKLOT_OP';
export const CHANGE_CLAUSE = '_BACKLOT_CLAUSE';
/** UPDATE … FROM: how many source rows joined the target row (Snowflake reports multi-joined rows). */
export const CHANGE_JOINS = '_BACKLOT_JOINS';
export const oldColumn = (i: number): string => `_BACKLOT_O${i}`;
export const newColumn = (i: number): string => `_BACKLOT_N${i}`;

/** Change operations: update, delete, insert. */
export type ChangeOp = 'U' | 'D' | 'I';

/** Where multi-table INSERT's source rows wait (a temporary table) while the INTO clauses read them. */
export const MULTI_INSERT_SOURCE = '_BACKLOT_SRC';

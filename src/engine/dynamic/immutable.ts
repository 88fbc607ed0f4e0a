/**
 * IMMUTABLE WHERE ( <predicate> ): Snowflake's immutability constraint. The predicate is over the
 * dynamic table's own columns; after the table's first refresh, no refresh changes a stored row that
 * matches it (it is neither updated nor deleted, even when its inputs change or lose the rows it came
 * from) and no refresh adds a computed row that matches it. Only the mutable region — rows for which
 * the predicate is FALSE or NULL — follows the definition:
 *
 *   contents after a refresh = { stored rows matching } ∪ { computed rows not matching }
 *
 * Every write path applies it as a filter on both sides of its comparison: stored rows outside the
 * mutable region are never compared (so never changed), computed rows outside it are dropped. The
 * first refresh (an empty table) writes every computed row. CURRENT_TIMESTAMP and friends in the
 * predicate read the refresh's data timestamp, so a sliding region (`at < CURRENT_TIMESTAMP() -
 * INTERVAL '1 day'`) freezes rows as they age.
 */
import { duckIdent, immutablePredicate, instantsSql, type SfType } from '../../sql/index.ts';
import type { ColumnEntry, SchemaEntry } from '../../storage/index.ts';
import { contextAt } from '../ddl/physical.ts';
import type { Session } from '../session/session.ts';

interface Column {
  name: string;
  type: SfType | undefined;
}

function translatePredicate(session: Session, schema: SchemaEntry, text: string, columns: Column[], full: string): { sql: string; time: boolean } {
  return immutablePredicate(text, columns, contextAt(session, session.engine.catalog, schema), full);
}

/** CREATE and ALTER: the predicate must hold up against the table's columns. */
export function checkImmutableWhere(session: Session, schema: SchemaEntry, text: string, columns: Column[], full: string): void {
  translatePredicate(session, schema, text, columns, full);
}

/**
 * For a refresh computing at `dataMs`: the condition that keeps a row in the mutable region (TRUE
 * when the predicate is FALSE or NULL), or undefined for a table without IMMUTABLE WHERE. The
 * instants the predicate reads are set on the refresh connection unless the definition set them.
 */
export async function mutableRegion(
  session: Session,
  schema: SchemaEntry,
  predicate: string | null,
  columns: ColumnEntry[],
  full: string,
  dataMs: number,
  instantsSet: boolean,
): Promise<string | undefined> {
  if (predicate === null) return undefined;
  const { sql, time } = translatePredicate(session, schema, predicate, columns, full);
  if (time && !instantsSet) await session.conn.run(instantsSql({ OLD: dataMs, NEW: dataMs }));
  return `NOT coalesce((${sql}), false)`;
}

/** The rows of `sql` (the table's columns, in order) that are in the mutable region. */
export function mutableRows(sql: string, columns: ColumnEntry[], mutable: string): string {
  return `SELECT * FROM (${sql}) AS _m(${columns.map((c) => duckIdent(c.name)).join(', ')}) WHERE ${mutable}`;
}

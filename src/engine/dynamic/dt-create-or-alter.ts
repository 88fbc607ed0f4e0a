/**
 * CREATE OR ALTER DYNAMIC TABLE: the declarative deploy. A table that does not exist is created. An
 * existing one takes the statement as its whole definition, in place — same object, so its rows, Time
 * Travel, streams and consumers carry on:
 * - TARGET_LAG, WAREHOUSE, SCHEDULER, COMMENT, retention: changed with no refresh; options the
 *   statement leaves out return to their defaults (a comment left out is removed), as CREATE OR ALTER
 *   does in Snowflake;
 * - the query or REFRESH_MODE: the table is reinitialized — its next refresh recomputes it
 *   (REINITIALIZE), as Snowflake does; until then it keeps its rows;
 * - INITIALIZE is a creation-time choice and is left as it was;
 * - columns the new query adds, drops or retypes change the table in place (as ALTER TABLE … ADD /
 *   DROP COLUMN would: history and streams carry on, dropped columns leave Time Travel too); the table
 *   is reinitialized, and until its next refresh a new column reads NULL.
 */
import { displayName, errors, formatType, quoteIdentifier, type CreateDynamicTableStatement } from '../../sql/index.ts';
import { replaceColumnsDdl, SYSTEM_SCHEMA, type ColumnEntry, type ObjectEntry, type SchemaEntry } from '../../storage/index.ts';
import { ddlTransaction } from '../ddl/ddl-transaction.ts';
import { columnDdl, contextAt, tableViewDdl } from '../ddl/physical.ts';
import { status, type ResultBody } from '../results/result-set.ts';
import type { Session } from '../session/session.ts';
import { createDynamicTable, definitionOptions, definitionProperties, lagWarning, resolveDefinition } from './dt-ddl.ts';
import { graphHistorySql, type AlterTrigger } from './dt-history.ts';
import { dynamicDef, isDynamic } from './dt-model.ts';

/** The REINITIALIZE refresh's message after a changed definition. */
export const REDEFINED = 'The definition was changed by CREATE OR ALTER.';

/** Options a CREATE OR ALTER resets when it leaves them out. */
const RESET_OPTIONS = ['WAREHOUSE', 'INITIALIZATION_WAREHOUSE', 'DATA_RETENTION_TIME_IN_DAYS', 'MAX_DATA_EXTENSION_TIME_IN_DAYS', 'REFRESH_MODE_REASON', 'IMMUTABLE_WHERE'];

export async function createOrAlterDynamicTable(session: Session, stmt: CreateDynamicTableStatement, text: string): Promise<ResultBody> {
  const engine = session.engine;
  const catalog = engine.catalog;
  const service = engine.dynamicTables;
  const path = session.resolver.path(stmt.name, 'CREATE OR ALTER DYNAMIC TABLE');
  const full = displayName([path.database.name, path.schema.name, path.name]);
  const existing = catalog.findObject(path.schema.id, path.name, ['TABLE', 'VIEW']);
  if (!existing) return createDynamicTable(session, { ...stmt, orAlter: false }, text);
  if (!isDynamic(existing)) throw errors.wrongObjectType(full, existing.kind, 'DYNAMIC_TABLE');
  if (stmt.transient && existing.properties.TRANSIENT !== 'true') {
    throw errors.invalidOperation(`CREATE OR ALTER cannot make the dynamic table '${full}' transient; use CREATE OR REPLACE.`);
  }

  const old = dynamicDef(catalog, existing);
  const { lag, requested, scheduler } = definitionOptions(stmt);
  const def = await resolveDefinition(session, stmt, path, full, lag, requested, existing);
  // A table AUTO settled on INCREMENTAL before AUTO chose ADAPTIVE keeps its mode while its query
  // stays the same (Snowflake: tables created before 2026-11-20 keep their resolved mode).
  if (requested === 'AUTO' && old.requestedMode === 'AUTO' && old.refreshMode === 'INCREMENTAL' && def.mode === 'ADAPTIVE' && stmt.query.trim() === old.query.trim()) {
    def.mode = 'INCREMENTAL';
  }
  const sameColumns =
    def.columns.length === existing.columns.length &&
    def.columns.every((c, i) => c.name === existing.columns[i].name && formatType(c.type) === formatType(existing.columns[i].type));
  const redefined = !sameColumns || stmt.query.trim() !== old.query.trim() || requested !== old.requestedMode || def.mode !== old.refreshMode;

  // The scheduling state, INITIALIZE and the like stay; the definition's own properties are replaced.
  const properties: Record<string, string> = { ...existing.properties };
  for (const k of RESET_OPTIONS) delete properties[k];
  Object.assign(properties, definitionProperties(stmt, lag, requested, scheduler, def));

  const triggers: AlterTrigger[] = [];
  if (redefined) triggers.push('CREATE_DYNAMIC_TABLE');
  if (properties.TARGET_LAG !== existing.properties.TARGET_LAG) triggers.push('ALTER_TARGET_LAG');
  if (properties.WAREHOUSE !== existing.properties.WAREHOUSE) triggers.push('ALTER_WAREHOUSE');

  await ddlTransaction(session, async (change, now) => {
    const updated: ObjectEntry = {
      ...existing,
      properties,
      comment: stmt.properties.COMMENT?.text ?? null,
      columns: sameColumns ? existing.columns.map((c, i) => ({ ...c, comment: def.columns[i].comment })) : def.columns,
      definition: text,
      lastAltered: now,
    };
    if (!sameColumns) await reshapeColumns(session, existing, def.columns, path.schema);
    await change.putObject(updated);
    if (triggers.length > 0) {
      for (const sql of graphHistorySql(dynamicDef(catalog, updated), def.bound.references, triggers, now.getTime())) await session.conn.run(sql);
    }
    if (redefined) {
      // Recorded before the commit, so that no refresh can start from the old state in between; a
      // restart reads the uninitialized state and recomputes too.
      await session.conn.run(`UPDATE ${SYSTEM_SCHEMA}.dt_state SET initialized = false WHERE dt_id = ${existing.id}`);
      service.redefined(existing.id, REDEFINED);
    }
  });
  service.changed();
  return status(`Dynamic table ${quoteIdentifier(path.name)} successfully altered.${lagWarning(lag)}`, 'ALTER');
}

/**
 * The stored table's columns made the new query's: the leading columns both share (same name and
 * type) stay, with their values; the rest are dropped and the new ones added after them, so the
 * physical order stays the column order.
 */
async function reshapeColumns(session: Session, existing: ObjectEntry, columns: ColumnEntry[], schema: SchemaEntry): Promise<void> {
  const same = (a: ColumnEntry, b: ColumnEntry) => a.name === b.name && formatType(a.type) === formatType(b.type);
  let kept = 0;
  while (kept < Math.min(existing.columns.length, columns.length) && same(existing.columns[kept], columns[kept])) kept += 1;
  const ctx = contextAt(session, session.engine.catalog, schema);
  const dropped = existing.columns.slice(kept).map((c) => c.name);
  const added = columns.slice(kept).map((c) => columnDdl(c, ctx, false));
  const conn = session.conn;
  for (const sql of replaceColumnsDdl({ ...existing, columns }, dropped, added)) await conn.run(sql);
  await conn.run(tableViewDdl(schema, { ...existing, columns }));
}

/**
 * CREATE OR ALTER DYNAMIC TABLE: the declarative deploy. A table that does not exist is created. An
 * existing one takes the statement as its whole definition, in place — same object, so its rows, Time
 * Travel, streams and consumers carry on:
 * - TARGET_LAG, WAREHOUSE, SCHEDULER, COMMENT, retention: changed with no refresh; options the
 *   statement leaves out return to their defaults (a comment left out is removed), as CREATE OR ALTER
 *   does in Snowflake;
 * - the query or REFRESH_MODE: the table is reinitialized — its next refresh recomputes it
 *   (REINITIALIZE), as Snowflake does; until then it keeps its rows;
 * - INITIALIZE is a creation-time choice and is left as it was.
 * The query must give the same columns (names and types): Snowflake can add and drop columns this
 * way, Backlot cannot yet (`unsupported:`; CREATE OR REPLACE makes a new table instead).
 */
import { displayName, errors, formatType, quoteIdentifier, type CreateDynamicTableStatement } from '../../sql/index.ts';
import { SYSTEM_SCHEMA, type ObjectEntry } from '../../storage/index.ts';
import { ddlTransaction } from '../ddl/ddl-transaction.ts';
import { status, type ResultBody } from '../results/result-set.ts';
import type { Session } from '../session/session.ts';
import { createDynamicTable, definitionOptions, definitionProperties, lagWarning, resolveDefinition } from './dt-ddl.ts';
import { graphHistorySql, type AlterTrigger } from './dt-history.ts';
import { dynamicDef, isDynamic } from './dt-model.ts';

/** The REINITIALIZE refresh's message after a changed definition. */
export const REDEFINED = 'The definition was changed by CREATE OR ALTER.';

/** Options a CREATE OR ALTER resets when it leaves them out. */
const RESET_OPTIONS = ['WAREHOUSE', 'INITIALIZATION_WAREHOUSE', 'DATA_RETENTION_TIME_IN_DAYS', 'MAX_DATA_EXTENSION_TIME_IN_DAYS', 'REFRESH_MODE_REASON'];

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
  const sameColumns =
    def.columns.length === existing.columns.length &&
    def.columns.every((c, i) => c.name === existing.columns[i].name && formatType(c.type) === formatType(existing.columns[i].type));
  if (!sameColumns) {
    const was = existing.columns.map((c) => `${c.name} ${formatType(c.type)}`).join(', ');
    const now = def.columns.map((c) => `${c.name} ${formatType(c.type)}`).join(', ');
    throw errors.unsupported(`CREATE OR ALTER DYNAMIC TABLE that changes the columns of '${full}' (${was} → ${now}); use CREATE OR REPLACE`);
  }
  const redefined = stmt.query.trim() !== old.query.trim() || requested !== old.requestedMode || def.mode !== old.refreshMode;

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
      columns: existing.columns.map((c, i) => ({ ...c, comment: def.columns[i].comment })),
      definition: text,
      lastAltered: now,
    };
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

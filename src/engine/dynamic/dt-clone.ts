/**
 * Clones of dynamic tables (semantics §3.1): `CREATE DYNAMIC TABLE t CLONE src [AT | BEFORE (…)]` and
 * the dynamic tables inside a cloned schema or database. A clone has the source's definition and rows
 * (as of the clone point) and starts SUSPENDED with reason CLONED_AUTO_SUSPENDED, so nothing refreshes
 * until someone resumes it; its first refresh then recomputes it (it has no refresh state of its own).
 */
import { displayName, errors, quoteIdentifier, type CreateDynamicTableStatement } from '../../sql/index.ts';
import { versionedTable, copyRows, type ObjectEntry } from '../../storage/index.ts';
import { cloneVersion } from '../ddl/clone.ts';
import { alreadyExists, newEntry } from '../ddl/create.ts';
import { ddlTransaction, propertyText } from '../ddl/ddl-transaction.ts';
import { dropObjectEntry } from '../ddl/drop.ts';
import { contextAt, createPhysicalTable, tableViewDdl } from '../ddl/physical.ts';
import { status, type ResultBody } from '../results/result-set.ts';
import type { Session } from '../session/session.ts';
import { bindDynamicQuery } from './dt-context.ts';
import { graphHistorySql } from './dt-history.ts';
import { dynamicDef, isDynamic, lagText, parseTargetLag } from './dt-model.ts';

/** A cloned dynamic table's properties: the source's, suspended because it is a clone. */
export function clonedProperties(source: Record<string, string>, now: Date): Record<string, string> {
  const { RESUMED_ON: _r, ...rest } = source;
  return { ...rest, SCHEDULING_STATE: 'SUSPENDED', SUSPEND_REASON: 'CLONED_AUTO_SUSPENDED', LAST_SUSPENDED_ON: now.toISOString(), IS_CLONE: 'true' };
}

/** Writes a clone's first DYNAMIC_TABLE_GRAPH_HISTORY row (in the caller's transaction). */
export async function recordClone(session: Session, entry: ObjectEntry, now: Date): Promise<void> {
  const catalog = session.engine.catalog;
  const dt = dynamicDef(catalog, entry);
  let references: ReturnType<typeof bindDynamicQuery>['references'] = [];
  try {
    references = bindDynamicQuery(session.engine, dt.query, catalog.schemaOf(entry)).references;
  } catch {
    /* a clone whose inputs were not cloned with it: its refresh will say what is missing */
  }
  for (const sql of graphHistorySql(dt, references, ['CREATE_DYNAMIC_TABLE'], now.getTime())) await session.conn.run(sql);
}

export async function cloneDynamicTable(session: Session, stmt: CreateDynamicTableStatement): Promise<ResultBody> {
  const engine = session.engine;
  const catalog = engine.catalog;
  const path = session.resolver.path(stmt.name, 'CREATE DYNAMIC TABLE');
  const full = displayName([path.database.name, path.schema.name, path.name]);
  const existing = catalog.findObject(path.schema.id, path.name, ['TABLE', 'VIEW']);
  if (existing && stmt.ifNotExists) return alreadyExists(path.name);
  if (existing && !stmt.orReplace) throw errors.alreadyExists('Object', full);
  if (existing && !isDynamic(existing)) throw errors.wrongObjectType(full, existing.kind, 'DYNAMIC_TABLE');
  const found = session.resolver.require(stmt.clone!.source, ['TABLE'], 'Dynamic table', 'CREATE DYNAMIC TABLE');
  const source = found.object;
  if (!isDynamic(source)) throw errors.wrongObjectType(displayName([found.path.database.name, found.path.schema.name, source.name]), 'TABLE', 'DYNAMIC_TABLE');
  if (existing && existing.id === source.id) throw errors.invalidOperation(`Dynamic table '${full}' cannot be replaced by a clone of itself.`);
  const asOf = stmt.clone!.at ? await cloneVersion(session, stmt.clone!.source, stmt.clone!.at) : undefined;
  const lag = stmt.properties.TARGET_LAG ? parseTargetLag(stmt.properties.TARGET_LAG.text) : undefined;

  await ddlTransaction(session, async (change, now, write) => {
    if (existing) await dropObjectEntry(session, change, path.schema, existing, now);
    const id = await change.nextId();
    const properties = clonedProperties(source.properties, now);
    if (lag) properties.TARGET_LAG = lagText(lag);
    if (stmt.properties.WAREHOUSE) Object.assign(properties, propertyText({ WAREHOUSE: stmt.properties.WAREHOUSE }));
    const entry = newEntry(session, id, path, now, {
      kind: 'TABLE',
      duckName: `T${id}`,
      comment: source.comment,
      properties,
      definition: source.definition,
      columns: source.columns.map((c) => ({ ...c, identity: null })),
      temporary: false,
    });
    await createPhysicalTable(session.conn, entry, contextAt(session, catalog, path.schema));
    await copyRows(session.conn, versionedTable(source), versionedTable(entry), asOf, write);
    await session.conn.run(tableViewDdl(path.schema, entry));
    await change.putObject(entry);
    await recordClone(session, entry, now);
  });
  engine.dynamicTables.changed();
  return status(`Dynamic table ${quoteIdentifier(path.name)} successfully created.`, 'CREATE');
}

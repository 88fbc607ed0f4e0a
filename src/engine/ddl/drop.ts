/**
 * DROP and UNDROP of databases, schemas, tables, views and sequences; TRUNCATE; COMMENT ON.
 *
 * A dropped table keeps its physical rows until its retention period ends (Snowflake's Time Travel
 * for dropped objects), so UNDROP can restore it; only its user-facing name disappears. Dropping a
 * schema or database hides everything in it the same way.
 */
import {
  displayName,
  duckIdent,
  errors,
  quoteIdentifier,
  type CommentStatement,
  type DropStatement,
  type TruncateStatement,
  type UndropStatement,
} from '../../sql/index.ts';
import { setStatementTime } from '../query/query.ts';
import { dropTaskLinks } from '../tasks/task-ddl.ts';
import { graphHistorySql } from '../dynamic/dt-history.ts';
import { dynamicDef, isDynamic } from '../dynamic/dt-model.ts';
import { DATA_SCHEMA, deleteAll, dropDdl, versionedTable, type CatalogChange, type DatabaseEntry, type ObjectEntry, type SchemaEntry } from '../../storage/index.ts';
import { dropInformationSchemaDdl, informationSchemaDdl } from '../metadata/system-views.ts';
import { status, type ResultBody } from '../results/result-set.ts';
import type { Session } from '../session/session.ts';
import { ddlTransaction } from './ddl-transaction.ts';
import { physicalTable, rebuildSchemaObjects, tableViewDdl, userView } from './physical.ts';

const OK = 'Statement executed successfully.';

/** Marks an object dropped and removes its user-facing DuckDB object. */
export async function dropObjectEntry(session: Session, change: CatalogChange, schema: SchemaEntry, o: ObjectEntry, now: Date): Promise<void> {
  if (o.kind === 'STREAM') {
    // Streams have no Time Travel: dropping one loses its offset for good (semantics §1.1).
    await change.removeObject(o.id);
    await session.conn.run(session.engine.streams.deleteSql(o.id));
    return;
  }
  if (o.kind === 'STAGE' || o.kind === 'FILE FORMAT') {
    // No Time Travel for stages and formats; a stage's files go once the drop commits.
    await change.removeObject(o.id);
    return;
  }
  if (o.kind === 'TASK') {
    // DROP TASK severs the task's links; tasks have no Time Travel.
    await dropTaskLinks(session, change, o, now);
    await change.removeObject(o.id);
    return;
  }
  if (o.kind === 'SEQUENCE') {
    // A sequence a column default still uses stays in DuckDB (unnamed to Snowflake) so those
    // inserts keep working; DuckDB refuses to drop it.
    if (!(await sequenceInUse(session, o.duckName))) await session.conn.run(`DROP SEQUENCE IF EXISTS ${DATA_SCHEMA}.${duckIdent(o.duckName)}`);
    await change.removeObject(o.id);
    return;
  }
  await session.conn.run(`DROP VIEW IF EXISTS ${userView(schema, o.name)}`);
  await change.putObject({ ...o, droppedOn: now });
  if (isDynamic(o)) {
    for (const sql of graphHistorySql(dynamicDef(session.engine.catalog, o), [], [], now.getTime(), true)) await session.conn.run(sql);
  }
}

/** True when a column default calls the DuckDB sequence (DuckDB would refuse to drop it). */
export async function sequenceInUse(session: Session, duckName: string): Promise<boolean> {
  const rows = await session.conn.rows(
    `SELECT count(*) AS n FROM duckdb_columns() WHERE contains(column_default, ?) OR contains(column_default, ?)`,
    [`${DATA_SCHEMA}.${duckName}'`, `"${duckName}"`],
  );
  return Number(rows[0].n) > 0;
}

export async function dropSchemaEntry(change: CatalogChange, session: Session, s: SchemaEntry, now: Date): Promise<void> {
  await session.conn.run(`DROP SCHEMA IF EXISTS ${duckIdent(s.duckSchema)} CASCADE`);
  await change.putSchema({ ...s, droppedOn: now });
}

export async function dropDatabaseEntry(session: Session, change: CatalogChange, d: DatabaseEntry, now: Date): Promise<void> {
  for (const s of session.engine.catalog.schemasOf(d.id)) await dropSchemaEntry(change, session, s, now);
  await session.conn.run(dropInformationSchemaDdl(d.name));
  await change.putDatabase({ ...d, droppedOn: now });
}

const KIND_LABEL = { TABLE: 'Table', VIEW: 'View', SEQUENCE: 'Sequence', STREAM: 'Stream', TASK: 'Task', 'DYNAMIC TABLE': 'Dynamic table', STAGE: 'Stage', 'FILE FORMAT': 'File format' } as const;

/** DROP TABLE must not drop a dynamic table, nor DROP DYNAMIC TABLE a table (Snowflake checks the kind). */
function checkTableKind(o: ObjectEntry, kind: DropStatement['objectKind'], full: string): void {
  if (kind === 'TABLE' && isDynamic(o)) throw errors.wrongObjectType(full, 'DYNAMIC_TABLE', 'TABLE');
  if (kind === 'DYNAMIC TABLE' && !isDynamic(o)) throw errors.wrongObjectType(full, 'TABLE', 'DYNAMIC_TABLE');
}

export async function dropStatement(session: Session, stmt: DropStatement): Promise<ResultBody> {
  const resolver = session.resolver;
  const catalog = session.engine.catalog;
  const missing = (name: string) => status(`Drop statement executed successfully (${quoteIdentifier(name)} already dropped).`, 'DROP');
  const dropped = (name: string) => status(`${quoteIdentifier(name)} successfully dropped.`, 'DROP');
  switch (stmt.objectKind) {
    case 'DATABASE': {
      const d = catalog.findDatabase(stmt.name.name);
      if (!d) {
        if (stmt.ifExists) return missing(stmt.name.name);
        throw errors.doesNotExist('Database', displayName([stmt.name.name]));
      }
      if (!stmt.cascade && catalog.schemasOf(d.id).some((s) => catalog.objectsOf(s.id).length > 0)) {
        throw errors.cannotDropNonEmpty(`Cannot drop database '${d.name}' with RESTRICT: it contains objects.`);
      }
      await ddlTransaction(session, (change, now) => dropDatabaseEntry(session, change, d, now));
      return dropped(d.name);
    }
    case 'SCHEMA': {
      if (stmt.name.name === 'INFORMATION_SCHEMA') throw errors.invalidOperation('INFORMATION_SCHEMA cannot be dropped.');
      const database = stmt.name.database !== undefined ? resolver.database(stmt.name.database) : resolver.currentDatabase('DROP SCHEMA');
      const s = catalog.findSchema(database.id, stmt.name.name);
      if (!s) {
        if (stmt.ifExists) return missing(stmt.name.name);
        throw errors.doesNotExist('Schema', displayName([database.name, stmt.name.name]));
      }
      if (!stmt.cascade && catalog.objectsOf(s.id).length > 0) {
        throw errors.cannotDropNonEmpty(`Cannot drop schema '${s.name}' with RESTRICT: it contains objects.`);
      }
      await ddlTransaction(session, (change, now) => dropSchemaEntry(change, session, s, now));
      return dropped(s.name);
    }
    default: {
      const kind = stmt.objectKind;
      let path;
      try {
        path = resolver.path(stmt.name, `DROP ${kind}`);
      } catch (e) {
        if (stmt.ifExists) return missing(stmt.name.name);
        throw e;
      }
      const o = resolver.find(path, [kind === 'DYNAMIC TABLE' ? 'TABLE' : kind]);
      const full = displayName([path.database.name, path.schema.name, path.name]);
      if (!o) {
        if (stmt.ifExists) return missing(path.name);
        throw errors.doesNotExist(KIND_LABEL[kind], full);
      }
      checkTableKind(o, kind, full);
      if (o.temporary) {
        if (o.kind === 'TABLE') for (const sql of dropDdl(o)) await session.conn.run(sql);
        else if (o.kind === 'STAGE') session.engine.stageFiles.drop('named', String(o.id));
        else if (o.kind !== 'FILE FORMAT') await session.conn.run(`DROP ${o.kind} IF EXISTS ${physicalTable(o)}`);
        session.tempObjects.delete(o.id);
        return dropped(o.name);
      }
      await ddlTransaction(session, (change, now) => dropObjectEntry(session, change, path.schema, o, now));
      if (o.kind === 'TASK') session.engine.tasks.changed();
      if (o.kind === 'STAGE') session.engine.stageFiles.drop('named', String(o.id));
      if (isDynamic(o)) session.engine.dynamicTables.changed();
      return dropped(o.name);
    }
  }
}

export async function undropStatement(session: Session, stmt: UndropStatement): Promise<ResultBody> {
  const resolver = session.resolver;
  const catalog = session.engine.catalog;
  switch (stmt.objectKind) {
    case 'DATABASE': {
      if (catalog.findDatabase(stmt.name.name)) throw errors.alreadyExists('Object', displayName([stmt.name.name]));
      const d = catalog.lastDropped([...catalog.databases.values()].filter((x) => x.name === stmt.name.name));
      if (!d) throw errors.doesNotExist('Database', displayName([stmt.name.name]));
      await ddlTransaction(session, async (change) => {
        await change.putDatabase({ ...d, droppedOn: null });
        for (const sql of informationSchemaDdl(d.name)) await session.conn.run(sql);
        // Schemas dropped together with the database come back with it.
        for (const s of catalog.schemasOf(d.id, true).filter((x) => x.droppedOn !== null && d.droppedOn !== null && x.droppedOn.getTime() === d.droppedOn.getTime())) {
          const restored = { ...s, droppedOn: null };
          await change.putSchema(restored);
          await rebuildSchemaObjects(session, session.conn, catalog, restored);
        }
      });
      return status(`Database ${quoteIdentifier(d.name)} successfully restored.`, 'UNDROP');
    }
    case 'SCHEMA': {
      const database = stmt.name.database !== undefined ? resolver.database(stmt.name.database) : resolver.currentDatabase('UNDROP SCHEMA');
      if (catalog.findSchema(database.id, stmt.name.name)) throw errors.alreadyExists('Object', displayName([database.name, stmt.name.name]));
      const s = catalog.lastDropped(catalog.schemasOf(database.id, true).filter((x) => x.name === stmt.name.name));
      if (!s) throw errors.doesNotExist('Schema', displayName([database.name, stmt.name.name]));
      await ddlTransaction(session, async (change) => {
        const restored = { ...s, droppedOn: null };
        await change.putSchema(restored);
        await rebuildSchemaObjects(session, session.conn, catalog, restored);
      });
      return status(`Schema ${quoteIdentifier(s.name)} successfully restored.`, 'UNDROP');
    }
    case 'TABLE':
    case 'DYNAMIC TABLE': {
      const dynamic = stmt.objectKind === 'DYNAMIC TABLE';
      const path = resolver.path(stmt.name, `UNDROP ${stmt.objectKind}`);
      if (resolver.find(path, ['TABLE', 'VIEW'])) {
        throw errors.alreadyExists('Object', displayName([path.database.name, path.schema.name, path.name]));
      }
      const o = catalog.lastDropped(catalog.objectsOf(path.schema.id, true).filter((x) => x.name === path.name && x.kind === 'TABLE' && isDynamic(x) === dynamic));
      if (!o) throw errors.doesNotExist(dynamic ? 'Dynamic table' : 'Table', displayName([path.database.name, path.schema.name, path.name]));
      await ddlTransaction(session, async (change, now) => {
        const restored = { ...o, droppedOn: null, lastAltered: now };
        await session.conn.run(tableViewDdl(path.schema, restored));
        await change.putObject(restored);
        if (dynamic) {
          const refs = session.engine.dynamicTables.graph().references.get(o.id) ?? [];
          for (const sql of graphHistorySql(dynamicDef(catalog, restored), refs, ['NONE'], now.getTime())) await session.conn.run(sql);
        }
      });
      if (dynamic) session.engine.dynamicTables.changed();
      return status(`${dynamic ? 'Dynamic table' : 'Table'} ${quoteIdentifier(o.name)} successfully restored.`, 'UNDROP');
    }
  }
}

export async function truncateStatement(session: Session, stmt: TruncateStatement): Promise<ResultBody> {
  let target;
  try {
    target = session.resolver.target([stmt.name.database, stmt.name.schema, stmt.name.name].filter((p): p is string => p !== undefined), 'TRUNCATE');
  } catch (e) {
    if (stmt.ifExists) return status(OK, 'TRUNCATE_TABLE');
    throw e;
  }
  await setStatementTime(session);
  await session.engine.writes.run(session, (w) => deleteAll(session.conn, versionedTable(target.object), w));
  return status(OK, 'TRUNCATE_TABLE');
}

export async function commentStatement(session: Session, stmt: CommentStatement): Promise<ResultBody> {
  const resolver = session.resolver;
  await ddlTransaction(session, async (change, now) => {
    switch (stmt.objectKind) {
      case 'DATABASE': {
        const d = resolver.database(stmt.name.name);
        await change.putDatabase({ ...d, comment: stmt.comment });
        return;
      }
      case 'SCHEMA': {
        const s = resolver.schema(stmt.name, 'COMMENT').schema;
        await change.putSchema({ ...s, comment: stmt.comment });
        return;
      }
      default: {
        const kinds = stmt.objectKind === 'COLUMN' ? (['TABLE', 'VIEW'] as const) : stmt.objectKind === 'DYNAMIC TABLE' ? (['TABLE'] as const) : ([stmt.objectKind] as const);
        const label = stmt.objectKind === 'VIEW' ? 'View' : stmt.objectKind === 'STREAM' ? 'Stream' : stmt.objectKind === 'SEQUENCE' ? 'Sequence' : stmt.objectKind === 'DYNAMIC TABLE' ? 'Dynamic table' : 'Table';
        const { object } = resolver.require(stmt.name, [...kinds], label, 'COMMENT');
        if (object.temporary) throw errors.unsupported('COMMENT ON a temporary object');
        if (stmt.column !== undefined) {
          const col = object.columns.find((c) => c.name === stmt.column);
          if (!col) throw errors.invalidIdentifier(stmt.column);
          const columns = object.columns.map((c) => (c === col ? { ...c, comment: stmt.comment } : c));
          await change.putObject({ ...object, columns, lastAltered: now });
        } else {
          await change.putObject({ ...object, comment: stmt.comment, lastAltered: now });
        }
      }
    }
  });
  return status(OK, 'COMMENT');
}

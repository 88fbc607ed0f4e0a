/**
 * ALTER TABLE | VIEW | SEQUENCE | SCHEMA | DATABASE. Renames and swaps move names only — a table's
 * rows stay in its physical table — and column changes alter the physical table and rebuild the
 * user-facing view.
 */
import {
  displayName,
  duckIdent,
  duckTypeOf,
  errors,
  type AlterContainerStatement,
  type AlterSequenceStatement,
  type AlterTableStatement,
  type AlterViewStatement,
  type ColumnChange,
  type ObjectName,
  type SfType,
  type Statement,
} from '../../sql/index.ts';
import { addColumnDdl, DATA_SCHEMA, dropColumnDdl, renameColumnDdl, setColumnTypeDdl, type CatalogChange, type ColumnEntry, type ObjectEntry } from '../../storage/index.ts';
import { dropInformationSchemaDdl, informationSchemaDdl } from '../metadata/system-views.ts';
import { status, type ResultBody } from '../results/result-set.ts';
import type { ResolvedPath } from '../session/resolver.ts';
import type { Session } from '../session/session.ts';
import { ddlTransaction, propertyText } from './ddl-transaction.ts';
import { sequenceInUse } from './drop.ts';
import { checkColumnName } from './create.ts';
import { columnDdl, contextAt, physicalTable, rebuildSchemaObjects, tableViewDdl, userView, viewDdl } from './physical.ts';

const OK = 'Statement executed successfully.';

export async function alterStatement(session: Session, stmt: Statement): Promise<ResultBody> {
  switch (stmt.kind) {
    case 'alter_table':
      return alterTable(session, stmt);
    case 'alter_view':
      return alterView(session, stmt);
    case 'alter_sequence':
      return alterSequence(session, stmt);
    case 'alter_database':
    case 'alter_schema':
      return alterContainer(session, stmt);
    default:
      throw new Error(`not an ALTER statement: ${stmt.kind}`);
  }
}

function find(session: Session, name: ObjectName, kind: 'TABLE' | 'VIEW' | 'SEQUENCE', ifExists: boolean): { path: ResolvedPath; object: ObjectEntry } | undefined {
  const label = kind === 'TABLE' ? 'Table' : kind === 'VIEW' ? 'View' : 'Sequence';
  let found: { path: ResolvedPath; object: ObjectEntry };
  try {
    found = session.resolver.require(name, [kind], label, `ALTER ${kind}`);
  } catch (e) {
    if (ifExists) return undefined;
    throw e;
  }
  // IF EXISTS is about absence: a dynamic table that exists is still the wrong kind to alter.
  if (found.object.properties.DYNAMIC === 'true') {
    throw errors.wrongObjectType(displayName([found.path.database.name, found.path.schema.name, found.object.name]), 'DYNAMIC_TABLE', kind);
  }
  return found;
}

/** Saves a changed object: catalog row (or the session's temporary entry). */
async function save(session: Session, change: CatalogChange, o: ObjectEntry): Promise<void> {
  if (o.temporary) session.tempObjects.set(o.id, o);
  else await change.putObject(o);
}

/** Where a rename moves an object: same schema unless qualified; the target name must be free. */
function renameTarget(session: Session, to: ObjectName, from: ResolvedPath): ResolvedPath {
  const path = to.schema === undefined ? { ...from, name: to.name } : session.resolver.path(to, 'ALTER');
  if (session.resolver.find(path, ['TABLE', 'VIEW', 'SEQUENCE'])) {
    throw errors.alreadyExists('Object', displayName([path.database.name, path.schema.name, path.name]));
  }
  return path;
}

async function alterTable(session: Session, stmt: AlterTableStatement): Promise<ResultBody> {
  const found = find(session, stmt.name, 'TABLE', stmt.ifExists);
  if (!found) return status(OK, 'ALTER');
  const { path, object } = found;
  const conn = session.conn;
  const c = stmt.change;
  await ddlTransaction(session, async (change, now) => {
    const rebuildView = async (o: ObjectEntry, schema = path.schema) => {
      if (!o.temporary) await conn.run(tableViewDdl(schema, o));
    };
    switch (c.action) {
      case 'rename': {
        const to = renameTarget(session, c.to, path);
        if (!object.temporary) await conn.run(`DROP VIEW IF EXISTS ${userView(path.schema, object.name)}`);
        const renamed = { ...object, name: to.name, schemaId: to.schema.id, lastAltered: now };
        await rebuildView(renamed, to.schema);
        await save(session, change, renamed);
        return;
      }
      case 'swap': {
        const other = session.resolver.require(c.with, ['TABLE'], 'Table', 'ALTER TABLE');
        if (other.object.id === object.id) return;
        if (object.temporary || other.object.temporary) throw errors.unsupported('SWAP WITH a temporary table');
        const a = { ...object, name: other.object.name, schemaId: other.object.schemaId, lastAltered: now };
        const b = { ...other.object, name: object.name, schemaId: object.schemaId, lastAltered: now };
        await rebuildView(a, other.path.schema);
        await rebuildView(b, path.schema);
        await change.putObject(a);
        await change.putObject(b);
        return;
      }
      case 'add_columns': {
        let columns = [...object.columns];
        for (const def of c.columns) {
          if (columns.some((x) => x.name === def.name)) {
            if (c.ifNotExists) continue;
            throw errors.duplicateColumn(def.name);
          }
          checkColumnName(def.name);
          if (def.identity) throw errors.unsupported('adding an IDENTITY column to an existing table');
          const col: ColumnEntry = {
            name: def.name,
            type: def.type!,
            nullable: def.nullable,
            defaultSql: def.defaultSql ?? null,
            identity: null,
            comment: def.comment ?? null,
            primaryKey: def.primaryKey ?? false,
            unique: def.unique ?? false,
          };
          columns = [...columns, col];
          const ctx = contextAt(session, session.engine.catalog, path.schema);
          for (const sql of addColumnDdl({ ...object, columns }, columnDdl(col, ctx, false), columnDdl({ ...col, identity: null }, ctx, false))) await conn.run(sql);
          if (!col.nullable) await conn.run(`ALTER TABLE ${physicalTable(object)} ALTER COLUMN ${duckIdent(col.name)} SET NOT NULL`);
        }
        const updated = { ...object, columns, lastAltered: now };
        await rebuildView(updated);
        await save(session, change, updated);
        return;
      }
      case 'drop_columns': {
        let columns = [...object.columns];
        for (const name of c.names) {
          if (!columns.some((x) => x.name === name)) {
            if (c.ifExists) continue;
            throw errors.invalidIdentifier(name);
          }
          if (columns.length === 1) throw errors.invalidOperation('A table must keep at least one column.');
          columns = columns.filter((x) => x.name !== name);
        }
        const updated = { ...object, columns, lastAltered: now };
        await rebuildView(updated);
        let remaining = object.columns;
        for (const name of c.names) {
          if (!remaining.some((x) => x.name === name)) continue;
          remaining = remaining.filter((x) => x.name !== name);
          for (const sql of dropColumnDdl({ ...object, columns: remaining }, name)) await conn.run(sql);
        }
        await save(session, change, updated);
        return;
      }
      case 'rename_column': {
        if (!object.columns.some((x) => x.name === c.from)) throw errors.invalidIdentifier(c.from);
        if (object.columns.some((x) => x.name === c.to)) throw errors.duplicateColumn(c.to);
        checkColumnName(c.to);
        const updated = { ...object, columns: object.columns.map((x) => (x.name === c.from ? { ...x, name: c.to } : x)), lastAltered: now };
        for (const sql of renameColumnDdl(updated, c.from, c.to)) await conn.run(sql);
        await rebuildView(updated);
        await save(session, change, updated);
        return;
      }
      case 'alter_columns': {
        let columns = [...object.columns];
        for (const ch of c.changes) columns = await alterColumn(session, object, columns, ch);
        const updated = { ...object, columns, lastAltered: now };
        await rebuildView(updated);
        await save(session, change, updated);
        return;
      }
      case 'set': {
        const props = { ...object.properties, ...propertyText(c.properties) };
        delete props.COMMENT;
        const comment = c.properties.COMMENT ? c.properties.COMMENT.text : object.comment;
        await save(session, change, { ...object, properties: props, comment, lastAltered: now });
        return;
      }
      case 'unset': {
        const props = { ...object.properties };
        for (const n of c.names) delete props[n];
        await save(session, change, { ...object, properties: props, comment: c.names.includes('COMMENT') ? null : object.comment, lastAltered: now });
        return;
      }
      case 'cluster_by':
        await save(session, change, { ...object, properties: { ...object.properties, CLUSTER_BY: `LINEAR(${c.keys.join(', ')})` }, lastAltered: now });
        return;
      case 'drop_clustering_key': {
        const props = { ...object.properties };
        delete props.CLUSTER_BY;
        await save(session, change, { ...object, properties: props, lastAltered: now });
        return;
      }
      case 'add_constraint': {
        const columns = object.columns.map((col) => {
          if (!c.constraint.columns.includes(col.name)) return col;
          if (c.constraint.kind === 'PRIMARY KEY') return { ...col, primaryKey: true };
          if (c.constraint.kind === 'UNIQUE') return { ...col, unique: true };
          return col;
        });
        for (const n of c.constraint.columns) if (!object.columns.some((x) => x.name === n)) throw errors.invalidIdentifier(n);
        await save(session, change, { ...object, columns, lastAltered: now });
        return;
      }
      case 'drop_constraint': {
        const columns = object.columns.map((col) => (c.kind === 'PRIMARY KEY' ? { ...col, primaryKey: false } : { ...col, primaryKey: false, unique: false }));
        await save(session, change, { ...object, columns, lastAltered: now });
        return;
      }
    }
  });
  return status(OK, 'ALTER');
}

async function alterColumn(session: Session, object: ObjectEntry, columns: ColumnEntry[], ch: ColumnChange): Promise<ColumnEntry[]> {
  const col = columns.find((x) => x.name === ch.column);
  if (!col) throw errors.invalidIdentifier(ch.column);
  const table = physicalTable(object);
  const name = duckIdent(col.name);
  let next: ColumnEntry = { ...col };
  if (ch.setType) {
    checkTypeChange(col, ch.setType);
    if (duckTypeOf(ch.setType) !== duckTypeOf(col.type)) {
      for (const sql of setColumnTypeDdl(object, col.name, duckTypeOf(ch.setType))) await session.conn.run(sql);
    }
    next = { ...next, type: ch.setType };
  }
  if (ch.setNotNull) {
    await session.conn.run(`ALTER TABLE ${table} ALTER COLUMN ${name} SET NOT NULL`);
    next = { ...next, nullable: false };
  }
  if (ch.dropNotNull) {
    if (col.primaryKey) throw errors.invalidOperation(`Column '${col.name}' is part of the primary key and cannot be nullable.`);
    await session.conn.run(`ALTER TABLE ${table} ALTER COLUMN ${name} DROP NOT NULL`);
    next = { ...next, nullable: true };
  }
  if (ch.dropDefault) {
    await session.conn.run(`ALTER TABLE ${table} ALTER COLUMN ${name} DROP DEFAULT`);
    next = { ...next, defaultSql: null };
  }
  if (ch.setDefaultSql !== undefined) {
    throw errors.unsupported('ALTER COLUMN … SET DEFAULT (Snowflake allows only sequence defaults here)');
  }
  if (ch.comment !== undefined) next = { ...next, comment: ch.comment };
  return columns.map((x) => (x === col ? next : x));
}

/** Snowflake lets a type change only widen VARCHAR length or NUMBER precision (same scale). */
function checkTypeChange(col: ColumnEntry, to: SfType): void {
  const from = col.type;
  const ok =
    (from.kind === 'VARCHAR' && to.kind === 'VARCHAR' && to.length >= from.length) ||
    (from.kind === 'NUMBER' && to.kind === 'NUMBER' && to.scale === from.scale && to.precision >= from.precision) ||
    (from.kind === to.kind && from.kind !== 'VARCHAR' && from.kind !== 'NUMBER');
  if (!ok) {
    throw errors.invalidOperation(`cannot change column ${col.name} from type ${describeType(from)} to ${describeType(to)}`);
  }
}

function describeType(t: SfType): string {
  if (t.kind === 'VARCHAR') return `VARCHAR(${t.length})`;
  if (t.kind === 'NUMBER') return `NUMBER(${t.precision},${t.scale})`;
  return t.kind;
}

async function alterView(session: Session, stmt: AlterViewStatement): Promise<ResultBody> {
  const found = find(session, stmt.name, 'VIEW', stmt.ifExists);
  if (!found) return status(OK, 'ALTER');
  const { path, object } = found;
  const c = stmt.change;
  await ddlTransaction(session, async (change, now) => {
    switch (c.action) {
      case 'rename': {
        const to = renameTarget(session, c.to, path);
        await session.conn.run(`DROP VIEW IF EXISTS ${userView(path.schema, object.name)}`);
        const renamed = { ...object, name: to.name, schemaId: to.schema.id, lastAltered: now };
        await session.conn.run(viewDdl(to.schema, renamed, contextAt(session, session.engine.catalog, to.schema)));
        await change.putObject(renamed);
        return;
      }
      case 'secure':
        await change.putObject({ ...object, properties: { ...object.properties, SECURE: String(c.secure) }, lastAltered: now });
        return;
      case 'set': {
        const props = { ...object.properties, ...propertyText(c.properties) };
        delete props.COMMENT;
        await change.putObject({ ...object, properties: props, comment: c.properties.COMMENT?.text ?? object.comment, lastAltered: now });
        return;
      }
      case 'unset': {
        const props = { ...object.properties };
        for (const n of c.names) if (n !== 'QUERY') delete props[n];
        await change.putObject({ ...object, properties: props, comment: c.names.includes('COMMENT') ? null : object.comment, lastAltered: now });
        return;
      }
    }
  });
  return status(OK, 'ALTER');
}

async function alterSequence(session: Session, stmt: AlterSequenceStatement): Promise<ResultBody> {
  const found = find(session, stmt.name, 'SEQUENCE', stmt.ifExists);
  if (!found) return status(OK, 'ALTER');
  const { path, object } = found;
  const c = stmt.change;
  await ddlTransaction(session, async (change, now) => {
    if (c.action === 'rename') {
      const to = renameTarget(session, c.to, path);
      await change.putObject({ ...object, name: to.name, schemaId: to.schema.id, lastAltered: now });
    } else if (c.action === 'set') {
      const props = { ...object.properties };
      if (c.increment !== undefined) {
        if (c.increment === 0) throw errors.invalidValue('Sequence increment must not be zero.');
        // DuckDB cannot change a sequence's step: recreate it from its next value.
        const seq = `${DATA_SCHEMA}.${duckIdent(object.duckName)}`;
        if (await sequenceInUse(session, object.duckName)) {
          throw errors.unsupported('changing the increment of a sequence that a column default uses');
        }
        const next = await session.conn.rows(`SELECT nextval('${DATA_SCHEMA}.${object.duckName}') AS n`);
        await session.conn.run(`DROP SEQUENCE ${seq}`);
        await session.conn.run(`CREATE SEQUENCE ${seq} START WITH ${String(next[0].n)} INCREMENT BY ${c.increment}`);
        props.INCREMENT = String(c.increment);
      }
      await change.putObject({ ...object, properties: props, comment: c.properties.COMMENT?.text ?? object.comment, lastAltered: now });
    } else {
      await change.putObject({ ...object, comment: c.names.includes('COMMENT') ? null : object.comment, lastAltered: now });
    }
  });
  return status(OK, 'ALTER');
}

async function alterContainer(session: Session, stmt: AlterContainerStatement): Promise<ResultBody> {
  const catalog = session.engine.catalog;
  const resolver = session.resolver;
  const c = stmt.change;
  if (stmt.kind === 'alter_database') {
    const d = catalog.findDatabase(stmt.name.name);
    if (!d) {
      if (stmt.ifExists) return status(OK, 'ALTER');
      throw errors.doesNotExist('Database', displayName([stmt.name.name]));
    }
    await ddlTransaction(session, async (change) => {
      if (c.action === 'rename') {
        if (catalog.findDatabase(c.to.name)) throw errors.alreadyExists('Object', displayName([c.to.name]));
        await change.putDatabase({ ...d, name: c.to.name });
        await session.conn.run(dropInformationSchemaDdl(d.name));
        for (const sql of informationSchemaDdl(c.to.name)) await session.conn.run(sql);
        for (const s of catalog.schemasOf(d.id)) await moveSchema(session, change, s.id, `${c.to.name}.${s.name}`);
        if (session.database === d.name) session.database = c.to.name;
      } else if (c.action === 'swap') {
        throw errors.unsupported('ALTER DATABASE … SWAP WITH');
      } else if (c.action === 'set' || c.action === 'unset') {
        await change.putDatabase(applyProps(d, c));
      }
    });
    return status(OK, 'ALTER');
  }
  let found;
  try {
    found = resolver.schema(stmt.name, 'ALTER SCHEMA');
  } catch (e) {
    if (stmt.ifExists) return status(OK, 'ALTER');
    throw e;
  }
  const { database, schema } = found;
  await ddlTransaction(session, async (change) => {
    if (c.action === 'rename') {
      const targetDb = c.to.database !== undefined ? resolver.database(c.to.database) : database;
      if (catalog.findSchema(targetDb.id, c.to.name)) throw errors.alreadyExists('Object', displayName([targetDb.name, c.to.name]));
      await change.putSchema({ ...schema, name: c.to.name, databaseId: targetDb.id });
      await moveSchema(session, change, schema.id, `${targetDb.name}.${c.to.name}`);
      if (session.database === database.name && session.schema === schema.name) {
        session.database = targetDb.name;
        session.schema = c.to.name;
      }
    } else if (c.action === 'swap') {
      const other = resolver.schema(c.with, 'ALTER SCHEMA').schema;
      // Names change hands; each schema's objects stay in its own DuckDB schema.
      await change.putSchema({ ...schema, name: other.name, databaseId: other.databaseId });
      await change.putSchema({ ...other, name: schema.name, databaseId: schema.databaseId });
    } else if (c.action === 'managed_access') {
      await change.putSchema({ ...schema, managedAccess: c.enable });
    } else {
      await change.putSchema(applyProps(schema, c));
    }
  });
  return status(OK, 'ALTER');
}

/** Moves a schema's DuckDB objects to a new DuckDB schema (DuckDB cannot rename schemas). */
async function moveSchema(session: Session, change: CatalogChange, schemaId: number, duckSchema: string): Promise<void> {
  const catalog = session.engine.catalog;
  const s = catalog.schemas.get(schemaId)!;
  let target = duckSchema;
  if (catalog.duckSchemaTaken(target) && target !== s.duckSchema) target = `${duckSchema}#${s.id}`;
  if (target === s.duckSchema) return;
  const moved = { ...s, duckSchema: target };
  await change.putSchema(moved);
  await rebuildSchemaObjects(session, session.conn, catalog, moved);
  await session.conn.run(`DROP SCHEMA IF EXISTS ${duckIdent(s.duckSchema)} CASCADE`);
}

function applyProps<T extends { properties: Record<string, string>; comment: string | null }>(
  entry: T,
  c: { action: 'set'; properties: Record<string, { kind: string; text: string }> } | { action: 'unset'; names: string[] },
): T {
  const props = { ...entry.properties };
  let comment = entry.comment;
  if (c.action === 'set') {
    for (const [k, v] of Object.entries(propertyText(c.properties))) {
      if (k === 'COMMENT') comment = v;
      else props[k] = v;
    }
  } else {
    for (const n of c.names) {
      if (n === 'COMMENT') comment = null;
      else delete props[n];
    }
  }
  return { ...entry, properties: props, comment };
}

/**
 * CREATE DATABASE | SCHEMA | TABLE | VIEW | SEQUENCE with Snowflake's OR REPLACE / IF NOT EXISTS
 * rules, status messages and side effects (a new database becomes the current one, with schema
 * PUBLIC; a new schema becomes the current schema).
 */
import {
  displayName,
  duckIdent,
  columnValueSql,
  errors,
  parseStatement,
  isReservedName,
  quoteIdentifier,
  RESERVED_PREFIX,
  translateQuery,
  type ColumnDefinition,
  type CreateDatabaseStatement,
  type CreateSchemaStatement,
  type CreateSequenceStatement,
  type CreateTableStatement,
  type CreateViewStatement,
  type SfType,
  type Statement,
} from '../../sql/index.ts';
import { DATA_SCHEMA, type CatalogChange, type ColumnEntry, type ObjectEntry, type SchemaEntry } from '../../storage/index.ts';
import { informationSchemaDdl } from '../metadata/system-views.ts';
import { status, type ResultBody } from '../results/result-set.ts';
import { resultType } from '../results/values.ts';
import type { ResolvedPath } from '../session/resolver.ts';
import type { Session } from '../session/session.ts';
import { ddlTransaction, propertyText } from './ddl-transaction.ts';
import { dropDatabaseEntry, dropObjectEntry, dropSchemaEntry } from './drop.ts';
import { contextAt, createPhysicalTable, physicalTable, tableViewDdl, viewDdl } from './physical.ts';
import { appendRows, copyRows, dropDdl, versionedTable } from '../../storage/index.ts';
import { clonePoint, cloneSchemaObjects, cloneVersion } from './clone.ts';
import { consumeStreams } from '../query/dml.ts';
import { isDynamic } from '../dynamic/dt-model.ts';

export async function createStatement(session: Session, stmt: Statement, text: string): Promise<ResultBody> {
  switch (stmt.kind) {
    case 'create_database':
      return createDatabase(session, stmt);
    case 'create_schema':
      return createSchema(session, stmt);
    case 'create_table':
      return createTable(session, stmt);
    case 'create_view':
      return createView(session, stmt, text);
    case 'create_sequence':
      return createSequence(session, stmt);
    default:
      throw new Error(`not a CREATE statement: ${stmt.kind}`);
  }
}

export const alreadyExists = (name: string) => status(`${quoteIdentifier(name)} already exists, statement succeeded.`, 'CREATE');

/** A DuckDB schema name for DB.SCHEMA that no other schema (live or dropped) uses. */
function allocateDuckSchema(session: Session, database: string, schema: string, id: number): string {
  const base = `${database}.${schema}`;
  return session.engine.catalog.duckSchemaTaken(base) ? `${base}#${id}` : base;
}

async function createDatabase(session: Session, stmt: CreateDatabaseStatement): Promise<ResultBody> {
  const catalog = session.engine.catalog;
  const existing = catalog.findDatabase(stmt.name);
  if (existing && stmt.ifNotExists) return alreadyExists(stmt.name);
  if (existing && !stmt.orReplace) throw errors.alreadyExists('Object', displayName([stmt.name]));
  const source = stmt.clone ? session.resolver.database(stmt.clone.source) : undefined;
  const at = stmt.clone?.at ? await clonePoint(session, stmt.clone.at) : undefined;
  if (source && at && at.point.epochMs < source.createdOn.getTime()) throw errors.timeTravelUnavailable(source.name);
  await ddlTransaction(session, async (change, now, write) => {
    if (existing) await dropDatabaseEntry(session, change, existing, now);
    const id = await change.nextId();
    await change.putDatabase({
      id,
      name: stmt.name,
      createdOn: now,
      owner: session.role,
      comment: stmt.properties.COMMENT?.text ?? source?.comment ?? null,
      transient: stmt.transient || (source?.transient ?? false),
      properties: { ...(source?.properties ?? {}), ...propertyText(withoutComment(stmt.properties)) },
      droppedOn: null,
    });
    for (const sql of informationSchemaDdl(stmt.name)) await session.conn.run(sql);
    if (!source) {
      await newSchema(session, change, id, stmt.name, 'PUBLIC', now, { transient: stmt.transient });
      return;
    }
    for (const s of catalog.schemasOf(source.id)) {
      if (at && at.point.epochMs < s.createdOn.getTime()) continue;
      const copy = await newSchema(session, change, id, stmt.name, s.name, now, {
        transient: s.transient,
        managedAccess: s.managedAccess,
        comment: s.comment,
        properties: s.properties,
      });
      await cloneSchemaObjects(session, change, write, s, copy, at, now);
    }
  });
  session.database = stmt.name;
  session.schema = 'PUBLIC';
  return status(`Database ${quoteIdentifier(stmt.name)} successfully created.`, 'CREATE');
}

export function withoutComment<T extends Record<string, unknown>>(props: T): T {
  const { COMMENT: _c, ...rest } = props;
  return rest as T;
}

async function newSchema(
  session: Session,
  change: CatalogChange,
  databaseId: number,
  databaseName: string,
  name: string,
  now: Date,
  opts: { transient?: boolean; managedAccess?: boolean; comment?: string | null; properties?: Record<string, string> } = {},
): Promise<SchemaEntry> {
  const id = await change.nextId();
  const entry: SchemaEntry = {
    id,
    databaseId,
    name,
    duckSchema: allocateDuckSchema(session, databaseName, name, id),
    createdOn: now,
    owner: session.role,
    comment: opts.comment ?? null,
    transient: opts.transient ?? false,
    managedAccess: opts.managedAccess ?? false,
    properties: opts.properties ?? {},
    droppedOn: null,
  };
  await session.conn.run(`CREATE SCHEMA ${duckIdent(entry.duckSchema)}`);
  await change.putSchema(entry);
  return entry;
}

async function createSchema(session: Session, stmt: CreateSchemaStatement): Promise<ResultBody> {
  const resolver = session.resolver;
  const database = stmt.name.database !== undefined ? resolver.database(stmt.name.database) : resolver.currentDatabase('CREATE SCHEMA');
  if (stmt.name.name === 'INFORMATION_SCHEMA') throw errors.alreadyExists('Object', displayName([database.name, stmt.name.name]));
  const catalog = session.engine.catalog;
  const existing = catalog.findSchema(database.id, stmt.name.name);
  if (existing && stmt.ifNotExists) return alreadyExists(stmt.name.name);
  if (existing && !stmt.orReplace) throw errors.alreadyExists('Object', displayName([database.name, stmt.name.name]));
  const source = stmt.clone ? resolver.schema(stmt.clone.source, 'CREATE SCHEMA').schema : undefined;
  const at = stmt.clone?.at ? await clonePoint(session, stmt.clone.at) : undefined;
  if (source && at && at.point.epochMs < source.createdOn.getTime()) throw errors.timeTravelUnavailable(source.name);
  await ddlTransaction(session, async (change, now, write) => {
    if (existing) await dropSchemaEntry(change, session, existing, now);
    const schema = await newSchema(session, change, database.id, database.name, stmt.name.name, now, {
      transient: stmt.transient || database.transient || (source?.transient ?? false),
      managedAccess: stmt.managedAccess || (source?.managedAccess ?? false),
      comment: stmt.properties.COMMENT?.text ?? source?.comment ?? null,
      properties: { ...(source?.properties ?? {}), ...propertyText(withoutComment(stmt.properties)) },
    });
    if (source) await cloneSchemaObjects(session, change, write, source, schema, at, now);
  });
  session.database = database.name;
  session.schema = stmt.name.name;
  return status(`Schema ${quoteIdentifier(stmt.name.name)} successfully created.`, 'CREATE');
}

/** Resolves the target of CREATE TABLE/VIEW/SEQUENCE and applies OR REPLACE / IF NOT EXISTS. */
function createTarget(
  session: Session,
  name: CreateTableStatement['name'],
  kind: 'TABLE' | 'VIEW' | 'SEQUENCE',
  orReplace: boolean,
  ifNotExists: boolean,
  temporary: boolean,
): { path: ResolvedPath; existing?: ObjectEntry; skip: boolean } {
  const resolver = session.resolver;
  const path = resolver.path(name, `CREATE ${kind}`);
  if (path.schema.name === 'INFORMATION_SCHEMA') throw errors.invalidOperation('INFORMATION_SCHEMA is read-only.');
  const kinds: ('TABLE' | 'VIEW' | 'SEQUENCE')[] = kind === 'SEQUENCE' ? ['SEQUENCE'] : ['TABLE', 'VIEW'];
  // A temporary table may shadow a permanent one; otherwise names are unique per schema.
  const existing = temporary
    ? [...session.tempObjects.values()].find((t) => t.schemaId === path.schema.id && t.name === path.name)
    : session.engine.catalog.findObject(path.schema.id, path.name, kinds);
  if (existing && ifNotExists) return { path, existing, skip: true };
  const full = displayName([path.database.name, path.schema.name, path.name]);
  if (existing && !orReplace) throw errors.alreadyExists('Object', full);
  if (existing && isDynamic(existing)) throw errors.wrongObjectType(full, 'DYNAMIC_TABLE', kind);
  if (existing && existing.kind !== kind) {
    throw errors.invalidOperation(`Object '${full}' already exists as ${existing.kind}.`);
  }
  return { path, existing, skip: false };
}

/** A new catalog entry for an object created now by the session's role. */
export function newEntry(
  session: Session,
  id: number,
  path: ResolvedPath,
  now: Date,
  fields: Pick<ObjectEntry, 'kind' | 'duckName' | 'properties' | 'columns' | 'temporary' | 'definition'> & { comment?: string | null },
): ObjectEntry {
  return {
    id,
    schemaId: path.schema.id,
    name: path.name,
    createdOn: now,
    lastAltered: now,
    owner: session.role,
    droppedOn: null,
    ...fields,
    comment: fields.comment ?? null,
  };
}

function toColumnEntry(def: ColumnDefinition, type: SfType, identitySequence?: string): ColumnEntry {
  return {
    name: def.name,
    type,
    nullable: def.nullable && !def.primaryKey,
    defaultSql: def.defaultSql ?? null,
    identity: def.identity && identitySequence ? { ...def.identity, sequence: identitySequence } : null,
    comment: def.comment ?? null,
    primaryKey: def.primaryKey ?? false,
    unique: def.unique ?? false,
  };
}

/** Column names starting with _BACKLOT_ are Backlot's own (hidden row ids and versions). */
export function checkColumnName(name: string): void {
  if (isReservedName(name)) throw errors.invalidOperation(`Column name '${name}' is reserved: names starting with ${RESERVED_PREFIX} are used by Backlot.`);
}

export function checkDuplicateColumns(columns: { name: string }[]): void {
  const exact = new Set<string>();
  const folded = new Set<string>();
  for (const c of columns) {
    checkColumnName(c.name);
    if (exact.has(c.name)) throw errors.duplicateColumn(c.name);
    // DuckDB compares column names case-insensitively, so "a" and "A" cannot coexist there.
    if (folded.has(c.name.toUpperCase())) throw errors.unsupported(`columns whose names differ only in case ('${c.name}')`);
    exact.add(c.name);
    folded.add(c.name.toUpperCase());
  }
}

async function createTable(session: Session, stmt: CreateTableStatement): Promise<ResultBody> {
  const target = createTarget(session, stmt.name, 'TABLE', stmt.orReplace, stmt.ifNotExists, stmt.temporary);
  if (target.skip) return alreadyExists(target.path.name);
  const { path } = target;
  const ctx = contextAt(session, session.engine.catalog, path.schema);

  // Columns and, for CTAS / CLONE, the rows to copy.
  let columns: ColumnEntry[] = [];
  let populate: string | undefined;
  let cloneOf: { source: ObjectEntry; asOf: number | undefined } | undefined;
  const clonePoint = stmt.clone?.at ? await cloneVersion(session, stmt.clone.source, stmt.clone.at) : undefined;
  const identityDefs: { def: ColumnDefinition; sequence: string }[] = [];
  await ddlTransaction(session, async (change, now, write) => {
    const id = await change.nextId();
    if (stmt.like || stmt.clone) {
      const source = session.resolver.require(stmt.like ?? stmt.clone!.source, ['TABLE'], 'Table', 'CREATE TABLE').object;
      columns = source.columns.map((c) => ({ ...c, identity: null }));
      if (stmt.clone) cloneOf = { source, asOf: clonePoint };
    } else if (stmt.asQuery !== undefined) {
      const parsed = parseStatement(stmt.asQuery).statement;
      if (parsed.kind !== 'query') throw errors.syntaxMessage('CREATE TABLE … AS needs a query.');
      const t = translateQuery(parsed, stmt.asQuery, session.translateContext());
      consumeStreams(write, t.info.streams);
      for (const action of t.info.actions) await action();
      const described = await session.conn.query(`DESCRIBE ${t.sql}`);
      const names = described.rows.map((r) => String(r[0]));
      const duckTypes = described.rows.map((r) => String(r[1]));
      const defs = stmt.columns ?? [];
      if (defs.length > 0 && defs.length !== names.length) {
        throw errors.syntaxMessage(`Number of columns in the column list (${defs.length}) does not match the query (${names.length}).`);
      }
      columns = names.map((n, i) => {
        const inferred = t.columns.length === names.length ? t.columns[i].type : undefined;
        const def = defs[i];
        const type = def?.type ?? resultType({ name: n, type: duckTypes[i], alias: duckTypes[i] === 'JSON' ? 'JSON' : undefined }, inferred);
        return def ? toColumnEntry({ ...def, identity: undefined }, type) : toColumnEntry({ name: n, nullable: true }, type);
      });
      const casts = columns.map((c, i) => columnValueSql(duckIdent('_c' + i), c.type));
      populate = `SELECT ${casts.join(', ')} FROM (${t.sql}) AS _src(${names.map((_, i) => duckIdent('_c' + i)).join(', ')})`;
    } else {
      for (const def of stmt.columns ?? []) {
        let seq: string | undefined;
        if (def.identity) {
          seq = `S${await change.nextId()}`;
          identityDefs.push({ def, sequence: seq });
        }
        columns.push(toColumnEntry(def, def.type!, seq));
      }
    }
    for (const c of stmt.constraints) {
      for (const name of c.columns) {
        const col = columns.find((x) => x.name === name);
        if (!col) throw errors.invalidIdentifier(name);
        if (c.kind === 'PRIMARY KEY') Object.assign(col, { primaryKey: true, nullable: false });
        if (c.kind === 'UNIQUE') Object.assign(col, { unique: true });
      }
    }
    if (columns.length === 0) throw errors.syntaxMessage('Table must have at least one column.');
    checkDuplicateColumns(columns);

    if (target.existing) {
      if (target.existing.temporary) {
        for (const sql of dropDdl(target.existing)) await session.conn.run(sql);
        session.tempObjects.delete(target.existing.id);
      } else {
        await dropObjectEntry(session, change, path.schema, target.existing, now);
      }
    }
    const properties: Record<string, string> = propertyText(withoutComment(stmt.properties));
    if (stmt.transient || path.schema.transient) properties.TRANSIENT = 'true';
    if (stmt.clusterBy) properties.CLUSTER_BY = `LINEAR(${stmt.clusterBy.join(', ')})`;
    const entry = newEntry(session, id, path, now, {
      kind: 'TABLE',
      duckName: `T${id}`,
      comment: stmt.properties.COMMENT?.text,
      properties,
      definition: null,
      columns,
      temporary: stmt.temporary,
    });
    for (const { def, sequence } of identityDefs) {
      const seqSql = `CREATE SEQUENCE ${DATA_SCHEMA}.${duckIdent(sequence)} START WITH ${def.identity!.start} INCREMENT BY ${def.identity!.increment}`;
      await session.conn.run(seqSql);
    }
    await createPhysicalTable(session.conn, entry, ctx);
    if (populate) await appendRows(session.conn, versionedTable(entry), columns.map((c) => c.name), populate, write);
    if (cloneOf) await copyRows(session.conn, versionedTable(cloneOf.source), versionedTable(entry), cloneOf.asOf, write);
    if (stmt.temporary) {
      session.tempObjects.set(entry.id, entry);
    } else {
      await session.conn.run(tableViewDdl(path.schema, entry));
      await change.putObject(entry);
    }
  });
  return status(`Table ${quoteIdentifier(path.name)} successfully created.`, 'CREATE');
}

async function createView(session: Session, stmt: CreateViewStatement, text: string): Promise<ResultBody> {
  const target = createTarget(session, stmt.name, 'VIEW', stmt.orReplace, stmt.ifNotExists, stmt.temporary);
  if (target.skip) return alreadyExists(target.path.name);
  const { path } = target;
  const ctx = contextAt(session, session.engine.catalog, path.schema);
  const parsed = parseStatement(stmt.query).statement;
  if (parsed.kind !== 'query') throw errors.syntaxMessage('A view must be defined by a query.');
  await ddlTransaction(session, async (change, now) => {
    const t = translateQuery(parsed, stmt.query, ctx);
    const described = await session.conn.query(`DESCRIBE ${t.sql}`);
    const names = described.rows.map((r) => String(r[0]));
    if (stmt.columns && stmt.columns.length !== names.length) {
      throw errors.syntaxMessage(`Number of columns in the column list (${stmt.columns.length}) does not match the query (${names.length}).`);
    }
    const columns: ColumnEntry[] = names.map((n, i) => {
      const duckType = String(described.rows[i][1]);
      const inferred = t.columns.length === names.length ? t.columns[i].type : undefined;
      const type = resultType({ name: n, type: duckType, alias: duckType === 'JSON' ? 'JSON' : undefined }, inferred);
      const spec = stmt.columns?.[i];
      return { name: spec?.name ?? n, type, nullable: true, defaultSql: null, identity: null, comment: spec?.comment ?? null, primaryKey: false, unique: false };
    });
    checkDuplicateColumns(columns);
    if (target.existing?.temporary) {
      await session.conn.run(`DROP VIEW IF EXISTS ${physicalTable(target.existing)}`);
      session.tempObjects.delete(target.existing.id);
    } else if (target.existing) {
      await dropObjectEntry(session, change, path.schema, target.existing, now);
    }
    const id = await change.nextId();
    const properties: Record<string, string> = { ...propertyText(withoutComment(stmt.properties)), QUERY: stmt.query };
    if (stmt.secure) properties.SECURE = 'true';
    const entry = newEntry(session, id, path, now, {
      kind: 'VIEW',
      duckName: stmt.temporary ? `V${id}` : '',
      comment: stmt.properties.COMMENT?.text,
      properties,
      definition: text,
      columns,
      temporary: stmt.temporary,
    });
    await session.conn.run(viewDdl(path.schema, entry, ctx));
    if (entry.temporary) session.tempObjects.set(entry.id, entry);
    else await change.putObject(entry);
  });
  return status(`View ${quoteIdentifier(path.name)} successfully created.`, 'CREATE');
}

async function createSequence(session: Session, stmt: CreateSequenceStatement): Promise<ResultBody> {
  const target = createTarget(session, stmt.name, 'SEQUENCE', stmt.orReplace, stmt.ifNotExists, false);
  if (target.skip) return alreadyExists(target.path.name);
  const { path } = target;
  await ddlTransaction(session, async (change, now) => {
    if (target.existing) await dropObjectEntry(session, change, path.schema, target.existing, now);
    const id = await change.nextId();
    const entry = newEntry(session, id, path, now, {
      kind: 'SEQUENCE',
      duckName: `S${id}`,
      comment: stmt.properties.COMMENT?.text,
      properties: { START: String(stmt.start), INCREMENT: String(stmt.increment), ORDER: String(stmt.order) },
      definition: null,
      columns: [],
      temporary: false,
    });
    await session.conn.run(`CREATE SEQUENCE ${DATA_SCHEMA}.${duckIdent(entry.duckName)} START WITH ${stmt.start} INCREMENT BY ${stmt.increment}`);
    await change.putObject(entry);
  });
  return status(`Sequence ${quoteIdentifier(path.name)} successfully created.`, 'CREATE');
}


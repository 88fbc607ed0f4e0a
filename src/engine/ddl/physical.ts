/**
 * The DuckDB objects behind catalog entries: a table's physical table (`_backlot_data.T<id>`) and its
 * user-facing view, a Snowflake view's DuckDB view, a sequence. Every DDL handler builds DuckDB DDL
 * through these functions so the mapping stays in one place.
 */
import {
  duckIdent,
  duckTypeOf,
  parseStatement,
  translateExpression,
  translateQuery,
  type TranslateContext,
} from '../../sql/index.ts';
import { createTableDdl, DATA_SCHEMA, type Catalog, type ColumnEntry, type ObjectEntry, type SchemaEntry, type StorageConnection } from '../../storage/index.ts';
import { Resolver } from '../session/resolver.ts';
import type { Session } from '../session/session.ts';

export function physicalTable(o: ObjectEntry): string {
  return o.temporary ? `temp.${duckIdent(o.duckName)}` : `${DATA_SCHEMA}.${duckIdent(o.duckName)}`;
}

export function userView(schema: SchemaEntry, name: string): string {
  return `${duckIdent(schema.duckSchema)}.${duckIdent(name)}`;
}

/** A column's default as a DuckDB expression (its identity sequence, or its DEFAULT), if it has one. */
export function columnDefaultSql(col: Pick<ColumnEntry, 'identity' | 'defaultSql'>, ctx: TranslateContext): string | undefined {
  if (col.identity) return `nextval('${DATA_SCHEMA}.${col.identity.sequence}')`;
  if (col.defaultSql !== null) return translateExpression(col.defaultSql, ctx).sql;
  return undefined;
}

/** A column's DuckDB definition (type, DEFAULT, NOT NULL). */
export function columnDdl(col: ColumnEntry, ctx: TranslateContext, withNotNull = true): string {
  let sql = `${duckIdent(col.name)} ${duckTypeOf(col.type)}`;
  const def = columnDefaultSql(col, ctx);
  if (def !== undefined) sql += ` DEFAULT ${def}`;
  if (!col.nullable && withNotNull) sql += ' NOT NULL';
  return sql;
}

/** Creates a table's versioned storage: current rows, history and macros (storage/versioned). */
export async function createPhysicalTable(conn: StorageConnection, o: ObjectEntry, ctx: TranslateContext): Promise<void> {
  await conn.run(createTableDdl(o, o.columns.map((c) => columnDdl(c, ctx))).join(';\n'));
}

/** The user-facing view of a table: exactly its columns, in order. */
export function tableViewDdl(schema: SchemaEntry, o: ObjectEntry): string {
  const cols = o.columns.map((c) => duckIdent(c.name)).join(', ');
  return `CREATE OR REPLACE VIEW ${userView(schema, o.name)} AS SELECT ${cols} FROM ${physicalTable(o)}`;
}

/**
 * A translate context that resolves names as a view body sees them: relative to the view's own
 * database and schema, as Snowflake resolves unqualified names in view definitions.
 */
export function contextAt(session: Session, catalog: Catalog, schema: SchemaEntry): TranslateContext {
  const db = catalog.databaseOf(schema);
  const resolver = new Resolver(catalog, { database: db.name, schema: schema.name, tempObjects: session.tempObjects });
  const base = session.translateContext();
  return {
    ...base,
    session: { ...base.session, database: db.name, schema: schema.name },
    resolveRelation: (parts) => resolver.relation(parts),
    resolveSequence: (parts) => resolver.sequence(parts),
  };
}

/** The query text of a Snowflake view (stored in its properties). */
export function viewQuery(o: ObjectEntry): string {
  return o.properties.QUERY ?? '';
}

/** DuckDB DDL for a Snowflake view, compiled against the current catalog. */
export function viewDdl(schema: SchemaEntry, o: ObjectEntry, ctx: TranslateContext): string {
  const query = viewQuery(o);
  const parsed = parseStatement(query).statement;
  if (parsed.kind !== 'query') throw new Error(`view ${o.name} has no query`);
  const t = translateQuery(parsed, query, ctx);
  const cols = o.columns.map((c) => duckIdent(c.name)).join(', ');
  if (o.temporary) return `CREATE OR REPLACE TEMP VIEW ${duckIdent(o.duckName)} (${cols}) AS ${t.sql}`;
  return `CREATE OR REPLACE VIEW ${userView(schema, o.name)} (${cols}) AS ${t.sql}`;
}

/**
 * Recreates the DuckDB objects of every live table and view in a schema (after the schema's DuckDB
 * schema was created anew by a rename or an undrop). Views that no longer compile are left out; they
 * fail with Snowflake's "does not exist" error when queried, as broken views do there.
 */
export async function rebuildSchemaObjects(session: Session, conn: StorageConnection, catalog: Catalog, schema: SchemaEntry): Promise<void> {
  await conn.run(`CREATE SCHEMA IF NOT EXISTS ${duckIdent(schema.duckSchema)}`);
  const objects = catalog.objectsOf(schema.id);
  for (const o of objects) if (o.kind === 'TABLE') await conn.run(tableViewDdl(schema, o));
  for (const o of objects) {
    if (o.kind !== 'VIEW') continue;
    try {
      await conn.run(viewDdl(schema, o, contextAt(session, catalog, schema)));
    } catch {
      /* broken view: kept in the catalog, fails when queried */
    }
  }
}

/** Snowflake-style name for status messages. */
export { quoteIdentifier as shown } from '../../sql/index.ts';

/**
 * The one resolver: every object name in every statement is looked up here, with the session's
 * current database and schema (and, once governance exists, its role). It applies Snowflake's rules —
 * 1-, 2- and 3-part names, session temporary objects shadowing permanent ones, INFORMATION_SCHEMA in
 * every database — and raises Snowflake's errors for what is missing.
 */
import { displayName, errors, type DmlTarget, type ObjectKindLabel, type ObjectName, type ResolvedRelation, type ResolvedSequence } from '../../sql/index.ts';
import { DATA_SCHEMA, dataTableName, historyTableName, physicalSchema, type Catalog, type DatabaseEntry, type ObjectEntry, type ObjectKind, type SchemaEntry } from '../../storage/index.ts';
import { INFORMATION_SCHEMA, informationSchemaRelation, isInformationSchemaView, SNOWFLAKE_DATABASE, snowflakeRelation } from '../metadata/system-views.ts';

/** The session state the resolver needs. */
export interface ResolverSession {
  database?: string;
  schema?: string;
  tempObjects: Map<number, ObjectEntry>;
  /** Reads a stream (its change set since the offset); absent where streams cannot be read. */
  readStream?: (resolver: Resolver, path: ResolvedPath, stream: ObjectEntry) => ResolvedRelation;
  /** While a COPY transformation is translated: the staged file's rows, named `_bkl_staged` in it. */
  stagedRows?: ResolvedRelation;
}

/** The name a COPY transformation's query reads its staged rows by (see sql/grammar/loading.ts). */
export const STAGED_ROWS = '_BKL_STAGED';

export interface ResolvedPath {
  database: DatabaseEntry;
  schema: SchemaEntry;
  name: string;
}

export class Resolver {
  constructor(
    private readonly catalog: Catalog,
    private readonly session: ResolverSession,
  ) {}

  database(name: string): DatabaseEntry {
    const d = this.catalog.findDatabase(name);
    if (!d) throw errors.doesNotExist('Database', displayName([name]));
    return d;
  }

  currentDatabase(operation: string): DatabaseEntry {
    if (this.session.database === undefined) throw errors.noCurrentDatabase(operation);
    const d = this.catalog.findDatabase(this.session.database);
    if (!d) throw errors.doesNotExist('Database', displayName([this.session.database]));
    return d;
  }

  /** A schema given as `[db.]schema`. */
  schema(name: ObjectName, operation: string): { database: DatabaseEntry; schema: SchemaEntry } {
    const database = name.database !== undefined ? this.database(name.database) : this.currentDatabase(operation);
    const schema = this.catalog.findSchema(database.id, name.name);
    if (!schema) throw errors.doesNotExist('Schema', displayName([database.name, name.name]));
    return { database, schema };
  }

  currentSchema(operation: string): { database: DatabaseEntry; schema: SchemaEntry } {
    const database = this.currentDatabase(operation);
    if (this.session.schema === undefined) throw errors.noCurrentSchema(operation);
    const schema = this.catalog.findSchema(database.id, this.session.schema);
    if (!schema) throw errors.doesNotExist('Schema', displayName([database.name, this.session.schema]));
    return { database, schema };
  }

  /** The container an object name points into (which must exist), and the bare name. */
  path(name: ObjectName, operation: string): ResolvedPath {
    if (name.schema === undefined) {
      const { database, schema } = this.currentSchema(operation);
      return { database, schema, name: name.name };
    }
    const { database, schema } = this.schema({ database: name.database, name: name.schema }, operation);
    return { database, schema, name: name.name };
  }

  /** Finds a live object (session temporaries first); undefined when absent. */
  find(path: ResolvedPath, kinds: ObjectKind[]): ObjectEntry | undefined {
    for (const t of this.session.tempObjects.values()) {
      if (t.schemaId === path.schema.id && t.name === path.name && kinds.includes(t.kind)) return t;
    }
    return this.catalog.findObject(path.schema.id, path.name, kinds);
  }

  /** Like find, but raises Snowflake's "does not exist or not authorized" error. */
  require(name: ObjectName, kinds: ObjectKind[], label: ObjectKindLabel, operation: string): { path: ResolvedPath; object: ObjectEntry } {
    const path = this.path(name, operation);
    const object = this.find(path, kinds);
    if (!object) throw errors.doesNotExist(label, displayName([path.database.name, path.schema.name, path.name]));
    return { path, object };
  }

  /** Splits 1–3 resolved name parts into an ObjectName. */
  static nameOf(parts: string[]): ObjectName {
    if (parts.length === 1) return { name: parts[0] };
    if (parts.length === 2) return { schema: parts[0], name: parts[1] };
    return { database: parts[0], schema: parts[1], name: parts[2] };
  }

  /** A table or view to read, for the translator. */
  relation(parts: string[], operation = 'SELECT'): ResolvedRelation {
    const name = Resolver.nameOf(parts);
    if (this.session.stagedRows && parts.length === 1 && name.name === STAGED_ROWS) return this.session.stagedRows;
    const system = this.systemRelation(name, operation);
    if (system) return system;
    const { path, object } = this.require(name, ['TABLE', 'VIEW', 'STREAM'], 'Object', operation);
    if (object.kind === 'STREAM') {
      if (!this.session.readStream) throw errors.unsupported('reading a stream here (view bodies cannot read streams)');
      return this.session.readStream(this, path, object);
    }
    return this.relationOf(path, object);
  }

  relationOf(path: ResolvedPath, object: ObjectEntry): ResolvedRelation {
    if (object.properties.DYNAMIC === 'true' && object.properties.INITIALIZED === 'false') {
      throw errors.userError(
        '002203',
        '02000',
        `Dynamic Table '${displayName([path.database.name, path.schema.name, object.name])}' is not initialized. Please run a manual refresh or wait for a scheduled refresh before querying.`,
      );
    }
    return {
      duckSchema: object.temporary ? 'temp' : path.schema.duckSchema,
      duckName: object.temporary ? object.duckName : object.name,
      columns: object.columns.map((c) => ({ name: c.name, type: c.type })),
      kind: object.kind === 'VIEW' ? 'VIEW' : 'TABLE',
      displayName: displayName([path.database.name, path.schema.name, object.name]),
    };
  }

  /** A table to write (DML target): its current-rows and history tables. Views cannot be written. */
  target(parts: string[], operation = 'DML'): DmlTarget & { object: ObjectEntry; path: ResolvedPath } {
    const name = Resolver.nameOf(parts);
    if (this.systemRelation(name, operation)) throw errors.invalidOperation(`Cannot perform ${operation} on a system view.`);
    const { path, object } = this.require(name, ['TABLE', 'VIEW'], 'Table', operation);
    if (object.kind === 'VIEW') {
      throw errors.invalidOperation(`View '${displayName([path.database.name, path.schema.name, object.name])}' is not updatable.`);
    }
    if (object.properties.DYNAMIC === 'true') {
      throw errors.invalidOperation(
        `Dynamic table '${displayName([path.database.name, path.schema.name, object.name])}' cannot be changed by ${operation}: its rows come from its definition (ALTER DYNAMIC TABLE … REFRESH recomputes them).`,
      );
    }
    return {
      object,
      path,
      tableId: object.id,
      relation: {
        duckSchema: physicalSchema(object),
        duckName: dataTableName(object.id),
        columns: object.columns.map((c) => ({
          name: c.name,
          type: c.type,
          defaultSql: c.defaultSql ?? undefined,
          identity: c.identity ? { duckSchema: DATA_SCHEMA, duckName: c.identity.sequence } : undefined,
        })),
        kind: 'TABLE',
        displayName: displayName([path.database.name, path.schema.name, object.name]),
      },
      history: { duckSchema: physicalSchema(object), duckName: historyTableName(object.id) },
    };
  }

  sequence(parts: string[]): ResolvedSequence | undefined {
    try {
      const path = this.path(Resolver.nameOf(parts), 'SELECT');
      const seq = this.find(path, ['SEQUENCE']);
      return seq ? { duckSchema: seq.temporary ? 'temp' : DATA_SCHEMA, duckName: seq.duckName } : undefined;
    } catch {
      return undefined;
    }
  }

  /** INFORMATION_SCHEMA views of any database, and SNOWFLAKE.ACCOUNT_USAGE. */
  private systemRelation(name: ObjectName, operation: string): ResolvedRelation | undefined {
    if (name.schema === INFORMATION_SCHEMA || (name.schema === undefined && this.session.schema === INFORMATION_SCHEMA)) {
      if (!isInformationSchemaView(name.name)) {
        throw errors.doesNotExist('Object', displayName([name.database ?? this.session.database ?? '', INFORMATION_SCHEMA, name.name]));
      }
      const database = name.database !== undefined ? this.database(name.database) : this.currentDatabase(operation);
      return informationSchemaRelation(database.name, name.name);
    }
    if (name.database === SNOWFLAKE_DATABASE || (name.database === undefined && this.session.database === SNOWFLAKE_DATABASE)) {
      const rel = snowflakeRelation(name.schema ?? this.session.schema ?? '', name.name);
      if (!rel) throw errors.doesNotExist('Object', displayName([SNOWFLAKE_DATABASE, name.schema ?? '', name.name]));
      return rel;
    }
    return undefined;
  }
}

/**
 * The in-memory system catalog, loaded from the warehouse file at open and kept in step with it:
 * every change is written to the `_backlot` tables inside the statement's DuckDB transaction and
 * applied in memory at once (later steps of the same DDL statement resolve names against it). When
 * the statement fails, its transaction rolls back and the catalog is reloaded from the file, so a
 * failed statement changes neither.
 */
import type { SfType } from '../../sql/index.ts';
import type { StorageConnection } from '../duck.ts';
import {
  SYSTEM_SCHEMA,
  type ColumnEntry,
  type DatabaseEntry,
  type IdentityInfo,
  type ObjectEntry,
  type ObjectKind,
  type SchemaEntry,
} from './model.ts';

const S = SYSTEM_SCHEMA;

function date(v: unknown): Date {
  return new Date(String(v).replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
}

function optDate(v: unknown): Date | null {
  return v === null || v === undefined ? null : date(v);
}

function json<T>(v: unknown, fallback: T): T {
  if (v === null || v === undefined) return fallback;
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

function iso(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}

export class Catalog {
  /** Bumped on every committed change; translation caches key on it. */
  version = 0;
  readonly databases = new Map<number, DatabaseEntry>();
  readonly schemas = new Map<number, SchemaEntry>();
  readonly objects = new Map<number, ObjectEntry>();

  static async load(conn: StorageConnection): Promise<Catalog> {
    const c = new Catalog();
    await c.reload(conn);
    return c;
  }

  /** Replaces the in-memory state with what the file holds (after a rolled-back change). */
  async reload(conn: StorageConnection): Promise<void> {
    const c = this;
    c.databases.clear();
    c.schemas.clear();
    c.objects.clear();
    c.version += 1;
    for (const r of await conn.rows(`SELECT * FROM ${S}.databases`)) {
      const e: DatabaseEntry = {
        id: Number(r.id),
        name: String(r.name),
        createdOn: date(r.created_on),
        owner: String(r.owner),
        comment: (r.comment as string | null) ?? null,
        transient: r.transient === true,
        properties: json(r.properties, {}),
        droppedOn: optDate(r.dropped_on),
      };
      c.databases.set(e.id, e);
    }
    for (const r of await conn.rows(`SELECT * FROM ${S}.schemas`)) {
      const e: SchemaEntry = {
        id: Number(r.id),
        databaseId: Number(r.database_id),
        name: String(r.name),
        duckSchema: String(r.duck_schema),
        createdOn: date(r.created_on),
        owner: String(r.owner),
        comment: (r.comment as string | null) ?? null,
        transient: r.transient === true,
        managedAccess: r.managed_access === true,
        properties: json(r.properties, {}),
        droppedOn: optDate(r.dropped_on),
      };
      c.schemas.set(e.id, e);
    }
    const columns = new Map<number, ColumnEntry[]>();
    for (const r of await conn.rows(`SELECT * FROM ${S}.columns ORDER BY object_id, ordinal`)) {
      const list = columns.get(Number(r.object_id)) ?? [];
      list.push({
        name: String(r.name),
        type: json<SfType>(r.data_type, { kind: 'VARCHAR', length: 16777216 }),
        nullable: r.nullable !== false,
        defaultSql: (r.default_sql as string | null) ?? null,
        identity: json<IdentityInfo | null>(r.identity, null),
        comment: (r.comment as string | null) ?? null,
        primaryKey: r.primary_key === true,
        unique: r.unique_key === true,
      });
      columns.set(Number(r.object_id), list);
    }
    for (const r of await conn.rows(`SELECT * FROM ${S}.objects`)) {
      const id = Number(r.id);
      c.objects.set(id, {
        id,
        schemaId: Number(r.schema_id),
        name: String(r.name),
        kind: String(r.kind) as ObjectKind,
        duckName: String(r.duck_name ?? ''),
        createdOn: date(r.created_on),
        lastAltered: date(r.last_altered),
        owner: String(r.owner),
        comment: (r.comment as string | null) ?? null,
        properties: json(r.properties, {}),
        definition: (r.definition as string | null) ?? null,
        columns: columns.get(id) ?? [],
        droppedOn: optDate(r.dropped_on),
        temporary: false,
      });
    }
  }

  // ---- lookups (live objects unless stated) ----

  findDatabase(name: string): DatabaseEntry | undefined {
    for (const d of this.databases.values()) if (d.name === name && d.droppedOn === null) return d;
    return undefined;
  }

  liveDatabases(): DatabaseEntry[] {
    return [...this.databases.values()].filter((d) => d.droppedOn === null).sort((a, b) => cmp(a.name, b.name));
  }

  findSchema(databaseId: number, name: string): SchemaEntry | undefined {
    for (const s of this.schemas.values()) if (s.databaseId === databaseId && s.name === name && s.droppedOn === null) return s;
    return undefined;
  }

  schemasOf(databaseId: number, includeDropped = false): SchemaEntry[] {
    return [...this.schemas.values()]
      .filter((s) => s.databaseId === databaseId && (includeDropped || s.droppedOn === null))
      .sort((a, b) => cmp(a.name, b.name));
  }

  findObject(schemaId: number, name: string, kinds?: ObjectKind[]): ObjectEntry | undefined {
    for (const o of this.objects.values()) {
      if (o.schemaId === schemaId && o.name === name && o.droppedOn === null && (!kinds || kinds.includes(o.kind))) return o;
    }
    return undefined;
  }

  objectsOf(schemaId: number, includeDropped = false): ObjectEntry[] {
    return [...this.objects.values()]
      .filter((o) => o.schemaId === schemaId && (includeDropped || o.droppedOn === null))
      .sort((a, b) => cmp(a.name, b.name));
  }

  /** The most recently dropped version of a name (for UNDROP). */
  lastDropped<T extends { droppedOn: Date | null }>(candidates: T[]): T | undefined {
    return candidates.filter((c) => c.droppedOn !== null).sort((a, b) => b.droppedOn!.getTime() - a.droppedOn!.getTime())[0];
  }

  schemaOf(o: ObjectEntry): SchemaEntry {
    const s = this.schemas.get(o.schemaId);
    if (!s) throw new Error(`catalog: object ${o.id} has no schema ${o.schemaId}`);
    return s;
  }

  databaseOf(s: SchemaEntry): DatabaseEntry {
    const d = this.databases.get(s.databaseId);
    if (!d) throw new Error(`catalog: schema ${s.id} has no database ${s.databaseId}`);
    return d;
  }

  /** True when a DuckDB schema name is already used by a schema (live or dropped). */
  duckSchemaTaken(name: string): boolean {
    for (const s of this.schemas.values()) if (s.duckSchema === name) return true;
    return false;
  }

  /** Object whose physical table is `duckName` (for turning DuckDB messages into Snowflake names). */
  byDuckName(duckName: string): ObjectEntry | undefined {
    for (const o of this.objects.values()) if (o.duckName === duckName) return o;
    return undefined;
  }

  /** Starts a change set written through `conn` (inside its transaction). */
  change(conn: StorageConnection): CatalogChange {
    return new CatalogChange(this, conn);
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Catalog writes of one statement: each row goes to DuckDB (inside the open transaction) and into
 * the in-memory catalog. Callers reload the catalog if the transaction rolls back.
 */
export class CatalogChange {
  constructor(
    private readonly catalog: Catalog,
    private readonly conn: StorageConnection,
  ) {}

  async nextId(): Promise<number> {
    const rows = await this.conn.rows(`SELECT nextval('${S}.ids') AS id`);
    return Number(rows[0].id);
  }

  async putDatabase(e: DatabaseEntry): Promise<void> {
    if (this.catalog.databases.has(e.id)) await this.conn.query(`DELETE FROM ${S}.databases WHERE id = ?`, [e.id]);
    await this.conn.query(
      `INSERT INTO ${S}.databases VALUES (?, ?, CAST(? AS TIMESTAMPTZ), ?, ?, ?, CAST(? AS JSON), CAST(? AS TIMESTAMPTZ))`,
      [e.id, e.name, iso(e.createdOn), e.owner, e.comment, e.transient, JSON.stringify(e.properties), iso(e.droppedOn)],
    );
    this.applied(() => this.catalog.databases.set(e.id, e));
  }

  async putSchema(e: SchemaEntry): Promise<void> {
    if (this.catalog.schemas.has(e.id)) await this.conn.query(`DELETE FROM ${S}.schemas WHERE id = ?`, [e.id]);
    await this.conn.query(
      `INSERT INTO ${S}.schemas VALUES (?, ?, ?, ?, CAST(? AS TIMESTAMPTZ), ?, ?, ?, ?, CAST(? AS JSON), CAST(? AS TIMESTAMPTZ))`,
      [
        e.id,
        e.databaseId,
        e.name,
        e.duckSchema,
        iso(e.createdOn),
        e.owner,
        e.comment,
        e.transient,
        e.managedAccess,
        JSON.stringify(e.properties),
        iso(e.droppedOn),
      ],
    );
    this.applied(() => this.catalog.schemas.set(e.id, e));
  }

  async putObject(e: ObjectEntry): Promise<void> {
    if (e.temporary) throw new Error('temporary objects are not persisted');
    if (this.catalog.objects.has(e.id)) {
      await this.conn.query(`DELETE FROM ${S}.objects WHERE id = ?`, [e.id]);
      await this.conn.query(`DELETE FROM ${S}.columns WHERE object_id = ?`, [e.id]);
    }
    await this.conn.query(
      `INSERT INTO ${S}.objects VALUES (?, ?, ?, ?, ?, CAST(? AS TIMESTAMPTZ), CAST(? AS TIMESTAMPTZ), ?, ?, CAST(? AS JSON), ?, CAST(? AS TIMESTAMPTZ))`,
      [
        e.id,
        e.schemaId,
        e.name,
        e.kind,
        e.duckName,
        iso(e.createdOn),
        iso(e.lastAltered),
        e.owner,
        e.comment,
        JSON.stringify(e.properties),
        e.definition,
        iso(e.droppedOn),
      ],
    );
    if (e.columns.length > 0) {
      const row = '(?, ?, ?, CAST(? AS JSON), ?, ?, CAST(? AS JSON), ?, ?, ?)';
      await this.conn.query(
        `INSERT INTO ${S}.columns VALUES ${e.columns.map(() => row).join(', ')}`,
        e.columns.flatMap((col, i) => [
          e.id,
          i + 1,
          col.name,
          JSON.stringify(col.type),
          col.nullable,
          col.defaultSql,
          col.identity === null ? null : JSON.stringify(col.identity),
          col.comment,
          col.primaryKey,
          col.unique,
        ]),
      );
    }
    this.applied(() => this.catalog.objects.set(e.id, e));
  }

  async removeObject(id: number): Promise<void> {
    await this.conn.query(`DELETE FROM ${S}.objects WHERE id = ?`, [id]);
    await this.conn.query(`DELETE FROM ${S}.columns WHERE object_id = ?`, [id]);
    this.applied(() => this.catalog.objects.delete(id));
  }

  async removeSchema(id: number): Promise<void> {
    await this.conn.query(`DELETE FROM ${S}.schemas WHERE id = ?`, [id]);
    this.applied(() => this.catalog.schemas.delete(id));
  }

  async removeDatabase(id: number): Promise<void> {
    await this.conn.query(`DELETE FROM ${S}.databases WHERE id = ?`, [id]);
    this.applied(() => this.catalog.databases.delete(id));
  }

  private applied(fn: () => void): void {
    fn();
    this.catalog.version += 1;
  }
}

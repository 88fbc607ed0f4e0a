/**
 * The system catalog's entries: databases, schemas and the objects in them, with Snowflake's names
 * and types and the DuckDB objects that hold them.
 *
 * Mapping (DESIGN §2): every Snowflake DATABASE.SCHEMA is one DuckDB schema of the one warehouse
 * file (named `DATABASE.SCHEMA` unless that collides), so a transaction that writes to several
 * Snowflake databases stays a single DuckDB transaction. A table's rows live in a physical DuckDB
 * table in schema `_backlot_data`, named by the object's id (`T42`) so renames and swaps never move
 * data; the user-facing name is a DuckDB view in the mapped schema, which is what other DuckDB tools
 * see.
 */
import type { SfType } from '../../sql/index.ts';

export const DATA_SCHEMA = '_backlot_data';
export const SYSTEM_SCHEMA = '_backlot';

export type ObjectKind = 'TABLE' | 'VIEW' | 'SEQUENCE' | 'STREAM' | 'PROCEDURE' | 'TASK' | 'STAGE' | 'FILE FORMAT';

export interface DatabaseEntry {
  id: number;
  name: string;
  createdOn: Date;
  owner: string;
  comment: string | null;
  transient: boolean;
  properties: Record<string, string>;
  droppedOn: Date | null;
}

export interface SchemaEntry {
  id: number;
  databaseId: number;
  name: string;
  /** The DuckDB schema holding this schema's user-facing views. */
  duckSchema: string;
  createdOn: Date;
  owner: string;
  comment: string | null;
  transient: boolean;
  managedAccess: boolean;
  properties: Record<string, string>;
  droppedOn: Date | null;
}

export interface IdentityInfo {
  start: number;
  increment: number;
  order: boolean;
  /** DuckDB sequence (in DATA_SCHEMA) that feeds the column. */
  sequence: string;
}

export interface ColumnEntry {
  name: string;
  type: SfType;
  nullable: boolean;
  defaultSql: string | null;
  identity: IdentityInfo | null;
  comment: string | null;
  primaryKey: boolean;
  unique: boolean;
}

export interface ObjectEntry {
  id: number;
  schemaId: number;
  name: string;
  kind: ObjectKind;
  /** Physical DuckDB object in DATA_SCHEMA: table `T<id>` or sequence `S<id>`; empty for views. */
  duckName: string;
  createdOn: Date;
  lastAltered: Date;
  owner: string;
  comment: string | null;
  /**
   * Kind-specific settings: TRANSIENT, TEMPORARY, SECURE, CHANGE_TRACKING,
   * DATA_RETENTION_TIME_IN_DAYS, CLUSTER_BY, START, INCREMENT …
   */
  properties: Record<string, string>;
  /** View: the Snowflake SQL text of the query. */
  definition: string | null;
  columns: ColumnEntry[];
  droppedOn: Date | null;
  /** True for session-scoped TEMPORARY objects (never persisted in the catalog). */
  temporary: boolean;
}

/** The Snowflake name of an object, for messages: DB.SCHEMA.NAME. */
export interface QualifiedEntry {
  database: DatabaseEntry;
  schema: SchemaEntry;
  object: ObjectEntry;
}

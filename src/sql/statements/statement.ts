/**
 * The typed statements the engine executes. Queries and DML carry polyglot's syntax tree; platform
 * statements (DDL, SHOW, USE, SET …) come from our own grammar and carry embedded SQL (defaults,
 * view bodies, CTAS queries) as source text for the translator.
 */
import type { ObjectName } from '../names/identifiers.ts';
import type { SfType } from '../types/snowflake-types.ts';
import type { ParsedValue } from '../grammar/cursor.ts';
import type { ScriptBlock } from './script-block.ts';
import type { StagedFilesRef } from '../translate/context.ts';

/** A polyglot syntax tree node: a single-key object `{ kind: data }`. */
export type AstNode = Record<string, unknown>;

export type ObjectKind = 'DATABASE' | 'SCHEMA' | 'TABLE' | 'VIEW' | 'SEQUENCE' | 'STREAM' | 'TASK' | 'DYNAMIC TABLE' | 'STAGE' | 'FILE FORMAT';

export interface QueryStatement {
  kind: 'query';
  ast: AstNode;
  /** Stage locations read in FROM, replaced in the tree by placeholder names (stage-references.ts). */
  stageRefs?: StagedFilesRef[];
}

export type DmlOperation = 'INSERT' | 'UPDATE' | 'DELETE' | 'MERGE' | 'INSERT_MULTI';

export interface DmlStatement {
  kind: 'dml';
  op: DmlOperation;
  ast: AstNode;
  stageRefs?: StagedFilesRef[];
}

/** Properties written as `NAME = value` in CREATE/ALTER statements, keyed by upper-case name. */
export type Properties = Record<string, ParsedValue>;

export interface IdentitySpec {
  start: number;
  increment: number;
  order: boolean;
}

export interface ColumnDefinition {
  name: string;
  /** Undefined only for CTAS column lists that rename without a type. */
  type?: SfType;
  nullable: boolean;
  /** DEFAULT expression as Snowflake SQL text. */
  defaultSql?: string;
  identity?: IdentitySpec;
  comment?: string;
  collation?: string;
  primaryKey?: boolean;
  unique?: boolean;
}

export interface TableConstraint {
  kind: 'PRIMARY KEY' | 'UNIQUE' | 'FOREIGN KEY';
  name?: string;
  columns: string[];
  references?: { table: ObjectName; columns: string[] };
}

/** AT | BEFORE ( TIMESTAMP | OFFSET | STATEMENT | STREAM => value ). */
export interface TimeTravelClause {
  mode: 'AT' | 'BEFORE';
  by: 'TIMESTAMP' | 'OFFSET' | 'STATEMENT' | 'STREAM';
  /** The value as Snowflake SQL text (a constant expression). */
  valueSql: string;
}

export interface CreateDatabaseStatement {
  kind: 'create_database';
  name: string;
  orReplace: boolean;
  ifNotExists: boolean;
  transient: boolean;
  clone?: { source: string; at?: TimeTravelClause };
  properties: Properties;
}

export interface CreateSchemaStatement {
  kind: 'create_schema';
  name: ObjectName;
  orReplace: boolean;
  ifNotExists: boolean;
  transient: boolean;
  managedAccess: boolean;
  clone?: { source: ObjectName; at?: TimeTravelClause };
  properties: Properties;
}

export interface CreateTableStatement {
  kind: 'create_table';
  name: ObjectName;
  orReplace: boolean;
  ifNotExists: boolean;
  temporary: boolean;
  transient: boolean;
  columns?: ColumnDefinition[];
  constraints: TableConstraint[];
  asQuery?: string;
  like?: ObjectName;
  clone?: { source: ObjectName; at?: TimeTravelClause };
  clusterBy?: string[];
  copyGrants: boolean;
  properties: Properties;
}

export interface CreateViewStatement {
  kind: 'create_view';
  name: ObjectName;
  orReplace: boolean;
  ifNotExists: boolean;
  secure: boolean;
  temporary: boolean;
  recursive: boolean;
  columns?: { name: string; comment?: string }[];
  query: string;
  copyGrants: boolean;
  properties: Properties;
}

export interface CreateSequenceStatement {
  kind: 'create_sequence';
  name: ObjectName;
  orReplace: boolean;
  ifNotExists: boolean;
  start: number;
  increment: number;
  order: boolean;
  properties: Properties;
}

export interface CreateStreamStatement {
  kind: 'create_stream';
  name: ObjectName;
  orReplace: boolean;
  ifNotExists: boolean;
  source?: { kind: 'TABLE' | 'VIEW' | 'DYNAMIC TABLE'; name: ObjectName };
  /** CREATE STREAM s CLONE other: the new stream starts at the other's offset. */
  clone?: ObjectName;
  at?: TimeTravelClause;
  appendOnly: boolean;
  insertOnly: boolean;
  showInitialRows: boolean;
  properties: Properties;
}

export interface ProcedureArgument {
  name: string;
  type: SfType;
  /** DEFAULT expression (Snowflake SQL text): the argument may be left out of CALL. */
  defaultSql?: string;
}

export interface CreateProcedureStatement {
  kind: 'create_procedure';
  name: ObjectName;
  orReplace: boolean;
  ifNotExists: boolean;
  secure: boolean;
  args: ProcedureArgument[];
  returns: { type: SfType } | { table: { name: string; type: SfType }[] };
  notNull: boolean;
  executeAs: 'OWNER' | 'CALLER';
  /** The Snowflake Scripting block (or a single statement) as text. */
  body: string;
  properties: Properties;
}

export interface CallStatement {
  kind: 'call';
  name: ObjectName;
  /** Arguments as Snowflake SQL expressions, positional or `name => value`. */
  args: { name?: string; sql: string }[];
}

export interface DropProcedureStatement {
  kind: 'drop_procedure';
  name: ObjectName;
  ifExists: boolean;
  argTypes: SfType[];
}

export interface CreateDynamicTableStatement {
  kind: 'create_dynamic_table';
  name: ObjectName;
  orReplace: boolean;
  /** CREATE OR ALTER: an existing table takes the new definition in place (see dt-create-or-alter.ts). */
  orAlter: boolean;
  ifNotExists: boolean;
  transient: boolean;
  /** Column names (with types and comments, when given) when a column list is given. */
  columns?: { name: string; type?: SfType; comment?: string }[];
  /** TARGET_LAG, WAREHOUSE, REFRESH_MODE, INITIALIZE, COMMENT, retention … */
  properties: Properties;
  query: string;
  /** CREATE DYNAMIC TABLE t CLONE source [AT | BEFORE (…)]: a suspended copy (no query given). */
  clone?: { source: ObjectName; at?: TimeTravelClause };
}

export interface AlterDynamicTableStatement {
  kind: 'alter_dynamic_table';
  names: ObjectName[];
  ifExists: boolean;
  action:
    | { kind: 'refresh' }
    | { kind: 'suspend' }
    | { kind: 'resume' }
    | { kind: 'set'; properties: Properties }
    | { kind: 'unset'; names: string[] }
    | { kind: 'rename'; to: ObjectName };
}

export interface CreateTaskStatement {
  kind: 'create_task';
  name: ObjectName;
  orReplace: boolean;
  ifNotExists: boolean;
  clone?: ObjectName;
  /** SCHEDULE, CONFIG, WAREHOUSE, OVERLAP_POLICY, USER_TASK_TIMEOUT_MS … and session parameters. */
  properties: Properties;
  finalize?: ObjectName;
  after: ObjectName[];
  /** WHEN condition (Snowflake SQL text). */
  when?: string;
  /** The body: one statement, a CALL, or a Snowflake Scripting block. */
  body: string;
}

export type AlterTaskAction =
  | { kind: 'resume' }
  | { kind: 'suspend' }
  | { kind: 'add_after'; tasks: ObjectName[] }
  | { kind: 'remove_after'; tasks: ObjectName[] }
  | { kind: 'set'; properties: Properties }
  | { kind: 'unset'; names: string[] }
  | { kind: 'set_finalize'; root: ObjectName }
  | { kind: 'unset_finalize' }
  | { kind: 'modify_as'; body: string }
  | { kind: 'modify_when'; condition: string }
  | { kind: 'remove_when' };

export interface AlterTaskStatement {
  kind: 'alter_task';
  name: ObjectName;
  ifExists: boolean;
  action: AlterTaskAction;
}

export interface ExecuteTaskStatement {
  kind: 'execute_task';
  name: ObjectName;
  retryLast: boolean;
  /** USING CONFIG = '<json>' for this run. */
  config?: string;
}

/** An anonymous Snowflake Scripting block: `[DECLARE …] BEGIN … END`. */
export interface ScriptBlockStatement {
  kind: 'script';
  block: ScriptBlock;
}

/** EXECUTE IMMEDIATE 'sql' | $$sql$$ | :variable | $variable. */
export interface ExecuteImmediateStatement {
  kind: 'execute_immediate';
  /** The statement text when given as a literal. */
  text?: string;
  /** Or the variable holding it: `:name` (block) or `$name` (session). */
  variable?: { name: string; session: boolean };
}

export interface AlterStreamStatement {
  kind: 'alter_stream';
  name: ObjectName;
  ifExists: boolean;
  /** SET COMMENT = '…' (a string) or UNSET COMMENT (null). */
  comment: string | null;
}

export type AlterTableAction =
  | { action: 'rename'; to: ObjectName }
  | { action: 'swap'; with: ObjectName }
  | { action: 'add_columns'; columns: ColumnDefinition[]; ifNotExists: boolean }
  | { action: 'drop_columns'; names: string[]; ifExists: boolean }
  | { action: 'rename_column'; from: string; to: string }
  | { action: 'alter_columns'; changes: ColumnChange[] }
  | { action: 'set'; properties: Properties }
  | { action: 'unset'; names: string[] }
  | { action: 'add_constraint'; constraint: TableConstraint }
  | { action: 'drop_constraint'; name?: string; kind?: string }
  | { action: 'cluster_by'; keys: string[] }
  | { action: 'drop_clustering_key' };

export interface ColumnChange {
  column: string;
  setType?: SfType;
  setNotNull?: boolean;
  dropNotNull?: boolean;
  dropDefault?: boolean;
  setDefaultSql?: string;
  comment?: string | null;
}

export interface AlterTableStatement {
  kind: 'alter_table';
  name: ObjectName;
  ifExists: boolean;
  change: AlterTableAction;
}

export interface AlterContainerStatement {
  kind: 'alter_database' | 'alter_schema';
  name: ObjectName;
  ifExists: boolean;
  change:
    | { action: 'rename'; to: ObjectName }
    | { action: 'swap'; with: ObjectName }
    | { action: 'set'; properties: Properties }
    | { action: 'unset'; names: string[] }
    | { action: 'managed_access'; enable: boolean };
}

export interface AlterViewStatement {
  kind: 'alter_view';
  name: ObjectName;
  ifExists: boolean;
  change:
    | { action: 'rename'; to: ObjectName }
    | { action: 'set'; properties: Properties }
    | { action: 'unset'; names: string[] }
    | { action: 'secure'; secure: boolean };
}

export interface AlterSequenceStatement {
  kind: 'alter_sequence';
  name: ObjectName;
  ifExists: boolean;
  change:
    | { action: 'rename'; to: ObjectName }
    | { action: 'set'; increment?: number; properties: Properties }
    | { action: 'unset'; names: string[] };
}

export interface DropStatement {
  kind: 'drop';
  objectKind: ObjectKind;
  name: ObjectName;
  ifExists: boolean;
  cascade: boolean;
}

export interface UndropStatement {
  kind: 'undrop';
  objectKind: 'DATABASE' | 'SCHEMA' | 'TABLE' | 'DYNAMIC TABLE';
  name: ObjectName;
}

export interface UseStatement {
  kind: 'use';
  target: 'DATABASE' | 'SCHEMA' | 'ROLE' | 'WAREHOUSE' | 'SECONDARY ROLES';
  name: ObjectName;
}

export type ShowScope =
  | { kind: 'ACCOUNT' }
  | { kind: 'DATABASE'; name?: string }
  | { kind: 'SCHEMA'; name?: ObjectName }
  | { kind: 'TABLE' | 'VIEW'; name: ObjectName };

export interface ShowStatement {
  kind: 'show';
  /** Plural object kind as written: TABLES, SCHEMAS, COLUMNS, PARAMETERS … */
  what: string;
  terse: boolean;
  history: boolean;
  like?: string;
  scope?: ShowScope;
  startsWith?: string;
  limit?: number;
  limitFrom?: string;
  /** SHOW TASKS … ROOT ONLY */
  rootOnly?: boolean;
}

export interface DescribeStatement {
  kind: 'describe';
  objectKind: 'TABLE' | 'VIEW' | 'SEQUENCE' | 'DATABASE' | 'SCHEMA' | 'STREAM' | 'TASK' | 'DYNAMIC TABLE' | 'STAGE' | 'FILE FORMAT' | 'PROCEDURE' | 'RESULT';
  /** DESCRIBE PROCEDURE p(types) */
  argTypes?: SfType[];
  name: ObjectName;
  /** DESCRIBE TABLE t TYPE = STAGE|COLUMNS */
  type?: string;
  /** DESCRIBE RESULT 'query-id' */
  queryId?: string;
}

export interface SetVariablesStatement {
  kind: 'set_variables';
  names: string[];
  /** One Snowflake expression text per name, or a single subquery text for `SET (a,b) = (SELECT …)`. */
  values: string[];
  fromQuery: boolean;
}

export interface UnsetVariablesStatement {
  kind: 'unset_variables';
  names: string[];
}

export interface TransactionStatement {
  kind: 'transaction';
  action: 'BEGIN' | 'COMMIT' | 'ROLLBACK';
}

export interface AlterSessionStatement {
  kind: 'alter_session';
  set: Properties;
  unset: string[];
}

export interface TruncateStatement {
  kind: 'truncate';
  name: ObjectName;
  ifExists: boolean;
}

export interface CommentStatement {
  kind: 'comment';
  objectKind: 'TABLE' | 'VIEW' | 'COLUMN' | 'SCHEMA' | 'DATABASE' | 'SEQUENCE' | 'STREAM' | 'TASK' | 'DYNAMIC TABLE' | 'STAGE' | 'FILE FORMAT';
  name: ObjectName;
  column?: string;
  comment: string;
  ifExists: boolean;
}

export type Statement =
  | QueryStatement
  | DmlStatement
  | CreateDatabaseStatement
  | CreateSchemaStatement
  | CreateTableStatement
  | CreateViewStatement
  | CreateSequenceStatement
  | CreateStreamStatement
  | AlterStreamStatement
  | ScriptBlockStatement
  | ExecuteImmediateStatement
  | CreateProcedureStatement
  | CallStatement
  | DropProcedureStatement
  | CreateTaskStatement
  | AlterTaskStatement
  | ExecuteTaskStatement
  | CreateDynamicTableStatement
  | AlterDynamicTableStatement
  | AlterTableStatement
  | AlterContainerStatement
  | AlterViewStatement
  | AlterSequenceStatement
  | DropStatement
  | UndropStatement
  | UseStatement
  | ShowStatement
  | DescribeStatement
  | SetVariablesStatement
  | UnsetVariablesStatement
  | TransactionStatement
  | AlterSessionStatement
  | TruncateStatement
  | CommentStatement
  | LoadingStatement;

/**
 * Stages, file formats and loading (semantics §6.4–6.5). A stage location (`@~/p`, `@%t/p`,
 * `@[db.]s/p`) is kept as parsed parts; the engine resolves the names.
 */
export interface StageLocation {
  kind: 'user' | 'table' | 'named';
  /** The table (for `@%t`) or stage (for `@s`). */
  name?: ObjectName;
  /** The path inside the stage, without a leading slash ('' for the whole stage). */
  path: string;
  /** The location as written. */
  text: string;
}

/** FILE_FORMAT = ( FORMAT_NAME = '…' | TYPE = … options ) or a bare format name. */
export interface FileFormatSpec {
  formatName?: ObjectName;
  /** Upper-case option names (TYPE among them). */
  options: Properties;
}

export interface CreateStageStatement {
  kind: 'create_stage';
  name: ObjectName;
  orReplace: boolean;
  ifNotExists: boolean;
  temporary: boolean;
  fileFormat?: FileFormatSpec;
  copyOptions: Properties;
  comment?: string;
}

export interface CreateFileFormatStatement {
  kind: 'create_file_format';
  name: ObjectName;
  orReplace: boolean;
  ifNotExists: boolean;
  temporary: boolean;
  options: Properties;
  comment?: string;
}

export interface AlterStageStatement {
  kind: 'alter_stage';
  name: ObjectName;
  ifExists: boolean;
  action: { kind: 'set'; fileFormat?: FileFormatSpec; copyOptions?: Properties; comment?: string } | { kind: 'rename'; to: ObjectName } | { kind: 'unset_comment' };
}

export interface AlterFileFormatStatement {
  kind: 'alter_file_format';
  name: ObjectName;
  ifExists: boolean;
  action: { kind: 'set'; options: Properties; comment?: string } | { kind: 'rename'; to: ObjectName } | { kind: 'unset_comment' };
}

export interface PutStatement {
  kind: 'put';
  /** Local path (after `file://`), may end in a glob. */
  source: string;
  target: StageLocation;
  options: Properties;
}

export interface GetStatement {
  kind: 'get';
  source: StageLocation;
  /** Local directory (after `file://`). */
  target: string;
  options: Properties;
}

export interface ListStatement {
  kind: 'list' | 'remove';
  location: StageLocation;
  pattern?: string;
}

export interface CopyIntoTableStatement {
  kind: 'copy_into_table';
  table: ObjectName;
  columns?: string[];
  from: StageLocation;
  /** The transformation `SELECT …` (source text with `$n`, `METADATA$…` and the location replaced). */
  transform?: { selectSql: string; alias?: string };
  files?: string[];
  pattern?: string;
  fileFormat?: FileFormatSpec;
  /** Copy options (ON_ERROR, FORCE, PURGE, SIZE_LIMIT, MATCH_BY_COLUMN_NAME, …), upper-case names. */
  options: Properties;
  validationMode?: string;
}

/** COPY INTO @stage FROM table | (query): unloading. */
export interface CopyIntoLocationStatement {
  kind: 'copy_into_location';
  to: StageLocation;
  /** The query to unload (a table becomes `SELECT * FROM table`), as Snowflake SQL text. */
  querySql: string;
  /** PARTITION BY: a string expression over the query's columns; each value is a folder. */
  partitionSql?: string;
  fileFormat?: FileFormatSpec;
  options: Properties;
}

export type LoadingStatement =
  | CreateStageStatement
  | CreateFileFormatStatement
  | AlterStageStatement
  | AlterFileFormatStatement
  | PutStatement
  | GetStatement
  | ListStatement
  | CopyIntoTableStatement
  | CopyIntoLocationStatement;

export type StatementKind = Statement['kind'];

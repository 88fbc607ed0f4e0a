/**
 * What the translator needs from the session and catalog, as an interface the engine implements.
 * Keeping it an interface keeps `src/sql` pure: every name resolution goes through the engine's one
 * resolver, which applies the session's database, schema and (later) privileges.
 */
import type { SourcePosition } from '../errors.ts';
import type { SfType } from '../types/snowflake-types.ts';

export interface RelationColumn {
  name: string;
  type: SfType;
  /** Column DEFAULT as Snowflake SQL (DML targets only). */
  defaultSql?: string;
  /** IDENTITY/AUTOINCREMENT: the DuckDB sequence that feeds it (DML targets only). */
  identity?: ResolvedSequence;
}

/**
 * An argument of a table macro: a constant, or a BIGINT DuckDB session variable (read as
 * `getvariable(name)`; DuckDB folds it to a constant when it binds the statement, so row groups are
 * still skipped by it, and the statement's text stays the same whatever its value).
 */
export type TableFunctionArg = string | number | boolean | null | { variable: string };

/** A relation (table, view …) a FROM item resolved to. */
export interface ResolvedRelation {
  /** DuckDB schema and name of the relation to read. */
  duckSchema: string;
  duckName: string;
  /** Columns in order, with Snowflake types. */
  columns: RelationColumn[];
  kind: 'TABLE' | 'VIEW' | 'SYSTEM_VIEW' | 'RESULT' | 'STREAM';
  /** The fully qualified Snowflake name, for messages. */
  displayName: string;
  /** Read through a DuckDB table macro instead (Time Travel, change sets, system functions). */
  tableFunction?: { macro: string; args: TableFunctionArg[] };
  /** A stream read: DML that reads it moves its offset to `readVersion` when it commits. */
  stream?: StreamRead;
  /** Work to do before the statement runs (a view stream's comparison macro). */
  prepare?: () => Promise<void>;
}

export interface StreamRead {
  id: number;
  readVersion: number;
}

/** A table DML writes: its current rows (duckSchema/duckName) and its history table. */
export interface DmlTarget {
  relation: ResolvedRelation;
  history: { duckSchema: string; duckName: string };
  /** Catalog id of the table, so the engine can record the change. */
  tableId: number;
}

/**
 * A point in a table's history, from AT | BEFORE | END (…). `valueSql` is a DuckDB query returning
 * one value — epoch milliseconds for TIMESTAMP, seconds (negative) for OFFSET — or, for STATEMENT
 * and STREAM, the query id or stream name itself.
 */
export interface TimeTravelPoint {
  mode: 'AT' | 'BEFORE' | 'END';
  kind: 'TIMESTAMP' | 'OFFSET' | 'STATEMENT' | 'STREAM';
  valueSql: string;
}

/** A non-constant argument of a table function: its translated expression (opaque to the engine). */
export interface ArgumentExpression {
  expression: unknown;
}

/**
 * An argument passed to a table macro: a constant, an expression as written, or a string the
 * translator reads as a Snowflake TIMESTAMP_LTZ (time-range arguments).
 */
export type TableFunctionValue = string | number | boolean | null | ArgumentExpression | { timestamp: string };

/** A system table function (INFORMATION_SCHEMA.QUERY_HISTORY …) as a DuckDB table-macro call. */
export interface ResolvedTableFunction {
  /** DuckDB table macro to call, and its arguments. */
  macro: string;
  args: TableFunctionValue[];
  relation: ResolvedRelation;
}

/** An argument of a table function, as written (`NAME => value` or positional). */
export interface TableFunctionArgument {
  name?: string;
  value: string | number | boolean | null | ArgumentExpression;
}

export interface ResolvedSequence {
  duckSchema: string;
  duckName: string;
}

/** A session variable's value, typed. */
export interface VariableValue {
  type: SfType;
  /** JS value: string, number (as decimal text for NUMBER), boolean or null. */
  value: string | number | boolean | null;
}

export interface SessionInfo {
  database?: string;
  schema?: string;
  role: string;
  user: string;
  warehouse?: string;
  sessionId: string;
  timezone: string;
  account: string;
  region: string;
  version: string;
}

/** A stage location read in a FROM clause, as written. */
export interface StagedFilesRef {
  /** `@stage/path`, `@~/path`, `@%table/path`. */
  location: string;
  /** FILE_FORMAT => 'name' (a named file format). */
  fileFormat?: string;
  /** PATTERN => 'regex' over the files' paths. */
  pattern?: string;
}

export interface TranslateContext {
  session: SessionInfo;
  /** Resolves a 1–3 part table or view name (parts already case-folded). Throws 002003 when absent. */
  resolveRelation(parts: string[], position?: SourcePosition): ResolvedRelation;
  /** Resolves a table DML writes (views and system views are refused). */
  resolveTarget(parts: string[], operation: string): DmlTarget;
  /** Resolves a sequence name; undefined when no such sequence exists. */
  resolveSequence(parts: string[]): ResolvedSequence | undefined;
  variable(name: string): VariableValue | undefined;
  /**
   * Snowflake Scripting: a block variable (a bare name in a block expression, or `:name` in a SQL
   * statement), or a field of a row variable (`r.col` inside FOR r IN …). Undefined outside blocks.
   */
  scriptVariable?(name: string, field?: string): VariableValue | undefined;
  /** Query id of the n-th previous statement (-1 = last, as LAST_QUERY_ID(-1)). */
  lastQueryId(index: number): string | undefined;
  /** Makes the stored result of a query readable and returns it as a relation (RESULT_SCAN). */
  resultScan(queryId: string): ResolvedRelation;
  /**
   * The rows of staged files (`SELECT $1, METADATA$FILENAME FROM @stage/path (FILE_FORMAT => …,
   * PATTERN => …)`): CSV fields as text columns, a JSON document or Parquet row as one VARIANT, then
   * the METADATA$ columns. Undefined where staged files cannot be read.
   */
  stagedFiles?(ref: StagedFilesRef): ResolvedRelation;
  /** A table as of a point in time (AT | BEFORE). */
  timeTravel(parts: string[], point: TimeTravelPoint): ResolvedRelation;
  /** The CHANGES clause: the net (or append-only) change set between two points. */
  changes(parts: string[], appendOnly: boolean, from: TimeTravelPoint, to: TimeTravelPoint | undefined): ResolvedRelation;
  /**
   * Other SYSTEM$ functions the engine answers with constant arguments (the task functions:
   * SYSTEM$SET_RETURN_VALUE, SYSTEM$GET_PREDECESSOR_RETURN_VALUE, …); `action` runs before the
   * statement. Undefined when the engine does not know the function.
   */
  systemFunction?(name: string, args: (string | number | boolean | null)[]): { value: VariableValue; action?: () => Promise<void> } | undefined;
  /** SYSTEM$STREAM_HAS_DATA('name'): answered from the commit log, never from table data. */
  streamHasData(parts: string[]): { hasData: boolean; streamId: number };
  /** System table functions by (possibly qualified) name; undefined when there is no such function. */
  tableFunction(parts: string[], args: TableFunctionArgument[]): ResolvedTableFunction | undefined;
}

/** What translation learned about a statement, beyond its DuckDB text. */
export interface TranslationInfo {
  /** True when the translation used session variables or LAST_QUERY_ID and must not be cached. */
  volatile: boolean;
  /** Relations the statement reads, as display names (for history and, later, access checks). */
  reads: string[];
  /** SYSTEM$WAIT: seconds the engine waits (on its clock) before running the statement. */
  waitSeconds: number;
  /** Streams the statement reads (a committing DML statement consumes them). */
  streams: StreamRead[];
  /** Streams SYSTEM$STREAM_HAS_DATA looked at (an empty one is kept from going stale). */
  streamChecks: number[];
  /** Side effects of system functions, run before the statement (SYSTEM$TASK_DEPENDENTS_ENABLE). */
  actions: (() => Promise<void>)[];
}

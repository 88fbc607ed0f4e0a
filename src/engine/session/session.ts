/**
 * A session: one user's connection to the warehouse with its context (user, role, database, schema,
 * warehouse), session variables and parameters, temporary objects, and the results of its recent
 * statements (for LAST_QUERY_ID and RESULT_SCAN). Statements run one at a time per session.
 */
import { randomUUID } from 'node:crypto';
import {
  displayName,
  errors,
  duckIdent,
  parseStatement,
  splitScript,
  type ParsedStatement,
  type ResolvedRelation,
  type ResolvedTableFunction,
  type SnowflakeError,
  type StagedFilesRef,
  type TableFunctionArgument,
  type TableFunctionValue,
  type Statement,
  type TranslateContext,
  type VariableValue,
} from '../../sql/index.ts';
import type { ObjectEntry, PendingWrite, StorageConnection } from '../../storage/index.ts';
import { changesRelation, timeTravelRelation, type EvaluatedPoint } from '../versioning/time-travel.ts';
import type { Engine } from '../engine.ts';
import { executeStatement } from '../executor.ts';
import type { ResultSet } from '../results/result-set.ts';
import { Resolver, type ResolvedPath } from './resolver.ts';
import { streamRelation } from '../streams/stream-read.ts';
import type { Frame } from '../scripting/frames.ts';
import type { TaskRunContext } from '../tasks/runner.ts';
import { taskSystemFunction } from '../tasks/task-functions.ts';
import { taskTableFunction } from '../tasks/task-views.ts';
import { dynamicTableFunction } from '../dynamic/dt-views.ts';
import { loadTableFunction } from '../loading/load-views.ts';
import { materializeResult } from './result-scan.ts';
import { BACKLOT_VERSION } from '../version.ts';
import { NeedsResult, NeedsStagedFiles } from '../query/query.ts';
import { stageFilesForQuery, stagedFilesKey } from '../loading/staged-query.ts';
import { queryHistoryRelation } from '../metadata/system-views.ts';

export interface SessionOptions {
  id?: string;
  user?: string;
  role?: string;
  database?: string;
  schema?: string;
  warehouse?: string;
  /**
   * PUT and GET may read and write the server's own files: true for the embedded console and for
   * clients on the same machine (the server on a loopback address), false otherwise.
   */
  localFiles?: boolean;
}

/** A failed statement: Snowflake's error plus the statement's query id. */
export interface StatementFailure {
  error: SnowflakeError;
  queryId: string;
}

const KEEP_RESULTS = 50;
export const DEFAULT_TIMEZONE = 'America/Los_Angeles';

export class Session {
  readonly id: string;
  user: string;
  /** See SessionOptions.localFiles. */
  readonly localFiles: boolean;
  role: string;
  database: string | undefined;
  schema: string | undefined;
  warehouse: string | undefined;
  readonly variables = new Map<string, VariableValue>();
  readonly parameters = new Map<string, string>();
  readonly tempObjects = new Map<number, ObjectEntry>();
  /** Query ids of this session's statements, oldest first. */
  readonly queryIds: string[] = [];
  private readonly results = new Map<string, ResultSet>();
  private readonly materialized = new Map<string, ResolvedRelation>();
  /** True between BEGIN and COMMIT/ROLLBACK. */
  inTransaction = false;
  /**
   * Set when a statement failed inside DuckDB during an open transaction: DuckDB then refuses
   * everything but ROLLBACK. (Snowflake would roll back only the failed statement; see the
   * transactions work of the versioned-tables release.)
   */
  transactionAborted: string | undefined;
  /**
   * The last committed version when BEGIN ran: stream reads inside the transaction all read up to
   * it (repeatable reads, semantics §1.4). Undefined outside explicit transactions.
   */
  transactionStartVersion: number | undefined;
  /** The open write transaction's version and row ids, while this session holds the write lock. */
  pendingWrite: PendingWrite | undefined;
  /** The running statement's query id. */
  currentQueryId: string | undefined;
  /** Set while the session runs a task: what SYSTEM$SET_RETURN_VALUE and friends see. */
  taskRun: TaskRunContext | undefined;
  /** A task run's USER_TASK_TIMEOUT_MS: the engine-clock time it must end by, and the limit. */
  deadline: number | undefined;
  timeoutMs: number | undefined;
  /** The innermost Snowflake Scripting frame while a block runs in this session. */
  scriptFrame: Frame | undefined;
  /** Time Travel points the running statement evaluated (see versioning/time-travel.ts). */
  readonly points = new Map<string, EvaluatedPoint>();
  /** Staged files the running statement reads (`FROM @stage`), by reference. */
  private readonly stagedFiles = new Map<string, { relation: ResolvedRelation; tables: string[] }>();
  private stagedFileCount = 0;

  constructor(
    readonly engine: Engine,
    readonly conn: StorageConnection,
    options: SessionOptions & { id: string },
  ) {
    this.id = options.id;
    this.user = options.user ?? 'ADMIN';
    this.role = options.role ?? 'ACCOUNTADMIN';
    this.database = options.database;
    this.schema = options.schema ?? (options.database ? 'PUBLIC' : undefined);
    this.warehouse = options.warehouse ?? 'BACKLOT_WH';
    this.localFiles = options.localFiles ?? true;
  }

  async init(): Promise<void> {
    await this.setTimezone(DEFAULT_TIMEZONE);
    // Snowflake sorts NULL as larger than any value: last ascending, first descending.
    await this.conn.run(`SET default_null_order = 'nulls_last_on_asc_first_on_desc'`);
  }

  async dispose(): Promise<void> {
    if (this.pendingWrite) await this.engine.writes.rollback(this);
    else if (this.inTransaction) await this.conn.rollback();
    this.inTransaction = false;
    for (const t of this.tempObjects.values()) {
      // A temporary stage's files go with the session; a temporary file format is only a name.
      if (t.kind === 'STAGE') this.engine.stageFiles.drop('named', String(t.id));
      if (t.kind === 'STAGE' || t.kind === 'FILE FORMAT') continue;
      try {
        await this.conn.run(`DROP ${t.kind === 'SEQUENCE' ? 'SEQUENCE' : t.kind === 'VIEW' ? 'VIEW' : 'TABLE'} IF EXISTS temp."${t.duckName}"`);
      } catch {
        /* the connection closes anyway */
      }
    }
  }

  get timezone(): string {
    return this.parameters.get('TIMEZONE') ?? DEFAULT_TIMEZONE;
  }

  async setTimezone(tz: string): Promise<void> {
    await this.conn.run(`SET TimeZone = '${tz.replace(/'/g, "''")}'`);
    this.parameters.set('TIMEZONE', tz);
  }

  get resolver(): Resolver {
    return new Resolver(this.engine.catalog, this);
  }

  /** Resolver hook: a stream read in this session. */
  readonly readStream = (resolver: Resolver, path: ResolvedPath, stream: ObjectEntry): ResolvedRelation => streamRelation(this, resolver, path, stream);
  /** See ResolverSession.stagedRows. */
  stagedRows: ResolvedRelation | undefined;

  /** Parses a statement, reusing the parse of identical text when it did not depend on variables. */
  parse(text: string): Statement {
    const cached = this.engine.parseCache.get(text) as ParsedStatement | undefined;
    if (cached) return cached.statement;
    const parsed = parseStatement(text, (name) => {
      const v = this.variables.get(name);
      return v === undefined || v.value === null ? undefined : String(v.value);
    });
    if (parsed.cacheable) this.engine.parseCache.set(text, parsed);
    return parsed.statement;
  }

  /** The translator's view of this session. */
  translateContext(): TranslateContext {
    const resolver = this.resolver;
    return {
      session: {
        database: this.database,
        schema: this.schema,
        role: this.role,
        user: this.user,
        warehouse: this.warehouse,
        sessionId: this.id,
        timezone: this.timezone,
        account: this.engine.account,
        region: 'LOCAL',
        version: BACKLOT_VERSION,
      },
      resolveRelation: (parts) => resolver.relation(parts),
      resolveTarget: (parts, operation) => resolver.target(parts, operation),
      resolveSequence: (parts) => resolver.sequence(parts),
      timeTravel: (parts, point) => timeTravelRelation(this, resolver, parts, point),
      changes: (parts, appendOnly, from, to) => changesRelation(this, resolver, parts, appendOnly, from, to),
      systemFunction: (name, args) => taskSystemFunction(this, name, args),
      streamHasData: (parts) => {
        const stream = resolver.require(Resolver.nameOf(parts), ['STREAM'], 'Stream', 'SYSTEM$STREAM_HAS_DATA').object;
        return { hasData: this.engine.streams.hasData(stream), streamId: stream.id };
      },
      variable: (name) => this.variables.get(name),
      scriptVariable: this.scriptFrame ? (name, field) => this.scriptFrame?.value(name, field) : undefined,
      lastQueryId: (index) => this.lastQueryId(index),
      tableFunction: (parts, args) => systemTableFunction(this, parts, args),
      resultScan: (queryId) => {
        const rel = this.materialized.get(queryId);
        if (!rel) throw new NeedsResult(queryId);
        return rel;
      },
      stagedFiles: (ref) => {
        const staged = this.stagedFiles.get(stagedFilesKey(ref));
        if (!staged) throw new NeedsStagedFiles(ref);
        return staged.relation;
      },
    };
  }

  /** LAST_QUERY_ID(n): negative counts back from the latest statement, positive from the first. */
  lastQueryId(index = -1): string | undefined {
    if (index < 0) return this.queryIds[this.queryIds.length + index];
    if (index === 0) return undefined;
    return this.queryIds[index - 1];
  }

  /** Result of an earlier statement of this session (RESULT_SCAN, DESCRIBE RESULT). */
  result(queryId: string): ResultSet | undefined {
    return this.results.get(queryId);
  }

  /** Stages the files a query reads (`FROM @stage`) before it is translated; see loading/staged-query.ts. */
  async prepareStagedFiles(ref: StagedFilesRef): Promise<void> {
    const key = stagedFilesKey(ref);
    if (this.stagedFiles.has(key)) return;
    this.stagedFiles.set(key, await stageFilesForQuery(this, ref, this.stagedFileCount++));
  }

  /** Drops the tables of files staged by the previous statement. */
  async releaseStagedFiles(): Promise<void> {
    if (this.stagedFiles.size === 0) return;
    const tables = [...this.stagedFiles.values()].flatMap((s) => s.tables);
    this.stagedFiles.clear();
    for (const t of tables) await this.conn.run(`DROP TABLE IF EXISTS temp.${duckIdent(t)}`).catch(() => undefined);
  }

  /** Makes an earlier result readable by SQL (a temporary table) before a RESULT_SCAN query runs. */
  async prepareResultScan(queryId: string): Promise<void> {
    if (this.materialized.has(queryId)) return;
    const result = this.results.get(queryId);
    if (!result) throw errors.statementNotFound(queryId);
    this.materialized.set(queryId, await materializeResult(this.conn, result));
  }

  /** Runs one statement's text. Throws a StatementFailure-shaped SnowflakeError (with queryId). */
  async execute(text: string): Promise<ResultSet> {
    return executeStatement(this, text);
  }

  /**
   * Runs a script: each statement in order. With `stopOnError` the first failure ends the script;
   * otherwise every statement runs. Each outcome is reported as it happens.
   */
  async executeScript(
    script: string,
    onOutcome: (outcome: { result?: ResultSet; failure?: StatementFailure; text: string }) => void | Promise<void>,
    stopOnError = true,
  ): Promise<{ succeeded: number; failed: number }> {
    let succeeded = 0;
    let failed = 0;
    for (const stmt of splitScript(script)) {
      try {
        const result = await this.execute(stmt.text);
        succeeded += 1;
        await onOutcome({ result, text: stmt.text });
      } catch (e) {
        failed += 1;
        const failure = toFailure(e);
        await onOutcome({ failure, text: stmt.text });
        if (stopOnError) break;
      }
    }
    return { succeeded, failed };
  }

  /** Records a finished statement's result and id. */
  remember(result: ResultSet): void {
    this.results.set(result.queryId, result);
    if (this.results.size > KEEP_RESULTS) {
      const oldest = this.results.keys().next().value as string;
      this.results.delete(oldest);
      this.materialized.delete(oldest);
    }
  }

  newQueryId(): string {
    return randomUUID();
  }

  /** Records a finished statement's id, so LAST_QUERY_ID() in later statements sees it. */
  finishQuery(queryId: string): void {
    this.queryIds.push(queryId);
  }

  /** `DB.SCHEMA` of the session, for prompts. */
  contextName(): string {
    if (!this.database) return '(no database)';
    return displayName(this.schema ? [this.database, this.schema] : [this.database]);
  }
}

/** INFORMATION_SCHEMA table functions of this release: the QUERY_HISTORY family. */
function systemTableFunction(session: Session, parts: string[], args: TableFunctionArgument[]): ResolvedTableFunction | undefined {
  const name = parts[parts.length - 1];
  if (parts.length > 1 && parts[parts.length - 2] !== 'INFORMATION_SCHEMA') return undefined;
  const taskFunction = taskTableFunction(session, name, args) ?? dynamicTableFunction(session, name, args) ?? loadTableFunction(session, name, args);
  if (taskFunction) return taskFunction;
  if (!['QUERY_HISTORY', 'QUERY_HISTORY_BY_SESSION', 'QUERY_HISTORY_BY_USER', 'QUERY_HISTORY_BY_WAREHOUSE'].includes(name)) return undefined;
  const named = new Map<string, TableFunctionArgument['value']>();
  for (const a of args) {
    if (a.name === undefined) throw errors.invalidArgument(name, 'arguments must be named (ARG => value)');
    named.set(a.name, a.value);
  }
  const allowed = ['RESULT_LIMIT', 'END_TIME_RANGE_START', 'END_TIME_RANGE_END', 'SESSION_ID', 'USER_NAME', 'WAREHOUSE_NAME', 'INCLUDE_CLIENT_GENERATED_STATEMENT'];
  for (const k of named.keys()) if (!allowed.includes(k)) throw errors.invalidArgument(name, `unknown argument ${k}`);
  const limit = Number(constantArgument(name, 'RESULT_LIMIT', named.get('RESULT_LIMIT') ?? 100));
  if (!Number.isInteger(limit) || limit < 1 || limit > 10000) throw errors.invalidArgument(name, 'RESULT_LIMIT must be between 1 and 10000');
  const text = (k: string, fallback: string | null) => (named.has(k) ? String(constantArgument(name, k, named.get(k)!)) : fallback);
  return {
    macro: 'sf_query_history',
    args: [
      limit,
      name === 'QUERY_HISTORY_BY_SESSION' ? text('SESSION_ID', session.id) : null,
      name === 'QUERY_HISTORY_BY_USER' ? text('USER_NAME', session.user) : null,
      name === 'QUERY_HISTORY_BY_WAREHOUSE' ? text('WAREHOUSE_NAME', session.warehouse ?? null) : null,
      timeArgument(named.get('END_TIME_RANGE_START')),
      timeArgument(named.get('END_TIME_RANGE_END')),
    ],
    relation: queryHistoryRelation(),
  };
}

/** An argument that must be a constant (names, limits): expressions are refused. */
export function constantArgument(fn: string, name: string, v: TableFunctionArgument['value']): string | number | boolean | null {
  if (v !== null && typeof v === 'object') throw errors.invalidArgument(fn, `${name} must be a constant`);
  return v;
}

/** A time-range argument: an expression passes through; a string is read as TIMESTAMP_LTZ. */
export function timeArgument(v: TableFunctionArgument['value'] | undefined): TableFunctionValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'object') return v;
  return { timestamp: String(v) };
}

export function toFailure(e: unknown): StatementFailure {
  const err = e as SnowflakeError & { queryId?: string };
  return { error: err, queryId: err.queryId ?? '' };
}

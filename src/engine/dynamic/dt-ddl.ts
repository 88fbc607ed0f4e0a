/**
 * CREATE / ALTER DYNAMIC TABLE (semantics §3.1–3.3). Creation checks the definition (every name
 * resolves, no cycle, no lag shorter than an upstream table's), settles AUTO's refresh mode once —
 * INCREMENTAL when the planner supports the query, otherwise FULL with the reason — and, with
 * INITIALIZE = ON_CREATE, fills the table in the statement (refreshing what it reads first). A failed
 * initial refresh undoes the creation, so the statement fails as a whole.
 */
import {
  analyze,
  filtersOnTime,
  resolveTimes,
  displayName,
  errors,
  parseStatement,
  quoteIdentifier,
  translatePreparedQuery,
  translateQuery,
  Unsupported,
  type AlterDynamicTableStatement,
  type BoundQuery,
  type CreateDynamicTableStatement,
  type ObjectName,
  type ParsedValue,
  type SfType,
} from '../../sql/index.ts';
import { appendRows, versionedTable, type ColumnEntry, type ObjectEntry, type PendingWrite } from '../../storage/index.ts';
import { alreadyExists, checkDuplicateColumns, newEntry, withoutComment } from '../ddl/create.ts';
import { ddlTransaction, propertyText } from '../ddl/ddl-transaction.ts';
import { dropObjectEntry } from '../ddl/drop.ts';
import { contextAt, createPhysicalTable, tableViewDdl, userView } from '../ddl/physical.ts';
import { status, table, type ResultBody } from '../results/result-set.ts';
import { resultType, type Value } from '../results/values.ts';
import type { ResolvedPath } from '../session/resolver.ts';
import type { Session } from '../session/session.ts';
import { inPipeline, T } from '../../sql/index.ts';
import { ts } from '../metadata/show.ts';
import { cloneDynamicTable } from './dt-clone.ts';
import { bindDynamicQuery, dynamicContext, refuseViewsOnDynamic, setInstants } from './dt-context.ts';
import { checkImmutableWhere } from './immutable.ts';
import { castToColumns } from './incremental.ts';
import { writeAggregate } from './aggregate-state.ts';
import { dtStateSql, keptStateVersion, prepareFirstContents } from './refresh.ts';
import { graphHistorySql } from './dt-history.ts';
import { dynamicDef, isDynamic, lagText, parseTargetLag, type DynamicTableDef, type RefreshMode, type SuspendReason, type TargetLag } from './dt-model.ts';
import { validateIncremental } from './validate.ts';
import { resumeCascade, suspendCascade } from './suspension.ts';

const OK = 'Statement executed successfully.';
/** Snowflake's smallest TARGET_LAG; Backlot allows down to one second, with a warning. */
const SNOWFLAKE_MIN_LAG_SECONDS = 60;

function word(v: ParsedValue | undefined): string | undefined {
  return v === undefined ? undefined : v.text.toUpperCase();
}

/** A definition's options, checked: TARGET_LAG, REFRESH_MODE as requested, INITIALIZE, SCHEDULER. */
export function definitionOptions(stmt: CreateDynamicTableStatement): { lag: TargetLag; requested: string; initialize: string; scheduler: string } {
  const p = stmt.properties;
  const lag = parseTargetLag(p.TARGET_LAG.text);
  const requested = word(p.REFRESH_MODE) ?? 'AUTO';
  if (requested === 'CUSTOM_INCREMENTAL') throw errors.unsupported(`REFRESH_MODE = ${requested}`);
  if (!['AUTO', 'FULL', 'INCREMENTAL', 'ADAPTIVE'].includes(requested)) throw errors.invalidValue(`invalid value [${p.REFRESH_MODE!.text}] for parameter 'REFRESH_MODE'`);
  const initialize = word(p.INITIALIZE) ?? 'ON_CREATE';
  if (initialize !== 'ON_CREATE' && initialize !== 'ON_SCHEDULE') throw errors.invalidValue(`invalid value [${p.INITIALIZE!.text}] for parameter 'INITIALIZE'`);
  const scheduler = word(p.SCHEDULER) ?? 'ENABLE';
  if (scheduler !== 'ENABLE' && scheduler !== 'DISABLE') throw errors.invalidValue(`invalid value [${p.SCHEDULER!.text}] for parameter 'SCHEDULER'`);
  return { lag, requested, initialize, scheduler };
}

export function lagWarning(lag: TargetLag): string {
  if (lag.kind !== 'time' || lag.seconds >= SNOWFLAKE_MIN_LAG_SECONDS) return '';
  return ` Warning: TARGET_LAG '${lagText(lag)}' is below Snowflake's minimum of 60 seconds; Backlot allows it locally, a Snowflake account would reject it.`;
}

/** The dynamic table `name` names (live), or Snowflake's error. */
export function findDynamic(session: Session, name: ObjectName, operation: string): { path: ResolvedPath; object: ObjectEntry } {
  const path = session.resolver.path(name, operation);
  const object = session.resolver.find(path, ['TABLE']);
  const full = displayName([path.database.name, path.schema.name, path.name]);
  if (!object) throw errors.doesNotExist('Dynamic table', full);
  if (!isDynamic(object)) throw errors.wrongObjectType(full, 'TABLE', 'DYNAMIC_TABLE');
  return { path, object };
}

/** Every dynamic table the definition reads, through other dynamic tables and views (transitively). */
function upstreamClosure(session: Session, direct: number[]): number[] {
  const service = session.engine.dynamicTables;
  return [...new Set([...direct, ...direct.flatMap((id) => service.upstreamOf(id))])];
}

/** A lag no shorter than any upstream table's (Snowflake refuses the opposite). */
function checkLagOrder(session: Session, name: string, lag: TargetLag, upstream: number[], downstream: number[]): void {
  const catalog = session.engine.catalog;
  const show = (l: TargetLag) => lagText(l);
  for (const id of upstream) {
    const o = catalog.objects.get(id);
    if (!o || !isDynamic(o)) continue;
    const up = dynamicDef(catalog, o);
    if (lag.kind === 'time' && up.lag.kind === 'time' && lag.seconds < up.lag.seconds) {
      throw errors.invalidOperation(
        `The target lag of dynamic table '${name}' (${show(lag)}) cannot be shorter than that of the dynamic table it reads, '${up.fullName}' (${show(up.lag)}).`,
      );
    }
  }
  for (const id of downstream) {
    const o = catalog.objects.get(id);
    if (!o || !isDynamic(o)) continue;
    const down = dynamicDef(catalog, o);
    if (lag.kind === 'time' && down.lag.kind === 'time' && down.lag.seconds < lag.seconds) {
      throw errors.invalidOperation(
        `The target lag of dynamic table '${name}' (${show(lag)}) cannot be longer than that of '${down.fullName}' (${show(down.lag)}), which reads it.`,
      );
    }
  }
}

export async function createDynamicTable(session: Session, stmt: CreateDynamicTableStatement, text: string): Promise<ResultBody> {
  if (stmt.clone) return cloneDynamicTable(session, stmt);
  const engine = session.engine;
  const catalog = engine.catalog;
  const service = engine.dynamicTables;
  const path = session.resolver.path(stmt.name, 'CREATE DYNAMIC TABLE');
  if (path.schema.name === 'INFORMATION_SCHEMA') throw errors.invalidOperation('INFORMATION_SCHEMA is read-only.');
  const full = displayName([path.database.name, path.schema.name, path.name]);
  const existing = catalog.findObject(path.schema.id, path.name, ['TABLE', 'VIEW']);
  if (existing && stmt.ifNotExists) return alreadyExists(path.name);
  if (existing && !stmt.orReplace) throw errors.alreadyExists('Object', full);
  if (existing && !isDynamic(existing)) throw errors.wrongObjectType(full, existing.kind, 'DYNAMIC_TABLE');

  const p = stmt.properties;
  const { lag, requested, initialize, scheduler } = definitionOptions(stmt);

  // The definition: what it reads, in which order things refresh, its columns and its mode.
  const def = await resolveDefinition(session, stmt, path, full, lag, requested, existing);
  const { bound, directUp, upstream, columns, mode } = def;

  // The dynamic tables it reads are brought up to date first (semantics §3.3), then its own first
  // contents are written in the CREATE's transaction: a replaced table stays readable, unchanged,
  // until the new one is complete, and a failing query leaves everything as it was.
  const onCreate = initialize === 'ON_CREATE';
  if (onCreate && upstream.length > 0) {
    const results = await service.refresh(upstream, 'CREATION');
    const failed = results.find((r) => r.record.state !== 'SUCCEEDED');
    if (failed) {
      throw errors.invalidOperation(`Dynamic table '${full}' could not be initialized: the dynamic table '${failed.dt.fullName}' it reads failed to refresh (${failed.record.stateMessage ?? failed.record.state}).`);
    }
  }
  const ctx = contextAt(session, catalog, path.schema);
  const startMs = engine.clock.now().getTime();
  let created!: ObjectEntry;
  let inserted = 0;
  await ddlTransaction(session, async (change, now, write) => {
    if (existing) await dropObjectEntry(session, change, path.schema, existing, now);
    const id = await change.nextId();
    const properties: Record<string, string> = {
      ...definitionProperties(stmt, lag, requested, scheduler, def),
      DYNAMIC: 'true',
      INITIALIZE: initialize,
      SCHEDULING_STATE: 'ACTIVE',
      INITIALIZED: onCreate ? 'true' : 'false',
    };
    // Reading a suspended dynamic table, it cannot refresh on schedule either: suspended from the start.
    const suspendedUp = directUp.map((u) => catalog.objects.get(u)).find((o) => o?.properties.SCHEDULING_STATE === 'SUSPENDED');
    if (suspendedUp) {
      Object.assign(properties, { SCHEDULING_STATE: 'SUSPENDED', SUSPEND_REASON: upstreamReason(suspendedUp.properties.SUSPEND_REASON), LAST_SUSPENDED_ON: now.toISOString() });
    }
    if (stmt.transient || path.schema.transient) properties.TRANSIENT = 'true';
    created = newEntry(session, id, path, now, {
      kind: 'TABLE',
      duckName: `T${id}`,
      comment: p.COMMENT?.text,
      properties,
      definition: text,
      columns,
      temporary: false,
    });
    await createPhysicalTable(session.conn, created, ctx);
    let stateVersion: number | undefined;
    if (onCreate) {
      const first = await initialContents(session, created, bound, write, now, mode !== 'FULL' && !p.IMMUTABLE_WHERE);
      inserted = first.inserted;
      if (first.stateKept) stateVersion = keptStateVersion(session, write, id);
    }
    await session.conn.run(tableViewDdl(path.schema, created));
    await change.putObject(created);
    for (const sql of graphHistorySql(dynamicDef(catalog, created), bound.references, ['CREATE_DYNAMIC_TABLE'], now.getTime())) await session.conn.run(sql);
    // Every input as of now: nothing can commit in between, this transaction holds the write lock.
    if (onCreate) await adoptState(session, created, bound, now, stateVersion);
  }).catch((e) => {
    if (created) service.forget(created.id);
    throw e;
  });
  service.changed();
  if (onCreate) await service.recordCreation(dynamicDef(catalog, created), mode === 'FULL' ? 'FULL' : 'INCREMENTAL', inserted, startMs, session.currentQueryId ?? null);
  return status(`Dynamic table ${quoteIdentifier(path.name)} successfully created.${lagWarning(lag)}`, 'CREATE');
}

/** A definition checked and resolved: what it reads, its columns, and the mode AUTO settles on. */
export interface ResolvedDefinition {
  bound: BoundQuery;
  /** Dynamic tables it reads in its pipeline, directly, and all of them further up. */
  directUp: number[];
  upstream: number[];
  columns: ColumnEntry[];
  mode: RefreshMode;
  reason: string | null;
}

/**
 * Binds a definition and checks it as CREATE does: no dynamic table on a view on a dynamic table
 * outside a refresh boundary, no cycle through the table it replaces, lags in order with what it reads
 * and (for an existing table) with its consumers; then its columns, and the mode AUTO settles on —
 * once, at creation (semantics §3.4).
 */
export async function resolveDefinition(
  session: Session,
  stmt: CreateDynamicTableStatement,
  path: ResolvedPath,
  full: string,
  lag: TargetLag,
  requested: string,
  existing: ObjectEntry | undefined,
): Promise<ResolvedDefinition> {
  const bound = bindDynamicQuery(session.engine, stmt.query, path.schema);
  refuseViewsOnDynamic(bound, full);
  const directUp = [...bound.inputs.values()].filter(inPipeline).map((i) => i.id);
  const upstream = upstreamClosure(session, directUp);
  if (existing && (upstream.includes(existing.id) || bound.inputs.has(existing.id))) {
    throw errors.invalidOperation(`Dynamic table '${full}' cannot read itself, directly or through other dynamic tables or views.`);
  }
  const consumers = existing ? consumersOf(session, existing.id) : [];
  checkLagOrder(session, full, lag, upstream, consumers);
  const columns = await describeColumns(session, stmt, path);
  const immutable = stmt.properties.IMMUTABLE_WHERE;
  if (immutable) checkImmutableWhere(session, path.schema, immutable.text, columns, full);

  // AUTO settles on ADAPTIVE when the query can be refreshed incrementally (Snowflake's behaviour for
  // tables created since 2026-11-20; before, it settled on INCREMENTAL), on FULL otherwise.
  let mode: RefreshMode = requested === 'FULL' || requested === 'INCREMENTAL' ? requested : 'ADAPTIVE';
  let reason: string | null = null;
  if (requested !== 'FULL') {
    try {
      const block = analyze(bound.ast);
      await validateIncremental(session, path.schema, bound, block, columns);
      // As in Snowflake, a filter on the current time is refreshed incrementally only when asked for.
      if (requested === 'AUTO' && filtersOnTime(block)) {
        mode = 'FULL';
        reason = 'The query filters on the current time (CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_TIME); set REFRESH_MODE = INCREMENTAL or ADAPTIVE to refresh it incrementally.';
      }
    } catch (e) {
      if (!(e instanceof Unsupported)) throw e;
      if (requested !== 'AUTO') {
        throw errors.invalidOperation(`Dynamic table '${full}' cannot be refreshed incrementally: ${e.reason}. Use REFRESH_MODE = FULL or AUTO.`);
      }
      mode = 'FULL';
      reason = e.reason;
    }
  }
  return { bound, directUp, upstream, columns, mode, reason };
}

/**
 * The catalog properties a definition sets: its query, lag, requested and resolved mode (with AUTO's
 * reason), scheduler, and the options given as written (WAREHOUSE, retention …).
 */
export function definitionProperties(stmt: CreateDynamicTableStatement, lag: TargetLag, requested: string, scheduler: string, def: ResolvedDefinition): Record<string, string> {
  const given = withoutComment(stmt.properties);
  for (const k of ['TARGET_LAG', 'REFRESH_MODE', 'INITIALIZE', 'SCHEDULER']) delete (given as Record<string, unknown>)[k];
  return {
    ...propertyText(given),
    QUERY: stmt.query,
    TARGET_LAG: lagText(lag),
    REQUESTED_REFRESH_MODE: requested,
    REFRESH_MODE: def.mode,
    SCHEDULER: scheduler,
    ...(def.reason ? { REFRESH_MODE_REASON: def.reason } : {}),
  };
}

/** The dynamic tables that read `id` in their pipeline, directly. */
export function consumersOf(session: Session, id: number): number[] {
  return [...session.engine.dynamicTables.graph().upstream].filter(([, ups]) => ups.includes(id)).map(([d]) => d);
}

/** The reason a table downstream of one suspended for `reason` is suspended with. */
function upstreamReason(reason: string | undefined): SuspendReason {
  if (reason === 'CLONED_AUTO_SUSPENDED' || reason === 'UPSTREAM_CLONED_AUTO_SUSPENDED') return 'UPSTREAM_CLONED_AUTO_SUSPENDED';
  if (reason === 'SUSPENDED_DUE_TO_ERRORS' || reason === 'UPSTREAM_SUSPENDED_DUE_TO_ERRORS') return 'UPSTREAM_SUSPENDED_DUE_TO_ERRORS';
  return 'UPSTREAM_USER_SUSPENDED';
}

/** The table's columns: the query's names and Snowflake types, as CTAS finds them, or the column list's names and types. */
async function describeColumns(session: Session, stmt: CreateDynamicTableStatement, path: ResolvedPath): Promise<ColumnEntry[]> {
  const parsed = parseStatement(stmt.query).statement;
  if (parsed.kind !== 'query') throw errors.syntaxMessage('A dynamic table must be defined by a query.');
  const t = translateQuery(parsed, stmt.query, contextAt(session, session.engine.catalog, path.schema));
  for (const action of t.info.actions) await action();
  const described = await session.conn.query(`DESCRIBE ${t.sql}`);
  const names = described.rows.map((r) => String(r[0]));
  if (stmt.columns && stmt.columns.length !== names.length) {
    throw errors.syntaxMessage(`Number of columns in the column list (${stmt.columns.length}) does not match the query (${names.length}).`);
  }
  const columns = names.map((n, i): ColumnEntry => {
    const duckType = String(described.rows[i][1]);
    const inferred: SfType | undefined = t.columns.length === names.length ? t.columns[i].type : undefined;
    const spec = stmt.columns?.[i];
    const type = spec?.type ?? resultType({ name: n, type: duckType, alias: duckType === 'JSON' ? 'JSON' : undefined }, inferred);
    return { name: spec?.name ?? n, type, nullable: true, defaultSql: null, identity: null, comment: spec?.comment ?? null, primaryKey: false, unique: false };
  });
  checkDuplicateColumns(columns);
  return columns;
}

/** Removes a just-created dynamic table whose initial refresh failed, restoring the one it replaced. */
/** The version of every input now (the CREATE holds the write lock, so this is what it reads). */
function inputVersionsNow(session: Session, bound: BoundQuery): Map<number, number> {
  const latest = session.engine.writes.latest;
  return new Map([...bound.inputs.keys()].map((id) => [id, latest]));
}

/**
 * The new table's first contents, from its query at the current version of every input, in the
 * CREATE's transaction. A table refreshed incrementally through its running aggregate state
 * (`throughState`) gets the state with its rows (refresh.ts prepareFirstContents); `stateKept` then
 * says so.
 */
async function initialContents(
  session: Session,
  created: ObjectEntry,
  bound: BoundQuery,
  write: PendingWrite,
  now: Date,
  throughState: boolean,
): Promise<{ inserted: number; stateKept: boolean }> {
  const schema = session.engine.catalog.schemaOf(created);
  const plan = { oldVersions: new Map<number, number>(), newVersions: inputVersionsNow(session, bound), derivedColumns: new Map(), derivedTypes: new Map() };
  // CURRENT_TIMESTAMP and friends as of the contents' data timestamp (the refresh state's).
  await setInstants(session, bound, { OLD: now.getTime(), NEW: now.getTime() });
  const table = versionedTable(created);
  // Per-value counts (COUNT(DISTINCT), MEDIAN) would be kept on this session's connection, not the
  // refreshes': such a table builds its state at its first refresh instead.
  const first = throughState ? await prepareFirstContents(session, created, bound, plan.newVersions, now.getTime(), false) : undefined;
  if (first) {
    try {
      return { inserted: (await writeAggregate(session.conn, table, first.prepared, write)).inserted, stateKept: true };
    } finally {
      await first.run.dispose();
    }
  }
  const t = translatePreparedQuery(resolveTimes(bound.ast), dynamicContext(session, schema, bound, plan));
  return { inserted: await appendRows(session.conn, table, table.columns, castToColumns(t.sql, created.columns), write), stateKept: false };
}

/**
 * Records, in the CREATE's transaction, the refresh state its first contents reflect; with
 * `stateVersion`, the table version its aggregate state is exact at.
 */
async function adoptState(session: Session, created: ObjectEntry, bound: BoundQuery, now: Date, stateVersion?: number): Promise<void> {
  const state = { dataMs: now.getTime(), inputVersions: inputVersionsNow(session, bound), initialized: true, stateVersion };
  await session.conn.run(dtStateSql(created.id, state).join('; '));
  session.engine.dynamicTables.adopt(created.id, state);
}

const REFRESH_COLUMNS: [string, SfType][] = [
  ['name', T.varchar()],
  ['state', T.varchar()],
  ['state_code', T.varchar()],
  ['state_message', T.varchar()],
  ['query_id', T.varchar()],
  ['data_timestamp', T.timestampLtz()],
  ['refresh_start_time', T.timestampLtz()],
  ['refresh_end_time', T.timestampLtz()],
  ['refresh_action', T.varchar()],
  ['statistics', T.varchar()],
];

export async function alterDynamicTable(session: Session, stmt: AlterDynamicTableStatement): Promise<ResultBody> {
  const found: { path: ResolvedPath; object: ObjectEntry }[] = [];
  for (const n of stmt.names) {
    try {
      found.push(findDynamic(session, n, 'ALTER DYNAMIC TABLE'));
    } catch (e) {
      if (!stmt.ifExists) throw e;
    }
  }
  if (found.length === 0) return status(OK, 'ALTER');
  const engine = session.engine;
  const service = engine.dynamicTables;
  const a = stmt.action;
  switch (a.kind) {
    case 'refresh': {
      if (session.inTransaction) throw errors.invalidOperation('ALTER DYNAMIC TABLE … REFRESH cannot run inside an explicit transaction.');
      const results = await service.refresh(
        found.map((f) => f.object.id),
        'MANUAL',
      );
      const failed = results.find((r) => r.record.state !== 'SUCCEEDED');
      if (failed) {
        throw failed.error ?? errors.invalidOperation(`Dynamic table '${failed.dt.fullName}' was not refreshed: ${failed.record.stateMessage ?? failed.record.state}`);
      }
      const rows: Value[][] = results.map((r) => [
        r.dt.fullName,
        r.record.state,
        r.record.stateCode,
        r.record.stateMessage,
        r.record.queryId,
        ts(session, new Date(r.record.dataMs)),
        ts(session, new Date(r.record.startMs)),
        r.record.endMs === null ? null : ts(session, new Date(r.record.endMs)),
        r.record.action,
        r.record.statistics ? JSON.stringify(r.record.statistics) : null,
      ]);
      return table(REFRESH_COLUMNS, rows, 'ALTER');
    }
    case 'suspend': {
      const o = found[0].object;
      if (o.properties.SCHEDULING_STATE === 'SUSPENDED' && o.properties.SUSPEND_REASON === 'USER_SUSPENDED') return status(OK, 'ALTER');
      await ddlTransaction(session, (_change, now) => suspendCascade(engine, session.conn, o.id, 'USER_SUSPENDED', now));
      service.changed();
      return status(OK, 'ALTER');
    }
    case 'resume': {
      await ddlTransaction(session, (_change, now) => resumeCascade(engine, session.conn, found[0].object.id, now));
      service.changed();
      return status(OK, 'ALTER');
    }
    case 'set':
      return setProperties(session, found[0], a.properties);
    case 'unset':
      return unsetProperties(session, found[0], a.names);
    case 'rename':
      return rename(session, found[0], a.to);
  }
}

async function setProperties(session: Session, f: { path: ResolvedPath; object: ObjectEntry }, props: Record<string, ParsedValue>): Promise<ResultBody> {
  const engine = session.engine;
  const service = engine.dynamicTables;
  const o = f.object;
  const def = dynamicDef(engine.catalog, o);
  const properties = { ...o.properties };
  const triggers: ('ALTER_TARGET_LAG' | 'ALTER_WAREHOUSE')[] = [];
  let warning = '';
  let comment = o.comment;
  for (const [k, v] of Object.entries(props)) {
    switch (k) {
      case 'TARGET_LAG': {
        const lag = parseTargetLag(v.text);
        checkLagOrder(session, def.fullName, lag, service.upstreamOf(o.id), consumersOf(session, o.id));
        properties.TARGET_LAG = lagText(lag);
        // Setting a lag re-enables the scheduler (semantics §3.2).
        properties.SCHEDULER = 'ENABLE';
        warning = lagWarning(lag);
        triggers.push('ALTER_TARGET_LAG');
        break;
      }
      case 'WAREHOUSE':
        properties.WAREHOUSE = v.text;
        triggers.push('ALTER_WAREHOUSE');
        break;
      case 'COMMENT':
        comment = v.text;
        break;
      case 'IMMUTABLE_WHERE':
        checkImmutableWhere(session, f.path.schema, v.text, o.columns, def.fullName);
        properties.IMMUTABLE_WHERE = v.text;
        break;
      case 'SCHEDULER': {
        const s = v.text.toUpperCase();
        if (s !== 'ENABLE' && s !== 'DISABLE') throw errors.invalidValue(`invalid value [${v.text}] for parameter 'SCHEDULER'`);
        properties.SCHEDULER = s;
        break;
      }
      default:
        Object.assign(properties, propertyText({ [k]: v }));
    }
  }
  await ddlTransaction(session, async (change, now) => {
    const updated = { ...o, properties, comment, lastAltered: now };
    await change.putObject(updated);
    if (triggers.length > 0) {
      const refs = service.graph().references.get(o.id) ?? [];
      for (const sql of graphHistorySql(dynamicDef(engine.catalog, updated), refs, triggers, now.getTime())) await session.conn.run(sql);
    }
  });
  service.changed();
  return status(`${OK}${warning}`, 'ALTER');
}

async function unsetProperties(session: Session, f: { path: ResolvedPath; object: ObjectEntry }, names: string[]): Promise<ResultBody> {
  const o = f.object;
  const properties = { ...o.properties };
  let comment = o.comment;
  for (const n of names) {
    if (n === 'COMMENT') comment = null;
    else if (['DATA_RETENTION_TIME_IN_DAYS', 'MAX_DATA_EXTENSION_TIME_IN_DAYS', 'WAREHOUSE', 'IMMUTABLE_WHERE'].includes(n)) delete properties[n];
    else throw errors.invalidOperation(`${n} cannot be unset on a dynamic table.`);
  }
  await ddlTransaction(session, (change, now) => change.putObject({ ...o, properties, comment, lastAltered: now }));
  session.engine.dynamicTables.changed();
  return status(OK, 'ALTER');
}

async function rename(session: Session, f: { path: ResolvedPath; object: ObjectEntry }, to: ObjectName): Promise<ResultBody> {
  const target = to.schema === undefined ? { ...f.path, name: to.name } : session.resolver.path(to, 'ALTER');
  if (session.resolver.find(target, ['TABLE', 'VIEW', 'SEQUENCE'])) {
    throw errors.alreadyExists('Object', displayName([target.database.name, target.schema.name, target.name]));
  }
  await ddlTransaction(session, async (change, now) => {
    await session.conn.run(`DROP VIEW IF EXISTS ${userView(f.path.schema, f.object.name)}`);
    const renamed = { ...f.object, name: target.name, schemaId: target.schema.id, lastAltered: now };
    await session.conn.run(tableViewDdl(target.schema, renamed));
    await change.putObject(renamed);
    const refs = session.engine.dynamicTables.graph().references.get(renamed.id) ?? [];
    for (const sql of graphHistorySql(dynamicDef(session.engine.catalog, renamed), refs, ['NONE'], now.getTime())) await session.conn.run(sql);
  });
  session.engine.dynamicTables.changed();
  return status(OK, 'ALTER');
}

export type { DynamicTableDef };

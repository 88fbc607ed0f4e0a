/**
 * SHOW commands with Snowflake's column names (lower case), scopes (IN ACCOUNT | DATABASE | SCHEMA |
 * TABLE), filters and ordering. The results are ordinary results, so
 * `SELECT … FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))` works on them.
 */
import { catalogueNames, errors, T, type SfType, type ShowStatement } from '../../sql/index.ts';
import type { DatabaseEntry, ObjectEntry, SchemaEntry } from '../../storage/index.ts';
import { table, type ResultBody } from '../results/result-set.ts';
import { formatInstant, type Value } from '../results/values.ts';
import { SYSTEM_ROLES } from '../session/session-statements.ts';
import type { Session } from '../session/session.ts';
import { retentionDays } from '../versioning/retention.ts';
import { INFORMATION_SCHEMA } from './system-views.ts';
import { applyShowFilters } from './show-filters.ts';
import { columnTypeJson, describeSessionParameters } from './describe.ts';
import { showStreams } from '../streams/show-streams.ts';
import { showProcedures } from '../procedures/procedures.ts';
import { showTasks } from '../tasks/show-tasks.ts';
import { showDynamicTables } from '../dynamic/show-dynamic-tables.ts';
import { isDynamic } from '../dynamic/dt-model.ts';
import { showFileFormats, showStages } from '../loading/stage-ddl.ts';

const STR = T.varchar();

/** Snowflake orders SHOW output by the names' binary (code unit) order. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
const NUM = T.number();
const TS = T.timestampLtz();

export function ts(session: Session, d: Date | null): Value {
  return d === null ? null : formatInstant(BigInt(d.getTime()) * 1000n, session.timezone);
}

/** SHOW TERSE's five columns. */
function terse(rows: Value[][]): ResultBody {
  return table([['created_on', TS], ['name', STR], ['kind', STR], ['database_name', STR], ['schema_name', STR]], rows, 'SHOW');
}

export interface Located {
  database: DatabaseEntry;
  schema: SchemaEntry;
  object: ObjectEntry;
}

/** Databases and schemas a SHOW command looks in, from its IN clause or the session's context. */
function scopeSchemas(session: Session, stmt: ShowStatement): { database: DatabaseEntry; schema: SchemaEntry }[] {
  const catalog = session.engine.catalog;
  const resolver = session.resolver;
  const scope = stmt.scope;
  const all = (d: DatabaseEntry) => catalog.schemasOf(d.id).map((schema) => ({ database: d, schema }));
  if (!scope) {
    if (session.database && catalog.findDatabase(session.database)) return all(resolver.currentDatabase('SHOW'));
    return catalog.liveDatabases().flatMap(all);
  }
  switch (scope.kind) {
    case 'ACCOUNT':
      return catalog.liveDatabases().flatMap(all);
    case 'DATABASE':
      return all(scope.name !== undefined ? resolver.database(scope.name) : resolver.currentDatabase('SHOW'));
    case 'SCHEMA':
      return [scope.name ? resolver.schema(scope.name, 'SHOW') : resolver.currentSchema('SHOW')];
    default:
      throw errors.invalidOperation(`SHOW ${stmt.what} IN ${scope.kind} is not valid.`);
  }
}

export function objectsIn(session: Session, stmt: ShowStatement, kinds: ObjectEntry['kind'][], history = false): Located[] {
  const catalog = session.engine.catalog;
  const out: Located[] = [];
  for (const { database, schema } of scopeSchemas(session, stmt)) {
    for (const object of catalog.objectsOf(schema.id, history)) if (kinds.includes(object.kind)) out.push({ database, schema, object });
    for (const t of session.tempObjects.values()) if (t.schemaId === schema.id && kinds.includes(t.kind)) out.push({ database, schema, object: t });
  }
  return out.sort((a, b) => byName(key(a), key(b)) || (a.object.droppedOn?.getTime() ?? 0) - (b.object.droppedOn?.getTime() ?? 0));
}

function key(l: Located): string {
  return `${l.database.name}\u0000${l.schema.name}\u0000${l.object.name}`;
}

export async function showStatement(session: Session, stmt: ShowStatement): Promise<ResultBody> {
  switch (stmt.what) {
    case 'DATABASES':
      return showDatabases(session, stmt);
    case 'SCHEMAS':
      return showSchemas(session, stmt);
    case 'TABLES':
      return showTables(session, stmt);
    case 'VIEWS':
      return showViews(session, stmt);
    case 'OBJECTS':
      return showObjects(session, stmt);
    case 'COLUMNS':
      return showColumns(session, stmt);
    case 'SEQUENCES':
      return showSequences(session, stmt);
    case 'PARAMETERS':
      return describeSessionParameters(session, stmt);
    case 'VARIABLES':
      return showVariables(session, stmt);
    case 'WAREHOUSES':
      return showWarehouses(session, stmt);
    case 'ROLES':
      return showRoles(session, stmt);
    case 'USERS':
      return showUsers(session, stmt);
    case 'FUNCTIONS':
    case 'USER FUNCTIONS':
      return showFunctions(stmt);
    case 'PRIMARY KEYS':
      return showPrimaryKeys(session, stmt);
    case 'STAGES':
      return showStages(session, stmt);
    case 'FILE FORMATS':
      return showFileFormats(session, stmt);
    case 'STREAMS':
      return showStreams(session, stmt);
    case 'TASKS':
      return showTasks(session, stmt);
    case 'DYNAMIC TABLES':
      return showDynamicTables(session, stmt);
    case 'PROCEDURES':
    case 'USER PROCEDURES':
      return showProcedures(session, stmt);
    default:
      throw errors.unsupported(`SHOW ${stmt.what}`);
  }
}

function showDatabases(session: Session, stmt: ShowStatement): ResultBody {
  const catalog = session.engine.catalog;
  const dbs = stmt.history ? [...catalog.databases.values()] : catalog.liveDatabases();
  const sorted = dbs.sort((a, b) => byName(a.name, b.name));
  const rows = applyShowFilters(sorted, (d) => d.name, stmt).map((d) => {
    if (stmt.terse) return [ts(session, d.createdOn), d.name, 'STANDARD', null, null];
    const row: Value[] = [
      ts(session, d.createdOn),
      d.name,
      'N',
      d.name === session.database ? 'Y' : 'N',
      '',
      d.owner,
      d.comment ?? '',
      d.transient ? 'TRANSIENT' : '',
      String(d.properties.DATA_RETENTION_TIME_IN_DAYS ?? '1'),
      'STANDARD',
      null,
      'ROLE',
    ];
    if (stmt.history) row.push(ts(session, d.droppedOn));
    return row;
  });
  if (stmt.terse) {
    return terse(rows);
  }
  const cols: [string, SfType][] = [
    ['created_on', TS],
    ['name', STR],
    ['is_default', STR],
    ['is_current', STR],
    ['origin', STR],
    ['owner', STR],
    ['comment', STR],
    ['options', STR],
    ['retention_time', STR],
    ['kind', STR],
    ['budget', STR],
    ['owner_role_type', STR],
  ];
  if (stmt.history) cols.push(['dropped_on', TS]);
  return table(cols, rows, 'SHOW');
}

function showSchemas(session: Session, stmt: ShowStatement): ResultBody {
  const catalog = session.engine.catalog;
  const resolver = session.resolver;
  let databases: DatabaseEntry[];
  const scope = stmt.scope;
  if (scope?.kind === 'DATABASE') databases = [scope.name !== undefined ? resolver.database(scope.name) : resolver.currentDatabase('SHOW SCHEMAS')];
  else if (scope?.kind === 'ACCOUNT' || !session.database || !catalog.findDatabase(session.database)) databases = catalog.liveDatabases();
  else if (!scope) databases = [resolver.currentDatabase('SHOW SCHEMAS')];
  else throw errors.invalidOperation('SHOW SCHEMAS IN SCHEMA is not valid.');
  type Row = { database: DatabaseEntry; name: string; schema?: SchemaEntry };
  const items: Row[] = [];
  for (const d of databases) {
    items.push({ database: d, name: INFORMATION_SCHEMA });
    for (const s of catalog.schemasOf(d.id, stmt.history)) items.push({ database: d, name: s.name, schema: s });
  }
  items.sort((a, b) => byName(a.database.name, b.database.name) || byName(a.name, b.name));
  const rows = applyShowFilters(items, (i) => i.name, stmt).map(({ database, name, schema }) => {
    const created = schema ? schema.createdOn : database.createdOn;
    if (stmt.terse) return [ts(session, created), name, 'SCHEMA', database.name, null];
    const row: Value[] = [
      ts(session, created),
      name,
      'N',
      database.name === session.database && name === session.schema ? 'Y' : 'N',
      database.name,
      schema ? schema.owner : '',
      schema ? (schema.comment ?? '') : 'Views describing the contents of schemas in this database',
      schema?.managedAccess ? 'MANAGED ACCESS' : schema?.transient ? 'TRANSIENT' : '',
      schema ? String(schema.properties.DATA_RETENTION_TIME_IN_DAYS ?? database.properties.DATA_RETENTION_TIME_IN_DAYS ?? '1') : '1',
      'ROLE',
      null,
    ];
    if (stmt.history) row.push(ts(session, schema?.droppedOn ?? null));
    return row;
  });
  if (stmt.terse) {
    return terse(rows);
  }
  const cols: [string, SfType][] = [
    ['created_on', TS],
    ['name', STR],
    ['is_default', STR],
    ['is_current', STR],
    ['database_name', STR],
    ['owner', STR],
    ['comment', STR],
    ['options', STR],
    ['retention_time', STR],
    ['owner_role_type', STR],
    ['budget', STR],
  ];
  if (stmt.history) cols.push(['dropped_on', TS]);
  return table(cols, rows, 'SHOW');
}

export async function rowCounts(session: Session, objects: ObjectEntry[]): Promise<Map<string, string>> {
  const names = objects.filter((o) => o.kind === 'TABLE' && !o.temporary).map((o) => o.duckName);
  const out = new Map<string, string>();
  if (names.length === 0) return out;
  const rows = await session.conn.rows(
    `SELECT table_name, estimated_size FROM duckdb_tables() WHERE schema_name = '_backlot_data' AND table_name IN (${names.map((n) => `'${n}'`).join(', ')})`,
  );
  for (const r of rows) out.set(String(r.table_name), String(r.estimated_size));
  return out;
}

function tableKind(o: ObjectEntry): string {
  if (o.temporary) return 'TEMPORARY';
  if (o.properties.TRANSIENT === 'true') return 'TRANSIENT';
  return 'TABLE';
}

async function showTables(session: Session, stmt: ShowStatement): Promise<ResultBody> {
  const found = applyShowFilters(objectsIn(session, stmt, ['TABLE'], stmt.history), (l) => l.object.name, stmt);
  const counts = await rowCounts(session, found.map((l) => l.object));
  if (stmt.terse) {
    return terse(
      found.map((l) => [ts(session, l.object.createdOn), l.object.name, tableKind(l.object), l.database.name, l.schema.name]),
    );
  }
  const cols: [string, SfType][] = [
    ['created_on', TS],
    ['name', STR],
    ['database_name', STR],
    ['schema_name', STR],
    ['kind', STR],
    ['comment', STR],
    ['cluster_by', STR],
    ['rows', NUM],
    ['bytes', NUM],
    ['owner', STR],
    ['retention_time', STR],
    ['automatic_clustering', STR],
    ['change_tracking', STR],
    ['search_optimization', STR],
    ['search_optimization_progress', STR],
    ['search_optimization_bytes', NUM],
    ['is_external', STR],
    ['enable_schema_evolution', STR],
    ['owner_role_type', STR],
    ['is_event', STR],
    ['budget', STR],
    ['is_hybrid', STR],
    ['is_iceberg', STR],
    ['is_dynamic', STR],
    ['is_immutable', STR],
  ];
  if (stmt.history) cols.push(['dropped_on', TS]);
  const rows = found.map(({ database, schema, object: o }) => {
    const row: Value[] = [
      ts(session, o.createdOn),
      o.name,
      database.name,
      schema.name,
      tableKind(o),
      o.comment ?? '',
      o.properties.CLUSTER_BY ?? '',
      counts.get(o.duckName) ?? (o.temporary ? null : '0'),
      '0',
      o.owner,
      String(retentionDays(session.engine, o)),
      o.properties.CLUSTER_BY ? 'ON' : 'OFF',
      o.properties.CHANGE_TRACKING === 'true' ? 'ON' : 'OFF',
      'OFF',
      null,
      null,
      'N',
      'N',
      'ROLE',
      'N',
      null,
      'N',
      'N',
      isDynamic(o) ? 'Y' : 'N',
      'N',
    ];
    if (stmt.history) row.push(ts(session, o.droppedOn));
    return row;
  });
  return table(cols, rows, 'SHOW');
}

function showViews(session: Session, stmt: ShowStatement): ResultBody {
  const found = applyShowFilters(objectsIn(session, stmt, ['VIEW']), (l) => l.object.name, stmt);
  if (stmt.terse) {
    return terse(
      found.map((l) => [ts(session, l.object.createdOn), l.object.name, 'VIEW', l.database.name, l.schema.name]),
    );
  }
  return table(
    [
      ['created_on', TS],
      ['name', STR],
      ['reserved', STR],
      ['database_name', STR],
      ['schema_name', STR],
      ['owner', STR],
      ['comment', STR],
      ['text', STR],
      ['is_secure', STR],
      ['is_materialized', STR],
      ['owner_role_type', STR],
      ['change_tracking', STR],
    ],
    found.map(({ database, schema, object: o }) => [
      ts(session, o.createdOn),
      o.name,
      '',
      database.name,
      schema.name,
      o.owner,
      o.comment ?? '',
      o.definition ?? '',
      o.properties.SECURE === 'true' ? 'true' : 'false',
      'false',
      'ROLE',
      o.properties.CHANGE_TRACKING === 'true' ? 'ON' : 'OFF',
    ]),
    'SHOW',
  );
}

async function showObjects(session: Session, stmt: ShowStatement): Promise<ResultBody> {
  const found = applyShowFilters(objectsIn(session, stmt, ['TABLE', 'VIEW']), (l) => l.object.name, stmt);
  const counts = await rowCounts(session, found.map((l) => l.object));
  return table(
    [
      ['created_on', TS],
      ['name', STR],
      ['database_name', STR],
      ['schema_name', STR],
      ['kind', STR],
      ['comment', STR],
      ['cluster_by', STR],
      ['rows', NUM],
      ['bytes', NUM],
      ['owner', STR],
      ['retention_time', STR],
      ['owner_role_type', STR],
    ],
    found.map(({ database, schema, object: o }) => [
      ts(session, o.createdOn),
      o.name,
      database.name,
      schema.name,
      o.kind === 'VIEW' ? 'VIEW' : tableKind(o),
      o.comment ?? '',
      o.properties.CLUSTER_BY ?? '',
      o.kind === 'TABLE' ? (counts.get(o.duckName) ?? null) : '0',
      '0',
      o.owner,
      o.kind === 'TABLE' ? String(retentionDays(session.engine, o)) : '1',
      'ROLE',
    ]),
    'SHOW',
  );
}

function showColumns(session: Session, stmt: ShowStatement): ResultBody {
  let located: Located[];
  const scope = stmt.scope;
  if (scope?.kind === 'TABLE' || scope?.kind === 'VIEW') {
    const { path, object } = session.resolver.require(scope.name, scope.kind === 'TABLE' ? ['TABLE'] : ['VIEW'], scope.kind === 'TABLE' ? 'Table' : 'View', 'SHOW COLUMNS');
    located = [{ database: path.database, schema: path.schema, object }];
  } else {
    located = objectsIn(session, { ...stmt, like: undefined, startsWith: undefined, limit: undefined }, ['TABLE', 'VIEW']);
  }
  type Col = { l: Located; c: ObjectEntry['columns'][number] };
  const cols: Col[] = located.flatMap((l) => l.object.columns.map((c) => ({ l, c })));
  const rows = applyShowFilters(cols, (x) => x.c.name, stmt).map(({ l, c }) => [
    l.object.name,
    l.schema.name,
    c.name,
    JSON.stringify(columnTypeJson(c.type, c.nullable)),
    c.nullable ? 'true' : 'false',
    c.defaultSql ?? '',
    'COLUMN',
    null,
    c.comment ?? '',
    l.database.name,
    c.identity ? `IDENTITY START ${c.identity.start} INCREMENT ${c.identity.increment} ${c.identity.order ? 'ORDER' : 'NOORDER'}` : '',
    null,
  ]);
  return table(
    [
      ['table_name', STR],
      ['schema_name', STR],
      ['column_name', STR],
      ['data_type', STR],
      ['null?', STR],
      ['default', STR],
      ['kind', STR],
      ['expression', STR],
      ['comment', STR],
      ['database_name', STR],
      ['autoincrement', STR],
      ['schema_evolution_record', STR],
    ],
    rows,
    'SHOW',
  );
}

async function showSequences(session: Session, stmt: ShowStatement): Promise<ResultBody> {
  const found = applyShowFilters(objectsIn(session, stmt, ['SEQUENCE']), (l) => l.object.name, stmt);
  return table(
    [
      ['created_on', TS],
      ['name', STR],
      ['database_name', STR],
      ['schema_name', STR],
      ['next_value', NUM],
      ['interval', NUM],
      ['owner', STR],
      ['comment', STR],
      ['ordered', STR],
      ['owner_role_type', STR],
    ],
    found.map(({ database, schema, object: o }) => [
      ts(session, o.createdOn),
      o.name,
      database.name,
      schema.name,
      null,
      o.properties.INCREMENT ?? '1',
      o.owner,
      o.comment ?? '',
      o.properties.ORDER === 'false' ? 'N' : 'Y',
      'ROLE',
    ]),
    'SHOW',
  );
}

function showVariables(session: Session, stmt: ShowStatement): ResultBody {
  const now = ts(session, session.engine.clock.now());
  const vars = [...session.variables.entries()].sort(([a], [b]) => byName(a, b));
  const rows = applyShowFilters(vars, ([n]) => n, stmt).map(([name, v]) => [
    session.id,
    now,
    now,
    name,
    v.value === null ? null : String(v.value),
    v.type.kind === 'VARCHAR' ? 'TEXT' : v.type.kind === 'NUMBER' ? 'FIXED' : v.type.kind,
    '',
  ]);
  return table(
    [
      ['session_id', STR],
      ['created_on', TS],
      ['updated_on', TS],
      ['name', STR],
      ['value', STR],
      ['type', STR],
      ['comment', STR],
    ],
    rows,
    'SHOW',
  );
}

function showWarehouses(session: Session, stmt: ShowStatement): ResultBody {
  const name = session.warehouse ?? 'BACKLOT_WH';
  const rows = applyShowFilters([name], (n) => n, stmt).map((n) => [n, 'STARTED', 'STANDARD', 'X-Small', 'Y', 'Y', 'ACCOUNTADMIN', 'Backlot embedded warehouse (DuckDB)']);
  return table(
    [
      ['name', STR],
      ['state', STR],
      ['type', STR],
      ['size', STR],
      ['is_default', STR],
      ['is_current', STR],
      ['owner', STR],
      ['comment', STR],
    ],
    rows,
    'SHOW',
  );
}

function showRoles(session: Session, stmt: ShowStatement): ResultBody {
  const created = ts(session, new Date(0));
  const rows = applyShowFilters([...SYSTEM_ROLES].sort(), (r) => r, stmt).map((r) => [created, r, 'N', r === session.role ? 'Y' : 'N', 'N', '1', '0', '0', '', `System role ${r}`]);
  return table(
    [
      ['created_on', TS],
      ['name', STR],
      ['is_default', STR],
      ['is_current', STR],
      ['is_inherited', STR],
      ['assigned_to_users', NUM],
      ['granted_to_roles', NUM],
      ['granted_roles', NUM],
      ['owner', STR],
      ['comment', STR],
    ],
    rows,
    'SHOW',
  );
}

function showUsers(session: Session, stmt: ShowStatement): ResultBody {
  const rows = applyShowFilters([session.user], (u) => u, stmt).map((u) => [u, ts(session, new Date(0)), u, u, 'false', session.role]);
  return table(
    [
      ['name', STR],
      ['created_on', TS],
      ['login_name', STR],
      ['display_name', STR],
      ['disabled', STR],
      ['default_role', STR],
    ],
    rows,
    'SHOW',
  );
}

function showFunctions(stmt: ShowStatement): ResultBody {
  const rows = applyShowFilters(catalogueNames(), (n) => n, stmt).map((n) => [n, 'Y', 'N', 'BUILT-IN']);
  return table(
    [
      ['name', STR],
      ['is_builtin', STR],
      ['is_table_function', STR],
      ['description', STR],
    ],
    rows,
    'SHOW',
  );
}

function showPrimaryKeys(session: Session, stmt: ShowStatement): ResultBody {
  const located =
    stmt.scope?.kind === 'TABLE'
      ? (() => {
          const { path, object } = session.resolver.require(stmt.scope.name, ['TABLE'], 'Table', 'SHOW PRIMARY KEYS');
          return [{ database: path.database, schema: path.schema, object }];
        })()
      : objectsIn(session, stmt, ['TABLE']);
  const rows: Value[][] = [];
  for (const l of located) {
    l.object.columns
      .filter((c) => c.primaryKey)
      .forEach((c, i) => rows.push([ts(session, l.object.createdOn), l.database.name, l.schema.name, l.object.name, c.name, String(i + 1), `SYS_CONSTRAINT_${l.object.id}`, 'false', null]));
  }
  return table(
    [
      ['created_on', TS],
      ['database_name', STR],
      ['schema_name', STR],
      ['table_name', STR],
      ['column_name', STR],
      ['key_sequence', NUM],
      ['constraint_name', STR],
      ['rely', STR],
      ['comment', STR],
    ],
    rows,
    'SHOW',
  );
}


/**
 * DESCRIBE TABLE | VIEW | SEQUENCE | SCHEMA | DATABASE | RESULT, and SHOW PARAMETERS, with
 * Snowflake's columns.
 */
import { describeFileFormat, describeStage } from '../loading/stage-ddl.ts';
import { errors, formatType, T, type DescribeStatement, type SfType, type ShowStatement } from '../../sql/index.ts';
import type { ColumnEntry } from '../../storage/index.ts';
import { table, type ResultBody } from '../results/result-set.ts';
import type { Value } from '../results/values.ts';
import type { Session } from '../session/session.ts';
import { describeStream } from '../streams/show-streams.ts';
import { describeProcedure } from '../procedures/procedures.ts';
import { findDynamic } from '../dynamic/dt-ddl.ts';
import { describeTask } from '../tasks/show-tasks.ts';
import { applyShowFilters } from './show-filters.ts';
import { ts } from './show.ts';

const STR = T.varchar();
const TS = T.timestampLtz();

/** SHOW COLUMNS' data_type JSON, as Snowflake writes it. */
export function columnTypeJson(t: SfType, nullable: boolean): Record<string, unknown> {
  switch (t.kind) {
    case 'NUMBER':
      return { type: 'FIXED', precision: t.precision, scale: t.scale, nullable };
    case 'FLOAT':
      return { type: 'REAL', nullable };
    case 'VARCHAR':
      return { type: 'TEXT', length: t.length, byteLength: Math.min(t.length * 4, 16777216), nullable, fixed: false };
    case 'BINARY':
      return { type: 'BINARY', length: t.length, byteLength: t.length, nullable, fixed: false };
    case 'TIME':
    case 'TIMESTAMP_NTZ':
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_TZ':
      return { type: t.kind, precision: 0, scale: t.precision, nullable };
    default:
      return { type: t.kind, nullable };
  }
}

const DESCRIBE_COLUMNS: [string, SfType][] = [
  ['name', STR],
  ['type', STR],
  ['kind', STR],
  ['null?', STR],
  ['default', STR],
  ['primary key', STR],
  ['unique key', STR],
  ['check', STR],
  ['expression', STR],
  ['comment', STR],
  ['policy name', STR],
  ['privacy domain', STR],
];

function describeColumns(columns: Pick<ColumnEntry, 'name' | 'type' | 'nullable' | 'defaultSql' | 'identity' | 'primaryKey' | 'unique' | 'comment'>[]): ResultBody {
  return table(
    DESCRIBE_COLUMNS,
    columns.map((c) => [
      c.name,
      formatType(c.type),
      'COLUMN',
      c.nullable ? 'Y' : 'N',
      c.identity ? `IDENTITY START ${c.identity.start} INCREMENT ${c.identity.increment} ${c.identity.order ? 'ORDER' : 'NOORDER'}` : c.defaultSql,
      c.primaryKey ? 'Y' : 'N',
      c.unique ? 'Y' : 'N',
      null,
      null,
      c.comment,
      null,
      null,
    ]),
    'DESCRIBE',
  );
}

export async function describeStatement(session: Session, stmt: DescribeStatement): Promise<ResultBody> {
  const resolver = session.resolver;
  const catalog = session.engine.catalog;
  switch (stmt.objectKind) {
    case 'TABLE':
    case 'VIEW': {
      if (stmt.type === 'STAGE') throw errors.unsupported('DESCRIBE TABLE … TYPE = STAGE (stages come with loading)');
      const rel = resolver.relation([stmt.name.database, stmt.name.schema, stmt.name.name].filter((p): p is string => p !== undefined), `DESCRIBE ${stmt.objectKind}`);
      if (stmt.objectKind === 'VIEW' && rel.kind === 'TABLE') throw errors.doesNotExist('View', rel.displayName);
      const { object } = rel.kind === 'SYSTEM_VIEW' ? { object: undefined } : resolver.require(stmt.name, ['TABLE', 'VIEW'], 'Object', 'DESCRIBE');
      if (object) return describeColumns(object.columns);
      return describeColumns(rel.columns.map((c) => ({ name: c.name, type: c.type, nullable: true, defaultSql: null, identity: null, primaryKey: false, unique: false, comment: null })));
    }
    case 'DYNAMIC TABLE':
      return describeColumns(findDynamic(session, stmt.name, 'DESCRIBE DYNAMIC TABLE').object.columns);
    case 'PROCEDURE':
      return describeProcedure(session, stmt);
    case 'TASK': {
      const { path, object } = resolver.require(stmt.name, ['TASK'], 'Task', 'DESCRIBE TASK');
      return describeTask(session, { database: path.database, schema: path.schema, object });
    }
    case 'STAGE':
      return describeStage(session, stmt.name);
    case 'FILE FORMAT':
      return describeFileFormat(session, stmt.name);
    case 'STREAM': {
      const { path, object } = resolver.require(stmt.name, ['STREAM'], 'Stream', 'DESCRIBE STREAM');
      return describeStream(session, { database: path.database, schema: path.schema, object });
    }
    case 'SEQUENCE': {
      const { path, object: o } = resolver.require(stmt.name, ['SEQUENCE'], 'Sequence', 'DESCRIBE SEQUENCE');
      return table(
        [
          ['created_on', TS],
          ['name', STR],
          ['database_name', STR],
          ['schema_name', STR],
          ['next_value', T.number()],
          ['interval', T.number()],
          ['owner', STR],
          ['comment', STR],
          ['ordered', STR],
        ],
        [[ts(session, o.createdOn), o.name, path.database.name, path.schema.name, null, o.properties.INCREMENT ?? '1', o.owner, o.comment ?? '', o.properties.ORDER === 'false' ? 'N' : 'Y']],
        'DESCRIBE',
      );
    }
    case 'DATABASE': {
      const d = resolver.database(stmt.name.name);
      const rows = catalog.schemasOf(d.id).map((s) => [ts(session, s.createdOn), s.name, 'SCHEMA']);
      return table([['created_on', TS], ['name', STR], ['kind', STR]], rows, 'DESCRIBE');
    }
    case 'SCHEMA': {
      const { schema } = resolver.schema(stmt.name, 'DESCRIBE SCHEMA');
      const rows = catalog.objectsOf(schema.id).map((o) => [ts(session, o.createdOn), o.name, o.kind]);
      return table([['created_on', TS], ['name', STR], ['kind', STR]], rows, 'DESCRIBE');
    }
    case 'RESULT': {
      const id = stmt.queryId === 'LAST' ? session.lastQueryId(-1) : stmt.queryId;
      const result = id ? session.result(id) : undefined;
      if (!result) throw errors.statementNotFound(id ?? 'LAST_QUERY_ID()');
      return describeColumns(result.columns.map((c) => ({ name: c.name, type: c.type, nullable: true, defaultSql: null, identity: null, primaryKey: false, unique: false, comment: null })));
    }
  }
}

interface ParameterInfo {
  name: string;
  value: (s: Session) => string;
  default: string;
  type: string;
  description: string;
}

const PARAMETERS: ParameterInfo[] = [
  { name: 'AUTOCOMMIT', value: () => 'true', default: 'true', type: 'BOOLEAN', description: 'Each statement commits unless in BEGIN … COMMIT.' },
  { name: 'TIMEZONE', value: (s) => s.timezone, default: 'America/Los_Angeles', type: 'STRING', description: 'Time zone of the session.' },
  { name: 'QUERY_TAG', value: (s) => s.parameters.get('QUERY_TAG') ?? '', default: '', type: 'STRING', description: 'Tag recorded with each query.' },
  { name: 'TIMESTAMP_TYPE_MAPPING', value: () => 'TIMESTAMP_NTZ', default: 'TIMESTAMP_NTZ', type: 'STRING', description: 'TIMESTAMP means TIMESTAMP_NTZ.' },
  { name: 'DATE_OUTPUT_FORMAT', value: () => 'YYYY-MM-DD', default: 'YYYY-MM-DD', type: 'STRING', description: 'Display format of dates.' },
  { name: 'TIMESTAMP_OUTPUT_FORMAT', value: () => 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM', default: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM', type: 'STRING', description: 'Display format of timestamps.' },
  { name: 'ERROR_ON_NONDETERMINISTIC_MERGE', value: (s) => s.parameters.get('ERROR_ON_NONDETERMINISTIC_MERGE') ?? 'true', default: 'true', type: 'BOOLEAN', description: 'MERGE fails when one target row matches several source rows.' },
  { name: 'STATEMENT_TIMEOUT_IN_SECONDS', value: (s) => s.parameters.get('STATEMENT_TIMEOUT_IN_SECONDS') ?? '172800', default: '172800', type: 'NUMBER', description: 'Statement time limit.' },
  { name: 'WEEK_START', value: () => '0', default: '0', type: 'NUMBER', description: 'First day of the week (0 = ISO Monday semantics).' },
];

/** Object parameters: what SHOW PARAMETERS IN DATABASE | SCHEMA | TABLE lists, and where each applies. */
const OBJECT_PARAMETERS: { name: string; default: string; type: string; description: string; tableOnly?: boolean }[] = [
  { name: 'DATA_RETENTION_TIME_IN_DAYS', default: '1', type: 'NUMBER', description: 'Days of Time Travel kept for tables.' },
  { name: 'MAX_DATA_EXTENSION_TIME_IN_DAYS', default: '14', type: 'NUMBER', description: 'Days a stream or dynamic table may extend the retention.' },
  { name: 'CHANGE_TRACKING', default: 'false', type: 'BOOLEAN', description: 'The CHANGES clause may read the table.', tableOnly: true },
];

/**
 * SHOW PARAMETERS [LIKE …] IN { DATABASE | SCHEMA | TABLE | VIEW } [name]: each object parameter's value
 * there, and the level it was set at (the object, its schema or database; '' for the default).
 */
function objectParameters(session: Session, stmt: ShowStatement): Value[][] {
  const scope = stmt.scope!;
  const r = session.resolver;
  const chain: { level: string; properties: Record<string, string> }[] = [];
  if (scope.kind === 'TABLE' || scope.kind === 'VIEW') {
    const { path, object } = r.require(scope.name, [scope.kind], scope.kind === 'TABLE' ? 'Table' : 'View', 'SHOW PARAMETERS');
    chain.push({ level: scope.kind, properties: object.properties }, { level: 'SCHEMA', properties: path.schema.properties }, { level: 'DATABASE', properties: path.database.properties });
  } else if (scope.kind === 'SCHEMA') {
    const { database, schema } = scope.name ? r.schema(scope.name, 'SHOW PARAMETERS') : r.currentSchema('SHOW PARAMETERS');
    chain.push({ level: 'SCHEMA', properties: schema.properties }, { level: 'DATABASE', properties: database.properties });
  } else if (scope.kind === 'DATABASE') {
    const database = scope.name !== undefined ? r.database(scope.name) : r.currentDatabase('SHOW PARAMETERS');
    chain.push({ level: 'DATABASE', properties: database.properties });
  }
  // A table has them all; a view keeps no Time Travel of its own, only its change tracking; a schema
  // or database has no table-only ones.
  const listed = OBJECT_PARAMETERS.filter((p) => scope.kind === 'TABLE' || (scope.kind === 'VIEW') === (p.tableOnly === true));
  return applyShowFilters(listed, (p) => p.name, stmt).map((p) => {
    // A table-only parameter is never inherited.
    const set = (p.tableOnly ? chain.slice(0, 1) : chain).find((c) => c.properties[p.name] !== undefined);
    const raw = set ? set.properties[p.name] : p.default;
    const value = p.type === 'BOOLEAN' ? raw.toLowerCase() : raw;
    return [p.name, value, p.default, set ? set.level : '', p.description, p.type];
  });
}

/** SHOW PARAMETERS [LIKE …] [IN SESSION | ACCOUNT | DATABASE | SCHEMA | TABLE | VIEW …]. */
export function describeSessionParameters(session: Session, stmt: ShowStatement): ResultBody {
  const objectScope = stmt.scope !== undefined && stmt.scope.kind !== 'ACCOUNT';
  const rows: Value[][] = objectScope
    ? objectParameters(session, stmt)
    : applyShowFilters(PARAMETERS, (p) => p.name, stmt).map((p) => {
        const value = p.value(session);
        return [p.name, value, p.default, value === p.default ? '' : 'SESSION', p.description, p.type];
      });
  return table(
    [
      ['key', STR],
      ['value', STR],
      ['default', STR],
      ['level', STR],
      ['description', STR],
      ['type', STR],
    ],
    rows,
    'SHOW',
  );
}

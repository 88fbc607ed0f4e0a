/**
 * INFORMATION_SCHEMA (in every database) and SNOWFLAKE.ACCOUNT_USAGE, as DuckDB views over the
 * system catalog with Snowflake's column names and types. Each view is data: its columns (name,
 * Snowflake type, DuckDB expression) and its source, so the DuckDB view text and the types the
 * translator sees come from one definition.
 */
import { displayName, duckIdent, sqlString, T, type ResolvedRelation, type SfType } from '../../sql/index.ts';
import { SYSTEM_SCHEMA } from '../../storage/index.ts';

export const INFORMATION_SCHEMA = 'INFORMATION_SCHEMA';
export const SNOWFLAKE_DATABASE = 'SNOWFLAKE';
export const ACCOUNT_USAGE = 'ACCOUNT_USAGE';
const S = SYSTEM_SCHEMA;

interface ViewSpec {
  columns: [string, SfType, string][];
  /** FROM … WHERE …, with `$DB` standing for the database's name as a string literal. */
  source: string;
  orderBy?: string;
}

const str = T.varchar();
const num = T.number();
const ts = T.timestampLtz();

/** Live objects with their schema and database, filtered to one database. */
const OBJECTS = `FROM ${S}.objects o JOIN ${S}.schemas s ON o.schema_id = s.id JOIN ${S}.databases d ON s.database_id = d.id
  WHERE o.dropped_on IS NULL AND s.dropped_on IS NULL AND d.dropped_on IS NULL AND d.name = $DB`;

const TYPE_NAME = `CASE c.data_type->>'$.kind' WHEN 'VARCHAR' THEN 'TEXT' ELSE c.data_type->>'$.kind' END`;

const VIEWS: Record<string, ViewSpec> = {
  DATABASES: {
    columns: [
      ['DATABASE_NAME', str, 'd.name'],
      ['DATABASE_OWNER', str, 'd.owner'],
      ['IS_TRANSIENT', str, `CASE WHEN d.transient THEN 'YES' ELSE 'NO' END`],
      ['COMMENT', str, 'd.comment'],
      ['CREATED', ts, 'd.created_on'],
      ['LAST_ALTERED', ts, 'd.created_on'],
      ['RETENTION_TIME', num, `CAST(coalesce(d.properties->>'$.DATA_RETENTION_TIME_IN_DAYS', '1') AS BIGINT)`],
      ['TYPE', str, `'STANDARD'`],
    ],
    source: `FROM ${S}.databases d WHERE d.dropped_on IS NULL`,
    orderBy: 'd.name',
  },
  SCHEMATA: {
    columns: [
      ['CATALOG_NAME', str, 'd.name'],
      ['SCHEMA_NAME', str, 's.name'],
      ['SCHEMA_OWNER', str, 's.owner'],
      ['IS_TRANSIENT', str, `CASE WHEN s.transient THEN 'YES' ELSE 'NO' END`],
      ['IS_MANAGED_ACCESS', str, `CASE WHEN s.managed_access THEN 'YES' ELSE 'NO' END`],
      ['RETENTION_TIME', num, `CAST(coalesce(s.properties->>'$.DATA_RETENTION_TIME_IN_DAYS', d.properties->>'$.DATA_RETENTION_TIME_IN_DAYS', '1') AS BIGINT)`],
      ['DEFAULT_CHARACTER_SET_CATALOG', str, 'NULL'],
      ['DEFAULT_CHARACTER_SET_SCHEMA', str, 'NULL'],
      ['DEFAULT_CHARACTER_SET_NAME', str, 'NULL'],
      ['SQL_PATH', str, 'NULL'],
      ['CREATED', ts, 's.created_on'],
      ['LAST_ALTERED', ts, 's.created_on'],
      ['COMMENT', str, 's.comment'],
    ],
    source: `FROM ${S}.schemas s JOIN ${S}.databases d ON s.database_id = d.id
      WHERE s.dropped_on IS NULL AND d.dropped_on IS NULL AND d.name = $DB
      UNION ALL SELECT $DB, '${INFORMATION_SCHEMA}', '', 'NO', 'NO', 1, NULL, NULL, NULL, NULL, NULL, NULL, 'Views describing the contents of schemas in this database'`,
    orderBy: '2',
  },
  TABLES: {
    columns: [
      ['TABLE_CATALOG', str, 'd.name'],
      ['TABLE_SCHEMA', str, 's.name'],
      ['TABLE_NAME', str, 'o.name'],
      ['TABLE_OWNER', str, 'o.owner'],
      ['TABLE_TYPE', str, `CASE WHEN o.kind = 'VIEW' THEN 'VIEW' ELSE 'BASE TABLE' END`],
      ['IS_TRANSIENT', str, `CASE WHEN o.properties->>'$.TRANSIENT' = 'true' THEN 'YES' ELSE 'NO' END`],
      ['CLUSTERING_KEY', str, `o.properties->>'$.CLUSTER_BY'`],
      ['ROW_COUNT', num, `CASE WHEN o.kind = 'TABLE' THEN (SELECT estimated_size FROM duckdb_tables() t WHERE t.schema_name = '_backlot_data' AND t.table_name = o.duck_name) END`],
      ['BYTES', num, `CASE WHEN o.kind = 'TABLE' THEN 0 END`],
      ['RETENTION_TIME', num, `CASE WHEN o.kind = 'TABLE' THEN CAST(coalesce(o.properties->>'$.DATA_RETENTION_TIME_IN_DAYS', s.properties->>'$.DATA_RETENTION_TIME_IN_DAYS', d.properties->>'$.DATA_RETENTION_TIME_IN_DAYS', '1') AS BIGINT) END`],
      ['CREATED', ts, 'o.created_on'],
      ['LAST_ALTERED', ts, 'o.last_altered'],
      ['LAST_DDL', ts, 'o.last_altered'],
      ['LAST_DDL_BY', str, 'o.owner'],
      ['AUTO_CLUSTERING_ON', str, `'NO'`],
      ['COMMENT', str, 'o.comment'],
      ['IS_TEMPORARY', str, `'NO'`],
      ['IS_ICEBERG', str, `'NO'`],
      ['IS_DYNAMIC', str, `'NO'`],
      ['IS_IMMUTABLE', str, `'NO'`],
    ],
    source: `${OBJECTS} AND o.kind IN ('TABLE', 'VIEW')`,
    orderBy: 's.name, o.name',
  },
  LOAD_HISTORY: {
    columns: [
      ['SCHEMA_NAME', str, 'l.schema_name'],
      ['FILE_NAME', str, 'l.file_name'],
      ['TABLE_NAME', str, 'l.table_name'],
      ['LAST_LOAD_TIME', ts, 'to_timestamp(l.last_load_ms / 1000.0)'],
      ['STATUS', str, 'l.status'],
      ['ROW_COUNT', num, 'l.rows_loaded'],
      ['ROW_PARSED', num, 'l.rows_parsed'],
      ['FIRST_ERROR_MESSAGE', str, 'l.first_error'],
      ['FIRST_ERROR_LINE_NUMBER', num, 'l.first_error_line'],
      ['FIRST_ERROR_CHARACTER_POSITION', num, 'l.first_error_character'],
      ['FIRST_ERROR_COL_NAME', str, 'l.first_error_column_name'],
      ['ERROR_COUNT', num, 'l.error_count'],
      ['ERROR_LIMIT', num, 'l.error_limit'],
    ],
    source: `FROM ${S}.load_history l WHERE l.database_name = $DB`,
    orderBy: 'l.last_load_ms, l.file_name',
  },
  INGEST_QUARANTINE: {
    columns: [
      ['TABLE_SCHEMA', str, 'q.schema_name'],
      ['TABLE_NAME', str, 'q.table_name'],
      ['CHANNEL_NAME', str, 'q.channel'],
      ['OFFSET_TOKEN', str, 'q.offset_token'],
      ['LINE_NUMBER', num, 'q.line'],
      ['ERROR_CODE', str, 'q.error_code'],
      ['REASON', str, 'q.reason'],
      ['RAW_ROW', str, 'q.raw'],
      ['RECEIVED_TIME', ts, 'to_timestamp(q.received_ms / 1000.0)'],
    ],
    source: `FROM ${S}.ingest_quarantine q WHERE q.database_name = $DB`,
    orderBy: 'q.received_ms, q.channel, q.line',
  },
  INGEST_CHANNELS: {
    columns: [
      ['TABLE_SCHEMA', str, 's.name'],
      ['TABLE_NAME', str, 'o.name'],
      ['CHANNEL_NAME', str, 'c.channel'],
      ['OFFSET_TOKEN', str, 'c.offset_token'],
      ['CLIENT_SEQUENCER', num, 'c.client_sequencer'],
      ['ROWS_INSERTED', num, 'c.rows_inserted'],
      ['ROWS_QUARANTINED', num, 'c.rows_quarantined'],
      ['CREATED', ts, 'to_timestamp(c.created_ms / 1000.0)'],
      ['LAST_COMMITTED', ts, 'to_timestamp(c.updated_ms / 1000.0)'],
    ],
    source: `FROM ${S}.ingest_channels c JOIN ${S}.objects o ON o.id = c.table_id JOIN ${S}.schemas s ON o.schema_id = s.id JOIN ${S}.databases d ON s.database_id = d.id
      WHERE o.dropped_on IS NULL AND d.name = $DB`,
    orderBy: 's.name, o.name, c.channel',
  },
  VIEWS: {
    columns: [
      ['TABLE_CATALOG', str, 'd.name'],
      ['TABLE_SCHEMA', str, 's.name'],
      ['TABLE_NAME', str, 'o.name'],
      ['TABLE_OWNER', str, 'o.owner'],
      ['VIEW_DEFINITION', str, 'o.definition'],
      ['CHECK_OPTION', str, `'NONE'`],
      ['IS_UPDATABLE', str, `'NO'`],
      ['INSERTABLE_INTO', str, `'NO'`],
      ['IS_SECURE', str, `CASE WHEN o.properties->>'$.SECURE' = 'true' THEN 'YES' ELSE 'NO' END`],
      ['CREATED', ts, 'o.created_on'],
      ['LAST_ALTERED', ts, 'o.last_altered'],
      ['LAST_DDL', ts, 'o.last_altered'],
      ['LAST_DDL_BY', str, 'o.owner'],
      ['COMMENT', str, 'o.comment'],
    ],
    source: `${OBJECTS} AND o.kind = 'VIEW'`,
    orderBy: 's.name, o.name',
  },
  COLUMNS: {
    columns: [
      ['TABLE_CATALOG', str, 'd.name'],
      ['TABLE_SCHEMA', str, 's.name'],
      ['TABLE_NAME', str, 'o.name'],
      ['COLUMN_NAME', str, 'c.name'],
      ['ORDINAL_POSITION', num, 'c.ordinal'],
      ['COLUMN_DEFAULT', str, 'c.default_sql'],
      ['IS_NULLABLE', str, `CASE WHEN c.nullable THEN 'YES' ELSE 'NO' END`],
      ['DATA_TYPE', str, TYPE_NAME],
      ['CHARACTER_MAXIMUM_LENGTH', num, `CASE WHEN c.data_type->>'$.kind' IN ('VARCHAR', 'BINARY') THEN CAST(c.data_type->>'$.length' AS BIGINT) END`],
      ['CHARACTER_OCTET_LENGTH', num, `CASE WHEN c.data_type->>'$.kind' = 'VARCHAR' THEN least(CAST(c.data_type->>'$.length' AS BIGINT) * 4, 16777216) WHEN c.data_type->>'$.kind' = 'BINARY' THEN CAST(c.data_type->>'$.length' AS BIGINT) END`],
      ['NUMERIC_PRECISION', num, `CASE WHEN c.data_type->>'$.kind' = 'NUMBER' THEN CAST(c.data_type->>'$.precision' AS BIGINT) WHEN c.data_type->>'$.kind' = 'FLOAT' THEN 53 END`],
      ['NUMERIC_PRECISION_RADIX', num, `CASE WHEN c.data_type->>'$.kind' = 'NUMBER' THEN 10 WHEN c.data_type->>'$.kind' = 'FLOAT' THEN 2 END`],
      ['NUMERIC_SCALE', num, `CASE WHEN c.data_type->>'$.kind' = 'NUMBER' THEN CAST(c.data_type->>'$.scale' AS BIGINT) END`],
      ['DATETIME_PRECISION', num, `CASE WHEN c.data_type->>'$.kind' IN ('TIME', 'TIMESTAMP_NTZ', 'TIMESTAMP_LTZ', 'TIMESTAMP_TZ') THEN CAST(c.data_type->>'$.precision' AS BIGINT) END`],
      ['INTERVAL_TYPE', str, 'NULL'],
      ['INTERVAL_PRECISION', num, 'NULL'],
      ['CHARACTER_SET_CATALOG', str, 'NULL'],
      ['CHARACTER_SET_SCHEMA', str, 'NULL'],
      ['CHARACTER_SET_NAME', str, 'NULL'],
      ['COLLATION_CATALOG', str, 'NULL'],
      ['COLLATION_SCHEMA', str, 'NULL'],
      ['COLLATION_NAME', str, 'NULL'],
      ['DOMAIN_CATALOG', str, 'NULL'],
      ['DOMAIN_SCHEMA', str, 'NULL'],
      ['DOMAIN_NAME', str, 'NULL'],
      ['UDT_CATALOG', str, 'NULL'],
      ['UDT_SCHEMA', str, 'NULL'],
      ['UDT_NAME', str, 'NULL'],
      ['SCOPE_CATALOG', str, 'NULL'],
      ['SCOPE_SCHEMA', str, 'NULL'],
      ['SCOPE_NAME', str, 'NULL'],
      ['MAXIMUM_CARDINALITY', num, 'NULL'],
      ['DTD_IDENTIFIER', str, 'NULL'],
      ['IS_SELF_REFERENCING', str, `'NO'`],
      ['IS_IDENTITY', str, `CASE WHEN c.identity IS NOT NULL THEN 'YES' ELSE 'NO' END`],
      ['IDENTITY_GENERATION', str, `CASE WHEN c.identity IS NOT NULL THEN 'BY DEFAULT' END`],
      ['IDENTITY_START', str, `c.identity->>'$.start'`],
      ['IDENTITY_INCREMENT', str, `c.identity->>'$.increment'`],
      ['IDENTITY_MAXIMUM', str, 'NULL'],
      ['IDENTITY_MINIMUM', str, 'NULL'],
      ['IDENTITY_CYCLE', str, `CASE WHEN c.identity IS NOT NULL THEN 'NO' END`],
      ['IDENTITY_ORDERED', str, `CASE WHEN c.identity IS NOT NULL THEN (CASE WHEN c.identity->>'$.order' = 'true' THEN 'YES' ELSE 'NO' END) END`],
      ['SCHEMA_EVOLUTION_RECORD', str, 'NULL'],
      ['COMMENT', str, 'c.comment'],
    ],
    source: `FROM ${S}.columns c JOIN ${S}.objects o ON c.object_id = o.id JOIN ${S}.schemas s ON o.schema_id = s.id JOIN ${S}.databases d ON s.database_id = d.id
      WHERE o.dropped_on IS NULL AND s.dropped_on IS NULL AND d.dropped_on IS NULL AND d.name = $DB AND o.kind IN ('TABLE', 'VIEW')`,
    orderBy: 's.name, o.name, c.ordinal',
  },
  SEQUENCES: {
    columns: [
      ['SEQUENCE_CATALOG', str, 'd.name'],
      ['SEQUENCE_SCHEMA', str, 's.name'],
      ['SEQUENCE_NAME', str, 'o.name'],
      ['SEQUENCE_OWNER', str, 'o.owner'],
      ['DATA_TYPE', str, `'NUMBER'`],
      ['NUMERIC_PRECISION', num, '38'],
      ['NUMERIC_PRECISION_RADIX', num, '10'],
      ['NUMERIC_SCALE', num, '0'],
      ['START_VALUE', str, `o.properties->>'$.START'`],
      ['MINIMUM_VALUE', str, 'NULL'],
      ['MAXIMUM_VALUE', str, 'NULL'],
      ['NEXT_VALUE', str, 'NULL'],
      ['INCREMENT', str, `o.properties->>'$.INCREMENT'`],
      ['CYCLE_OPTION', str, `'NO'`],
      ['ORDERED', str, `CASE WHEN o.properties->>'$.ORDER' = 'false' THEN 'NO' ELSE 'YES' END`],
      ['CREATED', ts, 'o.created_on'],
      ['LAST_ALTERED', ts, 'o.last_altered'],
      ['COMMENT', str, 'o.comment'],
    ],
    source: `${OBJECTS} AND o.kind = 'SEQUENCE'`,
    orderBy: 's.name, o.name',
  },
};

const QUERY_HISTORY: ViewSpec = {
  columns: [
    ['QUERY_ID', str, 'query_id'],
    ['QUERY_TEXT', str, 'query_text'],
    ['DATABASE_NAME', str, 'database_name'],
    ['SCHEMA_NAME', str, 'schema_name'],
    ['QUERY_TYPE', str, 'query_type'],
    ['SESSION_ID', str, 'session_id'],
    ['USER_NAME', str, 'user_name'],
    ['ROLE_NAME', str, 'role_name'],
    ['WAREHOUSE_NAME', str, 'warehouse_name'],
    ['EXECUTION_STATUS', str, 'execution_status'],
    ['ERROR_CODE', str, 'error_code'],
    ['ERROR_MESSAGE', str, 'error_message'],
    ['START_TIME', ts, 'start_time'],
    ['END_TIME', ts, 'end_time'],
    ['TOTAL_ELAPSED_TIME', num, 'total_elapsed_time'],
    ['ROWS_PRODUCED', num, 'rows_produced'],
    ['ROWS_INSERTED', num, 'rows_inserted'],
    ['ROWS_UPDATED', num, 'rows_updated'],
    ['ROWS_DELETED', num, 'rows_deleted'],
  ],
  source: `FROM ${S}.query_history`,
  orderBy: 'start_time DESC, ordinal DESC',
};

/** The DuckDB schema that holds a database's INFORMATION_SCHEMA views. */
export function informationSchemaDuckSchema(database: string): string {
  return `${database}.${INFORMATION_SCHEMA}`;
}

export const ACCOUNT_USAGE_DUCK_SCHEMA = `${SNOWFLAKE_DATABASE}.${ACCOUNT_USAGE}`;

function viewSql(spec: ViewSpec, database?: string): string {
  const select = spec.columns.map(([name, , expr]) => `${expr} AS ${duckIdent(name)}`).join(', ');
  const source = database === undefined ? spec.source : spec.source.split('$DB').join(sqlString(database));
  return `SELECT ${select} ${source}${spec.orderBy ? ` ORDER BY ${spec.orderBy}` : ''}`;
}

/** Statements that (re)create a database's INFORMATION_SCHEMA views. */
export function informationSchemaDdl(database: string): string[] {
  const schema = duckIdent(informationSchemaDuckSchema(database));
  const out = [`CREATE SCHEMA IF NOT EXISTS ${schema}`];
  for (const [name, spec] of Object.entries(VIEWS)) {
    out.push(`CREATE OR REPLACE VIEW ${schema}.${duckIdent(name)} AS ${viewSql(spec, database)}`);
  }
  return out;
}

export function dropInformationSchemaDdl(database: string): string {
  return `DROP SCHEMA IF EXISTS ${duckIdent(informationSchemaDuckSchema(database))} CASCADE`;
}

/**
 * SNOWFLAKE.ACCOUNT_USAGE views, and the table macro behind INFORMATION_SCHEMA.QUERY_HISTORY*()
 * (newest first; filtered by session, user, warehouse and end-time range; at most `lim` rows).
 */
export function accountUsageDdl(): string[] {
  const schema = duckIdent(ACCOUNT_USAGE_DUCK_SCHEMA);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${schema}`,
    `CREATE OR REPLACE VIEW ${schema}."QUERY_HISTORY" AS ${viewSql(QUERY_HISTORY)}`,
    `CREATE OR REPLACE MACRO main.sf_query_history(lim, sess, usr, wh, t0, t1) AS TABLE
       SELECT * FROM ${schema}."QUERY_HISTORY"
       WHERE (sess IS NULL OR "SESSION_ID" = sess) AND (usr IS NULL OR "USER_NAME" = usr)
         AND (wh IS NULL OR "WAREHOUSE_NAME" = wh)
         AND (t0 IS NULL OR "END_TIME" >= CAST(t0 AS TIMESTAMPTZ)) AND (t1 IS NULL OR "END_TIME" <= CAST(t1 AS TIMESTAMPTZ))
       LIMIT lim`,
  ];
}

export function isInformationSchemaView(name: string): boolean {
  return name in VIEWS;
}

export function informationSchemaRelation(database: string, view: string): ResolvedRelation {
  const spec = VIEWS[view];
  return {
    duckSchema: informationSchemaDuckSchema(database),
    duckName: view,
    columns: spec.columns.map(([name, type]) => ({ name, type })),
    kind: 'SYSTEM_VIEW',
    displayName: displayName([database, INFORMATION_SCHEMA, view]),
  };
}

export function snowflakeRelation(schema: string, name: string): ResolvedRelation | undefined {
  if (schema !== ACCOUNT_USAGE || name !== 'QUERY_HISTORY') return undefined;
  return {
    duckSchema: ACCOUNT_USAGE_DUCK_SCHEMA,
    duckName: 'QUERY_HISTORY',
    columns: QUERY_HISTORY.columns.map(([n, type]) => ({ name: n, type })),
    kind: 'SYSTEM_VIEW',
    displayName: displayName([SNOWFLAKE_DATABASE, ACCOUNT_USAGE, name]),
  };
}

/** The QUERY_HISTORY relation for TABLE(INFORMATION_SCHEMA.QUERY_HISTORY()). */
export function queryHistoryRelation(): ResolvedRelation {
  return snowflakeRelation(ACCOUNT_USAGE, 'QUERY_HISTORY')!;
}

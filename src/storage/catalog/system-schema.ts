/**
 * The system catalog's tables inside the warehouse file (schema `_backlot`), created on first open
 * and upgraded in place by numbered migrations.
 */
import type { StorageConnection } from '../duck.ts';
import { DATA_SCHEMA, SYSTEM_SCHEMA } from './model.ts';

const S = SYSTEM_SCHEMA;

/**
 * Each migration runs once, in order, in one transaction with the version bump: fixed statements, or
 * statements computed from what the file holds when they depend on it.
 */
export const MIGRATIONS: (string[] | ((conn: StorageConnection) => Promise<string[]>))[] = [
  [
    `CREATE SCHEMA IF NOT EXISTS ${S}`,
    `CREATE SCHEMA IF NOT EXISTS ${DATA_SCHEMA}`,
    `CREATE TABLE ${S}.meta (key VARCHAR, value VARCHAR)`,
    `CREATE SEQUENCE ${S}.ids START WITH 1`,
    `CREATE TABLE ${S}.databases (
       id BIGINT, name VARCHAR, created_on TIMESTAMPTZ, owner VARCHAR, comment VARCHAR,
       transient BOOLEAN, properties JSON, dropped_on TIMESTAMPTZ)`,
    `CREATE TABLE ${S}.schemas (
       id BIGINT, database_id BIGINT, name VARCHAR, duck_schema VARCHAR, created_on TIMESTAMPTZ,
       owner VARCHAR, comment VARCHAR, transient BOOLEAN, managed_access BOOLEAN, properties JSON,
       dropped_on TIMESTAMPTZ)`,
    `CREATE TABLE ${S}.objects (
       id BIGINT, schema_id BIGINT, name VARCHAR, kind VARCHAR, duck_name VARCHAR,
       created_on TIMESTAMPTZ, last_altered TIMESTAMPTZ, owner VARCHAR, comment VARCHAR,
       properties JSON, definition VARCHAR, dropped_on TIMESTAMPTZ)`,
    `CREATE TABLE ${S}.columns (
       object_id BIGINT, ordinal INTEGER, name VARCHAR, data_type JSON, nullable BOOLEAN,
       default_sql VARCHAR, identity JSON, comment VARCHAR, primary_key BOOLEAN, unique_key BOOLEAN)`,
    `CREATE TABLE ${S}.query_history (
       query_id VARCHAR, query_text VARCHAR, query_type VARCHAR, database_name VARCHAR,
       schema_name VARCHAR, session_id VARCHAR, user_name VARCHAR, role_name VARCHAR,
       warehouse_name VARCHAR, execution_status VARCHAR, error_code VARCHAR, error_message VARCHAR,
       start_time TIMESTAMPTZ, end_time TIMESTAMPTZ, total_elapsed_time BIGINT, rows_produced BIGINT,
       rows_inserted BIGINT, rows_updated BIGINT, rows_deleted BIGINT, ordinal BIGINT)`,
    `INSERT INTO ${S}.meta VALUES ('schema_version', '1')`,
  ],
  // Versioned tables: the commit log (one row per committed write transaction, with the tables
  // it changed), the row-id sequence, and the versions each statement saw (AT(STATEMENT => …)).
  // Row ids come from a sequence: nextval() keeps bulk inserts parallel, where numbering rows with a
  // window function halved their speed.
  [
    `CREATE TABLE ${S}.commits (
       version BIGINT, committed_ms BIGINT, row_id_hwm BIGINT, session_id VARCHAR, query_id VARCHAR, tables BIGINT[])`,
    `CREATE SEQUENCE ${S}.row_ids START WITH 1`,
    `ALTER TABLE ${S}.query_history ADD COLUMN version_before BIGINT`,
    `ALTER TABLE ${S}.query_history ADD COLUMN version_after BIGINT`,
  ],
  // Streams: each stream's offset (a version), the row-id high-water mark there (append-only
  // streams), whether its initial rows are still to be returned, and when it was last consumed.
  [
    `CREATE TABLE ${S}.stream_offsets (
       stream_id BIGINT, offset_version BIGINT, offset_hwm BIGINT, initial_pending BOOLEAN, consumed_ms BIGINT)`,
  ],
  // Tasks: one row per task run (TASK_HISTORY), per finished graph run (COMPLETE_TASK_GRAPHS), and
  // each started root's next scheduled run (the SCHEDULED rows; where the scheduler resumes).
  [
    `CREATE TABLE ${S}.task_runs (
       run_key VARCHAR, query_id VARCHAR, task_id BIGINT, name VARCHAR, database_name VARCHAR, schema_name VARCHAR,
       query_text VARCHAR, condition_text VARCHAR, state VARCHAR, error_code VARCHAR, error_message VARCHAR,
       scheduled_time TIMESTAMPTZ, query_start_time TIMESTAMPTZ, next_scheduled_time TIMESTAMPTZ,
       completed_time TIMESTAMPTZ, root_task_id VARCHAR, graph_version BIGINT, run_id BIGINT, return_value VARCHAR,
       scheduled_from VARCHAR, attempt_number BIGINT, config VARCHAR, graph_run_group_id VARCHAR, ordinal BIGINT)`,
    `CREATE TABLE ${S}.graph_runs (
       root_task_name VARCHAR, database_name VARCHAR, schema_name VARCHAR, state VARCHAR, scheduled_from VARCHAR,
       first_error_task_name VARCHAR, first_error_code VARCHAR, first_error_message VARCHAR,
       scheduled_time TIMESTAMPTZ, query_start_time TIMESTAMPTZ, next_scheduled_time TIMESTAMPTZ,
       completed_time TIMESTAMPTZ, root_task_id VARCHAR, graph_version BIGINT, run_id BIGINT, attempt_number BIGINT,
       config VARCHAR, graph_run_group_id VARCHAR, root_object_id BIGINT)`,
    `CREATE TABLE ${S}.task_schedule (root_object_id BIGINT, next_ms BIGINT)`,
  ],
  // Users of the server (passwords as scrypt hashes; governance adds roles and grants).
  [
    `CREATE TABLE ${S}.users (
       name VARCHAR, password_hash VARCHAR, default_role VARCHAR, created_on TIMESTAMPTZ, disabled BOOLEAN)`,
  ],
  // Dynamic tables: each one's refresh state (the input versions its contents reflect, written in the
  // same transaction as its rows), one row per refresh (DYNAMIC_TABLE_REFRESH_HISTORY) and one per
  // version of each table's description (DYNAMIC_TABLE_GRAPH_HISTORY).
  [
    `CREATE TABLE ${S}.dt_state (dt_id BIGINT, data_ms BIGINT, input_versions VARCHAR, initialized BOOLEAN)`,
    `CREATE TABLE ${S}.dt_refreshes (
       refresh_key VARCHAR, dt_id BIGINT, name VARCHAR, schema_name VARCHAR, database_name VARCHAR, qualified_name VARCHAR, state VARCHAR,
       state_code VARCHAR, state_message VARCHAR, query_id VARCHAR, data_timestamp TIMESTAMPTZ,
       refresh_start_time TIMESTAMPTZ, refresh_end_time TIMESTAMPTZ, completion_target TIMESTAMPTZ,
       last_completed_dependency VARCHAR, statistics VARCHAR, refresh_action VARCHAR, refresh_trigger VARCHAR,
       target_lag_sec BIGINT, graph_history_valid_from TIMESTAMPTZ, inputs_with_changed_data VARCHAR, ordinal BIGINT)`,
    `CREATE TABLE ${S}.dt_graph_history (
       dt_id BIGINT, name VARCHAR, schema_name VARCHAR, database_name VARCHAR, qualified_name VARCHAR, inputs VARCHAR,
       target_lag_type VARCHAR, target_lag_sec BIGINT, query_text VARCHAR, valid_from TIMESTAMPTZ, valid_to TIMESTAMPTZ,
       scheduling_state VARCHAR, alter_trigger VARCHAR)`,
  ],
  // Running aggregate state of GROUP BY dynamic tables: the input versions each `dt_agg_<id>` table
  // holds the groups' sums and counts for (written with the table's rows).
  [`CREATE TABLE ${S}.dt_agg_state (dt_id BIGINT, input_versions VARCHAR)`],
  // Loading and ingestion: one row per file a COPY loaded or tried (the load metadata that makes a loaded file
  // skipped for 64 days, LOAD_HISTORY and COPY_HISTORY), and the rows it rejected (VALIDATE).
  [
    `CREATE TABLE ${S}.load_history (
       job_id VARCHAR, table_id BIGINT, table_name VARCHAR, schema_name VARCHAR, database_name VARCHAR,
       stage_key VARCHAR, path VARCHAR, file_name VARCHAR, md5 VARCHAR, file_size BIGINT, last_load_ms BIGINT,
       status VARCHAR, rows_parsed BIGINT, rows_loaded BIGINT, error_limit BIGINT, error_count BIGINT,
       first_error VARCHAR, first_error_line BIGINT, first_error_character BIGINT, first_error_column_name VARCHAR)`,
    `CREATE TABLE ${S}.load_rejects (
       job_id VARCHAR, file_name VARCHAR, line BIGINT, character BIGINT, category VARCHAR, code VARCHAR,
       sql_state VARCHAR, error VARCHAR, column_name VARCHAR, row_number BIGINT, rejected_record VARCHAR)`,
    // Event ingestion: each channel's last committed offset token (written with its rows, so a
    // restarted client resumes exactly after it) and the rows that did not fit, with why.
    `CREATE TABLE ${S}.ingest_channels (
       table_id BIGINT, channel VARCHAR, offset_token VARCHAR, client_sequencer BIGINT,
       rows_inserted BIGINT, rows_quarantined BIGINT, created_ms BIGINT, updated_ms BIGINT)`,
    `CREATE TABLE ${S}.ingest_quarantine (
       table_id BIGINT, database_name VARCHAR, schema_name VARCHAR, table_name VARCHAR, channel VARCHAR,
       offset_token VARCHAR, line BIGINT, error_code VARCHAR, reason VARCHAR, raw VARCHAR, received_ms BIGINT)`,
  ],
  // Aggregate state moved into memory (src/engine/dynamic/aggregate-state.ts): its validity record
  // and the per-table `dt_agg_<id>` state tables go.
  async (conn) => {
    const tables = await conn.rows(`SELECT table_name AS t FROM duckdb_tables() WHERE schema_name = '${S}' AND table_name LIKE 'dt\\_agg\\_%' ESCAPE '\\'`);
    return tables.map((r) => `DROP TABLE IF EXISTS ${S}."${String(r.t)}"`);
  },
  // The aggregate state moved into the dynamic tables' own rows: the table version at which a
  // table's stored state is exact for its refresh state's input versions (NULL: none is).
  [`ALTER TABLE ${S}.dt_state ADD COLUMN IF NOT EXISTS state_version BIGINT`],
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * What dynamic tables record (semantics §3.7–3.8): a row per refresh in `_backlot.dt_refreshes`
 * (written when it starts as EXECUTING and completed when it ends), and a row per version of each
 * table's description in `_backlot.dt_graph_history` — written by the DDL that changes it, in the
 * DDL's own transaction. The INFORMATION_SCHEMA table functions read both through DuckDB macros.
 */
import { sqlString, type BoundReference } from '../../sql/index.ts';
import { SYSTEM_SCHEMA, type StorageConnection } from '../../storage/index.ts';
import type { DynamicTableDef, SuspendReason } from './dt-model.ts';

const S = SYSTEM_SCHEMA;

export type RefreshState = 'EXECUTING' | 'SUCCEEDED' | 'FAILED' | 'UPSTREAM_FAILED' | 'CANCELLED' | 'SKIPPED';
export type RefreshAction = 'NO_DATA' | 'REINITIALIZE' | 'FULL' | 'INCREMENTAL';
export type RefreshTrigger = 'SCHEDULED' | 'MANUAL' | 'CREATION';

export interface RefreshRecord {
  key: string;
  dt: DynamicTableDef;
  state: RefreshState;
  stateCode: string | null;
  stateMessage: string | null;
  queryId: string | null;
  dataMs: number;
  startMs: number;
  endMs: number | null;
  /** The previous data timestamp plus the target lag. */
  completionTargetMs: number | null;
  lastCompletedDependency: { qualified_name: string; data_timestamp: string } | null;
  statistics: Record<string, number> | null;
  action: RefreshAction | null;
  trigger: RefreshTrigger;
  inputsChanged: unknown[] | null;
  graphValidFromMs: number | null;
}

function ts(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? 'NULL' : `to_timestamp(${ms} / 1000.0)`;
}

function text(v: string | null | undefined): string {
  return v === null || v === undefined ? 'NULL' : sqlString(v);
}

function json(v: unknown): string {
  return v === null || v === undefined ? 'NULL' : sqlString(JSON.stringify(v));
}

function lagSeconds(dt: DynamicTableDef): string {
  return dt.lag.kind === 'time' ? String(dt.lag.seconds) : 'NULL';
}

export class DynamicTableHistory {
  private ordinal = 0;

  constructor(private readonly conn: StorageConnection) {}

  async init(): Promise<void> {
    const r = await this.conn.rows(`SELECT coalesce(max(ordinal), 0) AS n FROM ${S}.dt_refreshes`);
    this.ordinal = Number(r[0].n);
    // Refreshes running when the process stopped never committed: Snowflake calls them cancelled.
    await this.conn.run(
      `UPDATE ${S}.dt_refreshes SET state = 'CANCELLED', state_code = 'CANCELLED', state_message = 'The Backlot process stopped during the refresh.', ` +
        `refresh_end_time = refresh_start_time WHERE state = 'EXECUTING'`,
    );
  }

  /** Writes a refresh row (a new one, or the completion of one that started). */
  async write(r: RefreshRecord, replace: boolean): Promise<void> {
    await this.conn.run(this.sql(r, replace));
  }

  /** The statement writing a refresh row (run by `write`, or inside the refresh's own transaction). */
  sql(r: RefreshRecord, replace: boolean): string {
    if (!replace) this.ordinal += 1;
    const values =
      `${text(r.key)}, ${r.dt.id}, ${text(r.dt.object.name)}, ${text(r.dt.schema)}, ${text(r.dt.database)}, ${text(r.dt.fullName)}, ${text(r.state)}, ` +
      `${text(r.stateCode)}, ${text(r.stateMessage)}, ${text(r.queryId)}, ${ts(r.dataMs)}, ${ts(r.startMs)}, ${ts(r.endMs)}, ` +
      `${ts(r.completionTargetMs)}, ${json(r.lastCompletedDependency)}, ${json(r.statistics)}, ${text(r.action)}, ${text(r.trigger)}, ` +
      `${lagSeconds(r.dt)}, ${ts(r.graphValidFromMs)}, ${json(r.inputsChanged)}`;
    if (replace) {
      return (
        `UPDATE ${S}.dt_refreshes SET state = ${text(r.state)}, state_code = ${text(r.stateCode)}, state_message = ${text(r.stateMessage)}, ` +
        `query_id = ${text(r.queryId)}, refresh_end_time = ${ts(r.endMs)}, statistics = ${json(r.statistics)}, refresh_action = ${text(r.action)}, ` +
        `inputs_with_changed_data = ${json(r.inputsChanged)}, last_completed_dependency = ${json(r.lastCompletedDependency)} WHERE refresh_key = ${text(r.key)}`
      );
    }
    return `INSERT INTO ${S}.dt_refreshes VALUES (${values}, ${this.ordinal})`;
  }

  /** Refresh rows older than `cutoffMs` (7 days of history is what Snowflake keeps). */
  async purge(cutoffMs: number): Promise<void> {
    await this.conn.run(`DELETE FROM ${S}.dt_refreshes WHERE data_timestamp < ${ts(cutoffMs)} AND state <> 'EXECUTING'`);
    await this.conn.run(`DELETE FROM ${S}.dt_graph_history WHERE valid_to IS NOT NULL AND valid_to < ${ts(cutoffMs)}`);
  }
}

export type AlterTrigger = 'CREATE_DYNAMIC_TABLE' | 'ALTER_TARGET_LAG' | 'SUSPEND' | 'RESUME' | 'ALTER_WAREHOUSE' | 'NONE';

/** Scheduling state as DYNAMIC_TABLE_GRAPH_HISTORY shows it. */
export function schedulingState(dt: Pick<DynamicTableDef, 'suspended' | 'suspendReason' | 'object'>): Record<string, unknown> {
  const p = dt.object.properties;
  if (!dt.suspended) return { state: 'ACTIVE', resumed_on: p.RESUMED_ON ?? null };
  return {
    state: 'SUSPENDED',
    reason_code: dt.suspendReason ?? 'USER_SUSPENDED',
    reason_message: suspendMessage(dt.suspendReason),
    suspended_on: p.LAST_SUSPENDED_ON ?? null,
  };
}

export function suspendMessage(reason: SuspendReason | undefined): string {
  switch (reason) {
    case 'SUSPENDED_DUE_TO_ERRORS':
      return 'The dynamic table was suspended after 5 consecutive scheduled refreshes failed.';
    case 'UPSTREAM_USER_SUSPENDED':
      return 'An upstream dynamic table was suspended by a user.';
    case 'UPSTREAM_SUSPENDED_DUE_TO_ERRORS':
      return 'An upstream dynamic table was suspended after repeated refresh errors.';
    default:
      return 'The dynamic table was suspended by a user.';
  }
}

/**
 * Statements that close a table's current description and open a new one (run inside the DDL's
 * transaction, or with a dropped table's `closeOnly`).
 */
export function graphHistorySql(dt: DynamicTableDef, references: BoundReference[], trigger: AlterTrigger[], nowMs: number, closeOnly = false): string[] {
  const close = `UPDATE ${S}.dt_graph_history SET valid_to = ${ts(nowMs)} WHERE dt_id = ${dt.id} AND valid_to IS NULL`;
  if (closeOnly) return [close];
  const inputs = references.map((r) => ({ name: r.displayName, kind: r.kind, insideRefreshBoundary: r.insideRefreshBoundary }));
  return [
    close,
    `INSERT INTO ${S}.dt_graph_history VALUES (${dt.id}, ${text(dt.object.name)}, ${text(dt.schema)}, ${text(dt.database)}, ${text(dt.fullName)}, ` +
      `${json(inputs)}, ${text(dt.lag.kind === 'DOWNSTREAM' ? 'DOWNSTREAM' : 'USER_DEFINED')}, ${lagSeconds(dt)}, ${text(dt.query)}, ` +
      `${ts(nowMs)}, NULL, ${json(schedulingState(dt))}, ${json(trigger)})`,
  ];
}

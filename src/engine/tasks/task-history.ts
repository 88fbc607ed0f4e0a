/**
 * Task history (semantics §2.7–2.8): a row per task run in `_backlot.task_runs` (written as EXECUTING
 * when the run starts, completed when it ends), a row per finished graph run in `_backlot.graph_runs`,
 * and each started root's next scheduled run in `_backlot.task_schedule`. The INFORMATION_SCHEMA
 * table functions TASK_HISTORY, COMPLETE_TASK_GRAPHS and CURRENT_TASK_GRAPHS read them through
 * DuckDB table macros.
 */
import { sqlString, type SnowflakeError } from '../../sql/index.ts';
import { SYSTEM_SCHEMA, type StorageConnection } from '../../storage/index.ts';
import type { GraphRunSpec } from './runner.ts';
import type { TaskDef } from './task-model.ts';

const S = SYSTEM_SCHEMA;

function ts(ms: number | undefined | null): string {
  return ms === undefined || ms === null ? 'NULL' : `to_timestamp(${ms} / 1000.0)`;
}

function text(v: string | undefined | null): string {
  return v === undefined || v === null ? 'NULL' : sqlString(v);
}

export class TaskHistory {
  private ordinal = 0;

  constructor(private readonly conn: StorageConnection) {}

  async init(): Promise<void> {
    const r = await this.conn.rows(`SELECT coalesce(max(ordinal), 0) AS n FROM ${S}.task_runs`);
    this.ordinal = Number(r[0].n);
    // Runs that were executing when the process stopped did not finish: Snowflake calls them cancelled.
    await this.conn.run(
      `UPDATE ${S}.task_runs SET state = 'CANCELLED', error_message = 'The Backlot process stopped while the task ran.', completed_time = query_start_time WHERE state = 'EXECUTING'`,
    );
  }

  async startTaskRun(runKey: string, task: TaskDef, root: TaskDef, spec: GraphRunSpec, startMs: number): Promise<void> {
    this.ordinal += 1;
    await this.conn.run(
      `INSERT INTO ${S}.task_runs VALUES (${text(runKey)}, NULL, ${task.id}, ${text(task.object.name)}, ${text(task.database)}, ` +
        `${text(task.schema)}, ${text(task.body)}, ${text(task.when)}, 'EXECUTING', NULL, NULL, ${ts(spec.scheduledTime)}, ${ts(startMs)}, ` +
        `${ts(spec.nextScheduledTime)}, NULL, ${text(root.uuid)}, ${Number(root.object.properties.GRAPH_VERSION ?? '1') || 1}, ${spec.runId}, NULL, ` +
        `${text(spec.scheduledFrom)}, ${spec.attempt}, ${text(spec.config ? JSON.stringify(spec.config) : root.config)}, ${text(spec.graphRunGroupId)}, ${this.ordinal})`,
    );
  }

  async finishTaskRun(
    runKey: string,
    r: { state: string; queryId: string | null; error?: SnowflakeError; returnValue?: string; completedAt: number },
  ): Promise<void> {
    await this.conn.run(
      `UPDATE ${S}.task_runs SET state = ${text(r.state)}, query_id = ${text(r.queryId)}, error_code = ${text(r.error?.code)}, ` +
        `error_message = ${text(r.error?.message)}, return_value = ${text(r.returnValue)}, completed_time = ${ts(r.completedAt)} ` +
        `WHERE run_key = ${text(runKey)}`,
    );
  }

  async setTaskRunState(runKey: string, state: string): Promise<void> {
    await this.conn.run(`UPDATE ${S}.task_runs SET state = ${text(state)} WHERE run_key = ${text(runKey)}`);
  }

  async recordGraphRun(g: {
    root: TaskDef;
    spec: GraphRunSpec;
    state: string;
    firstError?: { name: string; code: string; message: string };
    startedAt: number;
    completedAt: number;
  }): Promise<void> {
    const { root, spec } = g;
    await this.conn.run(
      `INSERT INTO ${S}.graph_runs VALUES (${text(root.object.name)}, ${text(root.database)}, ${text(root.schema)}, ${text(g.state)}, ` +
        `${text(spec.scheduledFrom)}, ${text(g.firstError?.name)}, ${text(g.firstError?.code)}, ${text(g.firstError?.message)}, ` +
        `${ts(spec.scheduledTime)}, ${ts(g.startedAt)}, ${ts(spec.nextScheduledTime)}, ${ts(g.completedAt)}, ${text(root.uuid)}, ` +
        `${Number(root.object.properties.GRAPH_VERSION ?? '1') || 1}, ${spec.runId}, ${spec.attempt}, ` +
        `${text(spec.config ? JSON.stringify(spec.config) : root.config)}, ${text(spec.graphRunGroupId)}, ${root.id})`,
    );
  }

  /** The last finished graph run of a root (RETRY LAST). */
  async lastGraphRun(rootId: number): Promise<{ state: string; groupId: string; attempt: number; runId: number; scheduledFrom: string } | undefined> {
    const rows = await this.conn.rows(
      `SELECT state, graph_run_group_id AS g, attempt_number AS a, run_id AS r, scheduled_from AS f FROM ${S}.graph_runs ` +
        `WHERE root_object_id = ${Math.trunc(rootId)} ORDER BY completed_time DESC, rowid DESC LIMIT 1`,
    );
    if (rows.length === 0) return undefined;
    return { state: String(rows[0].state), groupId: String(rows[0].g), attempt: Number(rows[0].a), runId: Number(rows[0].r), scheduledFrom: String(rows[0].f) };
  }

  /** Tasks that succeeded in any attempt of a graph run group, with their return values. */
  async succeededIn(groupId: string): Promise<Map<number, string | undefined>> {
    const rows = await this.conn.rows(
      `SELECT task_id AS t, any_value(return_value) AS v FROM ${S}.task_runs WHERE graph_run_group_id = ${text(groupId)} AND state = 'SUCCEEDED' GROUP BY task_id`,
    );
    return new Map(rows.map((r) => [Number(r.t), r.v === null ? undefined : String(r.v)]));
  }

  /** Persists the next scheduled run of each started root (where a restarted scheduler resumes). */
  async saveSchedule(next: Map<number, number>): Promise<void> {
    const values = [...next].map(([id, ms]) => `(${id}, ${ms})`).join(', ');
    await this.conn.run(`BEGIN TRANSACTION; DELETE FROM ${S}.task_schedule;${values ? ` INSERT INTO ${S}.task_schedule VALUES ${values};` : ''} COMMIT`);
  }

  async loadSchedule(): Promise<Map<number, number>> {
    const rows = await this.conn.rows(`SELECT root_object_id AS id, next_ms AS ms FROM ${S}.task_schedule`);
    return new Map(rows.map((r) => [Number(r.id), Number(r.ms)]));
  }
}

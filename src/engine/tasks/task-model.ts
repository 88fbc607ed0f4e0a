/**
 * A task as the scheduler sees it, read from its catalog entry (kind TASK). Predecessors and the
 * finalized root are stored as catalog ids, so links survive renames of databases and schemas.
 */
import { displayName } from '../../sql/index.ts';
import type { Catalog, ObjectEntry } from '../../storage/index.ts';
import { parseSchedule, type Schedule } from './schedule.ts';

export type OverlapPolicy = 'NO_OVERLAP' | 'ALLOW_CHILD_OVERLAP' | 'ALLOW_ALL_OVERLAP';

export interface TaskDef {
  object: ObjectEntry;
  id: number;
  /** DB.SCHEMA.NAME */
  fullName: string;
  database: string;
  schema: string;
  schedule?: Schedule;
  /** Predecessor task ids (AFTER). */
  after: number[];
  /** For a finalizer: the root it finalizes. */
  finalizes?: number;
  when?: string;
  body: string;
  started: boolean;
  config?: string;
  overlap: OverlapPolicy;
  timeoutMs: number;
  suspendAfterFailures: number;
  autoRetries: number;
  minTriggerIntervalMs: number;
  /** Snowflake's task id (a UUID; new on CREATE OR REPLACE). */
  uuid: string;
  /** Session parameters the task's runs use (TIMEZONE …). */
  sessionParameters: Record<string, string>;
}

const SESSION_PARAMETERS = ['TIMEZONE', 'QUERY_TAG', 'STATEMENT_TIMEOUT_IN_SECONDS', 'TIMESTAMP_INPUT_FORMAT', 'DATE_INPUT_FORMAT'];

function ids(text: string | undefined): number[] {
  return (text ?? '').split(',').filter((x) => x !== '').map(Number);
}

export function taskDef(catalog: Catalog, o: ObjectEntry): TaskDef {
  const p = o.properties;
  const schema = catalog.schemas.get(o.schemaId)!;
  const db = catalog.databases.get(schema.databaseId)!;
  const overlap: OverlapPolicy =
    (p.OVERLAP_POLICY as OverlapPolicy | undefined) ?? (p.ALLOW_OVERLAPPING_EXECUTION === 'true' ? 'ALLOW_CHILD_OVERLAP' : 'NO_OVERLAP');
  const sessionParameters: Record<string, string> = {};
  for (const k of SESSION_PARAMETERS) if (p[k] !== undefined) sessionParameters[k] = p[k];
  return {
    object: o,
    id: o.id,
    fullName: displayName([db.name, schema.name, o.name]),
    database: db.name,
    schema: schema.name,
    schedule: p.SCHEDULE !== undefined ? parseSchedule(p.SCHEDULE) : undefined,
    after: ids(p.AFTER),
    finalizes: p.FINALIZE !== undefined ? Number(p.FINALIZE) : undefined,
    when: p.WHEN,
    body: o.definition ?? '',
    started: p.STATE === 'started',
    config: p.CONFIG,
    overlap,
    timeoutMs: Number(p.USER_TASK_TIMEOUT_MS ?? 3_600_000) || 604_800_000,
    suspendAfterFailures: Number(p.SUSPEND_TASK_AFTER_NUM_FAILURES ?? 10),
    autoRetries: Number(p.TASK_AUTO_RETRY_ATTEMPTS ?? 0),
    minTriggerIntervalMs: Number(p.USER_TASK_MINIMUM_TRIGGER_INTERVAL_IN_SECONDS ?? 30) * 1000,
    uuid: p.TASK_UUID ?? String(o.id),
    sessionParameters,
  };
}

/** All live tasks. */
export function allTasks(catalog: Catalog): TaskDef[] {
  const out: TaskDef[] = [];
  for (const o of catalog.objects.values()) {
    if (o.kind !== 'TASK' || o.droppedOn !== null) continue;
    const s = catalog.schemas.get(o.schemaId);
    const d = s ? catalog.databases.get(s.databaseId) : undefined;
    if (!s || s.droppedOn !== null || !d || d.droppedOn !== null) continue;
    out.push(taskDef(catalog, o));
  }
  return out;
}

/** A root (or standalone) task: no predecessors and not a finalizer. */
export function isRoot(t: TaskDef): boolean {
  return t.after.length === 0 && t.finalizes === undefined;
}

/** The root of a task's graph (a finalizer's root is the one it finalizes). */
export function rootOf(tasks: TaskDef[], t: TaskDef): TaskDef {
  const byId = new Map(tasks.map((x) => [x.id, x]));
  let cur = t;
  if (cur.finalizes !== undefined) return byId.get(cur.finalizes) ?? cur;
  const seen = new Set<number>();
  while (cur.after.length > 0 && !seen.has(cur.id)) {
    seen.add(cur.id);
    const parent = byId.get(cur.after[0]);
    if (!parent) break;
    cur = parent;
  }
  return cur;
}

/** The tasks of a root's graph: the root, its descendants in dependency order, and its finalizer. */
export function graphOf(tasks: TaskDef[], root: TaskDef): { ordered: TaskDef[]; finalizer?: TaskDef } {
  const children = new Map<number, TaskDef[]>();
  for (const t of tasks) for (const p of t.after) children.set(p, [...(children.get(p) ?? []), t]);
  const members = new Set<number>([root.id]);
  const queue = [root];
  while (queue.length > 0) {
    const t = queue.shift()!;
    for (const c of children.get(t.id) ?? []) {
      if (!members.has(c.id)) {
        members.add(c.id);
        queue.push(c);
      }
    }
  }
  // Kahn's order over the members.
  const ordered: TaskDef[] = [];
  const done = new Set<number>();
  const pending = tasks.filter((t) => members.has(t.id));
  while (pending.length > 0) {
    const i = pending.findIndex((t) => t.after.every((p) => done.has(p) || !members.has(p)));
    if (i < 0) break;
    const [t] = pending.splice(i, 1);
    ordered.push(t);
    done.add(t.id);
  }
  const finalizer = tasks.find((t) => t.finalizes === root.id);
  return { ordered, finalizer };
}

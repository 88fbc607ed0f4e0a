/**
 * The scheduler inside the Backlot process (semantics §2.3–2.6). It keeps, per started root task, the
 * next run time (interval schedules count from the resume time, cron schedules follow the cron
 * expression in its time zone; triggered tasks poll their WHEN every
 * USER_TASK_MINIMUM_TRIGGER_INTERVAL_IN_SECONDS), starts graph runs when they are due and the overlap
 * policy allows, retries failed graph runs (TASK_AUTO_RETRY_ATTEMPTS) and suspends a root after
 * SUSPEND_TASK_AFTER_NUM_FAILURES consecutive failures.
 *
 * Time is the engine's clock. The long-running process calls start(), which ticks on the system
 * clock; tests step through hours of schedules with Engine.runSchedules, without sleeping.
 */
import { randomUUID } from 'node:crypto';
import { errors } from '../../sql/index.ts';
import type { StorageConnection } from '../../storage/index.ts';
import type { Engine } from '../engine.ts';
import { SchedulerLoop } from '../scheduler-loop.ts';
import { evaluateExpression } from '../scripting/interpreter.ts';
import { GraphRunner, type GraphRunOutcome, type GraphRunSpec, type ScheduledFrom } from './runner.ts';
import { nextRun } from './schedule.ts';
import { TaskHistory } from './task-history.ts';
import { allTasks, isRoot, type TaskDef } from './task-model.ts';

interface RootState {
  /** Epoch ms of the next scheduled (or trigger-poll) time. */
  next: number;
  /** What `next` was computed from: a new resume or a new schedule recomputes it. */
  basis: string;
  /** A triggered task polls its WHEN instead of following a schedule (no SCHEDULED rows). */
  triggered: boolean;
  /** Graph runs of this root in progress. */
  running: Set<GraphRunner>;
  /** Manual runs waiting for the running one (NO_OVERLAP). */
  queued: GraphRunSpec[];
  consecutiveFailures: number;
}

export class TaskService {
  private readonly roots = new Map<number, RootState>();
  private readonly inFlight = new Set<Promise<void>>();
  private history!: TaskHistory;
  /** Task history writes (single statements, shared by concurrent graph runs). */
  private conn!: StorageConnection;
  /** Catalog changes the scheduler makes (auto-suspend), in transactions of their own. */
  private catalogConn!: StorageConnection;
  private readonly loop: SchedulerLoop;
  private dirty = true;

  constructor(private readonly engine: Engine) {
    this.loop = new SchedulerLoop(engine.clock, () => this.tick(), () => this.nextDue(), 10);
  }

  async open(): Promise<void> {
    this.conn = await this.engine.warehouse.connect();
    this.catalogConn = await this.engine.warehouse.connect();
    this.history = new TaskHistory(this.conn);
    await this.history.init();
    const saved = await this.history.loadSchedule();
    this.sync(saved);
  }

  /** The catalog's tasks changed (DDL): re-read which roots are started and when they run. */
  changed(): void {
    this.dirty = true;
    this.sync(new Map());
    this.loop.wake();
  }

  /** Brings the per-root state in line with the catalog. `saved` holds next-run times from a restart. */
  private sync(saved: Map<number, number>): void {
    const now = this.engine.clock.now().getTime();
    const tasks = allTasks(this.engine.catalog);
    const live = new Set<number>();
    for (const t of tasks) {
      if (!isRoot(t) || !t.started) continue;
      const triggered = !t.schedule && t.when !== undefined;
      if (!t.schedule && !triggered) continue;
      live.add(t.id);
      const resumedAt = Number(t.object.properties.RESUMED_AT ?? now);
      const basis = `${resumedAt}|${t.schedule?.text ?? 'trigger'}|${t.minTriggerIntervalMs}`;
      const state = this.roots.get(t.id) ?? { next: 0, basis: '', triggered, running: new Set<GraphRunner>(), queued: [], consecutiveFailures: 0 };
      state.triggered = triggered;
      if (state.basis !== basis) {
        state.basis = basis;
        const fromSave = saved.get(t.id);
        if (fromSave !== undefined) state.next = fromSave;
        else if (t.schedule) state.next = nextRun(t.schedule, Math.max(now, resumedAt) - 1, resumedAt);
        else state.next = Math.max(now, resumedAt);
        this.dirty = true;
      }
      this.roots.set(t.id, state);
    }
    for (const id of [...this.roots.keys()]) {
      const st = this.roots.get(id)!;
      if (live.has(id)) continue;
      this.dirty = true;
      if (st.running.size === 0 && st.queued.length === 0) this.roots.delete(id);
      else {
        st.next = Number.POSITIVE_INFINITY;
        st.basis = '';
      }
    }
    void this.persistSchedule();
  }

  private async persistSchedule(): Promise<void> {
    if (!this.dirty) return;
    this.dirty = false;
    const next = new Map<number, number>();
    for (const [id, st] of this.roots) if (Number.isFinite(st.next) && !st.triggered) next.set(id, st.next);
    const p = this.history.saveSchedule(next).catch(() => undefined);
    this.track(p);
    await p;
  }

  /** Starts every graph run due at the clock's time. Cheap when nothing is due. */
  tick(): void {
    const now = this.engine.clock.now().getTime();
    let any = false;
    for (const [id, st] of this.roots) {
      if (st.next > now) continue;
      const root = allTasks(this.engine.catalog).find((t) => t.id === id);
      if (!root || !root.started) {
        st.next = Number.POSITIVE_INFINITY;
        continue;
      }
      any = true;
      const scheduledTime = st.next;
      st.next = root.schedule ? nextRun(root.schedule, now, Number(root.object.properties.RESUMED_AT ?? now)) : now + root.minTriggerIntervalMs;
      if (!this.mayStart(root, st)) continue; // overlapping: this scheduled time is skipped
      const spec = this.newSpec(root, scheduledTime, root.schedule ? 'SCHEDULE' : 'TRIGGER', undefined, st.next);
      if (!root.schedule) this.track(this.triggered(root, st, spec));
      else this.launch(root, st, spec);
    }
    if (any) {
      this.dirty = true;
      void this.persistSchedule();
    }
  }

  /** A triggered task runs only when its WHEN holds (no SKIPPED rows for idle polls). */
  private async triggered(root: TaskDef, st: RootState, spec: GraphRunSpec): Promise<void> {
    const session = await this.engine.newSession({ user: 'SYSTEM', role: root.object.owner, database: root.database, schema: root.schema });
    let due = false;
    try {
      const v = await evaluateExpression(session, root.when!);
      due = v.value === true || v.value === 'true';
    } catch {
      due = true; // let the run record the error
    } finally {
      await this.engine.closeSession(session);
    }
    if (due && this.mayStart(root, st)) this.launch(root, st, spec);
  }

  private mayStart(root: TaskDef, st: RootState): boolean {
    if (st.running.size === 0) return true;
    if (root.overlap === 'ALLOW_ALL_OVERLAP') return true;
    if (root.overlap === 'ALLOW_CHILD_OVERLAP') return [...st.running].every((r) => !r.rootRunning);
    return false;
  }

  private newSpec(root: TaskDef, scheduledTime: number, from: ScheduledFrom, config: Record<string, unknown> | undefined, next: number | undefined): GraphRunSpec {
    return {
      root,
      scheduledTime,
      runId: scheduledTime,
      attempt: 1,
      graphRunGroupId: randomUUID(),
      scheduledFrom: from,
      config: config ?? parseConfig(root.config),
      succeededBefore: new Map(),
      nextScheduledTime: next !== undefined && Number.isFinite(next) ? next : undefined,
    };
  }

  private stateOf(root: TaskDef): RootState {
    let st = this.roots.get(root.id);
    if (!st) {
      st = { next: Number.POSITIVE_INFINITY, basis: '', triggered: false, running: new Set(), queued: [], consecutiveFailures: 0 };
      this.roots.set(root.id, st);
    }
    return st;
  }

  /** EXECUTE TASK: a graph run now (queued behind a running one under NO_OVERLAP). */
  async execute(root: TaskDef, configOverride: string | undefined): Promise<void> {
    const st = this.stateOf(root);
    const base = parseConfig(root.config);
    const config = configOverride !== undefined ? { ...(base ?? {}), ...(parseConfig(configOverride) ?? {}) } : base;
    const spec = this.newSpec(root, this.engine.clock.now().getTime(), 'EXECUTE_TASK', config, Number.isFinite(st.next) ? st.next : undefined);
    if (this.mayStart(root, st)) this.launch(root, st, spec);
    else st.queued.push(spec);
  }

  /** EXECUTE TASK … RETRY LAST: re-runs the failed part of the last graph run. */
  async retryLast(root: TaskDef): Promise<void> {
    const last = await this.history.lastGraphRun(root.id);
    if (!last || (last.state !== 'FAILED' && last.state !== 'CANCELLED')) {
      throw errors.invalidOperation(`Cannot retry task ${root.fullName}: its last graph run did not fail.`);
    }
    const st = this.stateOf(root);
    const spec: GraphRunSpec = {
      ...this.newSpec(root, this.engine.clock.now().getTime(), 'MANUAL RETRY', undefined, Number.isFinite(st.next) ? st.next : undefined),
      runId: last.runId,
      attempt: last.attempt + 1,
      graphRunGroupId: last.groupId,
      succeededBefore: await this.history.succeededIn(last.groupId),
    };
    if (this.mayStart(root, st)) this.launch(root, st, spec);
    else st.queued.push(spec);
  }

  private launch(root: TaskDef, st: RootState, spec: GraphRunSpec): void {
    const runner = new GraphRunner(this.engine, this.history, spec);
    st.running.add(runner);
    const p = (async () => {
      let outcome: GraphRunOutcome;
      try {
        outcome = await runner.run();
      } catch {
        outcome = { state: 'FAILED', succeeded: new Map() };
      } finally {
        st.running.delete(runner);
      }
      await this.afterRun(root, st, spec, outcome);
      // Occurrences that came due while the graph ran were overlapped: they are skipped, not queued.
      const now = this.engine.clock.now().getTime();
      if (root.schedule && st.next <= now && Number.isFinite(st.next) && root.overlap !== 'ALLOW_ALL_OVERLAP') {
        st.next = nextRun(root.schedule, now, Number(root.object.properties.RESUMED_AT ?? now));
        this.dirty = true;
        void this.persistSchedule();
      }
      const queued = st.queued.shift();
      if (queued) this.launch(root, st, queued);
    })();
    this.track(p);
  }

  private async afterRun(root: TaskDef, st: RootState, spec: GraphRunSpec, outcome: GraphRunOutcome): Promise<void> {
    if (outcome.state === 'SKIPPED') return; // indeterminate: neither a success nor a failure
    if (outcome.state === 'SUCCEEDED') {
      st.consecutiveFailures = 0;
      return;
    }
    const current = allTasks(this.engine.catalog).find((t) => t.id === root.id) ?? root;
    if (spec.attempt <= current.autoRetries) {
      this.launch(current, st, {
        ...spec,
        attempt: spec.attempt + 1,
        scheduledFrom: 'AUTOMATIC RETRY',
        scheduledTime: this.engine.clock.now().getTime(),
        succeededBefore: new Map([...spec.succeededBefore, ...outcome.succeeded]),
      });
      return;
    }
    st.consecutiveFailures += 1;
    const limit = current.suspendAfterFailures;
    if (limit > 0 && st.consecutiveFailures >= limit && current.started) {
      await this.autoSuspend(current);
      if (outcome.lastFailedRunKey) await this.history.setTaskRunState(outcome.lastFailedRunKey, 'FAILED_AND_AUTO_SUSPENDED');
      st.consecutiveFailures = 0;
    }
  }

  /** SUSPEND_TASK_AFTER_NUM_FAILURES reached: the root is suspended, reason SUSPENDED_DUE_TO_ERRORS. */
  private async autoSuspend(root: TaskDef): Promise<void> {
    const catalog = this.engine.catalog;
    await this.engine.writes.exclusive(async () => {
      const conn = this.catalogConn;
      const o = catalog.objects.get(root.id);
      if (!o) return;
      const now = this.engine.clock.now();
      try {
        await conn.atomically(() =>
          catalog.change(conn).putObject({
            ...o,
            properties: { ...o.properties, STATE: 'suspended', LAST_SUSPENDED_ON: now.toISOString(), LAST_SUSPENDED_REASON: 'SUSPENDED_DUE_TO_ERRORS' },
            lastAltered: now,
          }),
        );
      } catch (e) {
        await catalog.reload(conn);
        throw e;
      }
    });
    this.changed();
  }

  private track(p: Promise<unknown>): void {
    const q = p.then(
      () => undefined,
      () => undefined,
    );
    this.inFlight.add(q);
    void q.finally(() => this.inFlight.delete(q));
  }

  /** Waits until no graph run (or schedule write) is in progress. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  /** The earliest time a root is due (for the engine's combined stepping). */
  nextDue(): number {
    let earliest = Number.POSITIVE_INFINITY;
    for (const st of this.roots.values()) earliest = Math.min(earliest, st.next);
    return earliest;
  }

  /** The system-clock loop of the long-running process. */
  start(): void {
    this.loop.start();
  }

  /** Stops scheduling; running graph runs finish. */
  async stop(): Promise<void> {
    this.loop.stop();
    await this.idle();
  }

  async close(): Promise<void> {
    await this.stop();
    this.engine.warehouse.release(this.conn);
    this.engine.warehouse.release(this.catalogConn);
  }

  /** For SHOW TASKS / TASK_HISTORY: a root's next scheduled time. */
  nextScheduled(rootId: number): number | undefined {
    const n = this.roots.get(rootId)?.next;
    return n !== undefined && Number.isFinite(n) ? n : undefined;
  }
}

function parseConfig(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Suspending and resuming dynamic tables (semantics §3.6). Suspension cascades downstream: a table
 * reading a suspended table cannot refresh either, so it is suspended with the UPSTREAM_ form of the
 * reason. RESUME refuses while something upstream is suspended, and resumes the tables that were
 * suspended only because of this one (not those a user suspended themselves). Every change is a
 * catalog change plus a DYNAMIC_TABLE_GRAPH_HISTORY row, in the caller's transaction.
 */
import { errors, type BoundReference } from '../../sql/index.ts';
import type { ObjectEntry, StorageConnection } from '../../storage/index.ts';
import type { Engine } from '../engine.ts';
import { graphHistorySql, type AlterTrigger } from './dt-history.ts';
import { dynamicDef, type SuspendReason } from './dt-model.ts';

async function put(engine: Engine, conn: StorageConnection, refs: BoundReference[], updated: ObjectEntry, trigger: AlterTrigger, now: Date): Promise<void> {
  await engine.catalog.change(conn).putObject(updated);
  const dt = dynamicDef(engine.catalog, updated);
  for (const sql of graphHistorySql(dt, refs, [trigger], now.getTime())) await conn.run(sql);
}

/** Suspends `id` for `reason` and every active table downstream of it. */
export async function suspendCascade(engine: Engine, conn: StorageConnection, id: number, reason: SuspendReason, now: Date): Promise<void> {
  const catalog = engine.catalog;
  const service = engine.dynamicTables;
  const graph = service.graph();
  const upstreamReason: SuspendReason = reason === 'SUSPENDED_DUE_TO_ERRORS' || reason === 'UPSTREAM_SUSPENDED_DUE_TO_ERRORS' ? 'UPSTREAM_SUSPENDED_DUE_TO_ERRORS' : 'UPSTREAM_USER_SUSPENDED';
  const targets: [number, SuspendReason][] = [[id, reason], ...service.downstreamOf(id).map((d): [number, SuspendReason] => [d, upstreamReason])];
  for (const [tid, why] of targets) {
    const o = catalog.objects.get(tid);
    if (!o || o.droppedOn !== null) continue;
    // A table already suspended keeps its own reason (a user's suspension is not turned into a cascade).
    if (o.properties.SCHEDULING_STATE === 'SUSPENDED' && (tid !== id || o.properties.SUSPEND_REASON === why)) continue;
    const properties = { ...o.properties, SCHEDULING_STATE: 'SUSPENDED', SUSPEND_REASON: why, LAST_SUSPENDED_ON: now.toISOString() };
    await put(engine, conn, graph.references.get(tid) ?? [], { ...o, properties, lastAltered: now }, 'SUSPEND', now);
  }
}

/** Resumes `id` and the tables downstream that were suspended because of it. */
export async function resumeCascade(engine: Engine, conn: StorageConnection, id: number, now: Date): Promise<void> {
  const catalog = engine.catalog;
  const service = engine.dynamicTables;
  const graph = service.graph();
  const downstream = service.upstreamFirst(service.downstreamOf(id));
  for (const u of service.upstreamOf(id)) {
    const o = catalog.objects.get(u);
    if (o && o.droppedOn === null && o.properties.SCHEDULING_STATE === 'SUSPENDED') {
      const up = dynamicDef(catalog, o);
      const me = dynamicDef(catalog, catalog.objects.get(id)!);
      throw errors.invalidOperation(`Cannot resume dynamic table '${me.fullName}': the dynamic table '${up.fullName}' it reads is suspended. Resume it first.`);
    }
  }
  const active = new Set<number>();
  const resume = async (tid: number) => {
    const o = catalog.objects.get(tid)!;
    const { SUSPEND_REASON: _r, ...rest } = o.properties;
    await put(engine, conn, graph.references.get(tid) ?? [], { ...o, properties: { ...rest, SCHEDULING_STATE: 'ACTIVE', RESUMED_ON: now.toISOString() }, lastAltered: now }, 'RESUME', now);
    active.add(tid);
  };
  const me = catalog.objects.get(id)!;
  if (me.properties.SCHEDULING_STATE === 'SUSPENDED') await resume(id);
  else active.add(id);
  // Downstream, in order: resumable when suspended by a cascade and everything it reads is active.
  for (const d of downstream) {
    const o = catalog.objects.get(d);
    if (!o || o.droppedOn !== null || o.properties.SCHEDULING_STATE !== 'SUSPENDED') continue;
    if (!String(o.properties.SUSPEND_REASON ?? '').startsWith('UPSTREAM_')) continue;
    const ups = graph.upstream.get(d) ?? [];
    const allActive = ups.every((u) => active.has(u) || catalog.objects.get(u)?.properties.SCHEDULING_STATE !== 'SUSPENDED');
    if (allActive) await resume(d);
  }
}

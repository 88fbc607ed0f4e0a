/**
 * Retention (Snowflake's Time Travel window). DATA_RETENTION_TIME_IN_DAYS is read from the table,
 * then its schema, then its database (default 1); MAX_DATA_EXTENSION_TIME_IN_DAYS the same way
 * (default 14). Temporary and transient tables keep at most one day.
 *
 * The purge removes what no reader may ask for any more: history images that ended before the
 * window, and dropped tables (with their history) whose window has passed. A table whose changes an
 * unconsumed stream or a dynamic table still needs keeps them, up to the extension limit.
 */
import { duckIdent } from '../../sql/index.ts';
import { DATA_SCHEMA, dropDdl, purgeHistory, SYSTEM_SCHEMA, type Catalog, type ObjectEntry, type StorageConnection } from '../../storage/index.ts';
import type { Engine } from '../engine.ts';
import { LOAD_METADATA_DAYS } from '../loading/copy-into.ts';

export const DAY_MS = 86_400_000;

function inherited(catalog: Catalog, o: ObjectEntry, name: string): string | undefined {
  const s = catalog.schemas.get(o.schemaId);
  const d = s ? catalog.databases.get(s.databaseId) : undefined;
  return o.properties[name] ?? s?.properties[name] ?? d?.properties[name];
}

function days(text: string | undefined, fallback: number): number {
  const n = Number(text ?? fallback);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
}

/** The table's effective DATA_RETENTION_TIME_IN_DAYS. */
export function retentionDays(engine: Engine, o: ObjectEntry): number {
  const n = days(inherited(engine.catalog, o, 'DATA_RETENTION_TIME_IN_DAYS'), 1);
  return o.temporary || o.properties.TRANSIENT === 'true' ? Math.min(n, 1) : n;
}

/** The table's effective MAX_DATA_EXTENSION_TIME_IN_DAYS. */
export function maxExtensionDays(engine: Engine, o: ObjectEntry): number {
  return days(inherited(engine.catalog, o, 'MAX_DATA_EXTENSION_TIME_IN_DAYS'), 14);
}

/**
 * Versions readers still need, per table: streams and dynamic tables register here (the oldest
 * version whose changes they have not consumed).
 */
export interface RetentionPins {
  oldestNeeded(tableId: number): number | undefined;
}

export const NO_PINS: RetentionPins = { oldestNeeded: () => undefined };

export interface PurgeReport {
  droppedObjects: number;
  historyRows: number;
  /** Dropped schemas and databases whose window passed (with nothing left in them). */
  droppedContainers: number;
}

/** Purges expired history and dropped tables. Runs under the engine's write lock. */
export async function purgeExpired(engine: Engine, conn: StorageConnection): Promise<PurgeReport> {
  const now = engine.clock.now().getTime();
  const catalog = engine.catalog;
  const expired: ObjectEntry[] = [];
  const live: ObjectEntry[] = [];
  for (const o of catalog.objects.values()) {
    const s = catalog.schemas.get(o.schemaId);
    const d = s ? catalog.databases.get(s.databaseId) : undefined;
    const dropped = o.droppedOn ?? s?.droppedOn ?? d?.droppedOn ?? null;
    if (dropped !== null && dropped.getTime() + retentionDays(engine, o) * DAY_MS <= now) expired.push(o);
    else if (o.kind === 'TABLE') live.push(o);
  }
  const report: PurgeReport = { droppedObjects: expired.length, historyRows: 0, droppedContainers: 0 };
  try {
    await purgeInTransaction(engine, conn, expired, live, now, report);
  } catch (e) {
    await catalog.reload(conn);
    throw e;
  }
  // A table's stage goes with the table, once the table is gone for good (and what the refresh
  // connection keeps for a dynamic table's aggregate state: its validity and value counts).
  for (const o of expired) if (o.kind === 'TABLE') engine.stageFiles.drop('table', String(o.id));
  for (const o of expired) if (o.properties.DYNAMIC === 'true') engine.dynamicTables.forgetAggregateState(o.id);
  return report;
}

async function purgeInTransaction(engine: Engine, conn: StorageConnection, expired: ObjectEntry[], live: ObjectEntry[], now: number, report: PurgeReport): Promise<void> {
  const catalog = engine.catalog;
  await conn.atomically(async () => {
    const change = catalog.change(conn);
    for (const o of expired) {
      if (o.kind === 'TABLE') for (const sql of dropDdl(o)) await conn.run(sql);
      for (const c of o.columns) {
        if (c.identity) await conn.run(`DROP SEQUENCE IF EXISTS ${DATA_SCHEMA}.${duckIdent(c.identity.sequence)}`);
      }
      await change.removeObject(o.id);
    }
    for (const o of live) {
      // Images that ended at or before the version current when the window starts serve no reader…
      let cutoff = await engine.commits.versionAt(conn, now - retentionDays(engine, o) * DAY_MS);
      // …unless a stream or dynamic table has not consumed them yet (up to the extension limit).
      const pinned = engine.retentionPins.oldestNeeded(o.id);
      if (pinned !== undefined && pinned < cutoff) {
        const limit = await engine.commits.versionAt(conn, now - Math.max(retentionDays(engine, o), maxExtensionDays(engine, o)) * DAY_MS);
        cutoff = Math.max(pinned, limit);
      }
      if (cutoff > 0) report.historyRows += await purgeHistory(conn, o, cutoff);
    }
    // Containers go once their own window passed and everything in them is gone.
    const retentionOf = (props: Record<string, string>, parent?: Record<string, string>) =>
      days(props.DATA_RETENTION_TIME_IN_DAYS ?? parent?.DATA_RETENTION_TIME_IN_DAYS, 1) * DAY_MS;
    for (const sc of [...catalog.schemas.values()]) {
      const d = catalog.databases.get(sc.databaseId);
      const dropped = sc.droppedOn ?? d?.droppedOn ?? null;
      if (dropped === null || dropped.getTime() + retentionOf(sc.properties, d?.properties) > now) continue;
      if (catalog.objectsOf(sc.id, true).length > 0) continue;
      await change.removeSchema(sc.id);
      report.droppedContainers += 1;
    }
    for (const d of [...catalog.databases.values()]) {
      if (d.droppedOn === null || d.droppedOn.getTime() + retentionOf(d.properties) > now) continue;
      if (catalog.schemasOf(d.id, true).length > 0) continue;
      await change.removeDatabase(d.id);
      report.droppedContainers += 1;
    }
    // Load metadata lasts 64 days (then a file's load status is uncertain); a load's rejected rows
    // go with it. A purged table takes its load history, ingest channels and quarantine along.
    const gone = expired.filter((o) => o.kind === 'TABLE').map((o) => Math.trunc(o.id));
    const ofGone = gone.length > 0 ? ` OR table_id IN (${gone.join(', ')})` : '';
    await conn.run(`DELETE FROM ${SYSTEM_SCHEMA}.load_history WHERE last_load_ms <= ${Math.trunc(now - LOAD_METADATA_DAYS * DAY_MS)}${ofGone}`);
    await conn.run(`DELETE FROM ${SYSTEM_SCHEMA}.load_rejects WHERE job_id NOT IN (SELECT job_id FROM ${SYSTEM_SCHEMA}.load_history)`);
    if (gone.length > 0) {
      await conn.run(`DELETE FROM ${SYSTEM_SCHEMA}.ingest_channels WHERE table_id IN (${gone.join(', ')})`);
      await conn.run(`DELETE FROM ${SYSTEM_SCHEMA}.ingest_quarantine WHERE table_id IN (${gone.join(', ')})`);
    }
  });
}

/**
 * Retention: dropped tables keep their rows for DATA_RETENTION_TIME_IN_DAYS (object, then schema,
 * then database setting; default 1) so UNDROP can restore them. Past that, purge removes the physical
 * table and the catalog entry. Runs when the engine opens.
 */
import { duckIdent } from '../../sql/index.ts';
import { DATA_SCHEMA, type ObjectEntry, type StorageConnection } from '../../storage/index.ts';
import type { Engine } from '../engine.ts';

const DAY_MS = 86_400_000;

export function retentionDays(engine: Engine, o: ObjectEntry): number {
  const s = engine.catalog.schemas.get(o.schemaId);
  const d = s ? engine.catalog.databases.get(s.databaseId) : undefined;
  const text = o.properties.DATA_RETENTION_TIME_IN_DAYS ?? s?.properties.DATA_RETENTION_TIME_IN_DAYS ?? d?.properties.DATA_RETENTION_TIME_IN_DAYS ?? '1';
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 ? n : 1;
}

/** Drops expired dropped tables; returns how many were purged. */
export async function purgeExpired(engine: Engine, conn: StorageConnection): Promise<number> {
  const now = engine.clock.now().getTime();
  const catalog = engine.catalog;
  const expired: ObjectEntry[] = [];
  for (const o of catalog.objects.values()) {
    const s = catalog.schemas.get(o.schemaId);
    const d = s ? catalog.databases.get(s.databaseId) : undefined;
    const dropped = o.droppedOn ?? s?.droppedOn ?? d?.droppedOn ?? null;
    if (dropped !== null && dropped.getTime() + retentionDays(engine, o) * DAY_MS <= now) expired.push(o);
  }
  if (expired.length === 0) return 0;
  await conn.atomically(async () => {
    const change = catalog.change(conn);
    for (const o of expired) {
      if (o.kind === 'TABLE') await conn.run(`DROP TABLE IF EXISTS ${DATA_SCHEMA}.${duckIdent(o.duckName)}`);
      for (const c of o.columns) {
        if (c.identity) await conn.run(`DROP SEQUENCE IF EXISTS ${DATA_SCHEMA}.${duckIdent(c.identity.sequence)}`);
      }
      await change.removeObject(o.id);
    }
  });
  return expired.length;
}

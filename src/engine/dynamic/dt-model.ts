/**
 * A dynamic table as the scheduler and refresher see it. A dynamic table is a catalog TABLE (so it is
 * a versioned table: Time Travel, streams, CLONE and retention work on it unchanged) whose properties
 * say it is dynamic and hold its definition and scheduling state:
 *
 *   DYNAMIC = 'true', QUERY, TARGET_LAG ('<n> <unit>' | 'DOWNSTREAM'), REFRESH_MODE (resolved: FULL |
 *   INCREMENTAL | ADAPTIVE), REQUESTED_REFRESH_MODE, REFRESH_MODE_REASON, INITIALIZE, WAREHOUSE,
 *   SCHEDULING_STATE (ACTIVE | SUSPENDED), SUSPEND_REASON, LAST_SUSPENDED_ON, RESUMED_ON,
 *   INITIALIZED ('true' once a refresh filled it), IS_CLONE ('true' for clones).
 */
import { displayName, errors } from '../../sql/index.ts';
import type { Catalog, ObjectEntry } from '../../storage/index.ts';

export type RefreshMode = 'INCREMENTAL' | 'ADAPTIVE' | 'FULL';

export type TargetLag = { kind: 'DOWNSTREAM' } | { kind: 'time'; seconds: number };

export type SuspendReason =
  | 'USER_SUSPENDED'
  | 'SUSPENDED_DUE_TO_ERRORS'
  | 'UPSTREAM_USER_SUSPENDED'
  | 'UPSTREAM_SUSPENDED_DUE_TO_ERRORS'
  | 'CLONED_AUTO_SUSPENDED'
  | 'UPSTREAM_CLONED_AUTO_SUSPENDED';

export interface DynamicTableDef {
  object: ObjectEntry;
  id: number;
  /** DB.SCHEMA.NAME */
  fullName: string;
  database: string;
  schema: string;
  query: string;
  lag: TargetLag;
  /**
   * The mode refreshes use: AUTO resolved at creation. ADAPTIVE refreshes incrementally like
   * INCREMENTAL, but recomputes the table (REINITIALIZE) when the changes are too large a share of
   * the inputs for incremental work to pay; INCREMENTAL never does.
   */
  refreshMode: RefreshMode;
  requestedMode: 'AUTO' | RefreshMode;
  /** IMMUTABLE WHERE's predicate (immutable.ts), as written. */
  immutableWhere: string | null;
  modeReason: string | null;
  initialize: 'ON_CREATE' | 'ON_SCHEDULE';
  suspended: boolean;
  suspendReason?: SuspendReason;
  initialized: boolean;
}

export function isDynamic(o: ObjectEntry | undefined): boolean {
  return o !== undefined && o.kind === 'TABLE' && o.properties.DYNAMIC === 'true';
}

const UNITS: Record<string, number> = { SECOND: 1, SECONDS: 1, MINUTE: 60, MINUTES: 60, HOUR: 3600, HOURS: 3600, DAY: 86400, DAYS: 86400 };

/** `'5 minutes'`, `'1 hour'`, `DOWNSTREAM`: Snowflake's TARGET_LAG values. */
export function parseTargetLag(text: string): TargetLag {
  const t = text.trim();
  if (t.toUpperCase() === 'DOWNSTREAM') return { kind: 'DOWNSTREAM' };
  const m = /^(\d+)\s*([A-Za-z]+)$/.exec(t);
  const unit = m ? UNITS[m[2].toUpperCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw errors.invalidValue(`invalid value [${text}] for parameter 'TARGET_LAG': expected '<num> { seconds | minutes | hours | days }' or DOWNSTREAM`);
  }
  return { kind: 'time', seconds: Number(m[1]) * unit };
}

/** The lag as SHOW DYNAMIC TABLES prints it. */
export function lagText(lag: TargetLag): string {
  if (lag.kind === 'DOWNSTREAM') return 'DOWNSTREAM';
  const s = lag.seconds;
  for (const [unit, size] of [
    ['day', 86400],
    ['hour', 3600],
    ['minute', 60],
  ] as const) {
    if (s % size === 0) return `${s / size} ${unit}${s / size === 1 ? '' : 's'}`;
  }
  return `${s} second${s === 1 ? '' : 's'}`;
}

export function dynamicDef(catalog: Catalog, o: ObjectEntry): DynamicTableDef {
  const p = o.properties;
  const schema = catalog.schemas.get(o.schemaId)!;
  const db = catalog.databases.get(schema.databaseId)!;
  return {
    object: o,
    id: o.id,
    fullName: displayName([db.name, schema.name, o.name]),
    database: db.name,
    schema: schema.name,
    query: p.QUERY ?? '',
    lag: parseTargetLag(p.TARGET_LAG ?? 'DOWNSTREAM'),
    refreshMode: p.REFRESH_MODE === 'FULL' || p.REFRESH_MODE === 'ADAPTIVE' ? p.REFRESH_MODE : 'INCREMENTAL',
    requestedMode: (p.REQUESTED_REFRESH_MODE as DynamicTableDef['requestedMode'] | undefined) ?? 'AUTO',
    modeReason: p.REFRESH_MODE_REASON ?? null,
    initialize: p.INITIALIZE === 'ON_SCHEDULE' ? 'ON_SCHEDULE' : 'ON_CREATE',
    suspended: p.SCHEDULING_STATE === 'SUSPENDED',
    suspendReason: p.SUSPEND_REASON as SuspendReason | undefined,
    initialized: p.INITIALIZED === 'true',
    immutableWhere: p.IMMUTABLE_WHERE ?? null,
  };
}

/** Every live dynamic table in the catalog. */
export function allDynamicTables(catalog: Catalog): DynamicTableDef[] {
  const out: DynamicTableDef[] = [];
  for (const o of catalog.objects.values()) {
    if (!isDynamic(o) || o.droppedOn !== null) continue;
    const s = catalog.schemas.get(o.schemaId);
    const d = s ? catalog.databases.get(s.databaseId) : undefined;
    if (!s || !d || s.droppedOn !== null || d.droppedOn !== null) continue;
    out.push(dynamicDef(catalog, o));
  }
  return out;
}

/**
 * Every DDL statement runs as one DuckDB transaction: its DuckDB DDL and its catalog rows commit
 * together or not at all. On failure the in-memory catalog is reloaded from the file, so nothing of a
 * failed statement remains anywhere.
 */
import { errors } from '../../sql/index.ts';
import type { CatalogChange, PendingWrite } from '../../storage/index.ts';
import type { Session } from '../session/session.ts';

/**
 * Runs a DDL statement as one write transaction (DDL that fills tables — CTAS, CLONE — gets a
 * version like any DML). The executor has already committed any open transaction, as Snowflake does.
 */
export async function ddlTransaction<T>(session: Session, fn: (change: CatalogChange, now: Date, write: PendingWrite) => Promise<T>): Promise<T> {
  const catalog = session.engine.catalog;
  try {
    return await session.engine.writes.run(session, (w) => fn(catalog.change(session.conn), session.engine.clock.now(), w));
  } catch (e) {
    await catalog.reload(session.conn);
    throw e;
  }
}

/** Properties as stored in the catalog: upper-case names, values as text. */
export function propertyText(props: Record<string, { kind: string; text: string; items?: { text: string }[] }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    out[k] = v.kind === 'list' ? (v.items ?? []).map((i) => i.text).join(', ') : v.kind === 'boolean' ? v.text.toLowerCase() : v.text;
    checkProperty(k, out[k]);
  }
  return out;
}

/** Time Travel settings are whole days, 0 to 90 (Snowflake Enterprise's range for permanent objects). */
const DAY_PROPERTIES = ['DATA_RETENTION_TIME_IN_DAYS', 'MAX_DATA_EXTENSION_TIME_IN_DAYS'];

function checkProperty(name: string, value: string): void {
  if (DAY_PROPERTIES.includes(name) && !(/^\d+$/.test(value) && Number(value) <= 90)) {
    throw errors.invalidValue(`invalid value [${value}] for parameter '${name}'`);
  }
  if (name === 'CHANGE_TRACKING' && value !== 'true' && value !== 'false') {
    throw errors.invalidValue(`invalid value [${value}] for parameter '${name}'`);
  }
}

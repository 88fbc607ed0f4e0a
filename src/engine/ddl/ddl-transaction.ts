/**
 * Every DDL statement runs as one DuckDB transaction: its DuckDB DDL and its catalog rows commit
 * together or not at all. On failure the in-memory catalog is reloaded from the file, so nothing of a
 * failed statement remains anywhere.
 */
import type { CatalogChange } from '../../storage/index.ts';
import type { Session } from '../session/session.ts';

export async function ddlTransaction<T>(session: Session, fn: (change: CatalogChange, now: Date) => Promise<T>): Promise<T> {
  const conn = session.conn;
  const catalog = session.engine.catalog;
  await conn.begin();
  try {
    const out = await fn(catalog.change(conn), session.engine.clock.now());
    await conn.commit();
    return out;
  } catch (e) {
    await conn.rollback();
    await catalog.reload(conn);
    throw e;
  }
}

/** Properties as stored in the catalog: upper-case names, values as text. */
export function propertyText(props: Record<string, { kind: string; text: string; items?: { text: string }[] }>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    out[k] = v.kind === 'list' ? (v.items ?? []).map((i) => i.text).join(', ') : v.kind === 'boolean' ? v.text.toLowerCase() : v.text;
  }
  return out;
}

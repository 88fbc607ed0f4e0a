/**
 * INSERT, UPDATE, DELETE and MERGE on tables, each atomic and answering with Snowflake's row-count
 * result. (Versioned-table rewriting of DML arrives with change tracking; here DML runs directly on
 * the physical tables.)
 */
import { translateDml, type DmlStatement } from '../../sql/index.ts';
import { mergeResult, rowsDeleted, rowsInserted, rowsUpdated, type ResultBody } from '../results/result-set.ts';
import type { Session } from '../session/session.ts';
import { setStatementTime, translateForSession } from './query.ts';

export async function runDml(session: Session, stmt: DmlStatement, text: string): Promise<ResultBody> {
  const translated = await translateForSession(session, `DML:${text}`, () =>
    translateDml(stmt, session.translateContext(), (parts) => session.resolver.target(parts, stmt.op).relation),
  );
  await setStatementTime(session);
  const conn = session.conn;
  // One DuckDB statement is atomic on its own; INSERT OVERWRITE (two statements) needs a transaction.
  const run = <T>(fn: () => Promise<T>) => (translated.overwrite ? conn.atomically(fn) : fn());
  return run(async () => {
    if (translated.overwrite) {
      await conn.run(`DELETE FROM "${translated.target.duckSchema}"."${translated.target.duckName}"`);
    }
    if (stmt.op === 'MERGE') {
      const r = await conn.query(translated.sql);
      const counts = { inserted: 0, updated: 0, deleted: 0 };
      for (const row of r.rows) {
        const action = String(row[0]);
        if (action === 'INSERT') counts.inserted += 1;
        else if (action === 'UPDATE') counts.updated += 1;
        else if (action === 'DELETE') counts.deleted += 1;
      }
      return mergeResult(translated.mergeKinds ?? { insert: true, update: true, delete: true }, counts);
    }
    const r = await conn.query(translated.sql);
    const n = Number(r.rows[0]?.[0] ?? 0);
    if (stmt.op === 'INSERT') return rowsInserted(n);
    if (stmt.op === 'UPDATE') return rowsUpdated(n);
    return rowsDeleted(n);
  });
}


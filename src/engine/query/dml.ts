/**
 * INSERT, UPDATE, DELETE, MERGE and multi-table INSERT on versioned tables: the translator turns the
 * statement into a plan (versioning in sql/translate/dml.ts), and this applies it through the
 * storage layer's append / delete-by-rowid writes inside one write transaction, answering with
 * Snowflake's row-count result.
 */
import { CHANGE_JOINS, duckIdent, MULTI_INSERT_SOURCE, translateDml, type DmlStatement, type DmlTarget, type StreamRead, type TranslatedDmlStatement } from '../../sql/index.ts';
import { appendRows, applyChanges, deleteAll, type PendingWrite, type VersionedTable } from '../../storage/index.ts';
import { mergeResult, rowsDeleted, rowsInserted, rowsUpdated, table, type ResultBody } from '../results/result-set.ts';
import type { Session } from '../session/session.ts';
import { T } from '../../sql/index.ts';
import { beforeRun, translateForSession } from './query.ts';

/** The change table a change plan materialises (temporary, dropped after the statement). */
const CHANGES_TABLE = '_backlot_changes';
/** INSERT OVERWRITE's source rows, read before the target is emptied. */
const OVERWRITE_SOURCE = '_backlot_overwrite';

export function versionedTarget(target: DmlTarget): VersionedTable {
  return { id: target.tableId, temporary: target.relation.duckSchema === 'temp', columns: target.relation.columns.map((c) => c.name) };
}

export async function runDml(session: Session, stmt: DmlStatement, text: string): Promise<ResultBody> {
  const plan = await translateForSession(session, `DML:${text}`, () => translateDml(stmt, session.translateContext()));
  await beforeRun(session, plan.info);
  return session.engine.writes.run(session, async (w) => {
    const result = await applyPlan(session, plan, w);
    consumeStreams(w, plan.info.streams);
    return result;
  });
}

async function applyPlan(session: Session, plan: TranslatedDmlStatement, w: PendingWrite): Promise<ResultBody> {
  const conn = session.conn;
  switch (plan.kind) {
    case 'insert': {
      const t = versionedTarget(plan.target);
      if (!plan.overwrite) return rowsInserted(await appendRows(conn, t, plan.columns, plan.sourceSql, w));
      // OVERWRITE: the source may read the target, so it is read in full before the rows go.
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${OVERWRITE_SOURCE} AS ${plan.sourceSql}`);
      try {
        await deleteAll(conn, t, w);
        return rowsInserted(await appendRows(conn, t, plan.columns, `SELECT * FROM temp.${OVERWRITE_SOURCE}`, w));
      } finally {
        await dropQuietly(session, `temp.${OVERWRITE_SOURCE}`);
      }
    }
    case 'change': {
      const t = versionedTarget(plan.target);
      await conn.run(`CREATE OR REPLACE TEMP TABLE ${CHANGES_TABLE} AS ${plan.changesSql}`);
      try {
        const counts = await applyChanges(conn, t, `temp.${CHANGES_TABLE}`, w);
        if (plan.op === 'MERGE') return mergeResult(plan.mergeKinds ?? { insert: true, update: true, delete: true }, counts);
        if (plan.op === 'DELETE') return rowsDeleted(counts.deleted);
        return rowsUpdated(counts.updated, plan.countsJoins ? await multiJoined(session) : 0);
      } finally {
        await dropQuietly(session, `temp.${CHANGES_TABLE}`);
      }
    }
    case 'multi_insert':
      return multiInsert(session, plan, w);
  }
}

/**
 * DML that read streams consumes them: their offsets move to the versions read when the transaction
 * commits — all the change data, whatever the statement's WHERE kept (semantics §1.3).
 */
export function consumeStreams(w: PendingWrite, streams: StreamRead[]): void {
  for (const s of streams) w.consumed.set(s.id, s.readVersion);
}

/** UPDATE … FROM: target rows that joined more than one source row (Snowflake reports them). */
async function multiJoined(session: Session): Promise<number> {
  const r = await session.conn.rows(`SELECT count(*) AS n FROM temp.${CHANGES_TABLE} WHERE ${duckIdent(CHANGE_JOINS)} > 1`);
  return Number(r[0].n);
}

/**
 * INSERT ALL / FIRST: the source is read once into a temporary table, then each INTO clause appends
 * its share. One result column per target table, in the order the targets first appear.
 */
async function multiInsert(session: Session, plan: Extract<TranslatedDmlStatement, { kind: 'multi_insert' }>, w: PendingWrite): Promise<ResultBody> {
  const conn = session.conn;
  const aliases = plan.sourceColumns.map(duckIdent).join(', ');
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(MULTI_INSERT_SOURCE)} AS SELECT * FROM (${plan.sourceSql}) AS _s(${aliases})`);
  try {
    const counts = new Map<number, { name: string; n: number }>();
    for (const b of plan.branches) {
      if (!counts.has(b.target.tableId)) counts.set(b.target.tableId, { name: b.target.relation.displayName, n: 0 });
    }
    if (plan.overwrite) {
      for (const b of plan.branches) {
        const entry = counts.get(b.target.tableId)!;
        if (entry.n === 0 && !(entry as { cleared?: boolean }).cleared) {
          await deleteAll(conn, versionedTarget(b.target), w);
          (entry as { cleared?: boolean }).cleared = true;
        }
      }
    }
    for (const b of plan.branches) {
      counts.get(b.target.tableId)!.n += await appendRows(conn, versionedTarget(b.target), b.columns, b.selectSql, w);
    }
    const entries = [...counts.values()];
    return {
      ...table(
        entries.map((e) => [`number of rows inserted into ${e.name}`, T.number()]),
        [entries.map((e) => String(e.n))],
        'INSERT',
      ),
      stats: { inserted: entries.reduce((a, e) => a + e.n, 0) },
    };
  } finally {
    await dropQuietly(session, `temp.${duckIdent(MULTI_INSERT_SOURCE)}`);
  }
}

/** Drops a statement's scratch table; inside an aborted transaction DuckDB refuses, and rollback cleans up. */
async function dropQuietly(session: Session, name: string): Promise<void> {
  try {
    await session.conn.run(`DROP TABLE IF EXISTS ${name}`);
  } catch {
    /* the transaction is aborted; its rollback removes the table */
  }
}

/**
 * SELECT (and VALUES, set operations): translate with the session's context — from the cache when the
 * same text ran under the same catalog version and context — run on DuckDB, and convert the rows to
 * Snowflake values.
 */
import { translateQuery, type QueryStatement, type StagedFilesRef, type TranslatedQuery, type TranslationInfo } from '../../sql/index.ts';
import type { DuckResult } from '../../storage/index.ts';
import { systemClock } from '../clock.ts';
import { table, type ResultBody } from '../results/result-set.ts';
import { resultType, toValue, type ResultColumn } from '../results/values.ts';
import type { Session } from '../session/session.ts';
import { evaluatePoint, NeedsPoint, pointKey } from '../versioning/time-travel.ts';
import { timeoutError } from '../tasks/runner.ts';

/** Raised by the translate context when staged files a query reads must be staged first. */
export class NeedsStagedFiles extends Error {
  constructor(readonly ref: StagedFilesRef) {
    super(`staged files ${ref.location} must be read`);
  }
}

/** Raised by the translate context when a RESULT_SCAN target must be materialised first. */
export class NeedsResult extends Error {
  constructor(readonly queryId: string) {
    super(`result ${queryId} must be materialised`);
  }
}

function cacheKey(session: Session, text: string): string {
  // Temporary objects live outside the catalog; their ids change whenever one is (re)created.
  const temps = session.tempObjects.size === 0 ? '' : [...session.tempObjects.keys()].join(',');
  return [session.engine.catalog.version, temps, session.database, session.schema, session.role, session.user, session.timezone, text].join('\u0001');
}

/** Translates with retries: RESULT_SCAN targets are materialised on demand. */
export async function translateForSession<T extends { info: { volatile: boolean } }>(
  session: Session,
  text: string,
  translate: () => T,
): Promise<T> {
  const key = cacheKey(session, text);
  const cached = session.engine.translationCache.get(key) as T | undefined;
  if (cached) return cached;
  for (let attempt = 0; attempt < 16; attempt += 1) {
    try {
      const t = translate();
      if (!t.info.volatile) session.engine.translationCache.set(key, t);
      return t;
    } catch (e) {
      if (e instanceof NeedsResult) {
        await session.prepareResultScan(e.queryId);
        continue;
      }
      if (e instanceof NeedsStagedFiles) {
        await session.prepareStagedFiles(e.ref);
        continue;
      }
      if (e instanceof NeedsPoint) {
        await setStatementTime(session);
        session.points.set(pointKey(e.point), await evaluatePoint(session, e.point));
        continue;
      }
      throw e;
    }
  }
  throw new Error('too many RESULT_SCAN or Time Travel references in one statement');
}

/**
 * What a translated statement needs before it runs: query history written out if it reads it,
 * SYSTEM$WAIT's wait, and the statement's "now".
 */
export async function beforeRun(session: Session, info: TranslationInfo): Promise<void> {
  for (const action of info.actions) await action();
  if (info.reads.some((r) => r.endsWith('QUERY_HISTORY'))) await session.engine.history.flush();
  if (info.waitSeconds > 0) {
    const ms = info.waitSeconds * 1000;
    // A task run may not sleep past its USER_TASK_TIMEOUT_MS.
    const left = session.deadline !== undefined ? session.deadline - session.engine.clock.now().getTime() : Infinity;
    if (ms > left) {
      await session.engine.clock.sleep(Math.max(0, left));
      throw timeoutError(session.timeoutMs ?? ms);
    }
    await session.engine.clock.sleep(ms);
  }
  await setStatementTime(session);
}

/** Per-statement "now" for CURRENT_TIMESTAMP and friends when the clock is injected. */
export async function setStatementTime(session: Session): Promise<void> {
  if (session.engine.clock === systemClock) return;
  await session.conn.run(`SET VARIABLE __backlot_now = TIMESTAMPTZ '${session.engine.clock.now().toISOString()}'`);
}

export async function runQuery(session: Session, stmt: QueryStatement, text: string): Promise<ResultBody> {
  const translated = await translateForSession(session, text, () => translateQuery(stmt, text, session.translateContext()));
  await beforeRun(session, translated.info);
  const duck = await session.conn.query(translated.sql);
  if (translated.info.streamChecks.length > 0) await session.engine.keepStreamsAlive(translated.info.streamChecks);
  return toResultBody(duck, translated, session.timezone, 'SELECT');
}

export function toResultBody(duck: DuckResult, translated: Pick<TranslatedQuery, 'columns'> | undefined, tz: string, statementType: string): ResultBody {
  const aligned = translated && translated.columns.length === duck.columns.length;
  const columns: ResultColumn[] = duck.columns.map((c, i) => ({
    name: c.name,
    type: resultType(c, aligned ? translated.columns[i].type : undefined),
  }));
  const rows = duck.rows.map((r) => r.map((v, i) => toValue(v, columns[i].type, tz)));
  return { ...table([], [], statementType), columns, rows };
}

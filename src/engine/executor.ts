/**
 * Runs one statement for a session: gives it a query id, parses it, dispatches it by kind, maps any
 * failure to Snowflake's error, keeps its result for RESULT_SCAN and records it in QUERY_HISTORY.
 */
import { errors, SnowflakeError, type Statement } from '../sql/index.ts';
import { alterStatement } from './ddl/alter.ts';
import { createStatement } from './ddl/create.ts';
import { commentStatement, dropStatement, truncateStatement, undropStatement } from './ddl/drop.ts';
import { describeStatement } from './metadata/describe.ts';
import { alterStream, createStream } from './streams/stream-ddl.ts';
import { executeImmediate, scriptStatement } from './scripting/script-statements.ts';
import { callProcedure, createProcedure, dropProcedure } from './procedures/procedures.ts';
import { alterTask, createTask, executeTask } from './tasks/task-ddl.ts';
import { alterDynamicTable, createDynamicTable } from './dynamic/dt-ddl.ts';
import { createOrAlterDynamicTable } from './dynamic/dt-create-or-alter.ts';
import { showStatement } from './metadata/show.ts';
import { copyIntoTable } from './loading/copy-into.ts';
import { copyIntoLocation } from './loading/unload.ts';
import { getFiles, listStage, putFiles } from './loading/stage-commands.ts';
import { alterFileFormat, alterStage, createFileFormat, createStage } from './loading/stage-ddl.ts';
import { runDml } from './query/dml.ts';
import { runQuery } from './query/query.ts';
import type { HistoryRecord } from './history/query-history.ts';
import { mapDuckError } from './results/duck-errors.ts';
import type { ResultBody, ResultSet } from './results/result-set.ts';
import { alterSession, setVariables, transaction, unsetVariables, useStatement } from './session/session-statements.ts';
import type { Session } from './session/session.ts';

/** DDL commits an open transaction first, as in Snowflake. */
const AUTOCOMMITS = new Set([
  'create_database',
  'create_schema',
  'create_table',
  'create_view',
  'create_sequence',
  'alter_table',
  'alter_database',
  'alter_schema',
  'alter_view',
  'alter_sequence',
  'drop',
  'undrop',
  'comment',
  'create_stream',
  'alter_stream',
  'create_procedure',
  'drop_procedure',
  'create_task',
  'alter_task',
  'create_dynamic_table',
  'alter_dynamic_table',
  'create_stage',
  'create_file_format',
  'alter_stage',
  'alter_file_format',
]);

async function dispatch(session: Session, stmt: Statement, text: string): Promise<ResultBody> {
  switch (stmt.kind) {
    case 'query':
      return runQuery(session, stmt, text);
    case 'dml':
      return runDml(session, stmt, text);
    case 'create_database':
    case 'create_schema':
    case 'create_table':
    case 'create_view':
    case 'create_sequence':
      return createStatement(session, stmt, text);
    case 'alter_table':
    case 'alter_database':
    case 'alter_schema':
    case 'alter_view':
    case 'alter_sequence':
      return alterStatement(session, stmt);
    case 'create_stream':
      return createStream(session, stmt);
    case 'alter_stream':
      return alterStream(session, stmt);
    case 'create_task':
      return createTask(session, stmt);
    case 'alter_task':
      return alterTask(session, stmt);
    case 'execute_task':
      return executeTask(session, stmt);
    case 'create_dynamic_table':
      return stmt.orAlter ? createOrAlterDynamicTable(session, stmt, text) : createDynamicTable(session, stmt, text);
    case 'alter_dynamic_table':
      return alterDynamicTable(session, stmt);
    case 'create_procedure':
      return createProcedure(session, stmt, text);
    case 'drop_procedure':
      return dropProcedure(session, stmt);
    case 'call':
      return callProcedure(session, stmt);
    case 'script':
      return scriptStatement(session, stmt);
    case 'execute_immediate':
      return executeImmediate(session, stmt);
    case 'drop':
      return dropStatement(session, stmt);
    case 'undrop':
      return undropStatement(session, stmt);
    case 'truncate':
      return truncateStatement(session, stmt);
    case 'comment':
      return commentStatement(session, stmt);
    case 'use':
      return useStatement(session, stmt);
    case 'create_stage':
      return createStage(session, stmt);
    case 'create_file_format':
      return createFileFormat(session, stmt);
    case 'alter_stage':
      return alterStage(session, stmt);
    case 'alter_file_format':
      return alterFileFormat(session, stmt);
    case 'put':
      return putFiles(session, stmt);
    case 'get':
      return getFiles(session, stmt);
    case 'list':
    case 'remove':
      return listStage(session, stmt);
    case 'copy_into_table':
      return copyIntoTable(session, stmt);
    case 'copy_into_location':
      return copyIntoLocation(session, stmt);
    case 'set_variables':
      return setVariables(session, stmt);
    case 'unset_variables':
      return unsetVariables(session, stmt);
    case 'alter_session':
      return alterSession(session, stmt);
    case 'transaction':
      return transaction(session, stmt);
    case 'show':
      return showStatement(session, stmt);
    case 'describe':
      return describeStatement(session, stmt);
  }
}

export async function executeStatement(session: Session, text: string): Promise<ResultSet> {
  const engine = session.engine;
  const queryId = session.newQueryId();
  const start = engine.clock.now();
  const versionBefore = engine.writes.latest;
  session.currentQueryId = queryId;
  session.points.clear();
  await session.releaseStagedFiles();
  const context = { database: session.database ?? null, schema: session.schema ?? null, role: session.role };
  let statementType = 'UNKNOWN';
  const record = (outcome: Pick<HistoryRecord, 'queryType' | 'status' | 'errorCode' | 'errorMessage' | 'rowsProduced' | 'rowsInserted' | 'rowsUpdated' | 'rowsDeleted'>) =>
    engine.history.record({
      ...outcome,
      queryId,
      queryText: text,
      databaseName: context.database,
      schemaName: context.schema,
      sessionId: session.id,
      userName: session.user,
      roleName: context.role,
      warehouseName: session.warehouse ?? null,
      startTime: start,
      endTime: engine.clock.now(),
      versionBefore,
      versionAfter: engine.writes.latest,
    });
  try {
    const stmt = session.parse(text);
    statementType = stmt.kind.toUpperCase();
    if (session.transactionAborted !== undefined && !(stmt.kind === 'transaction' && stmt.action !== 'BEGIN')) {
      throw errors.userError(
        '000625',
        '25P02',
        `The open transaction was aborted by an earlier failed statement (${session.transactionAborted}). Run ROLLBACK to discard it and continue.`,
      );
    }
    // A manual refresh is not DDL: Snowflake refuses it inside a transaction instead of committing.
    const refresh = stmt.kind === 'alter_dynamic_table' && stmt.action.kind === 'refresh';
    if (AUTOCOMMITS.has(stmt.kind) && session.inTransaction && !refresh) {
      session.inTransaction = false;
      session.transactionStartVersion = undefined;
      await engine.writes.commit(session);
    }
    const body = await dispatch(session, stmt, text);
    const result: ResultSet = { queryId, ...body };
    session.remember(result);
    session.finishQuery(queryId);
    const stats = body.stats ?? {};
    if (!session.inTransaction) await engine.purgeIfDue().catch(() => undefined); // retried at the next statement
    record({ queryType: body.statementType, status: 'SUCCESS', errorCode: null, errorMessage: null, rowsProduced: body.rows.length, rowsInserted: stats.inserted ?? 0, rowsUpdated: stats.updated ?? 0, rowsDeleted: stats.deleted ?? 0 });
    return result;
  } catch (e) {
    const error = e instanceof SnowflakeError ? e : mapDuckError(e, (duck) => duckDisplayName(session, duck));
    session.finishQuery(queryId);
    if (session.inTransaction && session.transactionAborted === undefined && (await transactionDead(session))) {
      session.transactionAborted = `${error.code}: ${error.message.split('\n').pop()}`;
    }
    record({ queryType: statementType, status: 'FAILED_WITH_ERROR', errorCode: error.code, errorMessage: error.message, rowsProduced: 0, rowsInserted: 0, rowsUpdated: 0, rowsDeleted: 0 });
    throw Object.assign(error, { queryId });
  }
}

/** True when DuckDB has aborted the session's open transaction (after a failed statement). */
async function transactionDead(session: Session): Promise<boolean> {
  try {
    await session.conn.run('SELECT 1');
    return false;
  } catch {
    return true;
  }
}

/** Snowflake name of a physical table (T42) named in a DuckDB message. */
function duckDisplayName(session: Session, duckName: string): string | undefined {
  const catalog = session.engine.catalog;
  const o = catalog.byDuckName(duckName) ?? [...session.tempObjects.values()].find((t) => t.duckName === duckName);
  if (!o) return undefined;
  const s = catalog.schemas.get(o.schemaId);
  const d = s ? catalog.databases.get(s.databaseId) : undefined;
  return d && s ? `${d.name}.${s.name}.${o.name}` : o.name;
}

/**
 * Statements that change the session rather than data: USE, SET / UNSET variables, ALTER SESSION and
 * transaction control.
 */
import {
  errors,
  translateExpression,
  T,
  type AlterSessionStatement,
  type SetVariablesStatement,
  type SfType,
  type TransactionStatement,
  type UnsetVariablesStatement,
  type UseStatement,
  type VariableValue,
} from '../../sql/index.ts';
import { parseStatement } from '../../sql/index.ts';
import { translateQuery } from '../../sql/index.ts';
import { beforeRun, translateForSession } from '../query/query.ts';
import { status, type ResultBody } from '../results/result-set.ts';
import { resultType, toValue } from '../results/values.ts';
import type { Session } from './session.ts';

const OK = 'Statement executed successfully.';

/** Roles that exist before governance is configured. */
export const SYSTEM_ROLES = ['ACCOUNTADMIN', 'SECURITYADMIN', 'SYSADMIN', 'USERADMIN', 'PUBLIC'];

export async function useStatement(session: Session, stmt: UseStatement): Promise<ResultBody> {
  const resolver = session.resolver;
  switch (stmt.target) {
    case 'DATABASE': {
      const db = resolver.database(stmt.name.name);
      session.database = db.name;
      session.schema = session.engine.catalog.findSchema(db.id, 'PUBLIC') ? 'PUBLIC' : undefined;
      break;
    }
    case 'SCHEMA': {
      if (stmt.name.name === 'INFORMATION_SCHEMA') {
        const db = stmt.name.database !== undefined ? resolver.database(stmt.name.database) : resolver.currentDatabase('USE SCHEMA');
        session.database = db.name;
        session.schema = 'INFORMATION_SCHEMA';
        break;
      }
      const { database, schema } = resolver.schema(stmt.name, 'USE SCHEMA');
      session.database = database.name;
      session.schema = schema.name;
      break;
    }
    case 'ROLE':
      if (!SYSTEM_ROLES.includes(stmt.name.name)) {
        throw errors.userError(
          '003013',
          '42501',
          `SQL access control error:\nRequested role '${stmt.name.name}' is not assigned to the executing user. Specify another role to activate.`,
        );
      }
      session.role = stmt.name.name;
      break;
    case 'WAREHOUSE':
      session.warehouse = stmt.name.name;
      break;
    case 'SECONDARY ROLES':
      break;
  }
  return status(OK, 'USE');
}

/** Evaluates SET's expressions with a one-row query and stores typed values. */
export async function setVariables(session: Session, stmt: SetVariablesStatement): Promise<ResultBody> {
  let values: VariableValue[];
  if (stmt.fromQuery) {
    const text = stmt.values[0];
    const parsed = parseStatement(text).statement;
    if (parsed.kind !== 'query') throw errors.syntaxMessage('SET (…) = (…) needs a query.');
    const t = await translateForSession(session, `SET:${text}`, () => translateQuery(parsed, text, session.translateContext()));
    await beforeRun(session, t.info);
    values = await evaluate(session, t.sql, t.columns.map((c) => c.type));
    if (values.length !== stmt.names.length) {
      throw errors.syntaxMessage(`Number of variables (${stmt.names.length}) does not match the number of values (${values.length}).`);
    }
  } else {
    const exprs = stmt.values.map((v) => translateExpression(v, session.translateContext()));
    for (const e of exprs) await beforeRun(session, e.info);
    values = await evaluate(session, `SELECT ${exprs.map((e) => e.sql).join(', ')}`, exprs.map((e) => e.type));
  }
  stmt.names.forEach((name, i) => session.variables.set(name, values[i]));
  return status(OK, 'SET');
}

async function evaluate(session: Session, sql: string, inferred: (SfType | undefined)[]): Promise<VariableValue[]> {
  const r = await session.conn.query(sql);
  if (r.rows.length === 0) return r.columns.map(() => ({ type: T.varchar(), value: null }));
  return r.columns.map((c, i) => {
    const type = resultType(c, inferred[i]);
    return { type, value: toValue(r.rows[0][i], type, session.timezone) };
  });
}

export async function unsetVariables(session: Session, stmt: UnsetVariablesStatement): Promise<ResultBody> {
  for (const name of stmt.names) if (!session.variables.has(name)) throw errors.variableNotSet(name);
  for (const name of stmt.names) session.variables.delete(name);
  return status(OK, 'UNSET');
}

export async function alterSession(session: Session, stmt: AlterSessionStatement): Promise<ResultBody> {
  for (const [name, value] of Object.entries(stmt.set)) {
    const text = value.text;
    if (name === 'TIMEZONE') {
      if (!validTimezone(text)) throw errors.invalidValue(`invalid value [${text}] for parameter 'TIMEZONE'`);
      await session.setTimezone(text);
    } else if (name === 'AUTOCOMMIT' && text === 'FALSE') {
      throw errors.unsupported('AUTOCOMMIT = FALSE (use BEGIN … COMMIT)');
    } else {
      session.parameters.set(name, text);
    }
  }
  for (const name of stmt.unset) {
    if (name === 'TIMEZONE') await session.setTimezone('America/Los_Angeles');
    else session.parameters.delete(name);
  }
  return status(OK, 'ALTER_SESSION');
}

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export async function transaction(session: Session, stmt: TransactionStatement): Promise<ResultBody> {
  const writes = session.engine.writes;
  switch (stmt.action) {
    case 'BEGIN':
      if (!session.inTransaction) {
        await session.conn.begin();
        session.inTransaction = true;
        session.transactionStartVersion = session.engine.writes.latest;
      }
      return status(OK, 'BEGIN_TRANSACTION');
    case 'COMMIT':
      if (session.transactionAborted !== undefined) {
        const reason = session.transactionAborted;
        session.inTransaction = false;
        session.transactionStartVersion = undefined;
        session.transactionAborted = undefined;
        await writes.rollback(session);
        throw errors.userError('000625', '25P02', `The transaction was rolled back: an earlier statement failed (${reason}).`);
      }
      if (session.inTransaction) {
        session.inTransaction = false;
        session.transactionStartVersion = undefined;
        await writes.commit(session);
      }
      return status(OK, 'COMMIT');
    case 'ROLLBACK':
      session.transactionAborted = undefined;
      if (session.inTransaction) {
        session.inTransaction = false;
        session.transactionStartVersion = undefined;
        await writes.rollback(session);
      }
      return status(OK, 'ROLLBACK');
  }
}

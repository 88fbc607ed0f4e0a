/**
 * Session statements: USE, SET / UNSET variables, ALTER SESSION, and transaction control.
 */
import { errors } from '../errors.ts';
import type {
  AlterSessionStatement,
  SetVariablesStatement,
  Statement,
  TransactionStatement,
  UnsetVariablesStatement,
  UseStatement,
} from '../statements/statement.ts';
import type { Cursor } from './cursor.ts';

/** Session parameters ALTER SESSION may set (Snowflake has many more; these change behaviour here). */
export const SESSION_PARAMETERS = [
  'TIMEZONE',
  'QUERY_TAG',
  'AUTOCOMMIT',
  'DATE_OUTPUT_FORMAT',
  'TIMESTAMP_OUTPUT_FORMAT',
  'TIMESTAMP_NTZ_OUTPUT_FORMAT',
  'TIMESTAMP_LTZ_OUTPUT_FORMAT',
  'TIMESTAMP_TZ_OUTPUT_FORMAT',
  'TIME_OUTPUT_FORMAT',
  'DATE_INPUT_FORMAT',
  'TIMESTAMP_INPUT_FORMAT',
  'TIME_INPUT_FORMAT',
  'TIMESTAMP_TYPE_MAPPING',
  'WEEK_START',
  'WEEK_OF_YEAR_POLICY',
  'ERROR_ON_NONDETERMINISTIC_MERGE',
  'ERROR_ON_NONDETERMINISTIC_UPDATE',
  'STATEMENT_TIMEOUT_IN_SECONDS',
  'USE_CACHED_RESULT',
  'BINARY_OUTPUT_FORMAT',
  'ROWS_PER_RESULTSET',
  'QUOTED_IDENTIFIERS_IGNORE_CASE',
  'LOCK_TIMEOUT',
  'JSON_INDENT',
  'MULTI_STATEMENT_COUNT',
  'TRANSACTION_DEFAULT_ISOLATION_LEVEL',
];

export function parseUse(c: Cursor): UseStatement {
  let target: UseStatement['target'] = 'SCHEMA';
  if (c.accept('DATABASE')) target = 'DATABASE';
  else if (c.accept('SCHEMA')) target = 'SCHEMA';
  else if (c.accept('ROLE')) target = 'ROLE';
  else if (c.accept('WAREHOUSE')) target = 'WAREHOUSE';
  else if (c.accept('SECONDARY', 'ROLES')) {
    const w = c.word();
    if (w !== 'ALL' && w !== 'NONE') throw errors.unsupported('USE SECONDARY ROLES with a role list');
    c.next();
    c.expectEnd();
    return { kind: 'use', target: 'SECONDARY ROLES', name: { name: w } };
  }
  const name = target === 'SCHEMA' ? c.objectName() : { name: c.identifier() };
  if (target === 'SCHEMA' && name.database !== undefined) throw c.unexpected();
  c.expectEnd();
  const resolved = target === 'SCHEMA' && name.schema !== undefined ? { database: name.schema, name: name.name } : name;
  return { kind: 'use', target, name: resolved };
}

export function parseSet(c: Cursor): SetVariablesStatement {
  if (c.acceptSymbol('L_PAREN')) {
    const names: string[] = [];
    do names.push(c.identifier());
    while (c.acceptSymbol('COMMA'));
    c.expectSymbol('R_PAREN');
    c.expectSymbol('EQ');
    c.expectSymbol('L_PAREN');
    if (c.atAny('SELECT', 'WITH')) {
      const start = c.offset();
      let depth = 1;
      let end = start;
      while (!c.atEnd()) {
        const t = c.next();
        if (t.type === 'L_PAREN') depth += 1;
        if (t.type === 'R_PAREN') {
          depth -= 1;
          if (depth === 0) break;
        }
        end = t.end;
      }
      c.expectEnd();
      return { kind: 'set_variables', names, values: [c.sql.slice(start, end)], fromQuery: true };
    }
    const values: string[] = [];
    do values.push(c.expressionText());
    while (c.acceptSymbol('COMMA'));
    c.expectSymbol('R_PAREN');
    c.expectEnd();
    if (values.length !== names.length) {
      throw errors.syntaxMessage(`Number of variables (${names.length}) does not match the number of values (${values.length}).`);
    }
    return { kind: 'set_variables', names, values, fromQuery: false };
  }
  const name = c.identifier();
  c.expectSymbol('EQ');
  const value = c.rest();
  return { kind: 'set_variables', names: [name], values: [value], fromQuery: false };
}

export function parseUnset(c: Cursor): UnsetVariablesStatement {
  const names: string[] = [];
  const parens = c.acceptSymbol('L_PAREN');
  do names.push(c.identifier());
  while (c.acceptSymbol('COMMA'));
  if (parens) c.expectSymbol('R_PAREN');
  c.expectEnd();
  return { kind: 'unset_variables', names };
}

export function parseAlterSession(c: Cursor): AlterSessionStatement {
  const stmt: AlterSessionStatement = { kind: 'alter_session', set: {}, unset: [] };
  if (c.accept('SET')) {
    do {
      const w = c.word();
      if (w === undefined) throw c.unexpected();
      if (!SESSION_PARAMETERS.includes(w)) throw errors.invalidValue(`invalid parameter '${w}'`);
      c.next();
      stmt.set[w] = c.propertyValue();
    } while (c.acceptSymbol('COMMA') || (c.word() !== undefined && SESSION_PARAMETERS.includes(c.word()!)));
  } else if (c.accept('UNSET')) {
    do {
      const w = c.word();
      if (w === undefined) throw c.unexpected();
      if (!SESSION_PARAMETERS.includes(w)) throw errors.invalidValue(`invalid parameter '${w}'`);
      c.next();
      stmt.unset.push(w);
    } while (c.acceptSymbol('COMMA'));
  } else {
    throw c.unexpected();
  }
  c.expectEnd();
  return stmt;
}

/** BEGIN [WORK|TRANSACTION] [NAME n], START TRANSACTION, COMMIT [WORK], ROLLBACK [WORK]. */
export function parseTransaction(c: Cursor, first: string): TransactionStatement {
  if (first === 'BEGIN' || first === 'START') {
    if (first === 'START') c.expect('TRANSACTION');
    else c.accept('WORK') || c.accept('TRANSACTION');
    if (c.accept('NAME')) c.identifier();
    c.expectEnd();
    return { kind: 'transaction', action: 'BEGIN' };
  }
  c.accept('WORK');
  c.expectEnd();
  return { kind: 'transaction', action: first === 'COMMIT' ? 'COMMIT' : 'ROLLBACK' };
}

export function isSessionStatement(s: Statement): boolean {
  return s.kind === 'use' || s.kind === 'set_variables' || s.kind === 'unset_variables' || s.kind === 'alter_session';
}

/**
 * Dynamic tables (semantics §3.1):
 *
 *   CREATE [OR REPLACE | OR ALTER] [TRANSIENT] DYNAMIC TABLE [IF NOT EXISTS] <name> [ ( <col> [<type>] [COMMENT '…'], … ) ]   -- a type casts the column
 *     TARGET_LAG = { '<n> { seconds | minutes | hours | days }' | DOWNSTREAM }
 *     WAREHOUSE = <wh> [ REFRESH_MODE = { AUTO | FULL | INCREMENTAL | ADAPTIVE } ] [ INITIALIZE = { ON_CREATE | ON_SCHEDULE } ]
 *     [ CLUSTER BY (…) ] [ IMMUTABLE WHERE ( <predicate> ) ] [ DATA_RETENTION_TIME_IN_DAYS = n ] [ MAX_DATA_EXTENSION_TIME_IN_DAYS = n ] [ COMMENT = '…' ]
 *   AS <query>
 *   CREATE [OR REPLACE] DYNAMIC TABLE <name> CLONE <source> [ { AT | BEFORE } ( … ) ] [ TARGET_LAG = … ] [ WAREHOUSE = … ]
 *   ALTER DYNAMIC TABLE [IF EXISTS] <name> [, <name> …] REFRESH
 *   ALTER DYNAMIC TABLE [IF EXISTS] <name> { SUSPEND | RESUME | SET TARGET_LAG = … | SET WAREHOUSE = … | SET COMMENT = …
 *     | SET IMMUTABLE WHERE ( <predicate> ) | UNSET IMMUTABLE WHERE }
 */
import { errors } from '../errors.ts';
import type { AlterDynamicTableStatement, CreateDynamicTableStatement } from '../statements/statement.ts';
import { parseDataType } from './columns.ts';
import { parseTimeTravel } from './create.ts';
import type { Cursor, ParsedValue } from './cursor.ts';

const OPTIONS = [
  'TARGET_LAG',
  'WAREHOUSE',
  'INITIALIZATION_WAREHOUSE',
  'REFRESH_MODE',
  'INITIALIZE',
  'DATA_RETENTION_TIME_IN_DAYS',
  'MAX_DATA_EXTENSION_TIME_IN_DAYS',
  'COMMENT',
  'SCHEDULER',
];

/** Words that start a column's policy or tag clause (unsupported until governance). */
const COLUMN_POLICY_WORDS = ['WITH', 'MASKING', 'PROJECTION', 'TAG'];

export function parseCreateDynamicTable(c: Cursor, head: { orReplace: boolean; orAlter?: boolean; transient: boolean; temporary: boolean }): CreateDynamicTableStatement {
  if (head.temporary) throw errors.syntaxMessage('A dynamic table cannot be TEMPORARY.');
  const ifNotExists = c.accept('IF', 'NOT', 'EXISTS');
  if (ifNotExists && head.orReplace) throw errors.syntaxMessage('OR REPLACE and IF NOT EXISTS are incompatible.');
  if (ifNotExists && head.orAlter) throw errors.syntaxMessage('OR ALTER and IF NOT EXISTS are incompatible.');
  const stmt: CreateDynamicTableStatement = {
    kind: 'create_dynamic_table',
    name: c.objectName(),
    orReplace: head.orReplace,
    orAlter: head.orAlter === true,
    ifNotExists,
    transient: head.transient,
    properties: {},
    query: '',
  };
  if (c.accept('CLONE')) {
    if (stmt.orAlter) throw errors.unsupported('CREATE OR ALTER DYNAMIC TABLE … CLONE');
    stmt.clone = { source: c.objectName(), at: parseTimeTravel(c) };
  }
  if (!stmt.clone && c.peek()?.type === 'L_PAREN') {
    c.next();
    stmt.columns = [];
    do {
      const name = c.identifier();
      // The type is optional; when given, the query's column is cast to it (as CREATE TABLE … AS).
      const noType = c.atAny('COMMENT', ...COLUMN_POLICY_WORDS) || c.peek()?.type === 'COMMA' || c.peek()?.type === 'R_PAREN';
      const type = noType ? undefined : parseDataType(c);
      let comment: string | undefined;
      if (c.atAny(...COLUMN_POLICY_WORDS)) {
        throw errors.unsupported('policies and tags on dynamic table columns (governance comes in a later release)');
      }
      if (c.accept('COMMENT')) comment = c.string();
      stmt.columns.push({ name, type, comment });
    } while (c.acceptSymbol('COMMA'));
    c.expectSymbol('R_PAREN');
  }
  for (;;) {
    const w = c.word();
    if (w !== undefined && OPTIONS.includes(w)) {
      c.next();
      c.acceptSymbol('EQ');
      stmt.properties[w] = c.value();
    } else if (c.accept('CLUSTER', 'BY')) {
      c.parenthesizedText();
    } else if (c.accept('IMMUTABLE', 'WHERE')) {
      stmt.properties.IMMUTABLE_WHERE = immutableWhere(c);
    } else if (c.accept('COPY', 'GRANTS')) {
      /* grants arrive with governance */
    } else if (c.at('WITH', 'TAG') || c.at('TAG') || c.at('WITH', 'ROW') || c.at('ROW', 'ACCESS')) {
      throw errors.unsupported('tags and policies on dynamic tables (governance comes in a later release)');
    } else break;
  }
  if (stmt.clone) {
    c.expectEnd();
    return stmt;
  }
  c.expect('AS');
  stmt.query = c.rest();
  if (!stmt.properties.TARGET_LAG) throw errors.syntaxMessage('A dynamic table needs TARGET_LAG.');
  // Accepted and unused locally, but required by Snowflake: a definition without it would not deploy.
  if (!stmt.properties.WAREHOUSE) throw errors.syntaxMessage('A dynamic table needs WAREHOUSE.');
  return stmt;
}

/** IMMUTABLE WHERE ( <predicate> ): the predicate's text, checked against the table's columns later. */
function immutableWhere(c: Cursor): ParsedValue {
  const text = c.parenthesizedText();
  if (text === '') throw c.unexpected();
  return { kind: 'string', text };
}

export function parseAlterDynamicTable(c: Cursor): AlterDynamicTableStatement {
  const ifExists = c.accept('IF', 'EXISTS');
  const names = [c.objectName()];
  while (c.acceptSymbol('COMMA')) names.push(c.objectName());
  let action: AlterDynamicTableStatement['action'];
  if (c.accept('REFRESH')) {
    c.accept('COPY', 'SESSION');
    action = { kind: 'refresh' };
  } else if (names.length > 1) {
    throw errors.syntaxMessage('Only REFRESH takes several dynamic tables.');
  } else if (c.accept('SUSPEND')) action = { kind: 'suspend' };
  else if (c.accept('RESUME')) action = { kind: 'resume' };
  else if (c.accept('SET')) {
    const props: Record<string, ParsedValue> = {};
    for (;;) {
      const w = c.word();
      if (w === 'REFRESH_MODE' || w === 'INITIALIZE') {
        throw errors.syntaxMessage(`${w} cannot be changed by ALTER DYNAMIC TABLE; use CREATE OR ALTER DYNAMIC TABLE (or CREATE OR REPLACE).`);
      }
      if (c.accept('IMMUTABLE', 'WHERE')) {
        props.IMMUTABLE_WHERE = immutableWhere(c);
        c.acceptSymbol('COMMA');
        continue;
      }
      if (w === undefined || !['TARGET_LAG', 'WAREHOUSE', 'COMMENT', 'DATA_RETENTION_TIME_IN_DAYS', 'MAX_DATA_EXTENSION_TIME_IN_DAYS', 'SCHEDULER'].includes(w)) break;
      c.next();
      c.acceptSymbol('EQ');
      props[w] = c.value();
      c.acceptSymbol('COMMA');
    }
    if (Object.keys(props).length === 0) throw c.unexpected();
    action = { kind: 'set', properties: props };
  } else if (c.accept('UNSET')) {
    const names2: string[] = [];
    do {
      if (c.accept('IMMUTABLE', 'WHERE')) {
        names2.push('IMMUTABLE_WHERE');
        continue;
      }
      const w = c.word();
      if (w === undefined) throw c.unexpected();
      names2.push(w);
      c.next();
    } while (c.acceptSymbol('COMMA'));
    action = { kind: 'unset', names: names2 };
  } else if (c.accept('RENAME', 'TO')) {
    action = { kind: 'rename', to: c.objectName() };
  } else throw c.unexpected();
  c.expectEnd();
  return { kind: 'alter_dynamic_table', names, ifExists, action };
}

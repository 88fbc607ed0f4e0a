/**
 * Stored procedures in Snowflake Scripting (LANGUAGE SQL):
 *
 *   CREATE [OR REPLACE] [SECURE] PROCEDURE [IF NOT EXISTS] <name> ( [<arg> <type> [DEFAULT <expr>], …] )
 *     RETURNS { <type> | TABLE ( [<col> <type>, …] ) } [NOT NULL]
 *     LANGUAGE SQL [{CALLED ON NULL INPUT | RETURNS NULL ON NULL INPUT | STRICT}]
 *     [VOLATILE | IMMUTABLE] [COMMENT = '…'] [EXECUTE AS {OWNER | CALLER | RESTRICTED CALLER}]
 *     AS { $$ <block> $$ | '<block>' | <block> }
 *   CALL <name> ( [<expr> | <arg> => <expr>, …] )
 *   DROP PROCEDURE [IF EXISTS] <name> ( [<type>, …] )
 */
import { errors } from '../errors.ts';
import type { CallStatement, CreateProcedureStatement, DropProcedureStatement, ProcedureArgument } from '../statements/statement.ts';
import { parseDataType } from './columns.ts';
import type { Cursor } from './cursor.ts';
import { readProperties } from './create.ts';

export function parseCreateProcedure(c: Cursor, head: { orReplace: boolean; secure: boolean }): CreateProcedureStatement {
  const ifNotExists = c.accept('IF', 'NOT', 'EXISTS');
  if (ifNotExists && head.orReplace) throw errors.syntaxMessage('OR REPLACE and IF NOT EXISTS are incompatible.');
  const name = c.objectName();
  c.expectSymbol('L_PAREN');
  const args: ProcedureArgument[] = [];
  if (!c.acceptSymbol('R_PAREN')) {
    do {
      const argName = c.identifier();
      const type = parseDataType(c);
      const defaultSql = c.accept('DEFAULT') ? c.expressionText() : undefined;
      args.push({ name: argName, type, defaultSql });
    } while (c.acceptSymbol('COMMA'));
    c.expectSymbol('R_PAREN');
  }
  c.expect('RETURNS');
  let returns: CreateProcedureStatement['returns'];
  if (c.at('TABLE') && c.peek(1)?.type === 'L_PAREN') {
    c.next();
    c.next();
    const columns: { name: string; type: ReturnType<typeof parseDataType> }[] = [];
    if (!c.acceptSymbol('R_PAREN')) {
      do columns.push({ name: c.identifier(), type: parseDataType(c) });
      while (c.acceptSymbol('COMMA'));
      c.expectSymbol('R_PAREN');
    }
    returns = { table: columns };
  } else {
    returns = { type: parseDataType(c) };
  }
  const stmt: CreateProcedureStatement = {
    kind: 'create_procedure',
    name,
    orReplace: head.orReplace,
    ifNotExists,
    secure: head.secure,
    args,
    returns,
    notNull: false,
    executeAs: 'OWNER',
    body: '',
    properties: {},
  };
  for (;;) {
    if (c.accept('NOT', 'NULL')) stmt.notNull = true;
    else if (c.accept('NULL')) stmt.notNull = false;
    else if (c.accept('LANGUAGE')) {
      const lang = c.word();
      c.next();
      if (lang !== 'SQL') throw errors.unsupported(`LANGUAGE ${lang ?? '?'} procedures (only Snowflake Scripting, LANGUAGE SQL)`);
    } else if (c.accept('CALLED', 'ON', 'NULL', 'INPUT') || c.accept('RETURNS', 'NULL', 'ON', 'NULL', 'INPUT') || c.accept('STRICT')) {
      /* null-input behaviour: Snowflake Scripting procedures are always called */
    } else if (c.accept('VOLATILE') || c.accept('IMMUTABLE')) {
      /* a hint only */
    } else if (c.accept('EXECUTE', 'AS')) {
      if (c.accept('OWNER')) stmt.executeAs = 'OWNER';
      else if (c.accept('CALLER')) stmt.executeAs = 'CALLER';
      else if (c.accept('RESTRICTED', 'CALLER')) stmt.executeAs = 'CALLER';
      else throw c.unexpected();
    } else if (c.at('COMMENT')) {
      readProperties(c, ['COMMENT'], stmt.properties);
    } else if (c.atAny('RUNTIME_VERSION', 'PACKAGES', 'HANDLER', 'IMPORTS', 'EXTERNAL_ACCESS_INTEGRATIONS', 'SECRETS')) {
      throw errors.unsupported(`${c.word()} (only LANGUAGE SQL procedures)`);
    } else break;
  }
  c.expect('AS');
  const t = c.peek();
  stmt.body = t?.type === 'STRING' || t?.type === 'DOLLAR_STRING' ? c.string() : c.rest();
  if (!c.atEnd()) c.expectEnd();
  return stmt;
}

export function parseCall(c: Cursor): CallStatement {
  const name = c.objectName();
  c.expectSymbol('L_PAREN');
  const args: { name?: string; sql: string }[] = [];
  if (!c.acceptSymbol('R_PAREN')) {
    do {
      let argName: string | undefined;
      if (c.peek(1)?.type === 'F_ARROW') {
        argName = c.identifier();
        c.next();
      }
      args.push({ name: argName, sql: c.expressionText() });
    } while (c.acceptSymbol('COMMA'));
    c.expectSymbol('R_PAREN');
  }
  if (c.accept('INTO')) throw errors.unsupported('CALL … INTO');
  c.expectEnd();
  return { kind: 'call', name, args };
}

/** `DROP PROCEDURE [IF EXISTS] name(types)` — after DROP PROCEDURE. */
export function parseDropProcedure(c: Cursor): DropProcedureStatement {
  const ifExists = c.accept('IF', 'EXISTS');
  const name = c.objectName();
  const argTypes = [];
  if (c.acceptSymbol('L_PAREN') && !c.acceptSymbol('R_PAREN')) {
    do argTypes.push(parseDataType(c));
    while (c.acceptSymbol('COMMA'));
    c.expectSymbol('R_PAREN');
  }
  c.expectEnd();
  return { kind: 'drop_procedure', name, ifExists, argTypes };
}

/**
 * Parses one statement: queries and DML with @polyglot-sql/sdk (Snowflake dialect), platform
 * statements with our own grammar. Either way the result is a typed Statement; syntax errors come
 * back in Snowflake's shape with line and position.
 */
import { extractStageReferences } from './stage-references.ts';
import { parse as polyglotParse, Dialect } from '@polyglot-sql/sdk';
import { errors } from '../errors.ts';
import { parseAlter } from '../grammar/alter.ts';
import { parseCreate } from '../grammar/create.ts';
import { Cursor, type VariableLookup } from '../grammar/cursor.ts';
import { parseComment, parseDescribe, parseDrop, parseShow, parseTruncate, parseUndrop } from '../grammar/objects.ts';
import { parseSet, parseTransaction, parseUnset, parseUse } from '../grammar/session.ts';
import { positionAt } from '../lex/tokens.ts';
import { parseScriptBlock } from '../grammar/scripting.ts';
import { parseCall } from '../grammar/procedures.ts';
import { parseCopy, parseGet, parseListOrRemove, parsePut } from '../grammar/loading.ts';
import { parseExecuteTask } from '../grammar/tasks.ts';
import { stripLeadingTrivia } from '../script/split-script.ts';
import type { AstNode, DmlOperation, Statement } from './statement.ts';

export interface ParsedStatement {
  statement: Statement;
  /** False when the parse depended on session variables (IDENTIFIER($v)); such parses are not cached. */
  cacheable: boolean;
}

const QUERY_ROOTS = new Set(['select', 'union', 'intersect', 'except', 'values', 'subquery', 'paren']);
const DML_ROOTS: Record<string, DmlOperation> = {
  insert: 'INSERT',
  update: 'UPDATE',
  delete: 'DELETE',
  merge: 'MERGE',
  multitable_inserts: 'INSERT_MULTI',
};

export function parseStatement(sql: string, variables?: VariableLookup): ParsedStatement {
  // Queries and DML go straight to polyglot; only platform statements need our tokenizer.
  const lead = leadingWord(sql);
  if (lead === '(' || ['SELECT', 'WITH', 'VALUES', 'INSERT', 'UPDATE', 'DELETE', 'MERGE'].includes(lead)) {
    return { statement: parseWithPolyglot(sql), cacheable: true };
  }
  const c = new Cursor(sql, variables);
  const first = c.word();
  if (first === undefined) {
    if (c.peek()?.type === 'L_PAREN') return { statement: parseWithPolyglot(sql), cacheable: true };
    throw c.unexpected();
  }
  // Snowflake Scripting: DECLARE … / BEGIN <statement> … (BEGIN; and BEGIN TRANSACTION are TCL).
  if (first === 'DECLARE' || (first === 'BEGIN' && c.peek(1) && c.peek(1)!.type !== 'SEMICOLON' && !['TRANSACTION', 'WORK', 'NAME'].includes(c.word(1) ?? ''))) {
    return { statement: { kind: 'script', block: parseScriptBlock(sql) }, cacheable: true };
  }
  if (first === 'EXECUTE' && c.word(1) === 'TASK') {
    c.next();
    c.next();
    return { statement: parseExecuteTask(c), cacheable: true };
  }
  if (first === 'EXECUTE' && c.word(1) === 'IMMEDIATE') {
    c.next();
    c.next();
    return { statement: parseExecuteImmediate(c), cacheable: true };
  }
  const grammar = platformParser(first);
  if (grammar) {
    c.next();
    const statement = grammar(c, first);
    return { statement, cacheable: !c.usedVariables };
  }
  if (['SELECT', 'WITH', 'VALUES', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'FROM'].includes(first)) {
    return { statement: parseWithPolyglot(sql), cacheable: true };
  }
  if (first === 'EXPLAIN') throw errors.unsupported('EXPLAIN');
  if (first === 'CALL') {
    c.next();
    return { statement: parseCall(c), cacheable: true };
  }
  if (first === 'LET') throw errors.syntaxMessage('LET is only allowed inside a Snowflake Scripting block (BEGIN … END).');
  if (['GRANT', 'REVOKE'].includes(first)) {
    throw errors.unsupported(`${first}`);
  }
  throw c.unexpected();
}

function parseExecuteImmediate(c: Cursor): Statement {
  const t = c.peek();
  let out: Statement;
  if (t?.type === 'STRING' || t?.type === 'DOLLAR_STRING') {
    out = { kind: 'execute_immediate', text: c.string() };
  } else if (t?.type === 'COLON' || t?.type === 'DOLLAR') {
    c.next();
    out = { kind: 'execute_immediate', variable: { name: c.identifier(), session: t.type === 'DOLLAR' } };
  } else {
    throw c.unexpected();
  }
  if (c.at('USING')) throw errors.unsupported('EXECUTE IMMEDIATE … USING');
  c.expectEnd();
  return out;
}

/** The statement's first keyword (upper case), or `(`, skipping whitespace and comments. */
function leadingWord(sql: string): string {
  const i = stripLeadingTrivia(sql, 0);
  if (sql[i] === '(') return '(';
  let j = i;
  while (j < sql.length && /[A-Za-z_]/.test(sql[j])) j += 1;
  return sql.slice(i, j).toUpperCase();
}

type GrammarFn = (c: Cursor, first: string) => Statement;

function platformParser(first: string): GrammarFn | undefined {
  switch (first) {
    case 'CREATE':
      return parseCreate;
    case 'ALTER':
      return parseAlter;
    case 'DROP':
      return parseDrop;
    case 'UNDROP':
      return parseUndrop;
    case 'USE':
      return parseUse;
    case 'SHOW':
      return parseShow;
    case 'DESC':
    case 'DESCRIBE':
      return parseDescribe;
    case 'SET':
      return parseSet;
    case 'UNSET':
      return parseUnset;
    case 'BEGIN':
    case 'START':
    case 'COMMIT':
    case 'ROLLBACK':
      return parseTransaction;
    case 'TRUNCATE':
      return parseTruncate;
    case 'COMMENT':
      return parseComment;
    case 'PUT':
      return parsePut;
    case 'GET':
      return parseGet;
    case 'LIST':
    case 'LS':
    case 'REMOVE':
    case 'RM':
      return parseListOrRemove;
    case 'COPY':
      return parseCopy;
    default:
      return undefined;
  }
}

/** Parses SQL that polyglot models (queries, DML) and checks the root is of the expected family. */
export function parseWithPolyglot(sql: string): Statement {
  const { sql: text, refs } = extractStageReferences(sql);
  const ast = parsePolyglotAst(text);
  const root = Object.keys(ast)[0];
  const stageRefs = refs.length > 0 ? { stageRefs: refs } : {};
  if (QUERY_ROOTS.has(root)) return { kind: 'query', ast, ...stageRefs };
  const op = DML_ROOTS[root];
  if (op) return { kind: 'dml', op, ast, ...stageRefs };
  throw errors.unsupported(`statement kind ${root}`);
}

/** Parses exactly one statement with polyglot, mapping its errors to Snowflake syntax errors. */
export function parsePolyglotAst(sql: string): AstNode {
  const r = polyglotParse(sql, Dialect.Snowflake);
  if (!r.success || !r.ast) {
    const offset = r.errorStart ?? sql.length;
    const p = positionAt(sql, offset);
    const near = offset >= sql.length ? '<EOF>' : sql.slice(offset, Math.max(offset + 1, r.errorEnd ?? offset + 1));
    throw errors.syntax(p.line, p.column, near);
  }
  const asts = r.ast as unknown as AstNode[];
  if (asts.length !== 1) throw errors.syntaxMessage('Expected exactly one statement.');
  return asts[0];
}

/** Parses a standalone expression (a column default, a SET value) as `SELECT <expr>`. */
export function parseExpressionAst(exprSql: string): AstNode {
  const ast = parsePolyglotAst(`SELECT ${exprSql}`);
  const select = ast.select as { expressions: AstNode[]; from?: unknown } | undefined;
  if (!select || select.expressions.length !== 1 || select.from) throw errors.syntaxMessage(`invalid expression '${exprSql}'`);
  return select.expressions[0];
}

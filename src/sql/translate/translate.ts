/**
 * Snowflake → DuckDB translation of queries, DML and standalone expressions. The pipeline is a fixed
 * sequence of passes over polyglot's syntax tree: fold identifier case, normalise function calls,
 * then translate with scopes (relations, types, functions, VARIANT), and print with polyglot's DuckDB
 * generator. Nothing here touches the database; the engine supplies a TranslateContext.
 */
import { generate, Dialect } from '@polyglot-sql/sdk';
import { errors } from '../errors.ts';
import { parseExpressionAst } from '../statements/parse-statement.ts';
import type { AstNode, DmlStatement, QueryStatement } from '../statements/statement.ts';
import type { SfType } from '../types/snowflake-types.ts';
import type { ResolvedRelation, TranslateContext, TranslationInfo } from './context.ts';
import { DmlTranslator, type MergeKinds } from './dml.ts';
import { foldIdentifiers } from './fold-identifiers.ts';
import { normalizeFunctions } from './normalize-functions.ts';
import { QueryTranslator } from './queries.ts';
import { mk } from './ast.ts';
import { Scope, type ScopeColumn } from './scope.ts';
import { selectItemTexts } from './select-items.ts';

export interface TranslatedQuery {
  sql: string;
  columns: ScopeColumn[];
  info: TranslationInfo;
}

export interface TranslatedDmlStatement {
  sql: string;
  op: DmlStatement['op'];
  target: ResolvedRelation;
  overwrite: boolean;
  mergeKinds?: MergeKinds;
  info: TranslationInfo;
}

function prepare(ast: AstNode): AstNode {
  return normalizeFunctions(foldIdentifiers(ast));
}

/** Prints a translated tree as DuckDB SQL. A failure here is a translator bug, not a user error. */
export function printDuckDb(ast: AstNode): string {
  const r = generate([ast], Dialect.DuckDB);
  if (!r.success || !r.sql || r.sql.length !== 1) {
    throw new Error(`could not print translated SQL: ${r.error ?? 'no output'}`);
  }
  return r.sql[0];
}

export function newInfo(): TranslationInfo {
  return { volatile: false, reads: [], waitSeconds: 0 };
}

export function translateQuery(stmt: QueryStatement, sourceSql: string, ctx: TranslateContext): TranslatedQuery {
  const info = newInfo();
  const q = new QueryTranslator(ctx, info);
  let texts: (string | undefined)[] | undefined | null = null;
  const itemTexts = () => (texts === null ? (texts = selectItemTexts(sourceSql)) : texts);
  const result = q.query(prepare(stmt.ast), undefined, { itemTexts });
  return { sql: printDuckDb(result.node), columns: result.columns, info };
}

export function translateDml(
  stmt: DmlStatement,
  ctx: TranslateContext,
  resolveTarget: (parts: string[]) => ResolvedRelation,
): TranslatedDmlStatement {
  if (stmt.op === 'INSERT_MULTI') throw errors.unsupported('INSERT ALL / INSERT FIRST (multi-table insert arrives with versioned tables)');
  const info = newInfo();
  const q = new QueryTranslator(ctx, info);
  const dml = new DmlTranslator(q, resolveTarget).translate(prepare(stmt.ast));
  return { sql: printDuckDb(dml.node), op: stmt.op, target: dml.target, overwrite: dml.overwrite, mergeKinds: dml.mergeKinds, info };
}

export interface TranslatedExpression {
  sql: string;
  type: SfType | undefined;
  info: TranslationInfo;
}

/** A standalone expression (column DEFAULT, SET value) with no FROM scope. */
export function translateExpression(exprSql: string, ctx: TranslateContext): TranslatedExpression {
  const info = newInfo();
  const q = new QueryTranslator(ctx, info);
  const ast = prepare(parseExpressionAst(exprSql));
  const t = q.exprs.expr(ast, new Scope());
  const sql = printDuckDb(mk.select([t.node]));
  // Strip the `SELECT ` the printer added: the caller embeds the expression (e.g. as a DEFAULT).
  if (!sql.startsWith('SELECT ')) throw new Error(`unexpected printed expression: ${sql}`);
  return { sql: sql.slice('SELECT '.length), type: t.type, info };
}

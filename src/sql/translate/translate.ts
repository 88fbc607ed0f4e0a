/**
 * Snowflake → DuckDB translation of queries, DML and standalone expressions. The pipeline is a fixed
 * sequence of passes over polyglot's syntax tree: fold identifier case, normalise function calls,
 * then translate with scopes (relations, types, functions, VARIANT), and print with polyglot's DuckDB
 * generator. Nothing here touches the database; the engine supplies a TranslateContext.
 */
import { parseExpressionAst } from '../statements/parse-statement.ts';
import { stageReferenceName } from '../statements/stage-references.ts';
import { errors } from '../errors.ts';
import type { AstNode, DmlStatement, QueryStatement } from '../statements/statement.ts';
import type { SfType } from '../types/snowflake-types.ts';
import type { DmlTarget, StagedFilesRef, TimeTravelPoint, TranslateContext, TranslationInfo } from './context.ts';
import type { TimeTravelClause } from '../statements/statement.ts';
import { DmlTranslator, type MergeKinds } from './dml.ts';
import { printDuckDb } from './print.ts';
import { prepareAst } from './prepare.ts';
import { QueryTranslator } from './queries.ts';
import { dataOf, mk, withData } from './ast.ts';
import { Scope, type ScopeColumn } from './scope.ts';
import { selectItemTexts } from './select-items.ts';

export interface TranslatedQuery {
  sql: string;
  columns: ScopeColumn[];
  info: TranslationInfo;
}

/** DML as a plan over versioned tables, with every query printed as DuckDB SQL. */
export type TranslatedDmlStatement = (
  | { kind: 'insert'; target: DmlTarget; columns: string[]; sourceSql: string; overwrite: boolean }
  | { kind: 'change'; op: 'UPDATE' | 'DELETE' | 'MERGE'; target: DmlTarget; changesSql: string; mergeKinds?: MergeKinds; countsJoins?: boolean }
  | {
      kind: 'multi_insert';
      sourceSql: string;
      sourceColumns: string[];
      overwrite: boolean;
      branches: { target: DmlTarget; columns: string[]; selectSql: string }[];
    }
) & { info: TranslationInfo };


export { printDuckDb };

export function newInfo(): TranslationInfo {
  return { volatile: false, reads: [], waitSeconds: 0, streams: [], streamChecks: [], actions: [] };
}

/**
 * The context with a statement's stage locations (stage-references.ts): their placeholder names
 * resolve to the files' rows, which the engine reads; such a statement is never cached.
 */
function withStageRefs(ctx: TranslateContext, refs: StagedFilesRef[] | undefined, info: TranslationInfo): TranslateContext {
  if (!refs) return ctx;
  info.volatile = true;
  const byName = new Map(refs.map((r, n) => [stageReferenceName(n), r]));
  return {
    ...ctx,
    resolveRelation: (parts, position) => {
      const ref = parts.length === 1 ? byName.get(parts[0]) : undefined;
      if (!ref) return ctx.resolveRelation(parts, position);
      if (!ctx.stagedFiles) throw errors.unsupported(`reading staged files (${ref.location}) here`);
      return ctx.stagedFiles(ref);
    },
  };
}

/**
 * `tryItems`: each top-level select item is wrapped in DuckDB's TRY(…), so a row whose value fails
 * gives NULL instead of failing the query (COPY transformations find their bad rows this way).
 */
export function translateQuery(stmt: QueryStatement, sourceSql: string, ctx: TranslateContext, options: { tryItems?: boolean } = {}): TranslatedQuery {
  const info = newInfo();
  const q = new QueryTranslator(withStageRefs(ctx, stmt.stageRefs, info), info);
  let texts: (string | undefined)[] | undefined | null = null;
  const itemTexts = () => (texts === null ? (texts = selectItemTexts(sourceSql)) : texts);
  const result = q.query(prepareAst(stmt.ast), undefined, { itemTexts });
  const node = options.tryItems ? tryEachItem(result.node) : result.node;
  return { sql: printDuckDb(node), columns: result.columns, info };
}

function tryEachItem(query: AstNode): AstNode {
  const select = dataOf<{ expressions: AstNode[] }>(query, 'select');
  if (!select) throw errors.unsupported('TRY over a query that is not a single SELECT');
  const expressions = select.expressions.map((e) => {
    const alias = dataOf<{ this: AstNode }>(e, 'alias');
    return alias ? withData(e, { this: mk.fn('TRY', [alias.this]) }) : mk.fn('TRY', [e]);
  });
  return withData(query, { expressions });
}

/**
 * A query tree that is already prepared (identifiers folded, calls normalised) — the planner's
 * generated queries. Unaliased expressions keep DuckDB's names: callers address columns by position.
 */
export function translatePreparedQuery(ast: AstNode, ctx: TranslateContext): TranslatedQuery {
  const info = newInfo();
  const result = new QueryTranslator(ctx, info).query(ast);
  return { sql: printDuckDb(result.node), columns: result.columns, info };
}

/** INSERT, UPDATE, DELETE, MERGE and multi-table INSERT as plans the engine applies. */
export function translateDml(stmt: DmlStatement, ctx: TranslateContext): TranslatedDmlStatement {
  const info = newInfo();
  const q = new QueryTranslator(withStageRefs(ctx, stmt.stageRefs, info), info);
  const plan = new DmlTranslator(q, (parts) => ctx.resolveTarget(parts, stmt.op)).translate(prepareAst(stmt.ast));
  switch (plan.kind) {
    case 'insert':
      return { kind: 'insert', target: plan.target, columns: plan.columns, sourceSql: printDuckDb(plan.source), overwrite: plan.overwrite, info };
    case 'change':
      return { kind: 'change', op: plan.op, target: plan.target, changesSql: printDuckDb(plan.changes), mergeKinds: plan.mergeKinds, countsJoins: plan.countsJoins, info };
    case 'multi_insert':
      return {
        kind: 'multi_insert',
        sourceSql: printDuckDb(plan.source),
        sourceColumns: plan.sourceColumns,
        overwrite: plan.overwrite,
        branches: plan.branches.map((b) => ({ target: b.target, columns: b.columns, selectSql: printDuckDb(b.select) })),
        info,
      };
  }
}

export interface TranslatedExpression {
  sql: string;
  type: SfType | undefined;
  info: TranslationInfo;
}

/**
 * A standalone expression (column DEFAULT, SET value): with no FROM scope, or over `columns` (a row's
 * columns, referenced unqualified). `rewrite` sees the prepared syntax tree first.
 */
export function translateExpression(
  exprSql: string,
  ctx: TranslateContext,
  options: { columns?: { name: string; type: SfType | undefined }[]; rewrite?: (ast: AstNode) => AstNode } = {},
): TranslatedExpression {
  const info = newInfo();
  const q = new QueryTranslator(ctx, info);
  const prepared = prepareAst(parseExpressionAst(exprSql));
  const ast = options.rewrite ? options.rewrite(prepared) : prepared;
  const scope = new Scope();
  if (options.columns) scope.add({ alias: '', columns: options.columns });
  const t = q.exprs.expr(ast, scope);
  const sql = printDuckDb(mk.select([t.node]));
  // Strip the `SELECT ` the printer added: the caller embeds the expression (e.g. as a DEFAULT).
  if (!sql.startsWith('SELECT ')) throw new Error(`unexpected printed expression: ${sql}`);
  return { sql: sql.slice('SELECT '.length), type: t.type, info };
}

/** The AT | BEFORE clause of CREATE … CLONE as a point the engine evaluates. */
export function translateHistoryPoint(clause: TimeTravelClause, ctx: TranslateContext): TimeTravelPoint {
  const q = new QueryTranslator(ctx, newInfo());
  const expression = prepareAst(parseExpressionAst(clause.valueSql));
  return q.historyPoint({ this: { identifier: { name: clause.mode } }, kind: clause.by, expression });
}

/**
 * A dynamic table's IMMUTABLE WHERE predicate, translated for the rows it is checked on: the table's
 * own columns, unqualified, each row alone (no subquery, aggregate or window function), BOOLEAN.
 * CURRENT_TIMESTAMP and friends read the refresh's instant (time-filters.ts), so `time` says whether
 * that instant must be set.
 */
import { errors } from '../errors.ts';
import type { SfType } from '../types/snowflake-types.ts';
import { kindOf, walk, type AstNode } from '../translate/ast.ts';
import type { TranslateContext } from '../translate/context.ts';
import { translateExpression } from '../translate/translate.ts';
import { resolveTimes, usesTime } from './time-filters.ts';

const NOT_ROW_LOCAL = new Set(['subquery', 'select', 'exists', 'window_function', 'aggregate_function']);

export function immutablePredicate(text: string, columns: { name: string; type: SfType | undefined }[], ctx: TranslateContext, table: string): { sql: string; time: boolean } {
  const names = new Set(columns.map((c) => c.name));
  let time = false;
  const rewrite = (ast: AstNode): AstNode => {
    walk(ast, (n) => {
      const kind = kindOf(n) ?? '';
      if (NOT_ROW_LOCAL.has(kind)) {
        throw errors.invalidOperation(`IMMUTABLE WHERE of dynamic table '${table}' must be a condition on each row's own columns (no subquery, aggregate or window function).`);
      }
      if (kind !== 'column') return;
      const col = n.column as { name: { name: string }; table: unknown };
      if (col.table) throw errors.invalidOperation(`IMMUTABLE WHERE of dynamic table '${table}' names its columns unqualified.`);
      if (!names.has(col.name.name)) throw errors.invalidIdentifier(col.name.name);
    });
    time = usesTime(ast);
    return resolveTimes(ast);
  };
  const t = translateExpression(text, ctx, { columns, rewrite });
  if (t.type !== undefined && t.type.kind !== 'BOOLEAN') {
    throw errors.invalidOperation(`IMMUTABLE WHERE of dynamic table '${table}' must be a BOOLEAN condition, not ${t.type.kind}.`);
  }
  return { sql: t.sql, time };
}

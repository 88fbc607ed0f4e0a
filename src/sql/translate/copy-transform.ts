/**
 * The shape of a COPY transformation's query (semantics §6.5): one SELECT over one stage location,
 * row for row — no WHERE, GROUP BY, ORDER BY, LIMIT, DISTINCT or joins, as in Snowflake. Because
 * each staged row gives exactly one output row, the engine can evaluate any part of a file on its
 * own and attribute a failure to the row that caused it; the extra column added here (the staged
 * row's number) is what ties each output row back to its input.
 */
import { errors } from '../errors.ts';
import type { QueryStatement } from '../statements/statement.ts';
import { dataOf, mk, node } from './ast.ts';

type Data = Record<string, unknown>;

const NOT_ALLOWED: [key: string, what: string][] = [
  ['where_clause', 'WHERE'],
  ['group_by', 'GROUP BY'],
  ['having', 'HAVING'],
  ['qualify', 'QUALIFY'],
  ['order_by', 'ORDER BY'],
  ['limit', 'LIMIT'],
  ['offset', 'OFFSET'],
  ['fetch', 'FETCH'],
  ['top', 'TOP'],
  ['distinct', 'DISTINCT'],
  ['distinct_on', 'DISTINCT ON'],
  ['with', 'WITH'],
  ['sample', 'SAMPLE'],
  ['connect', 'CONNECT BY'],
  ['windows', 'WINDOW'],
];

/** The transformation's query with `rowColumn` appended to its select list; checks its shape. */
export function copyTransformQuery(q: QueryStatement, rowColumn: string): QueryStatement {
  const select = dataOf<Data>(q.ast, 'select');
  const simple = () => errors.syntaxMessage('COPY statement only supports simple SELECT from stage statements for import.');
  if (!select) throw simple();
  for (const [key, what] of NOT_ALLOWED) {
    const v = select[key];
    if (v !== null && v !== undefined && v !== false) throw errors.syntaxMessage(`COPY statement only supports simple SELECT from stage statements for import (${what} is not allowed).`);
  }
  const from = (select.from as Data | null)?.expressions as unknown[] | undefined;
  const joins = (select.joins as unknown[] | undefined) ?? [];
  const laterals = (select.lateral_views as unknown[] | undefined) ?? [];
  if (!from || from.length !== 1 || joins.length > 0 || laterals.length > 0) throw simple();
  const expressions = [...((select.expressions as unknown[]) ?? []), mk.column(rowColumn)];
  return { ...q, ast: node('select', { ...select, expressions }) };
}

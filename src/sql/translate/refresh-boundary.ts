/**
 * DYNAMIC_TABLE_REFRESH_BOUNDARY(<object>) in FROM: reads a table, view, dynamic table or CTE as it
 * is, outside the reading dynamic table's pipeline (no coordinated refresh, snapshot or failure
 * propagation across it). As a relation it is just the object, so both the query translator and the
 * dynamic-table binder turn it into the FROM table node it names; the binder also remembers that the
 * inputs behind it sit across a boundary.
 */
import { errors } from '../errors.ts';
import type { AstNode } from '../statements/statement.ts';
import { dataOf, ident, identValue, node, type Ident } from './ast.ts';

type Data = Record<string, unknown>;

export const REFRESH_BOUNDARY = 'DYNAMIC_TABLE_REFRESH_BOUNDARY';

/** The name parts of the boundary's one argument: `v`, `s.v` or `db.s.v`. */
export function boundaryObjectParts(args: AstNode[]): string[] {
  const parts = args.length === 1 ? nameParts(args[0]) : undefined;
  if (!parts || parts.length === 0 || parts.length > 3) {
    throw errors.syntaxMessage(`${REFRESH_BOUNDARY} takes one argument: the name of a table, view, dynamic table or common table expression.`);
  }
  return parts;
}

function nameParts(n: AstNode): string[] | undefined {
  const id = dataOf<Ident>(n, 'identifier');
  if (id) return [identValue(id) ?? ''];
  const col = dataOf<Data>(n, 'column');
  if (col) return [col.catalog, col.schema, col.table, col.name].map((p) => identValue(p as Ident | null)).filter((p): p is string => p !== undefined);
  const dot = dataOf<Data>(n, 'dot');
  if (dot) {
    const head = nameParts(dot.this as AstNode);
    const field = identValue(dot.field as Ident | null);
    return head && field !== undefined ? [...head, field] : undefined;
  }
  return undefined;
}

/** A FROM table node for resolved name parts (`[db, schema, name]`, shorter when unqualified). */
export function tableNode(parts: string[], alias: string | undefined, columnAliases: Ident[]): AstNode {
  const [name, schema, catalog] = [...parts].reverse();
  return node('table', {
    name: ident(name),
    schema: schema === undefined ? null : ident(schema),
    catalog: catalog === undefined ? null : ident(catalog),
    alias: alias === undefined ? null : ident(alias),
    alias_explicit_as: alias !== undefined,
    column_aliases: columnAliases,
    trailing_comments: [],
    when: null,
    only: false,
    final_: false,
    hints: [],
  });
}

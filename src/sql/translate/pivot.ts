/**
 * PIVOT and UNPIVOT in FROM, rewritten into the derived tables they stand for, before translation
 * and before a dynamic table's definition is bound (so both see plain SELECTs: the translator
 * resolves and types them as any subquery, and the dynamic-table planner can refresh them
 * incrementally as the GROUP BY or join they are).
 *
 * Snowflake's PIVOT (static value list):
 *   src PIVOT (agg(p) [AS a] FOR v IN (x1 [AS n1], …) [DEFAULT ON NULL (d)]) [AS alias [(cols)]]
 * groups by every column of `src` except `v` and `p`, with one column per value: agg over the rows
 * whose `v` is that value. The column is named after the value as written — `'JAN'` for a string,
 * `1` for a number — or its alias, with `_A` appended when the aggregate has an alias. Written as
 *   SELECT * EXCLUDE (v, p), [coalesce(]agg(CASE WHEN v = x1 THEN p END)[, d)] AS "'x1'", …
 *   FROM src GROUP BY ALL
 * which needs no knowledge of `src`'s columns (the star and GROUP BY ALL expand them).
 *
 * Snowflake's UNPIVOT:
 *   src UNPIVOT [INCLUDE NULLS | EXCLUDE NULLS] (val FOR name IN (c1 [AS a1], …)) [AS alias]
 * gives, for each row of `src` and each listed column, the other columns, the column's name (or alias)
 * and its value; rows whose value is NULL are left out unless INCLUDE NULLS. Written as
 *   SELECT * FROM (SELECT * EXCLUDE (c1, …, _n), _n AS name, CASE _n WHEN 'C1' THEN c1 … END AS val
 *                  FROM src, (VALUES ('C1'), …) AS _u(_n)) WHERE val IS NOT NULL
 *
 * Dynamic pivots (IN (ANY …) or IN (subquery)) decide their columns from the data and are not
 * supported. Identifiers are already folded (fold-identifiers.ts) when this runs.
 */
import { errors } from '../errors.ts';
import { dataOf, ident, identValue, kindOf, mapTree, mk, node, numberLiteralText, stringLiteral, walk, withData, type AstNode, type Ident } from './ast.ts';

type Data = Record<string, unknown>;

/** The UNPIVOT name column's helper, kept out of the result by EXCLUDE. */
const UNPIVOT_NAME = '_BACKLOT_UNPIVOT_NAME';

export function rewritePivots(ast: AstNode): AstNode {
  return mapTree(ast, (n) => {
    const p = dataOf<Data>(n, 'pivot');
    if (p) return p.unpivot ? unsupportedShape() : pivotTable(p);
    const u = dataOf<Data>(n, 'unpivot');
    if (u) return unpivotTable(u);
    return n;
  }) as AstNode;
}

function unsupportedShape(): never {
  throw errors.unsupported('this PIVOT form');
}

function pivotTable(p: Data): AstNode {
  const aggregates = (p.expressions as AstNode[]) ?? [];
  const fields = (p.fields as AstNode[]) ?? [];
  if (aggregates.length !== 1) throw errors.unsupported('PIVOT with more than one aggregate function');
  if (fields.length !== 1 || !dataOf(fields[0], 'in')) throw errors.unsupported('PIVOT over more than one value column');
  if (((p.using as unknown[]) ?? []).length > 0 || p.group || p.into) unsupportedShape();
  const inList = dataOf<Data>(fields[0], 'in')!;
  const valueColumn = inList.this as AstNode;
  const values = (inList.expressions as AstNode[]) ?? [];
  if (inList.query || values.some((v) => ['pivot_any', 'subquery', 'select'].includes(kindOf(v) ?? ''))) {
    throw errors.unsupported('dynamic PIVOT (IN (ANY …) or IN (subquery)); list the pivot values');
  }
  if (values.length === 0) unsupportedShape();

  const aggAlias = dataOf<Data>(aggregates[0], 'alias');
  const aggregate = aggAlias ? (aggAlias.this as AstNode) : aggregates[0];
  const suffix = aggAlias ? `_${identValue(aggAlias.alias as Ident)}` : '';
  const pivoted = aggregateArgument(aggregate);
  const defaultValue = p.default_on_null as AstNode | null;

  const items = values.map((entry) => {
    const alias = dataOf<Data>(entry, 'pivot_alias');
    const value = alias ? (alias.this as AstNode) : entry;
    const name = alias ? aliasName(alias.alias as AstNode) : valueName(value);
    const matches = kindOf(value) === 'null' ? mk.isNull(valueColumn) : mk.binary('eq', valueColumn, value);
    let cell = withAggregateArgument(aggregate, mk.caseWhen([[matches, pivoted]]));
    if (defaultValue) cell = node('coalesce', { expressions: [cell, defaultValue] });
    return mk.alias(cell, `${name}${suffix}`);
  });

  // Every column the pivot consumes leaves the grouping: the value column and the aggregated ones.
  const consumed = new Set<string>([...columnNames(valueColumn), ...columnNames(pivoted)]);
  const select = mk.select([star([...consumed]), ...items], [named(p.this as AstNode)]);
  const grouped = withData(select, { group_by: { expressions: [], all: true, totals: false } });
  return derivedTable(grouped, (p.alias as Ident | null) ?? sourceName(p.this as AstNode), (p.alias_columns as Ident[]) ?? []);
}

function unpivotTable(u: Data): AstNode {
  const valueName = identValue(u.value_column as Ident) ?? '';
  const nameName = identValue(u.name_column as Ident) ?? '';
  const columns = ((u.columns as AstNode[]) ?? []).map((c) => {
    const alias = dataOf<Data>(c, 'pivot_alias');
    const column = alias ? (alias.this as AstNode) : c;
    const name = columnName(column);
    if (name === undefined) throw errors.unsupported('UNPIVOT of an expression (list columns)');
    return { column, name, label: alias ? aliasName(alias.alias as AstNode) : name };
  });
  if (columns.length === 0) unsupportedShape();

  const helper = mk.column(UNPIVOT_NAME, '_BACKLOT_UNPIVOT');
  const labels = node('subquery', {
    this: node('values', { expressions: columns.map((c) => ({ expressions: [mk.string(c.label)] })), alias: null, column_aliases: [] }),
    ...subqueryFields(ident('_BACKLOT_UNPIVOT'), [ident(UNPIVOT_NAME)]),
  });
  const value = node('case', { operand: helper, whens: columns.map((c) => [mk.string(c.label), c.column]), else_: null });
  const rows = mk.select([star([...columns.map((c) => c.name), UNPIVOT_NAME]), mk.alias(helper, nameName), mk.alias(value, valueName)], [named(u.this as AstNode), labels]);
  const alias = (u.alias as Ident | null) ?? sourceName(u.this as AstNode);
  if (u.include_nulls === true) return derivedTable(rows, alias, []);
  const kept = withData(mk.select([star([])], [derivedTable(rows, ident('_BACKLOT_UNPIVOTED'), [])]), {
    where_clause: { this: mk.isNull(mk.column(valueName), true) },
  });
  return derivedTable(kept, alias, []);
}

/**
 * The name the rewritten table goes by when the query gives it none: its source table's (so
 * `sales.empid` still names a column of `sales PIVOT (…)`), or a name of Backlot's.
 */
function sourceName(source: AstNode): Ident {
  const t = dataOf<Data>(source, 'table');
  return t ? ((t.alias as Ident | null) ?? (t.name as Ident)) : ident('_BACKLOT_PIVOTED');
}

/** The source, named when it is a derived table without a name (dynamic tables need one). */
function named(source: AstNode): AstNode {
  const d = dataOf<Data>(source, 'subquery');
  return d && !d.alias ? withData(source, { alias: ident('_BACKLOT_PIVOT_SOURCE'), alias_explicit_as: true }) : source;
}

/** The expression an aggregate call aggregates (its first argument). */
function aggregateArgument(agg: AstNode): AstNode {
  const kind = kindOf(agg);
  const d = (kind ? agg[kind] : undefined) as Data | undefined;
  const arg = d && 'this' in d ? (d.this as AstNode | null) : Array.isArray(d?.args) ? (d!.args as AstNode[])[0] : undefined;
  if (!arg || kindOf(arg) === 'star') throw errors.unsupported('PIVOT aggregate without a column to aggregate');
  return arg;
}

function withAggregateArgument(agg: AstNode, arg: AstNode): AstNode {
  const d = agg[kindOf(agg)!] as Data;
  if ('this' in d) return withData(agg, { this: arg });
  return withData(agg, { args: [arg, ...(d.args as AstNode[]).slice(1)] });
}

/** A pivot column's name: the value as Snowflake writes it (strings in quotes). */
function valueName(value: AstNode): string {
  const s = stringLiteral(value);
  if (s !== undefined) return `'${s}'`;
  const n = numberLiteralText(value);
  if (n !== undefined) return n;
  if (kindOf(value) === 'null') return 'NULL';
  const b = dataOf<{ value: boolean }>(value, 'boolean');
  if (b) return b.value ? 'TRUE' : 'FALSE';
  throw errors.unsupported('a PIVOT value that is not a literal (give it an alias)');
}

function aliasName(alias: AstNode): string {
  const name = columnName(alias) ?? stringLiteral(alias);
  if (name === undefined) unsupportedShape();
  return name;
}

function columnName(n: AstNode): string | undefined {
  const c = dataOf<Data>(n, 'column');
  return c ? identValue(c.name as Ident) : undefined;
}

function columnNames(n: AstNode): string[] {
  const out: string[] = [];
  walk(n, (x) => {
    const name = columnName(x);
    if (name !== undefined) out.push(name);
  });
  return out;
}

function star(except: string[]): AstNode {
  return node('star', { table: null, except: except.length > 0 ? except.map((e) => ident(e)) : null, replace: null, rename: null });
}

function subqueryFields(alias: Ident | null, columnAliases: Ident[]): Data {
  return {
    alias,
    column_aliases: columnAliases,
    alias_explicit_as: alias !== null,
    alias_keyword: alias !== null ? 'AS' : null,
    order_by: null,
    limit: null,
    offset: null,
    lateral: false,
    modifiers_inside: false,
    trailing_comments: [],
  };
}

function derivedTable(select: AstNode, alias: Ident | null, columnAliases: Ident[]): AstNode {
  return node('subquery', { this: select, ...subqueryFields(alias, columnAliases) });
}

/**
 * Binding a dynamic table's query: every table name is resolved once, in the name context where it
 * is written (a view's body resolves relative to the view's own database and schema), and replaced by
 * a placeholder that names the input by catalog id. Views are inlined as subqueries, so a refresh
 * reads every base table at the version it chooses and the incremental planner sees through them.
 *
 * DYNAMIC_TABLE_REFRESH_BOUNDARY(<object>) binds the object it names; what is read through it belongs
 * to another pipeline (`boundary` on inputs and references). A view that reads a dynamic table, read
 * outside a boundary, is recorded (`viewsOnDynamic`): Snowflake does not support that pattern.
 *
 * The bound tree is a prepared Snowflake syntax tree (identifiers folded, function calls normalised);
 * the engine translates it with a context that maps each placeholder to the input at a version, or
 * to its changes (see placeholders.ts).
 */
import { errors } from '../errors.ts';
import { parseNameString } from '../names/identifiers.ts';
import { parseStatement } from '../statements/parse-statement.ts';
import type { AstNode } from '../statements/statement.ts';
import { dataOf, ident, identValue, kindOf, node, stringLiteral, withData, type Ident } from '../translate/ast.ts';
import type { RelationColumn } from '../translate/context.ts';
import { prepareAst } from '../translate/prepare.ts';
import { tableNameParts } from '../translate/queries.ts';
import { boundaryObjectParts, REFRESH_BOUNDARY, tableNode } from '../translate/refresh-boundary.ts';
import { inputPlaceholder } from './placeholders.ts';

type Data = Record<string, unknown>;

/** Where names in a piece of SQL resolve: its database and schema. */
export interface NameContext {
  database?: string;
  schema?: string;
}

/** What a table name resolved to. */
export type BoundObject =
  | { kind: 'input'; id: number; displayName: string; dynamic: boolean; columns: RelationColumn[] }
  | { kind: 'view'; id: number; displayName: string; query: string; context: NameContext; columns: string[] };

/** The engine's catalog lookup (throws Snowflake's errors for missing or unusable objects). */
export interface BindLookup {
  lookup(parts: string[], context: NameContext): BoundObject;
}

export interface BoundInput {
  id: number;
  displayName: string;
  /** True when the input is itself a dynamic table. */
  dynamic: boolean;
  /**
   * True when every read of it is inside DYNAMIC_TABLE_REFRESH_BOUNDARY(): a dynamic table so read is
   * not part of this table's pipeline (not refreshed with it, read like a table).
   */
  boundary: boolean;
  columns: RelationColumn[];
}

/** True for the dynamic tables a query reads as part of its pipeline (not across a boundary). */
export function inPipeline(input: BoundInput): boolean {
  return input.dynamic && !input.boundary;
}

/** An object the query names directly (for DYNAMIC_TABLE_GRAPH_HISTORY's INPUTS). */
export interface BoundReference {
  id: number;
  displayName: string;
  kind: 'TABLE' | 'VIEW' | 'DYNAMIC TABLE';
  insideRefreshBoundary: boolean;
}

export interface BoundQuery {
  /** The prepared tree, tables replaced by input placeholders and views by subqueries. */
  ast: AstNode;
  /** Base tables and dynamic tables read, directly or through views, by catalog id. */
  inputs: Map<number, BoundInput>;
  /** Views read, directly or through other views, by catalog id. */
  views: Set<number>;
  references: BoundReference[];
  /** Views read outside a refresh boundary that read a dynamic table (with that table's name). */
  viewsOnDynamic: { view: string; table: string }[];
}

/** Prepares a query the way translation does (prepareAst). */
export function prepareQuery(sql: string): AstNode {
  const parsed = parseStatement(sql).statement;
  if (parsed.kind !== 'query') throw errors.syntaxMessage('A dynamic table must be defined by a query.');
  return prepareAst(parsed.ast);
}

const MAX_VIEW_DEPTH = 32;

export function bindQuery(sql: string, lookup: BindLookup, context: NameContext): BoundQuery {
  const out: BoundQuery = { ast: {}, inputs: new Map(), views: new Set(), references: [], viewsOnDynamic: [] };
  const binder = new Binder(lookup, out);
  out.ast = binder.bind(prepareQuery(sql), { ctes: [], context, depth: 0, direct: true, boundary: false }) as AstNode;
  return out;
}

interface BindState {
  /** CTE names visible here, innermost last. */
  ctes: Set<string>[];
  context: NameContext;
  /** How many views deep this is. */
  depth: number;
  /** True for the defining query itself (not a view body): its names are the DT's direct inputs. */
  direct: boolean;
  /** True inside DYNAMIC_TABLE_REFRESH_BOUNDARY(). */
  boundary: boolean;
  /** The outermost view being expanded, if any. */
  view?: string;
}

class Binder {
  constructor(
    private readonly lookup: BindLookup,
    private readonly out: BoundQuery,
  ) {}

  bind(value: unknown, st: BindState): unknown {
    if (value === null || typeof value !== 'object') return value;
    if (Array.isArray(value)) return value.map((v) => this.bind(v, st));
    const kind = kindOf(value);
    if (kind === undefined) return this.fields(value as Data, st);
    const n = value as AstNode;
    const d = n[kind] as Data;
    switch (kind) {
      case 'select':
        return this.select(n, d, st);
      case 'union':
      case 'intersect':
      case 'except':
        return this.withCtes(n, d, st, (inner) => this.fields(d, inner, ['with']));
      case 'table':
        return this.table(n, d, st);
      default:
        return node(kind, this.bind(d, st));
    }
  }

  private fields(d: Data, st: BindState, skip: string[] = []): Data {
    const out: Data = {};
    for (const [k, v] of Object.entries(d)) out[k] = skip.includes(k) || k === 'span' ? v : this.bind(v, st);
    return out;
  }

  /** A query's WITH clause: each CTE sees the ones before it (and itself when recursive). */
  private withCtes(n: AstNode, d: Data, st: BindState, rest: (inner: BindState) => Data): AstNode {
    const w = d.with as Data | null | undefined;
    if (!w) return node(kindOf(n)!, rest(st));
    const frame = new Set<string>();
    const inner: BindState = { ...st, ctes: [...st.ctes, frame] };
    const ctes = ((w.ctes as Data[]) ?? []).map((cte) => {
      const name = identValue(cte.alias as Ident) ?? '';
      if (w.recursive) frame.add(name);
      const body = this.bind(cte.this, inner);
      frame.add(name);
      return { ...cte, this: body };
    });
    return node(kindOf(n)!, { ...rest(inner), with: { ...w, ctes } });
  }

  private select(n: AstNode, d: Data, st: BindState): AstNode {
    return this.withCtes(n, d, st, (inner) => {
      const patch = this.fields(d, inner, ['with', 'from', 'joins']);
      const from = d.from as Data | null | undefined;
      if (from) patch.from = { ...from, expressions: ((from.expressions as AstNode[]) ?? []).map((item) => this.fromItem(item, inner)) };
      if (Array.isArray(d.joins)) patch.joins = (d.joins as Data[]).map((j) => ({ ...this.fields(j, inner, ['this']), this: this.fromItem(j.this as AstNode, inner) }));
      return patch;
    });
  }

  /** TABLE('name') and IDENTIFIER('name') in FROM name tables; other table functions stay. */
  private fromItem(item: AstNode, st: BindState): AstNode {
    const alias = dataOf<Data>(item, 'alias');
    const fn = dataOf<Data>(alias ? alias.this : item, 'function');
    if (fn) {
      const name = String(fn.name).toUpperCase();
      const args = (fn.args as AstNode[]) ?? [];
      // The table a name-taking function names, under the item's alias.
      const named = (parts: string[]) => tableNode(parts, alias ? identValue(alias.alias as Ident) : undefined, (alias?.column_aliases as Ident[]) ?? []);
      if ((name === 'TABLE' || name === 'IDENTIFIER') && stringLiteral(args[0]) !== undefined) {
        return this.bind(named(parseNameString(stringLiteral(args[0])!)), st) as AstNode;
      }
      if (name === REFRESH_BOUNDARY) {
        const parts = boundaryObjectParts(args);
        if (parts.length === 1 && st.ctes.some((f) => f.has(parts[0]))) {
          throw errors.unsupported(`${REFRESH_BOUNDARY} of a common table expression in a dynamic table definition`);
        }
        return this.bind(named(parts), { ...st, boundary: true }) as AstNode;
      }
      if (name === 'TABLE' && dataOf(args[0], 'method_call')) {
        throw errors.unsupported('system table functions in a dynamic table definition');
      }
      if (name === 'RESULT_SCAN' || (name === 'TABLE' && dataOf<Data>(args[0], 'function') && String(dataOf<Data>(args[0], 'function')!.name).toUpperCase() === 'RESULT_SCAN')) {
        throw errors.unsupported('RESULT_SCAN in a dynamic table definition');
      }
    }
    return this.bind(item, st) as AstNode;
  }

  private table(n: AstNode, d: Data, st: BindState): AstNode {
    if (d.when || d.changes) throw errors.unsupported('AT | BEFORE and CHANGES in a dynamic table definition');
    const parts = tableNameParts(d);
    if (parts.length === 1 && st.ctes.some((f) => f.has(parts[0]))) return n;
    const alias = identValue(d.alias as Ident | null) ?? parts[parts.length - 1];
    const found = this.lookup.lookup(parts, st.context);
    if (found.kind === 'input') {
      const known = this.out.inputs.get(found.id);
      if (!known) {
        this.out.inputs.set(found.id, { id: found.id, displayName: found.displayName, dynamic: found.dynamic, boundary: st.boundary, columns: found.columns });
      } else if (!st.boundary) {
        known.boundary = false; // also read inside the pipeline
      }
      if (found.dynamic && !st.boundary && st.view) this.out.viewsOnDynamic.push({ view: st.view, table: found.displayName });
      if (st.direct) this.reference({ id: found.id, displayName: found.displayName, kind: found.dynamic ? 'DYNAMIC TABLE' : 'TABLE', insideRefreshBoundary: st.boundary });
      return withData(n, { name: ident(inputPlaceholder(found.id)), schema: null, catalog: null, alias: ident(alias), alias_explicit_as: true });
    }
    if (st.direct) this.reference({ id: found.id, displayName: found.displayName, kind: 'VIEW', insideRefreshBoundary: st.boundary });
    if (st.depth >= MAX_VIEW_DEPTH) throw errors.invalidOperation(`View '${found.displayName}' nests views more than ${MAX_VIEW_DEPTH} deep (a cycle?).`);
    this.out.views.add(found.id);
    const body = this.bind(prepareQuery(found.query), { ctes: [], context: found.context, depth: st.depth + 1, direct: false, boundary: st.boundary, view: st.view ?? found.displayName });
    const renamed = (d.column_aliases as Ident[] | undefined) ?? [];
    return node('subquery', {
      this: body,
      alias: ident(alias),
      column_aliases: renamed.length > 0 ? renamed : found.columns.map((c) => ident(c)),
      alias_explicit_as: true,
      lateral: false,
      modifiers_inside: false,
      trailing_comments: [],
    });
  }

  private reference(r: BoundReference): void {
    const known = this.out.references.find((x) => x.id === r.id);
    if (!known) this.out.references.push(r);
    else if (!r.insideRefreshBoundary) known.insideRefreshBoundary = false;
  }
}

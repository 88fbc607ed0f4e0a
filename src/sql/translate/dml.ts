/**
 * INSERT, UPDATE, DELETE and MERGE: targets resolve to their physical tables, expressions translate
 * like query expressions, and values written into VARIANT columns are wrapped as VARIANTs (Snowflake
 * converts implicitly; DuckDB would parse a VARCHAR as JSON text).
 */
import { errors } from '../errors.ts';
import { isSemiStructured, MAX_VARCHAR, type SfType } from '../types/snowflake-types.ts';
import { dataOf, ident, identValue, kindOf, mk, node, withData, type AstNode, type Ident } from './ast.ts';
import type { RelationColumn, ResolvedRelation } from './context.ts';
import { tableNameParts, type QueryTranslator } from './queries.ts';
import { Scope } from './scope.ts';
import { isVariant, toVariant } from './variant.ts';
import { castTo } from './casts.ts';

type Data = Record<string, unknown>;

export interface MergeKinds {
  insert: boolean;
  update: boolean;
  delete: boolean;
}

export interface TranslatedDml {
  node: AstNode;
  target: ResolvedRelation;
  /** INSERT OVERWRITE: the target is emptied first, in the same transaction. */
  overwrite: boolean;
  /** MERGE: the kinds of clause present (Snowflake's result has one column per kind). */
  mergeKinds?: MergeKinds;
}

export class DmlTranslator {
  constructor(
    private readonly q: QueryTranslator,
    private readonly resolveTarget: (parts: string[]) => ResolvedRelation,
  ) {}

  translate(ast: AstNode): TranslatedDml {
    const kind = kindOf(ast);
    const d = (kind ? ast[kind] : {}) as Data;
    switch (kind) {
      case 'insert':
        return this.insert(ast, d);
      case 'update':
        return this.update(ast, d);
      case 'delete':
        return this.delete(ast, d);
      case 'merge':
        return this.merge(ast, d);
      default:
        throw errors.unsupported(`statement ${kind}`);
    }
  }

  /** The target table; INSERT/UPDATE/DELETE hold the table's data directly, MERGE a table node. */
  private target(t: unknown): { rel: ResolvedRelation; alias: string; node: AstNode; wrapped: boolean } {
    // `MERGE INTO t AS x` wraps the table in an alias node.
    const aliased = dataOf<Data>(t, 'alias');
    if (aliased && kindOf(aliased.this) === 'table') {
      const inner = dataOf<Data>(aliased.this, 'table')!;
      return this.target(node('table', { ...inner, alias: aliased.alias }));
    }
    const wrapped = kindOf(t) === 'table';
    const d = wrapped ? dataOf<Data>(t, 'table') : (t as Data | null);
    if (!d || typeof d !== 'object' || !('name' in d)) throw errors.unsupported('a DML target that is not a table name');
    if (d.when) throw errors.unsupported('AT | BEFORE on a DML target');
    const parts = tableNameParts(d);
    const rel = this.resolveTarget(parts);
    const alias = identValue(d.alias as Ident | null) ?? parts[parts.length - 1];
    return { rel, alias, node: mk.tableRef(rel.duckSchema, rel.duckName, alias), wrapped };
  }

  /** The target in the shape the statement holds it. */
  private targetField(t: { node: AstNode; wrapped: boolean }, patch: Data = {}): unknown {
    const data = { ...(t.node.table as Data), ...patch };
    return t.wrapped ? node('table', data) : data;
  }

  private insert(ast: AstNode, d: Data): TranslatedDml {
    const t = this.target(d.table);
    const rel = t.rel;
    // DuckDB's INSERT target takes no alias.
    const targetNode = this.targetField(t, { alias: null, alias_explicit_as: false });
    const named = ((d.columns as Ident[]) ?? []).map((c) => identValue(c) ?? '');
    const targetCols = named.length > 0 ? named.map((n) => columnOf(rel, n)) : rel.columns;
    const patch: Data = { table: targetNode };
    const scope = new Scope();
    if (Array.isArray(d.values) && (d.values as unknown[]).length > 0) {
      patch.values = (d.values as AstNode[][]).map((row) => {
        if (row.length !== targetCols.length) {
          throw errors.syntaxMessage(`Insert value list does not match column list expecting ${targetCols.length} but got ${row.length}`);
        }
        return row.map((v, i) => {
          if (dataOf(v, 'var')) return v; // DEFAULT
          const t = this.q.exprs.expr(v, scope);
          return fitTarget(t.node, t.type, targetCols[i]);
        });
      });
    } else if (d.query) {
      const query = this.q.query(d.query as AstNode);
      if (query.columns.length > 0 && query.columns.length !== targetCols.length) {
        throw errors.syntaxMessage(`Insert value list does not match column list expecting ${targetCols.length} but got ${query.columns.length}`);
      }
      const types = targetCols.map((_, i) => query.columns[i]?.type);
      const wrap = targetCols.some((c, i) => needsFitting(types[i], c));
      patch.query = wrap ? wrapForTargets(query.node, types, targetCols) : query.node;
    } else {
      throw errors.unsupported('INSERT form');
    }
    const overwrite = d.overwrite === true;
    if (overwrite) patch.overwrite = false;
    return { node: withData(ast, patch), target: rel, overwrite };
  }

  private update(ast: AstNode, d: Data): TranslatedDml {
    const t = this.target(d.table);
    const { rel, alias } = t;
    const target = this.targetField(t);
    const scope = new Scope();
    scope.add({ alias, columns: rel.columns });
    const patch: Data = { table: target };
    if (d.from_clause) {
      const from = d.from_clause as Data;
      patch.from_clause = { ...from, expressions: ((from.expressions as AstNode[]) ?? []).map((f) => this.q.fromItem(f, scope)) };
    }
    if (Array.isArray(d.from_joins) && d.from_joins.length > 0) throw errors.unsupported('JOIN in UPDATE … FROM');
    patch.set = ((d.set as [Ident, AstNode][]) ?? []).map(([col, value]) => {
      const name = identValue(col) ?? '';
      const c = columnOf(rel, name);
      const t = this.q.exprs.expr(value, scope);
      return [col, fitTarget(t.node, t.type, c)];
    });
    if (d.where_clause) patch.where_clause = { ...(d.where_clause as Data), this: this.q.exprs.condition((d.where_clause as Data).this as AstNode, scope) };
    return { node: withData(ast, patch), target: rel, overwrite: false };
  }

  private delete(ast: AstNode, d: Data): TranslatedDml {
    const t = this.target(d.table);
    const { rel, alias } = t;
    const target = this.targetField(t);
    const scope = new Scope();
    scope.add({ alias, columns: rel.columns });
    const patch: Data = { table: target };
    if (Array.isArray(d.using) && d.using.length > 0) {
      patch.using = (d.using as Data[]).map((u) => {
        const item = this.q.fromItem(node('table', u), scope);
        return item.table as Data;
      });
    }
    if (d.where_clause) patch.where_clause = { ...(d.where_clause as Data), this: this.q.exprs.condition((d.where_clause as Data).this as AstNode, scope) };
    return { node: withData(ast, patch), target: rel, overwrite: false };
  }

  private merge(ast: AstNode, d: Data): TranslatedDml {
    const t = this.target(d.this);
    const { rel, alias } = t;
    const target = this.targetField(t);
    const scope = new Scope();
    scope.add({ alias, columns: rel.columns });
    const using = this.q.fromItem(d.using as AstNode, scope);
    const on = this.q.exprs.condition(d.on as AstNode, scope);
    const whensData = dataOf<Data>(d.whens, 'whens');
    const kinds: MergeKinds = { insert: false, update: false, delete: false };
    const whens = ((whensData?.expressions as AstNode[]) ?? []).map((w) => this.mergeWhen(w, scope, rel, kinds));
    // RETURNING merge_action lets the engine count inserted, updated and deleted rows separately.
    return {
      node: withData(ast, {
        this: target,
        using,
        on,
        whens: node('whens', { ...whensData, expressions: whens }),
        returning: node('returning', { expressions: [mk.column('merge_action')], into: null }),
      }),
      target: rel,
      overwrite: false,
      mergeKinds: kinds,
    };
  }

  private mergeWhen(w: AstNode, scope: Scope, rel: ResolvedRelation, kinds: MergeKinds): AstNode {
    const d = dataOf<Data>(w, 'when');
    if (!d) throw errors.unsupported('MERGE clause form');
    const patch: Data = {};
    if (d.condition) patch.condition = this.q.exprs.condition(d.condition as AstNode, scope);
    const then = d.then as AstNode;
    const tuple = dataOf<{ expressions: AstNode[] }>(then, 'tuple');
    if (!tuple) {
      const verb = String(dataOf<{ this: string }>(then, 'var')?.this ?? '').toUpperCase();
      if (verb === 'DELETE') kinds.delete = true;
      else throw errors.unsupported(`MERGE action ${verb}`);
      return withData(w, patch);
    }
    const [action, ...rest] = tuple.expressions;
    const verb = String(dataOf<{ this: string }>(action, 'var')?.this ?? '').toUpperCase();
    if (verb === 'UPDATE') {
      kinds.update = true;
      const assignments = dataOf<{ expressions: AstNode[] }>(rest[0], 'tuple')?.expressions ?? [];
      const translated = assignments.map((a) => {
        const eq = dataOf<Data>(a, 'eq');
        if (!eq) throw errors.unsupported('MERGE UPDATE assignment form');
        const name = columnName(eq.left);
        const c = columnOf(rel, name);
        const t = this.q.exprs.expr(eq.right as AstNode, scope);
        const v = fitTarget(t.node, t.type, c);
        // DuckDB's MERGE sets unqualified target columns.
        const left = mk.column(name);
        return withData(a, { left, right: v });
      });
      patch.then = withData(then, { expressions: [action, withData(rest[0], { expressions: translated })] });
    } else if (verb === 'INSERT') {
      kinds.insert = true;
      const cols = (dataOf<{ expressions: AstNode[] }>(rest[0], 'tuple')?.expressions ?? []).map(columnName);
      const values = dataOf<{ expressions: AstNode[] }>(rest[1], 'tuple')?.expressions ?? [];
      const targetCols = cols.length > 0 ? cols.map((n) => columnOf(rel, n)) : rel.columns;
      const translated = values.map((v, i) => {
        const t = this.q.exprs.expr(v, scope);
        return targetCols[i] ? fitTarget(t.node, t.type, targetCols[i]) : t.node;
      });
      patch.then = withData(then, {
        expressions: [action, withData(rest[0], { expressions: cols.map((c) => node('identifier', ident(c))) }), withData(rest[1], { expressions: translated })],
      });
    }
    return withData(w, patch);
  }
}

/** A target column written as `c`, `t.c` or a bare identifier. */
function columnName(n: unknown): string {
  const id = dataOf<Ident>(n, 'identifier');
  if (id) return identValue(id) ?? '';
  const col = dataOf<Data>(n, 'column');
  if (col) return identValue(col.name as Ident) ?? '';
  throw errors.unsupported('a MERGE target column that is not a name');
}

function columnOf(rel: ResolvedRelation, name: string): RelationColumn {
  const c = rel.columns.find((x) => x.name === name);
  if (!c) throw errors.invalidIdentifier(name);
  return c;
}

/** True when a value of type `from` must be converted or checked to enter column `to`. */
function needsFitting(from: SfType | undefined, to: RelationColumn): boolean {
  if (isSemiStructured(to.type)) return from !== undefined && !isVariant(from);
  if (to.type.kind === 'BINARY') return from?.kind === 'VARCHAR';
  return to.type.kind === 'VARCHAR' && to.type.length < MAX_VARCHAR;
}

/**
 * A value as it enters a column: non-VARIANT values into VARIANT columns become VARIANTs (Snowflake
 * converts implicitly), and strings longer than a VARCHAR(n) column fail with Snowflake's error.
 */
function fitTarget(value: AstNode, from: SfType | undefined, to: RelationColumn): AstNode {
  if (isSemiStructured(to.type)) return from !== undefined ? toVariant(value, from) : value;
  if (to.type.kind === 'BINARY' && from?.kind === 'VARCHAR') return castTo(value, from, to.type, false);
  if (to.type.kind === 'VARCHAR' && to.type.length < MAX_VARCHAR) return mk.fn('sf_check_length', [value, mk.number(to.type.length)]);
  return value;
}

/** `SELECT fit(c1), c2 … FROM (<query>)` when some values need fitting to their target columns. */
function wrapForTargets(query: AstNode, types: (SfType | undefined)[], targets: RelationColumn[]): AstNode {
  const names = types.map((_, i) => `_C${i + 1}`);
  const items = names.map((n, i) => fitTarget(mk.column(n, '_SRC'), types[i], targets[i]));
  const sub = node('subquery', { this: query, alias: ident('_SRC'), column_aliases: names.map((n) => ident(n)), alias_explicit_as: true, trailing_comments: [] });
  return mk.select(items, [sub]);
}

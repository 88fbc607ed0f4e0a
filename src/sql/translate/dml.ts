/**
 * DML as plans over versioned tables.
 *
 * Snowflake: INSERT, UPDATE … FROM, DELETE … USING, MERGE and multi-table INSERT change tables; every
 * change is visible to streams and Time Travel.
 * DuckDB: UPDATE and MERGE rewrite rows in place, which loses the before-image and scatters new
 * versions across the table.
 *
 * Gap closed: each statement becomes a plan the engine applies to a versioned table — an INSERT's
 * source query, or a "change table" query that returns, per affected row, its DuckDB rowid, its old
 * image (row id, version, values), the operation (U/D/I) and its new values. The engine then appends
 * before-images to history, deletes by rowid and appends new rows: no scattered in-place writes.
 */
import { errors } from '../errors.ts';
import { parseExpressionAst } from '../statements/parse-statement.ts';
import { duckTypeOf, isSemiStructured, MAX_VARCHAR, type SfType } from '../types/snowflake-types.ts';
import { dataOf, ident, identValue, kindOf, mk, node, type AstNode, type Ident } from './ast.ts';
import { castTo } from './casts.ts';
import type { DmlTarget, RelationColumn } from './context.ts';
import { foldIdentifiers } from './fold-identifiers.ts';
import { normalizeFunctions } from './normalize-functions.ts';
import { tableNameParts, type QueryTranslator } from './queries.ts';
import { Scope, type ScopeColumn } from './scope.ts';
import { isVariant, toVariant } from './variant.ts';
import { CHANGE_CLAUSE, CHANGE_JOINS, CHANGE_OP, MULTI_INSERT_SOURCE, CHANGE_ROWID, newColumn, oldColumn, ROW_ID, VERSION } from './versioning.ts';

type Data = Record<string, unknown>;

export interface MergeKinds {
  insert: boolean;
  update: boolean;
  delete: boolean;
}

/** An INSERT: `source` yields one row per new row, its columns in `columns` order. */
export interface InsertPlan {
  kind: 'insert';
  target: DmlTarget;
  columns: string[];
  source: AstNode;
  overwrite: boolean;
}

/** UPDATE / DELETE / MERGE: `changes` yields the change table (see versioning.ts). */
export interface ChangePlan {
  kind: 'change';
  op: 'UPDATE' | 'DELETE' | 'MERGE';
  target: DmlTarget;
  changes: AstNode;
  mergeKinds?: MergeKinds;
  /** UPDATE … FROM: the change table counts source rows per target row (CHANGE_JOINS). */
  countsJoins?: boolean;
}

/** INSERT ALL / FIRST: the source is read once into a temporary table; each branch selects from it. */
export interface MultiInsertPlan {
  kind: 'multi_insert';
  source: AstNode;
  sourceColumns: string[];
  overwrite: boolean;
  branches: { target: DmlTarget; columns: string[]; select: AstNode }[];
}

export type DmlPlan = InsertPlan | ChangePlan | MultiInsertPlan;


export class DmlTranslator {
  constructor(
    private readonly q: QueryTranslator,
    private readonly resolveTarget: (parts: string[]) => DmlTarget,
  ) {}

  translate(ast: AstNode): DmlPlan {
    const kind = kindOf(ast);
    const d = (kind ? ast[kind] : {}) as Data;
    switch (kind) {
      case 'insert':
        return this.insert(d);
      case 'update':
        return this.update(d);
      case 'delete':
        return this.delete(d);
      case 'merge':
        return this.merge(d);
      case 'multitable_inserts':
        return this.multiInsert(d);
      default:
        throw errors.unsupported(`statement ${kind}`);
    }
  }

  /** The target table; INSERT/UPDATE/DELETE hold the table's data directly, MERGE a (possibly aliased) node. */
  private target(t: unknown): { target: DmlTarget; alias: string } {
    const aliased = dataOf<Data>(t, 'alias');
    if (aliased && kindOf(aliased.this) === 'table') {
      const inner = dataOf<Data>(aliased.this, 'table')!;
      return this.target(node('table', { ...inner, alias: aliased.alias }));
    }
    const d = kindOf(t) === 'table' ? dataOf<Data>(t, 'table') : (t as Data | null);
    if (!d || typeof d !== 'object' || !('name' in d)) throw errors.unsupported('a DML target that is not a table name');
    if (d.when) throw errors.unsupported('AT | BEFORE on a DML target');
    const parts = tableNameParts(d);
    const target = this.resolveTarget(parts);
    return { target, alias: identValue(d.alias as Ident | null) ?? parts[parts.length - 1] };
  }

  private scopeFor(target: DmlTarget, alias: string): Scope {
    const scope = new Scope();
    scope.add({ alias, columns: target.relation.columns });
    return scope;
  }

  /** The physical current-rows table under the statement's alias. */
  private targetRef(target: DmlTarget, alias: string): AstNode {
    return mk.tableRef(target.relation.duckSchema, target.relation.duckName, alias);
  }

  // ---- INSERT ----

  private insert(d: Data): InsertPlan {
    const { target } = this.target(d.table);
    const rel = target.relation;
    const named = ((d.columns as Ident[]) ?? []).map((c) => identValue(c) ?? '');
    for (const n of named) columnOf(target, n);
    const targetCols = named.length > 0 ? named.map((n) => columnOf(target, n)) : rel.columns;
    const scope = new Scope();
    let source: AstNode;
    if (Array.isArray(d.values) && (d.values as unknown[]).length > 0) {
      const rows = (d.values as AstNode[][]).map((row) => {
        if (row.length !== targetCols.length) {
          throw errors.syntaxMessage(`Insert value list does not match column list expecting ${targetCols.length} but got ${row.length}`);
        }
        return row.map((v, i) => {
          if (isDefault(v)) return this.defaultValue(targetCols[i]);
          const t = this.q.exprs.expr(v, scope);
          return fitTarget(t.node, t.type, targetCols[i]);
        });
      });
      source = valuesSelect(rows);
    } else if (d.query) {
      const query = this.q.query(d.query as AstNode);
      if (query.columns.length > 0 && query.columns.length !== targetCols.length) {
        throw errors.syntaxMessage(`Insert value list does not match column list expecting ${targetCols.length} but got ${query.columns.length}`);
      }
      const types = targetCols.map((_, i) => query.columns[i]?.type);
      source = targetCols.some((c, i) => needsFitting(types[i], c)) ? wrapForTargets(query.node, types, targetCols) : query.node;
    } else {
      throw errors.unsupported('INSERT form');
    }
    return { kind: 'insert', target, columns: targetCols.map((c) => c.name), source, overwrite: d.overwrite === true };
  }

  /** A column's DEFAULT (or identity) as an expression, NULL when it has none. */
  private defaultValue(col: RelationColumn): AstNode {
    if (col.identity) return mk.fn('nextval', [mk.string(`"${col.identity.duckSchema}"."${col.identity.duckName}"`)]);
    if (col.defaultSql === undefined) return mk.cast(mk.null(), duckTypeOf(col.type));
    const ast = normalizeFunctions(foldIdentifiers(parseExpressionAst(col.defaultSql)));
    const t = this.q.exprs.expr(ast, new Scope());
    return fitTarget(t.node, t.type, col);
  }

  // ---- UPDATE / DELETE ----

  private update(d: Data): ChangePlan {
    const { target, alias } = this.target(d.table);
    const scope = this.scopeFor(target, alias);
    const from = this.fromItems(d.from_clause as Data | undefined, scope);
    if (Array.isArray(d.from_joins) && d.from_joins.length > 0) throw errors.unsupported('JOIN in UPDATE … FROM');
    const sets = new Map<string, AstNode>();
    for (const [col, value] of (d.set as [Ident, AstNode][]) ?? []) {
      const name = identValue(col) ?? '';
      const c = columnOf(target, name);
      if (sets.has(name)) throw errors.syntaxMessage(`Column '${name}' is assigned more than once.`);
      const t = this.q.exprs.expr(value, scope);
      sets.set(name, fitTarget(t.node, t.type, c));
    }
    const newValues = target.relation.columns.map((c) => sets.get(c.name) ?? mk.column(c.name, alias));
    const where = d.where_clause ? this.q.exprs.condition((d.where_clause as Data).this as AstNode, scope) : null;
    const changes = this.changeSelect(target, alias, mk.string('U'), newValues, [this.targetRef(target, alias), ...from], where, from.length > 0);
    return { kind: 'change', op: 'UPDATE', target, changes, countsJoins: from.length > 0 };
  }

  private delete(d: Data): ChangePlan {
    const { target, alias } = this.target(d.table);
    const scope = this.scopeFor(target, alias);
    const using = ((d.using as Data[]) ?? []).map((u) => this.q.fromItem(kindOf(u) ? (u as AstNode) : node('table', u), scope));
    const where = d.where_clause ? this.q.exprs.condition((d.where_clause as Data).this as AstNode, scope) : null;
    const nulls = target.relation.columns.map(() => mk.null());
    const changes = this.changeSelect(target, alias, mk.string('D'), nulls, [this.targetRef(target, alias), ...using], where, using.length > 0);
    return { kind: 'change', op: 'DELETE', target, changes };
  }

  private fromItems(from: Data | undefined, scope: Scope): AstNode[] {
    if (!from) return [];
    return ((from.expressions as AstNode[]) ?? []).map((f) => this.q.fromItem(f, scope));
  }

  /**
   * SELECT rowid, ROW_ID, VERSION, old values, op, new values FROM … WHERE …; with joins, each
   * target row once (Snowflake picks one matching source row for UPDATE … FROM).
   */
  private changeSelect(
    target: DmlTarget,
    alias: string,
    op: AstNode,
    newValues: AstNode[],
    from: AstNode[],
    where: AstNode | null,
    dedupe: boolean,
  ): AstNode {
    const items = [
      ...this.oldImage(target, alias),
      mk.alias(op, CHANGE_OP),
      ...newValues.map((v, i) => mk.alias(v, newColumn(i + 1))),
    ];
    if (dedupe) items.push(mk.alias(windowOver(mk.fn('count', [mk.number(1)]), rowidOf(alias)), CHANGE_JOINS));
    const select = mk.select(items, from);
    const data = select.select as Data;
    if (where) data.where_clause = { this: where };
    if (dedupe) data.qualify = { this: mk.binary('eq', windowOver(mk.fn('row_number', []), rowidOf(alias)), mk.number(1)) };
    return select;
  }

  private oldImage(target: DmlTarget, alias: string): AstNode[] {
    return [
      mk.alias(rowidOf(alias), CHANGE_ROWID),
      mk.alias(mk.column(ROW_ID, alias), ROW_ID),
      mk.alias(mk.column(VERSION, alias), VERSION),
      ...target.relation.columns.map((c, i) => mk.alias(mk.column(c.name, alias), oldColumn(i + 1))),
    ];
  }

  // ---- MERGE ----

  private merge(d: Data): ChangePlan {
    const { target, alias } = this.target(d.this);
    const scope = this.scopeFor(target, alias);
    const using = this.q.fromItem(d.using as AstNode, scope);
    const on = this.q.exprs.condition(d.on as AstNode, scope);
    const whens = (dataOf<Data>(d.whens, 'whens')?.expressions as AstNode[]) ?? [];
    const kinds: MergeKinds = { insert: false, update: false, delete: false };
    const matched = mk.isNull(mk.column(ROW_ID, alias), true);
    const clauseWhens: [AstNode, AstNode][] = [];
    const opWhens: [AstNode, AstNode][] = [];
    const valueWhens: [AstNode, AstNode[]][] = [];
    const seenUnconditional = { matched: false, notMatched: false };
    whens.forEach((w, index) => {
      const k = index + 1;
      const wd = dataOf<Data>(w, 'when');
      if (!wd) throw errors.unsupported('MERGE clause form');
      const isMatched = dataOf<{ value: boolean }>(wd.matched, 'boolean')?.value === true;
      if (wd.source) throw errors.unsupported('WHEN NOT MATCHED BY SOURCE');
      const which = isMatched ? 'matched' : 'notMatched';
      if (seenUnconditional[which]) {
        throw errors.syntaxMessage(`A WHEN ${isMatched ? 'MATCHED' : 'NOT MATCHED'} clause without AND must be the last of its kind.`);
      }
      if (!wd.condition) seenUnconditional[which] = true;
      const base = isMatched ? matched : mk.isNull(mk.column(ROW_ID, alias));
      const cond = wd.condition ? mk.binary('and', base, mk.paren(this.q.exprs.condition(wd.condition as AstNode, scope))) : base;
      clauseWhens.push([cond, mk.number(k)]);
      const action = this.mergeAction(wd.then as AstNode, isMatched, target, alias, scope);
      kinds[action.kind] = true;
      opWhens.push([mk.binary('eq', mk.column(CHANGE_CLAUSE, '_C'), mk.number(k)), mk.string(action.op)]);
      if (action.values) valueWhens.push([mk.binary('eq', mk.column(CHANGE_CLAUSE, '_C'), mk.number(k)), action.values]);
    });
    const clause = mk.caseWhen(clauseWhens);
    const newValues = target.relation.columns.map((c, i) =>
      valueWhens.length === 0 ? mk.null() : mk.caseWhen(valueWhens.map(([w, vals]) => [w, vals[i]] as [AstNode, AstNode])),
    );
    // The clause index is computed once per joined row (LATERAL), then read by the op and value CASEs.
    const lateral = node('subquery', {
      this: mk.select([mk.alias(clause, CHANGE_CLAUSE)]),
      alias: ident('_C'),
      column_aliases: [],
      alias_explicit_as: false,
      lateral: true,
      modifiers_inside: false,
      trailing_comments: [],
    });
    const items = [
      ...this.oldImage(target, alias),
      mk.alias(mk.caseWhen(opWhens), CHANGE_OP),
      ...newValues.map((v, i) => mk.alias(v, newColumn(i + 1))),
    ];
    const select = mk.select(items, [using]);
    const data = select.select as Data;
    data.joins = [joinOf(this.targetRef(target, alias), 'Left', on), joinOf(lateral, 'Cross', null)];
    data.where_clause = { this: mk.isNull(mk.column(CHANGE_CLAUSE, '_C'), true) };
    return { kind: 'change', op: 'MERGE', target, changes: select, mergeKinds: kinds };
  }

  /** One WHEN … THEN action: its op letter and, for UPDATE/INSERT, the new value of every column. */
  private mergeAction(
    then: AstNode,
    isMatched: boolean,
    target: DmlTarget,
    alias: string,
    scope: Scope,
  ): { kind: keyof MergeKinds; op: 'U' | 'D' | 'I'; values?: AstNode[] } {
    const tuple = dataOf<{ expressions: AstNode[] }>(then, 'tuple');
    const verb = String(dataOf<{ this: string }>(tuple ? tuple.expressions[0] : then, 'var')?.this ?? '').toUpperCase();
    if (verb === 'DELETE') {
      if (!isMatched) throw errors.syntaxMessage('DELETE is only allowed in WHEN MATCHED.');
      return { kind: 'delete', op: 'D' };
    }
    if (!tuple) throw errors.unsupported(`MERGE action ${verb}`);
    const rest = tuple.expressions.slice(1);
    if (verb === 'UPDATE') {
      if (!isMatched) throw errors.syntaxMessage('UPDATE is only allowed in WHEN MATCHED.');
      const sets = new Map<string, AstNode>();
      for (const a of dataOf<{ expressions: AstNode[] }>(rest[0], 'tuple')?.expressions ?? []) {
        const eq = dataOf<Data>(a, 'eq');
        if (!eq) throw errors.unsupported('MERGE UPDATE assignment form');
        const name = columnName(eq.left);
        const c = columnOf(target, name);
        const t = this.q.exprs.expr(eq.right as AstNode, scope);
        sets.set(name, fitTarget(t.node, t.type, c));
      }
      return { kind: 'update', op: 'U', values: target.relation.columns.map((c) => sets.get(c.name) ?? mk.column(c.name, alias)) };
    }
    if (verb === 'INSERT') {
      if (isMatched) throw errors.syntaxMessage('INSERT is only allowed in WHEN NOT MATCHED.');
      const cols = (dataOf<{ expressions: AstNode[] }>(rest[0], 'tuple')?.expressions ?? []).map(columnName);
      const values = dataOf<{ expressions: AstNode[] }>(rest[1], 'tuple')?.expressions ?? [];
      const targetCols = cols.length > 0 ? cols.map((n) => columnOf(target, n)) : target.relation.columns;
      if (values.length !== targetCols.length) {
        throw errors.syntaxMessage(`Insert value list does not match column list expecting ${targetCols.length} but got ${values.length}`);
      }
      const byName = new Map<string, AstNode>();
      values.forEach((v, i) => {
        if (isDefault(v)) return;
        const t = this.q.exprs.expr(v, scope);
        byName.set(targetCols[i].name, fitTarget(t.node, t.type, targetCols[i]));
      });
      return { kind: 'insert', op: 'I', values: target.relation.columns.map((c) => byName.get(c.name) ?? this.defaultValue(c)) };
    }
    throw errors.unsupported(`MERGE action ${verb}`);
  }

  // ---- INSERT ALL / FIRST ----

  private multiInsert(d: Data): MultiInsertPlan {
    const first = String(d.kind).toUpperCase() === 'FIRST';
    const source = this.q.query(d.source as AstNode);
    const seen = new Map<string, number>();
    const sourceColumns = source.columns.map((c, i) => {
      const base = c.name === '' ? `COLUMN${i + 1}` : c.name;
      const n = (seen.get(base) ?? 0) + 1;
      seen.set(base, n);
      return n === 1 ? base : `${base}_${n}`;
    });
    const scopeColumns: ScopeColumn[] = sourceColumns.map((name, i) => ({ name, type: source.columns[i]?.type }));
    const clauses = (d.expressions as AstNode[]) ?? [];
    const conditional = clauses.some((c) => {
      const cd = dataOf<Data>(c, 'conditional_insert');
      return cd?.expression || cd?.else_;
    });
    if (!conditional && first) throw errors.syntaxMessage('INSERT FIRST needs WHEN clauses.');
    const branches: MultiInsertPlan['branches'] = [];
    const conditions: AstNode[] = [];
    let current: AstNode | null = null;
    let isElse = false;
    for (const clause of clauses) {
      const cd = dataOf<Data>(clause, 'conditional_insert');
      if (!cd) throw errors.unsupported('multi-table INSERT clause form');
      const scope = new Scope();
      scope.add({ alias: '_SRC', columns: scopeColumns });
      if (cd.expression) {
        current = this.q.exprs.condition(cd.expression as AstNode, scope);
        conditions.push(current);
        isElse = false;
      } else if (cd.else_) {
        isElse = true;
      }
      const into = dataOf<Data>(cd.this, 'insert');
      if (!into) throw errors.unsupported('multi-table INSERT target form');
      const { target } = this.target(into.table);
      const named = ((into.columns as Ident[]) ?? []).map((c) => identValue(c) ?? '');
      const targetCols = named.length > 0 ? named.map((n) => columnOf(target, n)) : target.relation.columns;
      const rawValues = Array.isArray(into.values) && (into.values as unknown[]).length > 0 ? (into.values as AstNode[][])[0] : undefined;
      const values = rawValues
        ? rawValues.map((v, i) => {
            if (isDefault(v)) return this.defaultValue(targetCols[i]);
            const t = this.q.exprs.expr(v, scope);
            return fitTarget(t.node, t.type, targetCols[i]);
          })
        : scopeColumns.map((c, i) => (targetCols[i] ? fitTarget(mk.column(c.name, '_SRC'), c.type, targetCols[i]) : mk.column(c.name, '_SRC')));
      if (values.length !== targetCols.length) {
        throw errors.syntaxMessage(`Insert value list does not match column list expecting ${targetCols.length} but got ${values.length}`);
      }
      let where: AstNode | null = null;
      const truthy = (c: AstNode) => mk.fn('coalesce', [c, mk.boolean(false)]);
      const none = (cs: AstNode[]) => mk.not(mk.paren(cs.map(truthy).reduce((a, b) => mk.binary('or', a, b))));
      if (isElse) {
        where = conditions.length > 0 ? none(conditions) : null;
      } else if (current) {
        const earlier = conditions.slice(0, conditions.length - 1);
        where = first && earlier.length > 0 ? mk.binary('and', truthy(current), none(earlier)) : truthy(current);
      }
      const select = mk.select(values, [mk.tableRef('temp', MULTI_INSERT_SOURCE, '_SRC')]);
      if (where) (select.select as Data).where_clause = { this: where };
      branches.push({ target, columns: targetCols.map((c) => c.name), select });
    }
    return { kind: 'multi_insert', source: source.node, sourceColumns, overwrite: d.overwrite === true, branches };
  }
}

function joinOf(item: AstNode, kind: 'Left' | 'Cross', on: AstNode | null): Data {
  return {
    this: item,
    on,
    using: [],
    kind,
    use_inner_keyword: false,
    use_outer_keyword: false,
    deferred_condition: false,
    nesting_group: 0,
    directed: false,
  };
}

function isDefault(v: AstNode): boolean {
  return String(dataOf<{ this: string }>(v, 'var')?.this ?? '').toUpperCase() === 'DEFAULT';
}

/** The DuckDB rowid of the target row under `alias` (DuckDB's pseudo column, unquoted). */
function rowidOf(alias: string): AstNode {
  return node('column', { name: ident('rowid', false), table: ident(alias), join_mark: false, trailing_comments: [] });
}

function windowOver(fn: AstNode, partition: AstNode): AstNode {
  return node('window_function', {
    this: fn,
    over: { window_name: null, partition_by: [partition], order_by: [], frame: null, alias: null },
  });
}

/** `SELECT * FROM (VALUES …)` so VALUES rows can feed the versioned insert. */
function valuesSelect(rows: AstNode[][]): AstNode {
  const values = node('values', { expressions: rows.map((r) => ({ expressions: r })), alias: null, column_aliases: [] });
  const sub = node('subquery', {
    this: values,
    alias: ident('_V'),
    column_aliases: rows[0].map((_, i) => ident(`_V${i + 1}`)),
    alias_explicit_as: true,
    trailing_comments: [],
  });
  return mk.select([node('star', { table: null, except: null, replace: null, rename: null })], [sub]);
}

/** A target column written as `c`, `t.c` or a bare identifier. */
function columnName(n: unknown): string {
  const id = dataOf<Ident>(n, 'identifier');
  if (id) return identValue(id) ?? '';
  const col = dataOf<Data>(n, 'column');
  if (col) return identValue(col.name as Ident) ?? '';
  throw errors.unsupported('a MERGE target column that is not a name');
}

function columnOf(target: DmlTarget, name: string): RelationColumn {
  const c = target.relation.columns.find((x) => x.name === name);
  if (!c) throw errors.invalidIdentifier(name);
  return c;
}

/** True when a value of type `from` must be converted or checked to enter column `to`. */
/** Column types a string enters through Snowflake's text conversion (its input formats and offsets). */
const FROM_TEXT = new Set(['BINARY', 'DATE', 'TIME', 'TIMESTAMP_NTZ', 'TIMESTAMP_LTZ', 'TIMESTAMP_TZ']);

function needsFitting(from: SfType | undefined, to: RelationColumn): boolean {
  if (isSemiStructured(to.type)) return from !== undefined && !isVariant(from);
  if (FROM_TEXT.has(to.type.kind)) return from?.kind === 'VARCHAR';
  return to.type.kind === 'VARCHAR' && to.type.length < MAX_VARCHAR;
}

/**
 * A value as it enters a column: non-VARIANT values into VARIANT columns become VARIANTs (Snowflake
 * converts implicitly), strings into binary and date/time columns convert as a cast would, and
 * strings longer than a VARCHAR(n) column fail with Snowflake's error.
 */
export function fitTarget(value: AstNode, from: SfType | undefined, to: RelationColumn): AstNode {
  if (isSemiStructured(to.type)) return from !== undefined ? toVariant(value, from) : value;
  // '2024-07-01 11:10:00 +0000' and the other forms a cast accepts, not just DuckDB's own.
  if (FROM_TEXT.has(to.type.kind) && from?.kind === 'VARCHAR') return castTo(value, from, to.type, false);
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


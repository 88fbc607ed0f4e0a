/**
 * Translates queries: SELECT blocks with their FROM items, CTEs, set operations and VALUES. It builds
 * the scopes that type expressions, resolves every relation through the engine's resolver, and
 * rewrites Snowflake table functions (FLATTEN, GENERATOR, RESULT_SCAN, IDENTIFIER) into DuckDB.
 */
import { errors } from '../errors.ts';
import { parseNameString } from '../names/identifiers.ts';
import { T } from '../types/snowflake-types.ts';
import { constantValue, dataOf, ident, identValue, kindOf, mk, node, numberLiteral, stringLiteral, withData, type AstNode, type Ident } from './ast.ts';
import type { ResolvedRelation, TimeTravelPoint, TranslateContext, TranslationInfo, VariableValue } from './context.ts';
import { castTo } from './casts.ts';
import { printDuckDb } from './print.ts';
import { ExpressionTranslator, type Typed } from './expressions.ts';
import { Scope, type ScopeColumn } from './scope.ts';
import { duckJsonPath, parsePath, snowflakePathText, toVariant } from './variant.ts';
import { boundaryObjectParts, REFRESH_BOUNDARY, tableNode } from './refresh-boundary.ts';

type Data = Record<string, unknown>;

export interface TranslatedQuery {
  node: AstNode;
  columns: ScopeColumn[];
}

/** Options for the outermost query of a statement. */
export interface TopLevel {
  /** Source text of each select item, used to name unaliased expressions as Snowflake does. */
  itemTexts?: () => (string | undefined)[] | undefined;
}

export class QueryTranslator {
  readonly exprs: ExpressionTranslator;
  private readonly ctes: Map<string, ScopeColumn[]>[] = [];

  constructor(
    private readonly ctx: TranslateContext,
    private readonly info: TranslationInfo,
  ) {
    this.exprs = new ExpressionTranslator(ctx, info, (q, scope) => this.query(q, scope));
  }

  query(q: AstNode, outer?: Scope, top?: TopLevel): TranslatedQuery {
    const kind = kindOf(q);
    const d = (kind ? q[kind] : {}) as Data;
    switch (kind) {
      case 'select':
        return this.select(q, d, outer, top);
      case 'union':
      case 'intersect':
      case 'except':
        return this.setOperation(q, d, outer, top);
      case 'subquery':
      case 'paren': {
        const inner = this.query(d.this as AstNode, outer, top);
        return { node: withData(q, { this: inner.node }), columns: inner.columns };
      }
      case 'values':
        return this.values(q, d, outer);
      default:
        throw errors.unsupported(`query form ${kind ?? 'unknown'}`);
    }
  }

  private setOperation(q: AstNode, d: Data, outer: Scope | undefined, top?: TopLevel): TranslatedQuery {
    const withFrame = this.pushCtes(d.with as Data | undefined, outer);
    try {
      const left = this.query(d.left as AstNode, outer, top);
      const right = this.query(d.right as AstNode, outer);
      const columns = left.columns.map((c, i) => ({ name: c.name, type: c.type ?? right.columns[i]?.type }));
      const scope = new Scope(outer);
      scope.add({ alias: '', columns });
      const patch: Data = { left: left.node, right: right.node };
      if (d.order_by) patch.order_by = this.orderBy(d.order_by as Data, scope);
      if (d.with) patch.with = withFrame;
      return { node: withData(q, patch), columns };
    } finally {
      if (d.with) this.ctes.pop();
    }
  }

  private values(q: AstNode, d: Data, outer: Scope | undefined): TranslatedQuery {
    const scope = new Scope(outer);
    const rows = ((d.expressions as AstNode[]) ?? []).map((row) => {
      const items = ((row as unknown as Data).expressions as AstNode[]) ?? (dataOf<Data>(row, 'tuple')?.expressions as AstNode[]);
      if (!items) throw errors.unsupported('VALUES row form');
      return items.map((x) => this.exprs.expr(x, scope));
    });
    const width = rows[0]?.length ?? 0;
    if (rows.some((r) => r.length !== width)) throw errors.syntaxMessage('VALUES rows must all have the same number of values.');
    const columns = Array.from({ length: width }, (_, i) => ({
      name: `COLUMN${i + 1}`,
      type: rows.find((r) => r[i].type !== undefined)?.[i].type,
    }));
    const expressions = rows.map((r) => ({ expressions: r.map((t) => t.node) }));
    return { node: withData(q, { expressions }), columns };
  }

  private pushCtes(w: Data | undefined, outer: Scope | undefined): Data | undefined {
    if (!w) return undefined;
    const frame = new Map<string, ScopeColumn[]>();
    this.ctes.push(frame);
    const ctes = ((w.ctes as Data[]) ?? []).map((cte) => {
      const name = identValue(cte.alias as Ident) ?? '';
      const declared = ((cte.columns as Ident[]) ?? []).map((c) => identValue(c) ?? '');
      if (w.recursive && declared.length > 0) frame.set(name, declared.map((n) => ({ name: n, type: undefined })));
      else if (w.recursive) {
        const anchor = dataOf<Data>(cte.this, 'union')?.left as AstNode | undefined;
        if (anchor) frame.set(name, this.query(anchor, outer).columns);
      }
      const body = this.query(cte.this as AstNode, outer);
      const cols = declared.length > 0 ? declared.map((n, i) => ({ name: n, type: body.columns[i]?.type })) : body.columns;
      frame.set(name, cols);
      if (cte.materialized !== undefined && cte.materialized !== null) {
        /* MATERIALIZED hints pass through */
      }
      return { ...cte, this: body.node };
    });
    return { ...w, ctes };
  }

  private cteColumns(name: string): ScopeColumn[] | undefined {
    for (let i = this.ctes.length - 1; i >= 0; i -= 1) {
      const c = this.ctes[i].get(name);
      if (c) return c;
    }
    return undefined;
  }

  private select(q: AstNode, d: Data, outer: Scope | undefined, top?: TopLevel): TranslatedQuery {
    for (const f of ['connect', 'into', 'lateral_views', 'distribute_by', 'cluster_by', 'sort_by', 'prewhere'] as const) {
      if (d[f] !== null && d[f] !== undefined && !(Array.isArray(d[f]) && (d[f] as unknown[]).length === 0)) {
        throw errors.unsupported(f === 'connect' ? 'CONNECT BY' : f === 'into' ? 'SELECT INTO' : `SELECT clause ${f}`);
      }
    }
    const withNode = this.pushCtes(d.with as Data | undefined, outer);
    try {
      const scope = new Scope(outer);
      const patch: Data = {};
      if (d.with) patch.with = withNode;
      if (d.from) {
        const from = d.from as Data;
        patch.from = { ...from, expressions: ((from.expressions as AstNode[]) ?? []).map((item) => this.fromItem(item, scope)) };
      }
      if (Array.isArray(d.joins) && d.joins.length > 0) {
        patch.joins = (d.joins as Data[]).map((j) => {
          const item = this.fromItem(j.this as AstNode, scope);
          const out: Data = { ...j, this: item };
          if (j.on) out.on = this.exprs.condition(j.on as AstNode, scope);
          if (j.match_condition) out.match_condition = this.exprs.condition(j.match_condition as AstNode, scope);
          return out;
        });
      }
      const { expressions, columns } = this.selectList((d.expressions as AstNode[]) ?? [], scope, top);
      patch.expressions = expressions;
      if (d.where_clause) patch.where_clause = { ...(d.where_clause as Data), this: this.exprs.condition((d.where_clause as Data).this as AstNode, scope) };
      if (d.group_by) {
        const g = d.group_by as Data;
        patch.group_by = { ...g, expressions: ((g.expressions as AstNode[]) ?? []).map((x) => this.groupItem(x, scope)) };
      }
      if (d.having) patch.having = { ...(d.having as Data), this: this.exprs.condition((d.having as Data).this as AstNode, scope) };
      if (d.qualify) patch.qualify = { ...(d.qualify as Data), this: this.exprs.condition((d.qualify as Data).this as AstNode, scope) };
      if (d.order_by) patch.order_by = this.orderBy(d.order_by as Data, scope);
      if (Array.isArray(d.windows)) {
        patch.windows = (d.windows as Data[]).map((w) => ({ ...w, spec: this.windowSpec(w.spec as Data, scope) }));
      }
      for (const f of ['limit', 'offset'] as const) {
        if (d[f]) patch[f] = { ...(d[f] as Data), this: this.exprs.expr((d[f] as Data).this as AstNode, scope).node };
      }
      if (d.top) {
        // TOP n is LIMIT n.
        const top = d.top as Data;
        patch.top = null;
        patch.limit = { this: this.exprs.expr(top.this as AstNode, scope).node, percent: false, comments: [] };
      }
      return { node: withData(q, patch), columns };
    } finally {
      if (d.with) this.ctes.pop();
    }
  }

  private groupItem(x: AstNode, scope: Scope): AstNode {
    const f = dataOf<Data>(x, 'function');
    const name = f ? String(f.name).toUpperCase() : '';
    if (name === 'ROLLUP' || name === 'CUBE' || name === 'GROUPING SETS') {
      return withData(x, { args: ((f!.args as AstNode[]) ?? []).map((a) => this.exprs.expr(a, scope).node) });
    }
    return this.exprs.expr(x, scope).node;
  }

  private windowSpec(spec: Data, scope: Scope): Data {
    if (!spec) return spec;
    return {
      ...spec,
      partition_by: ((spec.partition_by as AstNode[]) ?? []).map((p) => this.exprs.expr(p, scope).node),
      order_by: ((spec.order_by as Data[]) ?? []).map((o) => ({ ...o, this: this.exprs.expr(o.this as AstNode, scope).node })),
    };
  }

  private orderBy(o: Data, scope: Scope): Data {
    return { ...o, expressions: ((o.expressions as Data[]) ?? []).map((x) => ({ ...x, this: this.exprs.expr(x.this as AstNode, scope).node })) };
  }

  private selectList(items: AstNode[], scope: Scope, top?: TopLevel): { expressions: AstNode[]; columns: ScopeColumn[] } {
    const columns: ScopeColumn[] = [];
    const expressions = items.map((item, i) => {
      const star = dataOf<Data>(item, 'star');
      if (star) {
        columns.push(...this.starColumns(star, scope));
        return item;
      }
      const alias = dataOf<Data>(item, 'alias');
      if (alias) {
        const t = this.exprs.expr(alias.this as AstNode, scope);
        const name = identValue(alias.alias as Ident) ?? '';
        columns.push({ name, type: t.type });
        scope.selectAliases.set(name, t.type);
        return withData(item, { this: t.node });
      }
      const t: Typed = this.exprs.expr(item, scope);
      // A column reference keeps its name unless translation replaced it (seq.NEXTVAL, $1).
      const stillColumn = kindOf(item) === 'column' && kindOf(t.node) === 'column';
      const name = stillColumn ? outputName(item, () => undefined) : outputName(mk.null(), () => top?.itemTexts?.()?.[i]);
      columns.push({ name, type: t.type });
      if (top && !stillColumn && name !== '') return mk.alias(t.node, name);
      return t.node;
    });
    return { expressions, columns };
  }

  private starColumns(star: Data, scope: Scope): ScopeColumn[] {
    const qualifier = identValue(star.table as Ident | null);
    const rels = qualifier !== undefined ? scope.relations.filter((r) => r.alias === qualifier) : scope.relations;
    const except = new Set(((star.except as Ident[]) ?? []).map((x) => identValue(x)));
    const columns = rels.flatMap((r) => r.columns);
    for (const name of except) if (name !== undefined && !columns.some((c) => c.name === name)) throw errors.invalidIdentifier(name);
    return columns.filter((c) => !except.has(c.name));
  }

  /** One FROM item: adds what it provides to `scope` and returns its DuckDB form. */
  fromItem(item: AstNode, scope: Scope): AstNode {
    const kind = kindOf(item);
    const d = (kind ? item[kind] : {}) as Data;
    switch (kind) {
      case 'table':
        return this.table(item, d, scope);
      case 'subquery': {
        const inner = dataOf<Data>(d.this, 'values') ? this.values(d.this as AstNode, dataOf<Data>(d.this, 'values')!, scope) : this.query(d.this as AstNode, d.lateral ? scope : scope.parent);
        const alias = identValue(d.alias as Ident | null) ?? '';
        const renamed = ((d.column_aliases as Ident[]) ?? []).map((c) => identValue(c) ?? '');
        const columns = inner.columns.map((c, i) => ({ name: renamed[i] ?? c.name, type: c.type }));
        scope.add({ alias, columns });
        const patch: Data = { this: inner.node };
        if (dataOf(d.this, 'values') && renamed.length === 0) {
          patch.column_aliases = columns.map((c) => ident(c.name));
          if (!d.alias) patch.alias = ident(`VALUES_${scope.relations.length}`);
        }
        return withData(item, patch);
      }
      case 'values': {
        const inner = this.values(item, d, scope);
        const alias = `VALUES_${scope.relations.length + 1}`;
        scope.add({ alias, columns: inner.columns });
        return node('subquery', {
          this: inner.node,
          alias: ident(alias),
          column_aliases: inner.columns.map((c) => ident(c.name)),
          alias_explicit_as: true,
          trailing_comments: [],
        });
      }
      case 'alias': {
        const alias = identValue(d.alias as Ident) ?? '';
        const columnAliases = ((d.column_aliases as Ident[]) ?? []).map((c) => identValue(c) ?? '');
        return this.tableFunction(d.this as AstNode, alias, columnAliases, scope, false);
      }
      case 'function':
        return this.tableFunction(item, undefined, [], scope, false);
      case 'lateral': {
        const alias = typeof d.alias === 'string' ? d.alias.toUpperCase() : identValue(d.alias as Ident | null);
        const inner = d.this as AstNode;
        if (dataOf(inner, 'subquery')) {
          const sub = dataOf<Data>(inner, 'subquery')!;
          const q = this.query(sub.this as AstNode, scope);
          const name = alias ?? identValue(sub.alias as Ident | null) ?? '';
          scope.add({ alias: name, columns: q.columns });
          return withData(item, { this: withData(inner, { this: q.node }), alias: name === '' ? null : name });
        }
        return this.tableFunction(inner, alias, [], scope, true);
      }
      default:
        throw errors.unsupported(`FROM item ${kind ?? 'unknown'}`);
    }
  }

  private table(item: AstNode, d: Data, scope: Scope): AstNode {
    const parts = tableNameParts(d);
    const alias = identValue(d.alias as Ident | null);
    const renamed = ((d.column_aliases as Ident[]) ?? []).map((c) => identValue(c) ?? '');
    if (d.when || d.changes) {
      if (parts.length === 1 && this.cteColumns(parts[0])) {
        throw errors.syntaxMessage(`AT | BEFORE and CHANGES cannot be applied to the common table expression '${parts[0]}'; use them inside its body.`);
      }
      // The version a point stands for depends on when the statement runs: never cache the text.
      this.info.volatile = true;
      const rel = d.changes ? this.changesRelation(parts, d.changes as Data) : this.ctx.timeTravel(parts, this.historyPoint(d.when as Data));
      return this.relationRef(item, d, rel, alias ?? parts[parts.length - 1], renamed, scope);
    }
    if (parts.length === 1) {
      const cte = this.cteColumns(parts[0]);
      if (cte) {
        scope.add({ alias: alias ?? parts[0], columns: cte.map((c, i) => ({ name: renamed[i] ?? c.name, type: c.type })) });
        return item;
      }
    }
    const rel = this.ctx.resolveRelation(parts);
    return this.relationRef(item, d, rel, alias ?? parts[parts.length - 1], renamed, scope);
  }

  /** `CHANGES (INFORMATION => DEFAULT | APPEND_ONLY) AT | BEFORE (…) [END (…)]`. */
  private changesRelation(parts: string[], c: Data): ResolvedRelation {
    const info = String(dataOf<{ this: string }>(c.information, 'var')?.this ?? identValue(dataOf<Ident>(c.information, 'identifier')) ?? '').toUpperCase();
    if (info !== 'DEFAULT' && info !== 'APPEND_ONLY') throw errors.syntaxMessage(`CHANGES (INFORMATION => ${info || '?'}): expected DEFAULT or APPEND_ONLY.`);
    const start = dataOf<Data>(c.at_before, 'historical_data');
    if (!start) throw errors.syntaxMessage('CHANGES needs an AT or BEFORE clause.');
    const end = dataOf<Data>(c.end, 'historical_data');
    return this.ctx.changes(parts, info === 'APPEND_ONLY', this.historyPoint(start), end ? this.historyPoint(end) : undefined);
  }

  /** AT | BEFORE | END (TIMESTAMP | OFFSET | STATEMENT | STREAM => value) as a point to evaluate. */
  historyPoint(h: Data): TimeTravelPoint {
    const mode = (identValue(dataOf<Ident>(h.this, 'identifier')) ?? '').toUpperCase() as TimeTravelPoint['mode'];
    const kind = String(h.kind).toUpperCase() as TimeTravelPoint['kind'];
    const value = h.expression as AstNode;
    switch (kind) {
      case 'STATEMENT':
        return { mode, kind, valueSql: this.queryIdArgument(value) };
      case 'STREAM': {
        const name = stringLiteral(value);
        if (name === undefined) throw errors.syntaxMessage('STREAM => needs the stream name as a string.');
        return { mode, kind, valueSql: name };
      }
      case 'TIMESTAMP': {
        const t = this.exprs.expr(value, new Scope());
        // Snowflake reads a timestamp without a time zone (or a string) as UTC.
        const instant =
          t.type?.kind === 'TIMESTAMP_LTZ' || t.type?.kind === 'TIMESTAMP_TZ' ? t.node : castTo(t.node, t.type, T.timestampNtz(), false);
        return { mode, kind, valueSql: printDuckDb(mk.select([mk.fn('epoch_ms', [instant])])) };
      }
      case 'OFFSET': {
        const t = this.exprs.expr(value, new Scope());
        return { mode, kind, valueSql: printDuckDb(mk.select([mk.cast(t.node, 'DOUBLE')])) };
      }
      default:
        throw errors.syntaxMessage(`${mode} (${kind} => …): expected TIMESTAMP, OFFSET, STATEMENT or STREAM.`);
    }
  }

  private relationRef(item: AstNode | undefined, d: Data, rel: ResolvedRelation, alias: string, renamed: string[], scope: Scope): AstNode {
    this.info.reads.push(rel.displayName);
    if (rel.stream) {
      // A stream's contents depend on its offset, which moves without any catalog change.
      this.info.volatile = true;
      this.info.streams.push(rel.stream);
    }
    if (rel.prepare) {
      this.info.volatile = true;
      this.info.actions.push(rel.prepare);
    }
    scope.add({ alias, columns: rel.columns.map((c, i) => ({ name: renamed[i] ?? c.name, type: c.type })) });
    if (rel.tableFunction) {
      const args = rel.tableFunction.args.map((v) =>
        v === null
          ? mk.null()
          : typeof v === 'object'
            ? mk.cast(mk.fn('getvariable', [mk.string(v.variable)]), 'BIGINT')
            : typeof v === 'number'
              ? mk.number(v)
              : typeof v === 'boolean'
                ? mk.boolean(v)
                : mk.string(v),
      );
      return node('alias', {
        this: mk.fn(rel.tableFunction.macro, args),
        alias: ident(alias),
        column_aliases: renamed.map((r) => ident(r)),
        alias_explicit_as: true,
        pre_alias_comments: [],
        trailing_comments: [],
      });
    }
    const ref = mk.tableRef(rel.duckSchema, rel.duckName, alias);
    const refData = ref.table as Data;
    return node('table', {
      ...refData,
      column_aliases: renamed.map((r) => ident(r)),
      table_sample: d.table_sample ?? null,
      ...(item ? { hints: [] } : {}),
    });
  }

  /** TABLE(fn(...)), LATERAL fn(...), IDENTIFIER('t') and friends in FROM. */
  private tableFunction(fnNode: AstNode, alias: string | undefined, columnAliases: string[], scope: Scope, lateral: boolean): AstNode {
    let f = dataOf<Data>(fnNode, 'function');
    if (!f) {
      // `TABLE(...) AS x` may wrap a subquery or a table.
      if (dataOf(fnNode, 'subquery') || dataOf(fnNode, 'table')) {
        const wrapped = dataOf(fnNode, 'table') ? withData(fnNode, { alias: alias ? ident(alias) : null }) : fnNode;
        return this.fromItem(wrapped, scope);
      }
      throw errors.unsupported(`FROM item ${kindOf(fnNode)}`);
    }
    let name = String(f.name).toUpperCase();
    if (name === 'TABLE') {
      const inner = ((f.args as AstNode[]) ?? [])[0];
      const innerFn = dataOf<Data>(inner, 'function');
      const method = dataOf<Data>(inner, 'method_call');
      if (method) {
        // TABLE([db.]INFORMATION_SCHEMA.fn(…)): a qualified system table function.
        const col = dataOf<Data>(method.this, 'column');
        const parts = [identValue(col?.table as Ident | null), identValue(col?.name as Ident | null), identValue(method.method as Ident)].filter(
          (p): p is string => p !== undefined,
        );
        return this.systemTableFunction(parts, (method.args as AstNode[]) ?? [], alias, scope);
      }
      if (innerFn) {
        f = innerFn;
        name = String(f.name).toUpperCase();
      } else {
        // TABLE('name') / TABLE($var): a table literal.
        return this.namedTable(this.nameArgument(inner), alias, columnAliases, scope);
      }
    }
    const args = (f.args as AstNode[]) ?? [];
    switch (name) {
      case 'IDENTIFIER':
        return this.namedTable(this.nameArgument(args[0]), alias, columnAliases, scope);
      case REFRESH_BOUNDARY:
        // Outside a dynamic table's binding it reads the object it names (CTEs included).
        return this.fromItem(tableNode(boundaryObjectParts(args), alias, columnAliases.map((c) => ident(c))), scope);
      case 'FLATTEN':
        return this.flatten(args, alias ?? 'FLATTEN', scope, lateral);
      case 'GENERATOR':
        return this.generator(args, alias ?? 'GENERATOR', scope);
      case 'RESULT_SCAN': {
        const id = this.queryIdArgument(args[0]);
        const rel = this.ctx.resultScan(id);
        return this.relationRef(undefined, {}, rel, alias ?? 'RESULT_SCAN', columnAliases, scope);
      }
      default:
        return this.systemTableFunction([name], args, alias, scope);
    }
  }

  /** System table functions the engine provides (QUERY_HISTORY …), with constant arguments. */
  private systemTableFunction(parts: string[], args: AstNode[], alias: string | undefined, scope: Scope): AstNode {
    const values = args.map((a, i) => {
      const na = dataOf<Data>(a, 'named_argument');
      const valueNode = (na ? na.value : a) as AstNode;
      // VALIDATE(<table>, …) names a table: its first argument is an identifier, passed as text.
      const col = i === 0 && !na && parts[parts.length - 1] === 'VALIDATE' ? dataOf<Data>(valueNode, 'column') : undefined;
      if (col) {
        const nameParts = [identValue(col.table as Ident | null), identValue(col.name as Ident | null)].filter((p): p is string => p !== undefined);
        return { name: undefined, value: nameParts.join('.') };
      }
      const constant = constantValue(valueNode);
      // Time ranges are often expressions (DATEADD('hour', -1, CURRENT_TIMESTAMP())): passed through.
      const value = constant !== undefined ? constant : { expression: this.exprs.expr(valueNode, new Scope()).node };
      return { name: na ? identValue(na.name as Ident) : undefined, value };
    });
    const fn = this.ctx.tableFunction(parts, values);
    if (!fn) throw errors.unsupported(`table function ${parts.join('.')}`);
    const name = alias ?? parts[parts.length - 1];
    this.info.reads.push(fn.relation.displayName);
    scope.add({ alias: name, columns: fn.relation.columns.map((c) => ({ name: c.name, type: c.type })) });
    const callArgs = fn.args.map((v) => {
      if (v === null) return mk.null();
      if (typeof v === 'number') return mk.number(v);
      if (typeof v === 'boolean') return mk.boolean(v);
      if (typeof v === 'string') return mk.string(v);
      if ('timestamp' in v) return castTo(mk.string(v.timestamp), T.varchar(), T.timestampLtz(), false);
      return v.expression as AstNode;
    });
    return node('alias', {
      this: mk.fn(fn.macro, callArgs),
      alias: ident(name),
      column_aliases: [],
      alias_explicit_as: true,
      pre_alias_comments: [],
      trailing_comments: [],
    });
  }

  private namedTable(parts: string[], alias: string | undefined, columnAliases: string[], scope: Scope): AstNode {
    const rel = this.ctx.resolveRelation(parts);
    return this.relationRef(undefined, {}, rel, alias ?? parts[parts.length - 1], columnAliases, scope);
  }

  /** `$name` (a session variable) or `:name` (a block variable) used as a constant argument. */
  private variableArgument(p: Data): VariableValue {
    const name = String(p.name).toUpperCase();
    this.info.volatile = true;
    if (p.style === 'Colon') {
      const v = this.ctx.scriptVariable?.(name);
      if (!v) throw errors.bindVariableNotSet(name);
      return v;
    }
    const v = this.ctx.variable(name);
    if (!v) throw errors.variableNotSet(name);
    return v;
  }

  /** A name given as a string literal or a session variable holding one. */
  nameArgument(arg: AstNode | undefined): string[] {
    const s = stringLiteral(arg);
    if (s !== undefined) return parseNameString(s);
    const p = dataOf<Data>(arg, 'parameter');
    if (p && typeof p.name === 'string') return parseNameString(String(this.variableArgument(p).value));
    throw errors.unsupported('IDENTIFIER() of an expression that is not a string literal or a session variable');
  }

  private queryIdArgument(arg: AstNode | undefined): string {
    const s = stringLiteral(arg);
    if (s !== undefined) return s;
    const f = dataOf<Data>(arg, 'function');
    if (f && String(f.name).toUpperCase() === 'LAST_QUERY_ID') {
      this.info.volatile = true;
      const n = numberLiteral(((f.args as AstNode[]) ?? [])[0]) ?? -1;
      const id = this.ctx.lastQueryId(n);
      if (!id) throw errors.statementNotFound(`LAST_QUERY_ID(${n})`);
      return id;
    }
    const p = dataOf<Data>(arg, 'parameter');
    if (p && typeof p.name === 'string') {
      return String(this.variableArgument(p).value);
    }
    throw errors.unsupported('RESULT_SCAN of an expression');
  }

  private namedArgs(fn: string, args: AstNode[], positional: string[]): Map<string, AstNode> {
    const out = new Map<string, AstNode>();
    args.forEach((a, i) => {
      const na = dataOf<Data>(a, 'named_argument');
      if (na) out.set(identValue(na.name as Ident) ?? '', na.value as AstNode);
      else if (positional[i]) out.set(positional[i], a);
      else throw errors.invalidArgument(fn, `unexpected argument ${i + 1}`);
    });
    return out;
  }

  private flatten(args: AstNode[], alias: string, scope: Scope, lateral: boolean): AstNode {
    const named = this.namedArgs('FLATTEN', args, ['INPUT', 'PATH', 'OUTER', 'RECURSIVE', 'MODE']);
    const input = named.get('INPUT');
    if (!input) throw errors.invalidArgument('FLATTEN', 'INPUT is required');
    for (const k of named.keys()) {
      if (!['INPUT', 'PATH', 'OUTER', 'RECURSIVE', 'MODE'].includes(k)) throw errors.invalidArgument('FLATTEN', `unknown argument ${k}`);
    }
    const flag = (k: string) => {
      const v = named.get(k);
      if (!v) return false;
      const b = dataOf<{ value: boolean }>(v, 'boolean');
      if (!b) throw errors.invalidArgument('FLATTEN', `${k} must be TRUE or FALSE`);
      return b.value;
    };
    const pathText = named.has('PATH') ? stringLiteral(named.get('PATH')) : '';
    if (pathText === undefined) throw errors.invalidArgument('FLATTEN', 'PATH must be a string constant');
    const mode = named.has('MODE') ? stringLiteral(named.get('MODE'))?.toUpperCase() : 'BOTH';
    if (mode !== 'BOTH' && mode !== 'OBJECT' && mode !== 'ARRAY') throw errors.invalidArgument('FLATTEN', "MODE must be 'OBJECT', 'ARRAY' or 'BOTH'");
    const segments = pathText === '' ? [] : parsePath(pathText);
    const value = this.exprs.expr(input, scope);
    const call = mk.fn(flag('RECURSIVE') ? 'sf_flatten_recursive' : 'sf_flatten', [
      toVariant(value.node, value.type),
      mk.string(duckJsonPath(segments)),
      mk.string(snowflakePathText(segments)),
      mk.boolean(flag('OUTER')),
      mk.string(mode),
    ]);
    scope.add({ alias, columns: FLATTEN_COLUMNS });
    const aliased = node('alias', { this: call, alias: ident(alias), column_aliases: [], alias_explicit_as: true, pre_alias_comments: [], trailing_comments: [] });
    return lateral ? node('lateral', { this: call, alias: ident(alias).name, column_aliases: [] }) : aliased;
  }

  private generator(args: AstNode[], alias: string, scope: Scope): AstNode {
    const named = this.namedArgs('GENERATOR', args, ['ROWCOUNT']);
    if (named.has('TIMELIMIT') && !named.has('ROWCOUNT')) throw errors.unsupported('GENERATOR(TIMELIMIT => …) without ROWCOUNT');
    const rows = named.get('ROWCOUNT');
    const n = rows === undefined ? undefined : numberLiteral(rows);
    if (n === undefined || !Number.isInteger(n) || n < 0) throw errors.invalidArgument('GENERATOR', 'ROWCOUNT must be a non-negative integer constant');
    scope.add({ alias, columns: [], generatorRow: GENERATOR_ROW });
    return node('alias', {
      this: mk.fn('range', [mk.number(n)]),
      alias: ident(alias),
      column_aliases: [ident(GENERATOR_ROW)],
      alias_explicit_as: true,
      pre_alias_comments: [],
      trailing_comments: [],
    });
  }
}

/** `db.schema.name` parts of a table node; `db..name` (empty schema) means PUBLIC. */
export function tableNameParts(d: Data): string[] {
  const parts = [d.catalog, d.schema, d.name].map((p) => identValue(p as Ident | null));
  if (parts[0] !== undefined && parts[1] === '') parts[1] = 'PUBLIC';
  return parts.filter((p): p is string => p !== undefined);
}

/** A literal's value (strings, numbers, booleans, NULL); undefined for anything else. */
/** GENERATOR's row number column (0-based), which SEQ1/2/4/8 read. */
const GENERATOR_ROW = '_GENERATOR_ROW';

const FLATTEN_COLUMNS: ScopeColumn[] = [
  { name: 'SEQ', type: T.number() },
  { name: 'KEY', type: T.varchar() },
  { name: 'PATH', type: T.varchar() },
  { name: 'INDEX', type: T.number() },
  { name: 'VALUE', type: T.variant() },
  { name: 'THIS', type: T.variant() },
];

/** Snowflake's name for an unaliased select item: the column name, or the expression text upper-cased. */
function outputName(item: AstNode, sourceText: () => string | undefined): string {
  const col = dataOf<Data>(item, 'column');
  if (col) return identValue(col.name as Ident) ?? '';
  const text = sourceText();
  if (text !== undefined) return text.toUpperCase();
  return '';
}


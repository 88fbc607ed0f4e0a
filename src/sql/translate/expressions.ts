/**
 * Translates one Snowflake expression into DuckDB, inferring its Snowflake type on the way so that
 * VARIANT values are converted exactly where Snowflake converts them. Every expression kind is
 * handled explicitly; a kind not listed here fails as `unsupported` rather than passing through.
 */
import { parseNameString } from '../names/identifiers.ts';
import { errors } from '../errors.ts';
import { lookupFunction, unsupportedReason } from '../functions/catalogue.ts';
import type { CallInfo } from '../functions/spec.ts';
import { duckTypeOf, T, type SfType } from '../types/snowflake-types.ts';
import { constantValue, dataOf, identValue, kindOf, mk, node, numberLiteral, stringLiteral, withData, type AstNode, type Ident } from './ast.ts';
import type { TranslateContext, TranslationInfo } from './context.ts';
import type { Scope } from './scope.ts';
import { expandStarArguments, higherOrder, trueEvents } from './call-forms.ts';
import { castTo, typeFromDataType } from './casts.ts';
import { numberQuotient, quotientScale } from './number-division.ts';
import { coerce, extractPath, isVariant, parsePath, toVariant } from './variant.ts';

export interface Typed {
  node: AstNode;
  type: SfType | undefined;
}

type Data = Record<string, unknown>;

/** Subquery translation, supplied by the query translator. */
export type SubqueryFn = (query: AstNode, scope: Scope) => { node: AstNode; columns: { type: SfType | undefined }[] };

const COMPARISONS = new Set(['eq', 'neq', 'lt', 'lte', 'gt', 'gte', 'null_safe_eq', 'null_safe_neq']);
const ARITHMETIC = new Set(['add', 'sub', 'mul', 'div', 'mod']);

export class ExpressionTranslator {
  constructor(
    private readonly ctx: TranslateContext,
    private readonly info: TranslationInfo,
    private readonly subquery: SubqueryFn,
  ) {}

  /** Translates an expression that must be true/false (WHERE, ON, HAVING, QUALIFY, WHEN). */
  condition(e: AstNode, scope: Scope): AstNode {
    const t = this.expr(e, scope);
    return this.asBoolean(t);
  }

  asBoolean(t: Typed): AstNode {
    if (t.type === undefined || t.type.kind === 'BOOLEAN') return t.node;
    if (t.type.kind === 'NUMBER' || t.type.kind === 'FLOAT') return mk.paren(mk.binary('neq', t.node, mk.number(0)));
    return coerce(t.node, t.type, 'BOOLEAN');
  }

  expr(e: AstNode, scope: Scope): Typed {
    const kind = kindOf(e);
    const d = (kind ? e[kind] : undefined) as Data;
    switch (kind) {
      case 'literal':
        return { node: e, type: literalType(d) };
      case 'boolean':
        return { node: e, type: T.boolean() };
      case 'null':
        return { node: e, type: undefined };
      case 'column':
        return this.column(e, d, scope);
      case 'parameter':
        return this.parameter(d, scope, e);
      case 'paren': {
        const inner = this.expr(d.this as AstNode, scope);
        return { node: withData(e, { this: inner.node }), type: inner.type };
      }
      case 'alias': {
        const inner = this.expr(d.this as AstNode, scope);
        return { node: withData(e, { this: inner.node }), type: inner.type };
      }
      case 'cast':
      case 'try_cast': {
        const inner = this.expr(d.this as AstNode, scope);
        const to = typeFromDataType(d.to);
        return { node: castTo(inner.node, inner.type, to, kind === 'try_cast', stringLiteral(d.this) !== undefined), type: to };
      }
      case 'neg': {
        const inner = this.expr(d.this as AstNode, scope);
        return { node: withData(e, { this: coerce(inner.node, inner.type, 'NUMBER') }), type: inner.type ?? T.number() };
      }
      case 'and':
      case 'or': {
        const left = this.condition(d.left as AstNode, scope);
        const right = this.condition(d.right as AstNode, scope);
        return { node: withData(e, { left, right }), type: T.boolean() };
      }
      case 'not':
        return { node: withData(e, { this: this.condition(d.this as AstNode, scope) }), type: T.boolean() };
      case 'is_null':
      case 'is_true':
      case 'is_false':
        return { node: withData(e, { this: this.expr(d.this as AstNode, scope).node }), type: T.boolean() };
      case 'exists':
        return { node: withData(e, { this: this.subquery(d.this as AstNode, scope).node }), type: T.boolean() };
      case 'subquery': {
        if (d.alias) throw errors.unsupported('an aliased subquery used as a value');
        const q = this.subquery(d.this as AstNode, scope);
        return { node: withData(e, { this: q.node }), type: q.columns[0]?.type };
      }
      case 'concat': {
        const l = this.expr(d.left as AstNode, scope);
        const r = this.expr(d.right as AstNode, scope);
        return { node: withData(e, { left: asText(l), right: asText(r) }), type: T.varchar() };
      }
      case 'like':
      case 'i_like':
        return this.like(kind, d, scope);
      case 'in':
        return this.inList(e, d, scope);
      case 'between': {
        const subject = this.expr(d.this as AstNode, scope);
        const low = this.expr(d.low as AstNode, scope);
        const high = this.expr(d.high as AstNode, scope);
        const target = low.type ?? high.type;
        const s = isVariant(subject.type) && target && !isVariant(target) ? coerce(subject.node, subject.type, target.kind) : subject.node;
        return { node: withData(e, { this: s, low: low.node, high: high.node }), type: T.boolean() };
      }
      case 'case':
        return this.caseExpr(e, d, scope);
      case 'function':
        return this.call(d, scope, false, e);
      case 'aggregate_function':
        return this.call(d, scope, true, e);
      case 'window_function':
        return this.window(e, d, scope);
      case 'j_s_o_n_extract': {
        const base = this.expr(d.this as AstNode, scope);
        const path = stringLiteral(d.expression);
        if (path === undefined) throw errors.unsupported('a non-constant VARIANT path');
        return { node: extractPath(toVariant(base.node, base.type), parsePath(path)), type: T.variant() };
      }
      case 'subscript':
        return this.subscript(d, scope);
      case 'dot':
        return this.dot(d, scope);
      case 'interval':
        return { node: e, type: undefined };
      case 'map_func':
        return this.viaCatalogue('OBJECT_CONSTRUCT', this.mapArgs(d), scope);
      case 'array_func':
        return this.viaCatalogue('ARRAY_CONSTRUCT', (d.expressions as AstNode[]) ?? [], scope);
      case 'tuple': {
        const items = ((d.expressions as AstNode[]) ?? []).map((x) => this.expr(x, scope).node);
        return { node: withData(e, { expressions: items }), type: undefined };
      }
      case 'var': {
        const v = String(d.this ?? '').toUpperCase();
        if (v === 'DEFAULT') return { node: e, type: undefined };
        throw errors.invalidIdentifier(v);
      }
      case 'star':
        throw errors.syntaxMessage('* is not allowed here.');
      case 'identifier': {
        const name = identValue(d as unknown as Ident) ?? '';
        return this.column(mk.column(name), { name: d, table: null }, scope);
      }
      default:
        if (kind !== undefined && COMPARISONS.has(kind)) return this.comparison(e, d, scope);
        if (kind !== undefined && ARITHMETIC.has(kind)) return this.arithmetic(kind, e, d, scope);
        if (kind === 'bitwise_and' || kind === 'bitwise_or' || kind === 'bitwise_xor') {
          return { node: withData(e, { left: this.expr(d.left as AstNode, scope).node, right: this.expr(d.right as AstNode, scope).node }), type: T.number() };
        }
        throw errors.unsupported(`expression ${kind ?? 'unknown'}`, position(e));
    }
  }

  private column(e: AstNode, d: Data, scope: Scope): Typed {
    const name = identValue(d.name as Ident) ?? '';
    const table = identValue(d.table as Ident | null);
    if (table !== undefined && name === 'NEXTVAL' && !scope.hasRelation(table)) {
      return this.sequenceValue([table]);
    }
    const positional = table !== undefined ? /^\$([1-9]\d*)$/.exec(name) : null;
    if (positional && table !== undefined && scope.hasRelation(table)) {
      const hit = scope.positionalIn(table, Number(positional[1]));
      if (!hit) throw errors.invalidIdentifier(`${table}.${name}`, position(e));
      return { node: mk.column(hit.column.name, hit.alias), type: hit.column.type };
    }
    // Snowflake Scripting: names that are not columns may be block variables (or row fields).
    if (this.ctx.scriptVariable) {
      const v = table === undefined ? (scope.hasColumn(name) ? undefined : this.ctx.scriptVariable(name)) : scope.hasRelation(table) ? undefined : this.ctx.scriptVariable(table, name);
      if (v) {
        this.info.volatile = true;
        return { node: variableLiteral(v.value, v.type), type: v.type };
      }
    }
    if (scope.onlyCaseInsensitiveMatch(name, table)) throw errors.invalidIdentifier(table === undefined ? name : `${table}.${name}`);
    return { node: e, type: scope.columnType(name, table) };
  }

  private sequenceValue(parts: string[]): Typed {
    const seq = this.ctx.resolveSequence(parts);
    if (!seq) throw errors.invalidIdentifier(`${parts.join('.')}.NEXTVAL`);
    return { node: mk.fn('nextval', [mk.string(`"${seq.duckSchema}"."${seq.duckName}"`)]), type: T.number() };
  }

  private parameter(d: Data, scope: Scope, e: AstNode): Typed {
    if (typeof d.index === 'number') {
      const hit = scope.positional(d.index);
      if (!hit) throw errors.invalidIdentifier(`$${d.index}`, position(e));
      return { node: mk.column(hit.column.name, hit.alias), type: hit.column.type };
    }
    if (typeof d.name === 'string') {
      const name = d.name.toUpperCase();
      this.info.volatile = true;
      if (d.style === 'Colon') {
        const v = this.ctx.scriptVariable?.(name);
        if (!v) throw errors.bindVariableNotSet(name);
        return { node: variableLiteral(v.value, v.type), type: v.type };
      }
      const v = this.ctx.variable(name);
      if (!v) throw errors.variableNotSet(name);
      return { node: variableLiteral(v.value, v.type), type: v.type };
    }
    throw errors.unsupported('bind parameters (?) in this context');
  }

  private comparison(e: AstNode, d: Data, scope: Scope): Typed {
    let l = this.expr(d.left as AstNode, scope);
    let r = this.expr(d.right as AstNode, scope);
    [l, r] = harmonize(l, r);
    return { node: withData(e, { left: l.node, right: r.node }), type: T.boolean() };
  }

  private arithmetic(kind: string, e: AstNode, d: Data, scope: Scope): Typed {
    let l = this.expr(d.left as AstNode, scope);
    let r = this.expr(d.right as AstNode, scope);
    // Text in arithmetic is a number (Snowflake coerces; DuckDB would refuse a VARCHAR column). A
    // string literal needs nothing: DuckDB types it from the other side.
    const numeric = (t: SfType | undefined) => t === undefined || t.kind === 'NUMBER' || t.kind === 'FLOAT' || t.kind === 'VARCHAR' || isVariant(t);
    const textToNumber = (x: Typed, raw: AstNode, other: Typed): Typed =>
      x.type?.kind === 'VARCHAR' && stringLiteral(raw) === undefined && numeric(other.type) ? { node: mk.cast(x.node, 'DOUBLE'), type: T.float() } : x;
    [l, r] = [textToNumber(l, d.left as AstNode, r), textToNumber(r, d.right as AstNode, l)];
    const left = isVariant(l.type) ? coerce(l.node, l.type, 'FLOAT') : l.node;
    const right = isVariant(r.type) ? coerce(r.node, r.type, 'FLOAT') : r.node;
    const type = arithmeticType(kind, l.type, r.type);
    if (kind === 'div') {
      // NUMBER / NUMBER stays NUMBER in Snowflake, computed exactly (DuckDB would give a DOUBLE).
      if (l.type?.kind === 'NUMBER' && r.type?.kind === 'NUMBER') return numberQuotient(left, right, l.type, r.type);
      return { node: mk.fn('sf_div', [left, right]), type };
    }
    if (kind === 'mod') return { node: mk.fn('sf_mod', [left, right]), type };
    return { node: withData(e, { left, right }), type };
  }

  private like(kind: string, d: Data, scope: Scope): Typed {
    const subject = asText(this.expr(d.left as AstNode, scope));
    const quantifier = typeof d.quantifier === 'string' ? d.quantifier.toUpperCase() : undefined;
    const escape = d.escape ? this.expr(d.escape as AstNode, scope).node : null;
    const one = (pattern: AstNode): AstNode =>
      node(kind, { left: subject, right: pattern, escape, quantifier: null, left_comments: [], operator_comments: [], trailing_comments: [] });
    if (!quantifier) return { node: one(asText(this.expr(d.right as AstNode, scope))), type: T.boolean() };
    const right = d.right as AstNode;
    const items = dataOf<{ expressions: AstNode[] }>(right, 'tuple')?.expressions ?? [dataOf<{ this: AstNode }>(right, 'paren')?.this ?? right];
    const parts = items.map((p) => one(asText(this.expr(p, scope))));
    const joiner = quantifier === 'ALL' ? 'and' : 'or';
    return { node: mk.paren(parts.reduce((a, b) => mk.binary(joiner, a, b))), type: T.boolean() };
  }

  private inList(e: AstNode, d: Data, scope: Scope): Typed {
    const subject = this.expr(d.this as AstNode, scope);
    if (d.query) {
      const q = this.subquery(d.query as AstNode, scope);
      const target = q.columns[0]?.type;
      const s = isVariant(subject.type) && target && !isVariant(target) ? coerce(subject.node, subject.type, target.kind) : subject.node;
      return { node: withData(e, { this: s, query: q.node }), type: T.boolean() };
    }
    const items = ((d.expressions as AstNode[]) ?? []).map((x) => this.expr(x, scope));
    const target = items.find((i) => i.type !== undefined)?.type;
    const s = isVariant(subject.type) && target && !isVariant(target) ? coerce(subject.node, subject.type, target.kind) : subject.node;
    return { node: withData(e, { this: s, expressions: items.map((i) => i.node) }), type: T.boolean() };
  }

  private caseExpr(e: AstNode, d: Data, scope: Scope): Typed {
    const operand = d.operand ? this.expr(d.operand as AstNode, scope) : undefined;
    let type: SfType | undefined;
    const whens = ((d.whens as [AstNode, AstNode][]) ?? []).map(([w, t]) => {
      const cond = operand ? this.expr(w, scope).node : this.condition(w, scope);
      const then = this.expr(t, scope);
      type ??= then.type;
      return [cond, then.node];
    });
    const otherwise = d.else_ ? this.expr(d.else_ as AstNode, scope) : undefined;
    type ??= otherwise?.type;
    let op = operand?.node ?? null;
    if (operand && isVariant(operand.type)) {
      const firstWhen = ((d.whens as [AstNode, AstNode][]) ?? [])[0];
      const wt = firstWhen ? this.expr(firstWhen[0], scope).type : undefined;
      if (wt && !isVariant(wt)) op = coerce(operand.node, operand.type, wt.kind);
    }
    return { node: withData(e, { operand: op, whens, else_: otherwise?.node ?? null }), type };
  }

  /** Normalized calls (`function` / `aggregate_function`) through the catalogue. */
  call(d: Data, scope: Scope, aggregate: boolean, original: AstNode, inWindow = false): Typed {
    const name = String(d.name).toUpperCase();
    const rawArgs = expandStarArguments(name, (d.args as AstNode[]) ?? [], scope);
    if (name.includes('.')) throw errors.unsupported(`user-defined function ${name}`, position(original));
    const session = this.sessionFunction(name, rawArgs);
    if (session) return session;
    // (With OVER it is handled by window().)
    if (name === 'CONDITIONAL_TRUE_EVENT') throw errors.syntaxMessage(`Window function ${name} requires an OVER clause.`);
    if (name === 'TRANSFORM' || name === 'FILTER' || name === 'REDUCE') return higherOrder(this, name, rawArgs, scope);
    if (['SEQ1', 'SEQ2', 'SEQ4', 'SEQ8'].includes(name)) {
      // Over GENERATOR the row counter is the generator's own row number (usable inside aggregates).
      const gen = scope.generator();
      if (gen) return { node: mk.column(gen.generatorRow!, gen.alias), type: T.number() };
    }
    const spec = lookupFunction(name);
    if (!spec) {
      const reason = unsupportedReason(name);
      if (reason) throw errors.unsupported(reason, position(original));
      throw errors.unsupported(`function ${name}`, position(original));
    }
    if (rawArgs.length < spec.min || rawArgs.length > spec.max) {
      const expected = spec.min === spec.max ? String(spec.min) : spec.max === Infinity ? `at least ${spec.min}` : `${spec.min} to ${spec.max}`;
      throw errors.wrongArgumentCount(`${name}(…)`, rawArgs.length, expected);
    }
    if (spec.windowOnly && !inWindow) throw errors.syntaxMessage(`Window function ${name} requires an OVER clause.`);
    if (aggregate && !spec.aggregate && !inWindow && d.within_group) throw errors.syntaxMessage(`${name} does not support WITHIN GROUP.`);
    const partArgs = new Set(spec.partArgs ?? []);
    const translated = rawArgs.map((a, i) => {
      if (partArgs.has(i)) return { node: a, type: undefined };
      if (kindOf(a) === 'star') return { node: a, type: undefined };
      return this.expr(a, scope);
    });
    const orderBy = ((d.order_by as { this: AstNode }[]) ?? []).map((o) => ({ ...o, this: this.expr(o.this, scope).node }));
    const filter = d.filter ? this.condition(d.filter as AstNode, scope) : null;
    const info: CallInfo = {
      name,
      args: translated.map((t) => t.node),
      types: translated.map((t) => t.type),
      raw: rawArgs,
      distinct: d.distinct === true,
      orderBy,
      filter,
      ignoreNulls: (d.ignore_nulls as boolean | null) ?? null,
      session: this.ctx.session,
    };
    const type = typeof spec.returns === 'function' ? spec.returns(info) : spec.returns;
    return { node: spec.emit(info), type };
  }

  /** Functions answered by the session itself: LAST_QUERY_ID, SYSTEM$WAIT, SYSTEM$STREAM_HAS_DATA. */
  private sessionFunction(name: string, args: AstNode[]): Typed | undefined {
    if (name === 'LAST_QUERY_ID') {
      if (args.length > 1) throw errors.wrongArgumentCount('LAST_QUERY_ID(…)', args.length, '1');
      const n = args.length === 0 ? -1 : numberLiteral(args[0]);
      if (n === undefined) throw errors.unsupported('LAST_QUERY_ID with a non-constant argument');
      this.info.volatile = true;
      const id = this.ctx.lastQueryId(n);
      return { node: id === undefined ? mk.cast(mk.null(), 'VARCHAR') : mk.string(id), type: T.varchar() };
    }
    if (name === 'SYSTEM$WAIT') {
      if (args.length < 1 || args.length > 2) throw errors.wrongArgumentCount('SYSTEM$WAIT(…)', args.length, '1 to 2');
      const amount = numberLiteral(args[0]);
      const unit = (args[1] ? stringLiteral(args[1]) : 'SECONDS')?.toUpperCase();
      if (amount === undefined || amount < 0) throw errors.invalidArgument('SYSTEM$WAIT', 'the amount must be a non-negative constant');
      const factor = unit === 'MILLISECONDS' ? 0.001 : unit === 'MINUTES' ? 60 : unit === 'HOURS' ? 3600 : unit === 'SECONDS' ? 1 : undefined;
      if (factor === undefined) throw errors.invalidArgument('SYSTEM$WAIT', "the unit must be 'SECONDS', 'MILLISECONDS', 'MINUTES' or 'HOURS'");
      this.info.waitSeconds += amount * factor;
      this.info.volatile = true;
      return { node: mk.string(`waited ${amount} ${unit?.toLowerCase()}`), type: T.varchar() };
    }
    if (name === 'SYSTEM$STREAM_HAS_DATA') {
      if (args.length !== 1) throw errors.wrongArgumentCount('SYSTEM$STREAM_HAS_DATA(…)', args.length, '1');
      const text = stringLiteral(args[0]);
      if (text === undefined) throw errors.invalidArgument('SYSTEM$STREAM_HAS_DATA', 'the stream name must be a string literal');
      const check = this.ctx.streamHasData(parseNameString(text));
      this.info.volatile = true;
      this.info.streamChecks.push(check.streamId);
      return { node: mk.boolean(check.hasData), type: T.boolean() };
    }
    if (name.startsWith('SYSTEM$') && this.ctx.systemFunction) {
      const values = args.map((a) => this.constantArgument(a, name));
      const r = this.ctx.systemFunction(name, values);
      if (r) {
        this.info.volatile = true;
        if (r.action) this.info.actions.push(r.action);
        return { node: variableLiteral(r.value.value, r.value.type), type: r.value.type };
      }
    }
    return undefined;
  }

  /** A constant argument of a system function: a literal, `$session` or `:block` variable. */
  private constantArgument(a: AstNode, fn: string): string | number | boolean | null {
    const c = constantValue(a);
    if (c !== undefined) return c;
    const p = dataOf<Data>(a, 'parameter');
    if (p && typeof p.name === 'string') {
      const n = p.name.toUpperCase();
      this.info.volatile = true;
      const v = p.style === 'Colon' ? this.ctx.scriptVariable?.(n) : this.ctx.variable(n);
      if (!v) throw p.style === 'Colon' ? errors.bindVariableNotSet(n) : errors.variableNotSet(n);
      return v.value;
    }
    throw errors.invalidArgument(fn, 'arguments must be constants or variables');
  }

  private viaCatalogue(name: string, args: AstNode[], scope: Scope): Typed {
    return this.call({ name, args }, scope, false, mk.fn(name, args));
  }

  private mapArgs(d: Data): AstNode[] {
    const keys = (d.keys as AstNode[]) ?? [];
    const values = (d.values as AstNode[]) ?? [];
    return keys.flatMap((k, i) => [k, values[i]]);
  }

  private window(e: AstNode, d: Data, scope: Scope): Typed {
    const over = this.over(d.over as Data, scope);
    const inner = d.this as AstNode;
    const innerKind = kindOf(inner);
    const innerData = (innerKind ? inner[innerKind] : {}) as Data;
    if (innerKind === 'function' && String(innerData.name).toUpperCase() === 'RATIO_TO_REPORT') {
      const arg = this.expr((innerData.args as AstNode[])[0], scope);
      const x = coerce(arg.node, arg.type, 'NUMBER');
      const sum = node('window_function', { this: mk.fn('sum', [x]), over });
      return { node: mk.fn('sf_div', [x, sum]), type: T.float() };
    }
    if (innerKind === 'function' && String(innerData.name).toUpperCase() === 'CONDITIONAL_TRUE_EVENT') return trueEvents(this, innerData, over, scope);
    if (innerKind !== 'function' && innerKind !== 'aggregate_function') throw errors.unsupported(`window over ${innerKind}`);
    const t = this.call(innerData, scope, innerKind === 'aggregate_function', inner, true);
    if (kindOf(t.node) !== 'aggregate_function' && containsAggregate(t.node)) {
      // The call became an expression over aggregates (AVG: SUM / COUNT; ARRAY_AGG: a JSON list with
      // a default): each aggregate is windowed alike.
      return { node: windowEach(t.node, e, over), type: t.type };
    }
    return { node: withData(e, { this: t.node, over }), type: t.type };
  }

  private over(o: Data, scope: Scope): Data {
    if (!o) return o;
    const partition = ((o.partition_by as AstNode[]) ?? []).map((p) => this.expr(p, scope).node);
    const order = ((o.order_by as { this: AstNode }[]) ?? []).map((x) => ({ ...x, this: this.expr(x.this, scope).node }));
    return { ...o, partition_by: partition, order_by: order };
  }

  private subscript(d: Data, scope: Scope): Typed {
    const base = this.expr(d.this as AstNode, scope);
    const idx = d.index as AstNode;
    const key = stringLiteral(idx);
    const v = toVariant(base.node, base.type);
    if (key !== undefined) return { node: extractPath(v, [{ key }]), type: T.variant() };
    const n = dataOf<{ literal_type: string; value: string }>(idx, 'literal');
    if (n && n.literal_type === 'number' && /^\d+$/.test(n.value)) return { node: extractPath(v, [{ index: Number(n.value) }]), type: T.variant() };
    const i = this.expr(idx, scope);
    return { node: mk.fn('sf_get', [v, i.node]), type: T.variant() };
  }

  /** `a.b.c.NEXTVAL` (a qualified sequence) or a path into a VARIANT column. */
  private dot(d: Data, scope: Scope): Typed {
    const parts: string[] = [];
    let cur: AstNode = node('dot', d);
    for (;;) {
      const dd = dataOf<Data>(cur, 'dot');
      if (!dd) break;
      parts.unshift(identValue(dd.field as Ident) ?? '');
      cur = dd.this as AstNode;
    }
    const col = dataOf<Data>(cur, 'column');
    if (col) {
      parts.unshift(identValue(col.name as Ident) ?? '');
      const table = identValue(col.table as Ident | null);
      if (table !== undefined) parts.unshift(table);
    }
    if (parts[parts.length - 1] === 'NEXTVAL' && parts.length <= 4) return this.sequenceValue(parts.slice(0, -1));
    throw errors.unsupported(`qualified reference ${parts.join('.')}`);
  }
}

/** Brings a VARIANT operand to the other operand's type, as Snowflake compares them. */
function harmonize(l: Typed, r: Typed): [Typed, Typed] {
  if (isVariant(l.type) && r.type && !isVariant(r.type)) return [{ node: coerce(l.node, l.type, r.type.kind), type: r.type }, r];
  if (isVariant(r.type) && l.type && !isVariant(l.type)) return [l, { node: coerce(r.node, r.type, l.type.kind), type: l.type }];
  return [l, r];
}

/** Kinds whose aggregates belong to a query of their own, not to the call being windowed. */
const OWN_QUERY = new Set(['subquery', 'select', 'exists']);

function containsAggregate(v: unknown): boolean {
  if (v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some(containsAggregate);
  const kind = kindOf(v);
  if (kind !== undefined && OWN_QUERY.has(kind)) return false;
  return kind === 'aggregate_function' || Object.values(v).some(containsAggregate);
}

/** `expr` with each aggregate call in it replaced by that call over the window of `e`. */
function windowEach(expr: unknown, e: AstNode, over: Data): AstNode {
  const go = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(go);
    const kind = kindOf(v);
    if (kind !== undefined && OWN_QUERY.has(kind)) return v;
    if (kind === 'aggregate_function') return withData(e, { this: v as AstNode, over });
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, go(x)]));
  };
  return go(expr) as AstNode;
}

function asText(t: Typed): AstNode {
  if (t.type === undefined || t.type.kind === 'VARCHAR') return t.node;
  return coerce(t.node, t.type, 'VARCHAR');
}

function arithmeticType(kind: string, l: SfType | undefined, r: SfType | undefined): SfType | undefined {
  if (l?.kind === 'FLOAT' || r?.kind === 'FLOAT' || isVariant(l) || isVariant(r)) return T.float();
  if ((kind === 'add' || kind === 'sub') && (l?.kind === 'DATE' || l?.kind?.startsWith('TIMESTAMP'))) return l;
  if (kind === 'div') {
    if (l?.kind !== 'NUMBER' || r?.kind !== 'NUMBER') return l === undefined || r === undefined ? undefined : T.float();
    return T.number(38, quotientScale(l.scale));
  }
  if (l?.kind === 'NUMBER' && r?.kind === 'NUMBER') {
    const scale = Math.max(l.scale, r.scale);
    return T.number(38, scale);
  }
  return l ?? r;
}

export function literalType(d: Data): SfType | undefined {
  const lt = String(d.literal_type);
  const value = String(d.value);
  switch (lt) {
    case 'string':
      return T.varchar();
    case 'number': {
      if (/[eE]/.test(value)) return T.float();
      const dot = value.indexOf('.');
      if (dot < 0) return T.number(38, 0);
      const scale = value.length - dot - 1;
      return T.number(Math.max(scale + 1, Math.min(38, value.replace('.', '').replace(/^0+/, '').length || 1)), scale);
    }
    case 'date':
      return T.date();
    case 'time':
      return T.time();
    case 'timestamp':
      return T.timestampNtz();
    default:
      return undefined;
  }
}

/** A session variable's value as a literal of its type. */
export function variableLiteral(value: string | number | boolean | null, type: SfType): AstNode {
  if (value === null) return mk.cast(mk.null(), duckTypeOf(type));
  if (typeof value === 'boolean') return mk.boolean(value);
  if (type.kind === 'NUMBER' || type.kind === 'FLOAT') {
    const text = String(value);
    return type.kind === 'FLOAT' ? mk.cast(mk.string(text), 'DOUBLE') : mk.number(text);
  }
  if (type.kind === 'VARCHAR') return mk.string(String(value));
  return mk.cast(mk.string(String(value)), duckTypeOf(type));
}

/** Source positions are reported for syntax errors; translation errors name the construct instead. */
function position(_e: AstNode): undefined {
  return undefined;
}

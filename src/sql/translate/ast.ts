/**
 * Helpers for polyglot's syntax tree: nodes are single-key objects `{ kind: data }` (serde's
 * externally tagged enums). Trees are treated as immutable: rewrites return new nodes and never
 * modify a node they were given.
 */
import type { AstNode } from '../statements/statement.ts';

export type { AstNode };

/** An identifier as polyglot stores it. */
export interface Ident {
  name: string;
  quoted: boolean;
  [k: string]: unknown;
}

export function kindOf(node: unknown): string | undefined {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const keys = Object.keys(node);
  return keys.length === 1 ? keys[0] : undefined;
}

/** The data of a node of the given kind, or undefined when the node is of another kind. */
export function dataOf<T = Record<string, unknown>>(node: unknown, kind: string): T | undefined {
  if (kindOf(node) !== kind) return undefined;
  return (node as Record<string, T>)[kind];
}

export function node(kind: string, data: unknown): AstNode {
  return { [kind]: data };
}

export function isIdent(v: unknown): v is Ident {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.name === 'string' && typeof o.quoted === 'boolean' && !('args' in o) && !('this' in o);
}

export function ident(name: string, quoted = true): Ident {
  return { name, quoted, trailing_comments: [] };
}

/** The resolved (case-folded) value of an identifier. */
export function identValue(i: Ident | null | undefined): string | undefined {
  if (!i) return undefined;
  return i.quoted ? i.name : i.name.toUpperCase();
}

export const mk = {
  string(value: string): AstNode {
    return node('literal', { literal_type: 'string', value });
  },
  number(value: number | string): AstNode {
    const text = String(value);
    if (text.startsWith('-')) return node('neg', { this: node('literal', { literal_type: 'number', value: text.slice(1) }) });
    return node('literal', { literal_type: 'number', value: text });
  },
  boolean(value: boolean): AstNode {
    return node('boolean', { value });
  },
  null(): AstNode {
    return node('null', null);
  },
  fn(name: string, args: AstNode[], extra: Record<string, unknown> = {}): AstNode {
    return node('function', {
      name,
      args,
      distinct: false,
      use_bracket_syntax: false,
      no_parens: false,
      quoted: false,
      trailing_comments: [],
      ...extra,
    });
  },
  column(name: string, table?: string): AstNode {
    return node('column', {
      name: ident(name),
      table: table === undefined ? null : ident(table),
      join_mark: false,
      trailing_comments: [],
    });
  },
  alias(expr: AstNode, name: string): AstNode {
    return node('alias', {
      this: expr,
      alias: ident(name),
      column_aliases: [],
      alias_explicit_as: true,
      pre_alias_comments: [],
      trailing_comments: [],
    });
  },
  cast(expr: AstNode, duckType: string): AstNode {
    return node('cast', { this: expr, to: { data_type: 'custom', name: duckType }, trailing_comments: [], double_colon_syntax: false });
  },
  tryCast(expr: AstNode, duckType: string): AstNode {
    return node('try_cast', { this: expr, to: { data_type: 'custom', name: duckType }, trailing_comments: [], double_colon_syntax: false });
  },
  paren(expr: AstNode): AstNode {
    return node('paren', { this: expr, trailing_comments: [] });
  },
  binary(kind: string, left: AstNode, right: AstNode): AstNode {
    return node(kind, { left, right, left_comments: [], operator_comments: [], trailing_comments: [] });
  },
  not(expr: AstNode): AstNode {
    return node('not', { this: expr });
  },
  isNull(expr: AstNode, not = false): AstNode {
    return node('is_null', { this: expr, not, postfix_form: false });
  },
  /** A DuckDB list literal `[a, b]`. */
  list(items: AstNode[]): AstNode {
    return node('array_func', { expressions: items, bracket_notation: true, use_list_keyword: false });
  },
  /** A DuckDB lambda `param -> body`; refer to the parameter with mk.column(param). */
  lambda(param: string, body: AstNode): AstNode {
    return node('lambda', { parameters: [ident(param)], body, colon: false, parameter_types: [] });
  },
  caseWhen(whens: [AstNode, AstNode][], otherwise: AstNode | null = null): AstNode {
    return node('case', { operand: null, whens, else_: otherwise });
  },
  subscript(expr: AstNode, index: AstNode): AstNode {
    return node('subscript', { this: expr, index });
  },
  /** A SELECT with every field polyglot's printer expects. */
  select(expressions: AstNode[], from: AstNode[] | null = null): AstNode {
    return node('select', {
      expressions,
      from: from === null ? null : { expressions: from },
      joins: [],
      lateral_views: [],
      where_clause: null,
      group_by: null,
      having: null,
      qualify: null,
      order_by: null,
      distribute_by: null,
      cluster_by: null,
      sort_by: null,
      limit: null,
      offset: null,
      fetch: null,
      distinct: false,
      distinct_on: null,
      top: null,
      with: null,
      sample: null,
      windows: null,
      hint: null,
      connect: null,
      into: null,
      locks: [],
      leading_comments: [],
    });
  },
  tableRef(schema: string | undefined, name: string, alias?: string): AstNode {
    return node('table', {
      name: ident(name),
      schema: schema === undefined ? null : ident(schema),
      catalog: null,
      alias: alias === undefined ? null : ident(alias),
      alias_explicit_as: alias !== undefined,
      column_aliases: [],
      trailing_comments: [],
      when: null,
      only: false,
      final_: false,
      hints: [],
    });
  },
};

/** Literal string value of a node, if it is a string literal. */
export function stringLiteral(n: unknown): string | undefined {
  const d = dataOf<{ literal_type: string; value: string }>(n, 'literal');
  return d && d.literal_type === 'string' ? d.value : undefined;
}

/** Numeric literal value (with unary minus), if the node is one. */
export function numberLiteral(n: unknown): number | undefined {
  const neg = dataOf<{ this: unknown }>(n, 'neg');
  if (neg) {
    const v = numberLiteral(neg.this);
    return v === undefined ? undefined : -v;
  }
  const d = dataOf<{ literal_type: string; value: string }>(n, 'literal');
  return d && d.literal_type === 'number' ? Number(d.value) : undefined;
}

export function numberLiteralText(n: unknown): string | undefined {
  const neg = dataOf<{ this: unknown }>(n, 'neg');
  if (neg) {
    const v = numberLiteralText(neg.this);
    return v === undefined ? undefined : `-${v}`;
  }
  const d = dataOf<{ literal_type: string; value: string }>(n, 'literal');
  return d && d.literal_type === 'number' ? d.value : undefined;
}

/**
 * Rebuilds a value bottom-up: `fn` sees every node after its children were rebuilt and returns a
 * replacement (or the node itself). Arrays and plain structs are copied only when a child changed.
 */
export function mapTree(value: unknown, fn: (n: AstNode) => AstNode): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = mapTree(v, fn);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  const obj = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    if (key === 'span') continue;
    const child = obj[key];
    const r = mapTree(child, fn);
    if (r !== child) {
      copy ??= { ...obj };
      copy[key] = r;
    }
  }
  const rebuilt = (copy ?? obj) as AstNode;
  return kindOf(rebuilt) !== undefined ? fn(rebuilt) : rebuilt;
}

/** Visits every node (pre-order). Returning false from `fn` skips the node's children. */
export function walk(value: unknown, fn: (n: AstNode) => boolean | void): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const v of value) walk(v, fn);
    return;
  }
  if (kindOf(value) !== undefined && fn(value as AstNode) === false) return;
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) if (key !== 'span') walk(obj[key], fn);
}

/** A shallow copy of a node with some data fields replaced. */
export function withData(n: AstNode, patch: Record<string, unknown>): AstNode {
  const kind = kindOf(n)!;
  return node(kind, { ...(n[kind] as Record<string, unknown>), ...patch });
}

/** The first span (line/column/offset) found inside a node, for error positions. */
export function spanOf(n: unknown): { start: number; line: number; column: number } | undefined {
  if (n === null || typeof n !== 'object') return undefined;
  const o = n as Record<string, unknown>;
  if (o.span && typeof o.span === 'object') return o.span as { start: number; line: number; column: number };
  for (const k of Object.keys(o)) {
    const s = spanOf(o[k]);
    if (s) return s;
  }
  return undefined;
}

/** A literal's value (string, number, boolean, NULL); undefined for anything else. */
export function constantValue(n: AstNode): string | number | boolean | null | undefined {
  const s = stringLiteral(n);
  if (s !== undefined) return s;
  const num = numberLiteral(n);
  if (num !== undefined) return num;
  const b = dataOf<{ value: boolean }>(n, 'boolean');
  if (b) return b.value;
  if (kindOf(n) === 'null') return null;
  return undefined;
}

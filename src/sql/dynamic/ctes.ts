/**
 * Inlines non-recursive common table expressions: every reference to a CTE becomes a subquery with
 * the CTE's body, so the incremental planner sees one tree of SELECT blocks and derived tables.
 * (A CTE referenced twice is computed twice; the planner keeps each occurrence's changes apart.)
 */
import type { AstNode } from '../statements/statement.ts';
import { ident, identValue, kindOf, node, type Ident } from '../translate/ast.ts';
import { tableNameParts } from '../translate/queries.ts';
import { Unsupported } from './unsupported.ts';

type Data = Record<string, unknown>;

interface Cte {
  body: AstNode;
  columns: Ident[];
}

export function inlineCtes(ast: AstNode): AstNode {
  return inline(ast, []) as AstNode;
}

function lookup(env: Map<string, Cte>[], name: string): Cte | undefined {
  for (let i = env.length - 1; i >= 0; i -= 1) {
    const c = env[i].get(name);
    if (c) return c;
  }
  return undefined;
}

function inline(value: unknown, env: Map<string, Cte>[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => inline(v, env));
  const kind = kindOf(value);
  const obj = value as Data;
  if (kind === undefined) {
    const out: Data = {};
    for (const [k, v] of Object.entries(obj)) out[k] = k === 'span' ? v : inline(v, env);
    return out;
  }
  const d = obj[kind] as Data;
  if (kind === 'table' && d && typeof d === 'object') {
    const parts = tableNameParts(d);
    const cte = parts.length === 1 ? lookup(env, parts[0]) : undefined;
    if (!cte) return value;
    const renamed = (d.column_aliases as Ident[] | undefined) ?? [];
    return node('subquery', {
      this: cte.body,
      alias: ident(identValue(d.alias as Ident | null) ?? parts[0]),
      column_aliases: renamed.length > 0 ? renamed : cte.columns,
      alias_explicit_as: true,
      lateral: false,
      modifiers_inside: false,
      trailing_comments: [],
    });
  }
  const w = d && typeof d === 'object' && !Array.isArray(d) ? (d.with as Data | null | undefined) : undefined;
  if (!w) return node(kind, inline(d, env));
  if (w.recursive) throw new Unsupported('WITH RECURSIVE is not supported for incremental refresh');
  const frame = new Map<string, Cte>();
  const inner = [...env, frame];
  for (const cte of (w.ctes as Data[]) ?? []) {
    const name = identValue(cte.alias as Ident) ?? '';
    frame.set(name, { body: inline(cte.this, inner) as AstNode, columns: (cte.columns as Ident[] | undefined) ?? [] });
  }
  const rest: Data = {};
  for (const [k, v] of Object.entries(d)) if (k !== 'with') rest[k] = k === 'span' ? v : inline(v, inner);
  rest.with = null;
  return node(kind, rest);
}

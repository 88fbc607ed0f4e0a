/**
 * Identifier case.
 *
 * Snowflake: unquoted identifiers are folded to upper case; quoted ones keep their case, and names
 * compare exactly after that. DuckDB: identifiers keep their case but compare case-insensitively, and
 * result columns take the spelling written in the query.
 *
 * Gap closed: every unquoted identifier becomes its upper-case, quoted form before anything else, so
 * later passes compare resolved names and DuckDB returns Snowflake's column names (`select a` → `A`).
 */
import { isIdent, type AstNode } from './ast.ts';

export function foldIdentifiers(ast: AstNode): AstNode {
  return foldValue(ast) as AstNode;
}

function foldValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = foldValue(v);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  if (isIdent(value)) {
    return value.quoted ? value : { ...value, name: value.name.toUpperCase(), quoted: true };
  }
  const obj = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    if (key === 'span') continue;
    const child = obj[key];
    const r = foldValue(child);
    if (r !== child) {
      copy ??= { ...obj };
      copy[key] = r;
    }
  }
  return copy ?? obj;
}


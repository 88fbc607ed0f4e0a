/**
 * The filters every SHOW command shares: LIKE (case-insensitive SQL pattern), STARTS WITH
 * (case-sensitive prefix), LIMIT n [FROM 'name'], applied in Snowflake's order after sorting.
 */
import type { ShowStatement } from '../../sql/index.ts';

/** SQL LIKE with `%`, `_` and backslash escapes, case-insensitive (as SHOW … LIKE is). */
export function likeMatcher(pattern: string): (s: string) => boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i += 1) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRegex(pattern[i + 1]);
      i += 1;
    } else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += escapeRegex(c);
  }
  const compiled = new RegExp(`${re}$`, 'is');
  return (s) => compiled.test(s);
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** Applies LIKE, STARTS WITH and LIMIT … FROM to items sorted by their names. */
export function applyShowFilters<T>(items: T[], name: (t: T) => string, stmt: ShowStatement): T[] {
  let out = items;
  if (stmt.like !== undefined) {
    const m = likeMatcher(stmt.like);
    out = out.filter((t) => m(name(t)));
  }
  if (stmt.startsWith !== undefined) out = out.filter((t) => name(t).startsWith(stmt.startsWith!));
  if (stmt.limitFrom !== undefined) out = out.filter((t) => name(t) >= stmt.limitFrom!);
  if (stmt.limit !== undefined) out = out.slice(0, stmt.limit);
  return out;
}

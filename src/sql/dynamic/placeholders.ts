/**
 * Placeholder relation names in bound dynamic-table queries. A bound query names each base input
 * `__BKL_I<id>`; the planner renames each occurrence for the role it plays in one generated query,
 * and the engine's translate context resolves `__BKL_I<id>_<role>` (and `__BKL_D<n>_<role>` for the
 * changes of a derived table) to a versioned macro call or a temporary table.
 *
 * Roles: OLD / NEW — the input as of the previous / this refresh's version; DOLD / DNEW — the old /
 * new images of the rows that changed in between; EMPTY — no rows (to null-extend outer joins).
 */
export type Role = 'OLD' | 'NEW' | 'DOLD' | 'DNEW' | 'EMPTY';

const PREFIX = '__BKL_';

export function inputPlaceholder(id: number, role?: Role): string {
  return role ? `${PREFIX}I${id}_${role}` : `${PREFIX}I${id}`;
}

export function derivedPlaceholder(n: number, role: 'DOLD' | 'DNEW' | 'EMPTY'): string {
  return `${PREFIX}D${n}_${role}`;
}

export interface Placeholder {
  /** I: a base input (catalog id); D: a derived table's changes (planner's block number). */
  kind: 'I' | 'D';
  n: number;
  role?: Role;
}

export function parsePlaceholder(name: string): Placeholder | undefined {
  if (!name.startsWith(PREFIX)) return undefined;
  const rest = name.slice(PREFIX.length);
  const kind = rest[0];
  if (kind !== 'I' && kind !== 'D') return undefined;
  const [num, role] = rest.slice(1).split('_');
  const n = Number(num);
  if (!Number.isInteger(n)) return undefined;
  if (role !== undefined && !['OLD', 'NEW', 'DOLD', 'DNEW', 'EMPTY'].includes(role)) return undefined;
  return { kind, n, role: role as Role | undefined };
}

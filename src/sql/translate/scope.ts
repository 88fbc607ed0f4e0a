/**
 * Name scopes of a query: which relations a SELECT reads, under which aliases, with which columns
 * and Snowflake types. The translator uses them to resolve `$n` positional references, to type
 * expressions (so VARIANT values are converted where Snowflake converts them implicitly) and to tell
 * a sequence's NEXTVAL from a column.
 */
import type { SfType } from '../types/snowflake-types.ts';

export interface ScopeColumn {
  name: string;
  type: SfType | undefined;
}

export interface ScopeRelation {
  /** Alias (or table name) columns are qualified with, already folded. */
  alias: string;
  columns: ScopeColumn[];
  /** For TABLE(GENERATOR(…)): its 0-based row-number column. */
  generatorRow?: string;
}

export class Scope {
  readonly relations: ScopeRelation[] = [];
  /** Select-list aliases, which Snowflake lets WHERE, GROUP BY, HAVING and QUALIFY reference. */
  readonly selectAliases = new Map<string, SfType | undefined>();
  readonly parent?: Scope;

  constructor(parent?: Scope) {
    this.parent = parent;
  }

  add(rel: ScopeRelation): void {
    this.relations.push(rel);
  }

  relation(alias: string): ScopeRelation | undefined {
    for (let s: Scope | undefined = this; s; s = s.parent) {
      const r = s.relations.find((x) => x.alias === alias);
      if (r) return r;
    }
    return undefined;
  }

  /** Type of a column reference `[qualifier.]name`; undefined when unknown (not an error here). */
  columnType(name: string, qualifier?: string): SfType | undefined {
    if (qualifier !== undefined) {
      return this.relation(qualifier)?.columns.find((c) => c.name === name)?.type;
    }
    for (let s: Scope | undefined = this; s; s = s.parent) {
      for (const r of s.relations) {
        const c = r.columns.find((x) => x.name === name);
        if (c) return c.type;
      }
      if (s.selectAliases.has(name)) return s.selectAliases.get(name);
    }
    return undefined;
  }

  /**
   * True when `name` matches no column exactly but some visible column ignoring case. DuckDB would
   * accept such a reference; Snowflake does not (quoted names are case-sensitive).
   */
  onlyCaseInsensitiveMatch(name: string, qualifier?: string): boolean {
    const rels: ScopeRelation[] = [];
    if (qualifier !== undefined) {
      const r = this.relation(qualifier);
      if (r) rels.push(r);
    } else {
      for (let s: Scope | undefined = this; s; s = s.parent) {
        rels.push(...s.relations);
        if ([...s.selectAliases.keys()].some((a) => a === name)) return false;
      }
    }
    if (rels.some((r) => r.columns.some((c) => c.name === name))) return false;
    const upper = name.toUpperCase();
    return rels.some((r) => r.columns.some((c) => c.name.toUpperCase() === upper));
  }

  /** The GENERATOR relation of this SELECT, if its FROM has one. */
  generator(): ScopeRelation | undefined {
    return this.relations.find((r) => r.generatorRow !== undefined);
  }

  /** All columns in FROM order, for `$n` positional references. */
  positional(index: number): { alias: string; column: ScopeColumn } | undefined {
    let i = 0;
    for (const r of this.relations) {
      for (const c of r.columns) {
        i += 1;
        if (i === index) return { alias: r.alias, column: c };
      }
    }
    return undefined;
  }

  /** `alias.$n`: the n-th column of one relation. */
  positionalIn(alias: string, index: number): { alias: string; column: ScopeColumn } | undefined {
    const r = this.relation(alias);
    const c = r?.columns[index - 1];
    return r && c ? { alias: r.alias, column: c } : undefined;
  }

  /** True when some visible column or select alias has this name (ignoring case, as DuckDB would). */
  hasColumn(name: string): boolean {
    const upper = name.toUpperCase();
    for (let s: Scope | undefined = this; s; s = s.parent) {
      if (s.relations.some((r) => r.columns.some((c) => c.name.toUpperCase() === upper))) return true;
      if ([...s.selectAliases.keys()].some((a) => a.toUpperCase() === upper)) return true;
    }
    return false;
  }

  /** True when `alias` is a relation visible here (so `alias.NEXTVAL` is a column, not a sequence). */
  hasRelation(alias: string): boolean {
    return this.relation(alias) !== undefined;
  }
}

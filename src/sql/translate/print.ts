/** Printing translated trees as DuckDB SQL with polyglot's DuckDB generator. */
import { generate, Dialect } from '@polyglot-sql/sdk';
import type { AstNode } from './ast.ts';

/** Prints a translated tree as DuckDB SQL. A failure here is a translator bug, not a user error. */
export function printDuckDb(ast: AstNode): string {
  const r = generate([ast], Dialect.DuckDB);
  if (!r.success || !r.sql || r.sql.length !== 1) {
    throw new Error(`could not print translated SQL: ${r.error ?? 'no output'}`);
  }
  return r.sql[0];
}

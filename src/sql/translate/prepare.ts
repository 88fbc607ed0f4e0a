/**
 * The passes every parsed query goes through before it is translated or bound, in order:
 * identifiers folded to Snowflake's case, PIVOT / UNPIVOT written as the derived tables they stand
 * for, and function calls brought to one shape.
 */
import type { AstNode } from './ast.ts';
import { foldIdentifiers } from './fold-identifiers.ts';
import { normalizeFunctions } from './normalize-functions.ts';
import { rewritePivots } from './pivot.ts';

export function prepareAst(ast: AstNode): AstNode {
  return normalizeFunctions(rewritePivots(foldIdentifiers(ast)));
}

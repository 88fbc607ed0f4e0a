/**
 * The syntax tree of a Snowflake Scripting block (grammar/scripting.ts). Expressions, conditions
 * and SQL statements are Snowflake source text; the engine's interpreter evaluates them.
 */
import type { SfType } from '../types/snowflake-types.ts';

export interface ScriptBlock {
  declarations: ScriptDeclaration[];
  body: BlockStatement[];
  /** EXCEPTION WHEN a [OR b] THEN …, in order. */
  handlers: ScriptHandler[];
}

export type ScriptDeclaration =
  | { kind: 'variable'; name: string; type?: SfType; expr?: string }
  | { kind: 'cursor'; name: string; query: string }
  | { kind: 'resultset'; name: string; query?: string }
  | { kind: 'exception'; name: string; code: number; message: string };

export interface ScriptHandler {
  /** Exception names: OTHER, STATEMENT_ERROR, EXPRESSION_ERROR or a declared exception. */
  names: string[];
  body: BlockStatement[];
}

export type BlockStatement = (
  | { kind: 'block'; block: ScriptBlock }
  | { kind: 'let'; name: string; type?: SfType; expr: string }
  | { kind: 'let_cursor'; name: string; query: string }
  | { kind: 'let_resultset'; name: string; query: string }
  | { kind: 'assign'; name: string; expr: string }
  | { kind: 'if'; branches: { condition: string; body: BlockStatement[] }[]; otherwise?: BlockStatement[] }
  | { kind: 'case'; subject?: string; branches: { condition: string; body: BlockStatement[] }[]; otherwise?: BlockStatement[] }
  | { kind: 'for_range'; variable: string; reverse: boolean; from: string; to: string; body: BlockStatement[] }
  | { kind: 'for_rows'; variable: string; cursor?: string; query?: string; body: BlockStatement[] }
  | { kind: 'while'; condition: string; body: BlockStatement[] }
  | { kind: 'repeat'; body: BlockStatement[]; until: string }
  | { kind: 'loop'; body: BlockStatement[] }
  | { kind: 'break' }
  | { kind: 'continue' }
  | { kind: 'return'; expr?: string; table?: string }
  | { kind: 'raise'; name?: string }
  | { kind: 'null' }
  | { kind: 'open'; name: string; using?: string }
  | { kind: 'fetch'; name: string; into: string[] }
  | { kind: 'close'; name: string }
  | { kind: 'sql'; text: string; into?: string[] }
) & { offset?: number };

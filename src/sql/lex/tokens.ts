/**
 * Tokens of one Snowflake statement, from @polyglot-sql/sdk's Snowflake tokenizer. Our own grammar
 * (platform statements) and the token-level helpers (select-list texts) read these.
 */
import { tokenize as polyglotTokenize, Dialect } from '@polyglot-sql/sdk';
import { errors, type SourcePosition } from '../errors.ts';

export interface Token {
  /** Polyglot's token type: `VAR`, `STRING`, `NUMBER`, `QUOTED_IDENTIFIER`, `L_PAREN`, keyword names … */
  type: string;
  /** Token text; for strings and quoted identifiers the unescaped content. */
  text: string;
  /** Character offsets [start, end) in the statement text. */
  start: number;
  end: number;
}

interface RawToken {
  token_type?: string;
  tokenType?: string;
  text: string;
  span: { start: number; end: number };
}

export function tokenize(sql: string): Token[] {
  const r = polyglotTokenize(sql, Dialect.Snowflake);
  if (!r.success || !r.tokens) {
    const line = r.errorLine ?? 1;
    const column = r.errorColumn !== undefined ? Math.max(0, r.errorColumn - 1) : 0;
    throw errors.syntaxMessage(`syntax error line ${line} at position ${column}: ${stripPrefix(r.error ?? 'invalid token')}`, {
      line,
      column,
    });
  }
  return (r.tokens as unknown as RawToken[]).map((t) => ({
    type: (t.token_type ?? t.tokenType ?? '').toUpperCase(),
    text: t.text,
    start: t.span.start,
    end: t.span.end,
  }));
}

function stripPrefix(message: string): string {
  return message.replace(/^Tokenization error at line \d+, column \d+: /, '').toLowerCase();
}

/** Line (1-based) and Snowflake-style position (0-based column) of a character offset. */
export function positionAt(sql: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < sql.length; i += 1) {
    if (sql.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart };
}

/** Token kinds that carry an identifier-like word (keywords included). */
export function isWord(t: Token | undefined): boolean {
  if (!t) return false;
  return /^[A-Za-z_$@][A-Za-z0-9_$]*$/.test(t.text) && t.type !== 'STRING' && t.type !== 'QUOTED_IDENTIFIER' && t.type !== 'DOLLAR_STRING';
}

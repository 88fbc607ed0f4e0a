/**
 * A cursor over one statement's tokens for our own recursive-descent grammar of platform statements.
 * It knows Snowflake's lexical rules (keywords compare case-insensitively, identifiers fold, `db..x`
 * means the PUBLIC schema) and cuts embedded SQL (expressions, queries) out as source text, which
 * the translator later parses with polyglot.
 */
import { errors, type SnowflakeError } from '../errors.ts';
import { tokenize, positionAt, type Token } from '../lex/tokens.ts';
import { foldIdentifier, parseNameString, objectNameFromParts, type ObjectName } from '../names/identifiers.ts';

/** Session variables, for IDENTIFIER($var) in statement headers. */
export type VariableLookup = (name: string) => string | undefined;

export interface ParsedValue {
  kind: 'string' | 'number' | 'word' | 'boolean' | 'list';
  text: string;
  items?: ParsedValue[];
}

export class Cursor {
  readonly sql: string;
  readonly tokens: Token[];
  pos = 0;
  /** True once IDENTIFIER($var) was read: the parse depends on session state and must not be cached. */
  usedVariables = false;
  private readonly variables: VariableLookup;

  constructor(sql: string, variables: VariableLookup = () => undefined) {
    this.sql = sql;
    this.tokens = tokenize(sql);
    this.variables = variables;
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  atEnd(): boolean {
    return this.pos >= this.tokens.length;
  }

  next(): Token {
    const t = this.tokens[this.pos];
    if (!t) throw this.unexpected();
    this.pos += 1;
    return t;
  }

  /** Uppercased keyword text of a token, or undefined for strings and quoted identifiers. */
  word(offset = 0): string | undefined {
    const t = this.peek(offset);
    if (!t || t.type === 'STRING' || t.type === 'QUOTED_IDENTIFIER' || t.type === 'DOLLAR_STRING') return undefined;
    return t.text.toUpperCase();
  }

  /** True when the next tokens are exactly these keywords. */
  at(...words: string[]): boolean {
    return words.every((w, i) => this.word(i) === w);
  }

  atAny(...words: string[]): boolean {
    const w = this.word();
    return w !== undefined && words.includes(w);
  }

  /** Consumes the keyword sequence if present. */
  accept(...words: string[]): boolean {
    if (!this.at(...words)) return false;
    this.pos += words.length;
    return true;
  }

  expect(...words: string[]): void {
    if (!this.accept(...words)) throw this.unexpected();
  }

  acceptSymbol(type: string): boolean {
    if (this.peek()?.type !== type) return false;
    this.pos += 1;
    return true;
  }

  expectSymbol(type: string): void {
    if (!this.acceptSymbol(type)) throw this.unexpected();
  }

  /** A syntax error at the current token, in Snowflake's words. */
  unexpected(): SnowflakeError {
    const t = this.peek();
    const offset = t ? t.start : this.sql.length;
    const p = positionAt(this.sql, offset);
    return errors.syntax(p.line, p.column, t ? this.sql.slice(t.start, t.end) : '');
  }

  expectEnd(): void {
    if (!this.atEnd()) throw this.unexpected();
  }

  /** One identifier, folded; IDENTIFIER('x') and IDENTIFIER($v) give one part too. */
  identifier(): string {
    const parts = this.nameParts(1);
    if (parts.length !== 1) throw this.unexpected();
    return parts[0];
  }

  /** A 1–3 part object name. */
  objectName(): ObjectName {
    return objectNameFromParts(this.nameParts(3));
  }

  /** Dot-separated identifier parts (at most `max`), honouring IDENTIFIER() and `db..name`. */
  nameParts(max: number): string[] {
    if (this.word() === 'IDENTIFIER' && this.peek(1)?.type === 'L_PAREN') {
      this.pos += 2;
      let text: string;
      const t = this.next();
      if (t.type === 'STRING') {
        text = t.text;
      } else if (t.type === 'DOLLAR') {
        const name = this.next().text;
        const value = this.variables(name.toUpperCase());
        this.usedVariables = true;
        if (value === undefined) throw errors.variableNotSet(name.toUpperCase());
        text = value;
      } else {
        throw this.unexpected();
      }
      this.expectSymbol('R_PAREN');
      const parts = parseNameString(text);
      if (parts.length > max) throw errors.invalidIdentifier(text);
      return parts;
    }
    const parts: string[] = [this.namePart()];
    while (this.peek()?.type === 'DOT' && parts.length < max) {
      this.pos += 1;
      if (this.peek()?.type === 'DOT') {
        // `db..name`: the PUBLIC schema.
        parts.push('PUBLIC');
        this.pos += 1;
      }
      parts.push(this.namePart());
    }
    return parts;
  }

  private namePart(): string {
    const t = this.peek();
    if (!t) throw this.unexpected();
    if (t.type === 'QUOTED_IDENTIFIER') {
      this.pos += 1;
      if (t.text === '') throw this.unexpected();
      return t.text;
    }
    if (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(t.text) && t.type !== 'STRING' && t.type !== 'DOLLAR_STRING') {
      this.pos += 1;
      return foldIdentifier(t.text, false);
    }
    throw this.unexpected();
  }

  string(): string {
    const t = this.peek();
    if (t?.type !== 'STRING' && t?.type !== 'DOLLAR_STRING') throw this.unexpected();
    this.pos += 1;
    return t.text;
  }

  integer(): number {
    let sign = 1;
    if (this.peek()?.type === 'DASH') {
      sign = -1;
      this.pos += 1;
    } else if (this.peek()?.type === 'PLUS') {
      this.pos += 1;
    }
    const t = this.peek();
    if (t?.type !== 'NUMBER' || !/^\d+$/.test(t.text)) throw this.unexpected();
    this.pos += 1;
    return sign * Number(t.text);
  }

  /** `= value` or `value` after a property name; `=` is optional in several Snowflake clauses. */
  propertyValue(): ParsedValue {
    this.acceptSymbol('EQ');
    return this.value();
  }

  value(): ParsedValue {
    const t = this.peek();
    if (!t) throw this.unexpected();
    if (t.type === 'STRING' || t.type === 'DOLLAR_STRING') {
      this.pos += 1;
      return { kind: 'string', text: t.text };
    }
    if (t.type === 'NUMBER' || t.type === 'DASH') {
      const start = this.pos;
      if (t.type === 'DASH') this.pos += 1;
      const n = this.next();
      if (n.type !== 'NUMBER') {
        this.pos = start;
        throw this.unexpected();
      }
      return { kind: 'number', text: (t.type === 'DASH' ? '-' : '') + n.text };
    }
    if (t.type === 'L_PAREN') {
      this.pos += 1;
      const items: ParsedValue[] = [];
      while (!this.acceptSymbol('R_PAREN')) {
        items.push(this.value());
        this.acceptSymbol('COMMA');
      }
      return { kind: 'list', text: '', items };
    }
    const w = this.word();
    if (w === 'TRUE' || w === 'FALSE') {
      this.pos += 1;
      return { kind: 'boolean', text: w };
    }
    if (w !== undefined) {
      this.pos += 1;
      return { kind: 'word', text: w };
    }
    throw this.unexpected();
  }

  /** The source text from the current token to the end of the statement. */
  rest(): string {
    const t = this.peek();
    if (!t) throw this.unexpected();
    this.pos = this.tokens.length;
    return this.sql.slice(t.start).trim();
  }

  /** Offset in the statement text of the current token (or the end). */
  offset(): number {
    return this.peek()?.start ?? this.sql.length;
  }

  /**
   * Cuts out an expression: tokens up to a comma or closing parenthesis at depth zero, or one of the
   * stop keywords at depth zero. Returns its source text.
   */
  expressionText(stopWords: string[] = []): string {
    const startTok = this.peek();
    if (!startTok) throw this.unexpected();
    let depth = 0;
    let last: Token | undefined;
    while (!this.atEnd()) {
      const t = this.peek()!;
      if (depth === 0) {
        if (t.type === 'COMMA' || t.type === 'R_PAREN' || t.type === 'SEMICOLON') break;
        const w = this.word();
        if (last !== undefined && w !== undefined && stopWords.includes(w)) break;
      }
      if (t.type === 'L_PAREN' || t.type === 'L_BRACKET' || t.type === 'L_BRACE') depth += 1;
      if (t.type === 'R_PAREN' || t.type === 'R_BRACKET' || t.type === 'R_BRACE') depth -= 1;
      last = t;
      this.pos += 1;
    }
    if (!last) throw this.unexpected();
    return this.sql.slice(startTok.start, last.end);
  }

  /** Skips a balanced parenthesised group, returning its inner source text. */
  parenthesizedText(): string {
    const open = this.peek();
    if (open?.type !== 'L_PAREN') throw this.unexpected();
    let depth = 0;
    while (!this.atEnd()) {
      const t = this.next();
      if (t.type === 'L_PAREN') depth += 1;
      if (t.type === 'R_PAREN') {
        depth -= 1;
        if (depth === 0) return this.sql.slice(open.end, t.start).trim();
      }
    }
    throw this.unexpected();
  }
}

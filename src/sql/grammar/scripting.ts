/**
 * Snowflake Scripting: the block language of anonymous blocks, stored procedures and task bodies.
 *
 *   [DECLARE <declaration>; …] BEGIN <statement>; … [EXCEPTION WHEN … THEN <statement>; …] END
 *
 * Statements are the control structures (LET, :=, IF, CASE, FOR, WHILE, REPEAT, LOOP, BREAK,
 * CONTINUE, RETURN, RAISE, nested blocks, cursors) and any SQL statement, which stays source text:
 * the interpreter runs it like any other statement, with `:name` binding block variables.
 * Expressions stay source text too; the interpreter evaluates them with the SQL translator.
 */
import { errors } from '../errors.ts';
import type { Token } from '../lex/tokens.ts';
import type { ScriptBlock, ScriptDeclaration, ScriptHandler, BlockStatement } from '../statements/script-block.ts';
import { parseDataType } from './columns.ts';
import { Cursor } from './cursor.ts';

/** Words that end a statement list (and so cannot start a statement in it). */
const LIST_ENDS = ['END', 'EXCEPTION', 'ELSE', 'ELSEIF', 'WHEN', 'UNTIL'];

/** Parses a whole block: `[DECLARE …] BEGIN … END [;]`. */
export function parseScriptBlock(sql: string): ScriptBlock {
  const c = new Cursor(sql);
  const block = new ScriptParser(c).block();
  c.acceptSymbol('SEMICOLON');
  c.expectEnd();
  return block;
}

class ScriptParser {
  constructor(private readonly c: Cursor) {}

  block(): ScriptBlock {
    const c = this.c;
    const declarations: ScriptDeclaration[] = [];
    if (c.accept('DECLARE')) {
      while (!c.at('BEGIN')) declarations.push(this.declaration());
    }
    c.expect('BEGIN');
    const body = this.statements();
    const handlers: ScriptHandler[] = [];
    if (c.accept('EXCEPTION')) {
      while (c.accept('WHEN')) {
        const names = [c.identifier()];
        while (c.accept('OR')) names.push(c.identifier());
        c.expect('THEN');
        handlers.push({ names, body: this.statements() });
      }
    }
    c.expect('END');
    return { declarations, body, handlers };
  }

  private declaration(): ScriptDeclaration {
    const c = this.c;
    const name = c.identifier();
    let decl: ScriptDeclaration;
    if (c.accept('CURSOR', 'FOR')) {
      decl = { kind: 'cursor', name, query: this.textUntilSemicolon() };
    } else if (c.accept('RESULTSET')) {
      decl = { kind: 'resultset', name, query: this.optionalDefault() };
    } else if (c.accept('EXCEPTION')) {
      c.expectSymbol('L_PAREN');
      const code = c.integer();
      c.expectSymbol('COMMA');
      const message = c.string();
      c.expectSymbol('R_PAREN');
      decl = { kind: 'exception', name, code, message };
    } else {
      const type = this.atAssignment() ? undefined : parseDataType(c);
      decl = { kind: 'variable', name, type, expr: this.optionalDefault() };
    }
    this.semicolon();
    return decl;
  }

  /** `DEFAULT expr` or `:= expr`, or nothing. */
  private optionalDefault(): string | undefined {
    const c = this.c;
    if (c.accept('DEFAULT') || c.acceptSymbol('COLON_EQ')) return this.textUntilSemicolon();
    return undefined;
  }

  private atAssignment(): boolean {
    return this.c.word() === 'DEFAULT' || this.c.peek()?.type === 'COLON_EQ' || this.c.peek()?.type === 'SEMICOLON';
  }

  private statements(): BlockStatement[] {
    const out: BlockStatement[] = [];
    while (!this.c.atEnd() && !LIST_ENDS.includes(this.c.word() ?? '')) out.push(this.statement());
    return out;
  }

  private statement(): BlockStatement {
    const c = this.c;
    const w = c.word();
    const start = c.peek()!;
    let s: BlockStatement;
    if ((w === 'BEGIN' && !this.transactionControl()) || w === 'DECLARE') {
      s = { kind: 'block', block: this.block() };
    } else if (w === 'LET') {
      c.next();
      s = this.let();
    } else if (c.peek(1)?.type === 'COLON_EQ' && w !== undefined) {
      const name = c.identifier();
      c.next();
      s = { kind: 'assign', name, expr: this.textUntilSemicolon() };
    } else if (w === 'IF') {
      c.next();
      s = this.ifStatement();
    } else if (w === 'CASE') {
      c.next();
      s = this.caseStatement();
    } else if (w === 'FOR') {
      c.next();
      s = this.forStatement();
    } else if (w === 'WHILE') {
      c.next();
      const cond = this.parenthesized();
      const closer = this.loopBodyKeyword();
      const body = this.statements();
      this.endOf(closer === 'DO' ? 'WHILE' : 'LOOP');
      s = { kind: 'while', condition: cond, body };
    } else if (w === 'REPEAT') {
      c.next();
      const body = this.statements();
      c.expect('UNTIL');
      const cond = this.parenthesized();
      this.endOf('REPEAT');
      s = { kind: 'repeat', body, until: cond };
    } else if (w === 'LOOP') {
      c.next();
      const body = this.statements();
      this.endOf('LOOP');
      s = { kind: 'loop', body };
    } else if (w === 'BREAK' || w === 'EXIT') {
      c.next();
      this.skipLabel();
      s = { kind: 'break' };
    } else if (w === 'CONTINUE' || w === 'ITERATE') {
      c.next();
      this.skipLabel();
      s = { kind: 'continue' };
    } else if (w === 'RETURN') {
      c.next();
      s = this.returnStatement();
    } else if (w === 'RAISE') {
      c.next();
      s = { kind: 'raise', name: c.peek()?.type === 'SEMICOLON' ? undefined : c.identifier() };
    } else if (w === 'NULL' && c.peek(1)?.type === 'SEMICOLON') {
      c.next();
      s = { kind: 'null' };
    } else if (w === 'OPEN') {
      c.next();
      const name = c.identifier();
      const using = c.accept('USING') ? this.parenthesized() : undefined;
      s = { kind: 'open', name, using };
    } else if (w === 'FETCH') {
      c.next();
      const name = c.identifier();
      c.expect('INTO');
      const into = [c.identifier()];
      while (c.acceptSymbol('COMMA')) into.push(c.identifier());
      s = { kind: 'fetch', name, into };
    } else if (w === 'CLOSE') {
      c.next();
      s = { kind: 'close', name: c.identifier() };
    } else {
      s = this.sqlStatement();
    }
    this.semicolon();
    s.offset = start.start;
    return s;
  }

  /** BEGIN TRANSACTION / WORK / NAME or a bare BEGIN; is transaction control, not a block. */
  private transactionControl(): boolean {
    const next = this.c.peek(1);
    if (!next || next.type === 'SEMICOLON') return true;
    return ['TRANSACTION', 'WORK', 'NAME'].includes(this.c.word(1) ?? '');
  }

  private let(): BlockStatement {
    const c = this.c;
    const name = c.identifier();
    if (c.accept('CURSOR', 'FOR')) return { kind: 'let_cursor', name, query: this.textUntilSemicolon() };
    if (c.accept('RESULTSET')) {
      if (!(c.acceptSymbol('COLON_EQ') || c.accept('DEFAULT'))) throw c.unexpected();
      return { kind: 'let_resultset', name, query: this.textUntilSemicolon() };
    }
    const type = this.atAssignment() ? undefined : parseDataType(c);
    if (!(c.acceptSymbol('COLON_EQ') || c.accept('DEFAULT'))) throw c.unexpected();
    return { kind: 'let', name, type, expr: this.textUntilSemicolon() };
  }

  private ifStatement(): BlockStatement {
    const c = this.c;
    const branches: { condition: string; body: BlockStatement[] }[] = [];
    let condition = this.parenthesized();
    c.expect('THEN');
    branches.push({ condition, body: this.statements() });
    while (c.accept('ELSEIF')) {
      condition = this.parenthesized();
      c.expect('THEN');
      branches.push({ condition, body: this.statements() });
    }
    const otherwise = c.accept('ELSE') ? this.statements() : undefined;
    c.expect('END', 'IF');
    return { kind: 'if', branches, otherwise };
  }

  private caseStatement(): BlockStatement {
    const c = this.c;
    const subject = c.at('WHEN') ? undefined : this.textUntilWord(['WHEN']);
    const branches: { condition: string; body: BlockStatement[] }[] = [];
    while (c.accept('WHEN')) {
      const condition = this.textUntilWord(['THEN']);
      c.expect('THEN');
      branches.push({ condition, body: this.statements() });
    }
    const otherwise = c.accept('ELSE') ? this.statements() : undefined;
    c.expect('END');
    c.accept('CASE');
    return { kind: 'case', subject, branches, otherwise };
  }

  private forStatement(): BlockStatement {
    const c = this.c;
    const variable = c.identifier();
    c.expect('IN');
    const reverse = c.accept('REVERSE');
    // A numeric range has TO at depth zero before DO / LOOP; anything else iterates rows.
    if (this.rangeAhead()) {
      const from = this.textUntilWord(['TO']);
      c.expect('TO');
      const to = this.textUntilWord(['DO', 'LOOP']);
      const closer = this.loopBodyKeyword();
      const body = this.statements();
      this.endOf(closer === 'DO' ? 'FOR' : 'LOOP');
      return { kind: 'for_range', variable, reverse, from, to, body };
    }
    if (reverse) throw c.unexpected();
    let source: { cursor?: string; query?: string };
    if (c.peek()?.type === 'L_PAREN') source = { query: this.parenthesized() };
    else source = { cursor: c.identifier() };
    const closer = this.loopBodyKeyword();
    const body = this.statements();
    this.endOf(closer === 'DO' ? 'FOR' : 'LOOP');
    return { kind: 'for_rows', variable, ...source, body };
  }

  private rangeAhead(): boolean {
    const c = this.c;
    let depth = 0;
    for (let i = 0; c.peek(i); i += 1) {
      const t = c.peek(i)!;
      if (t.type === 'L_PAREN') depth += 1;
      else if (t.type === 'R_PAREN') depth -= 1;
      else if (depth === 0 && (c.word(i) === 'DO' || c.word(i) === 'LOOP' || t.type === 'SEMICOLON')) return false;
      else if (depth === 0 && c.word(i) === 'TO') return true;
    }
    return false;
  }

  private loopBodyKeyword(): 'DO' | 'LOOP' {
    if (this.c.accept('DO')) return 'DO';
    this.c.expect('LOOP');
    return 'LOOP';
  }

  /** END FOR | END WHILE | END REPEAT | END LOOP, with an optional label after it. */
  private endOf(word: string): void {
    this.c.expect('END', word);
    this.skipLabel();
  }

  private skipLabel(): void {
    const t = this.c.peek();
    if (t && t.type !== 'SEMICOLON' && this.c.word() !== undefined) this.c.next();
  }

  private returnStatement(): BlockStatement {
    const c = this.c;
    if (c.peek()?.type === 'SEMICOLON') return { kind: 'return' };
    if (c.at('TABLE') && c.peek(1)?.type === 'L_PAREN') {
      c.next();
      const inner = this.parenthesized();
      return { kind: 'return', table: inner };
    }
    return { kind: 'return', expr: this.textUntilSemicolon() };
  }

  /**
   * A SQL statement up to the semicolon; `SELECT … INTO :a, :b FROM …` has its INTO clause taken
   * out (the interpreter assigns the first row to the variables).
   */
  private sqlStatement(): BlockStatement {
    const c = this.c;
    const first = c.peek();
    if (!first) throw c.unexpected();
    const tokens: Token[] = [];
    let depth = 0;
    while (!c.atEnd()) {
      const t = c.peek()!;
      if (depth === 0 && t.type === 'SEMICOLON') break;
      if (t.type === 'L_PAREN') depth += 1;
      if (t.type === 'R_PAREN') depth -= 1;
      tokens.push(t);
      c.next();
    }
    const last = tokens[tokens.length - 1];
    let text = c.sql.slice(first.start, last.end);
    let into: string[] | undefined;
    const isSelect = (first.text.toUpperCase() === 'SELECT' || first.text.toUpperCase() === 'WITH') && first.type !== 'STRING';
    const intoAt = isSelect ? tokens.findIndex((t, i) => t.text.toUpperCase() === 'INTO' && tokens[i + 1]?.type === 'COLON') : -1;
    if (intoAt >= 0) {
      into = [];
      let j = intoAt + 1;
      while (tokens[j]?.type === 'COLON' && tokens[j + 1]) {
        into.push(tokens[j + 1].text.toUpperCase());
        j += 2;
        if (tokens[j]?.type === 'COMMA') j += 1;
        else break;
      }
      const cutStart = tokens[intoAt].start;
      const cutEnd = tokens[j - 1].end;
      text = c.sql.slice(first.start, cutStart) + c.sql.slice(cutEnd, last.end);
    }
    return { kind: 'sql', text, into };
  }

  private parenthesized(): string {
    const c = this.c;
    if (c.peek()?.type !== 'L_PAREN') throw c.unexpected();
    return c.parenthesizedText();
  }

  /** Source text up to (not including) the next semicolon at parenthesis depth zero. */
  private textUntilSemicolon(): string {
    return this.textUntil((t, w) => t.type === 'SEMICOLON' && w === undefined);
  }

  /** Source text up to one of `words` at parenthesis depth zero (CASE … END counted as a pair). */
  private textUntilWord(words: string[]): string {
    return this.textUntil((_t, w) => w !== undefined && words.includes(w));
  }

  private textUntil(stop: (t: Token, word: string | undefined) => boolean): string {
    const c = this.c;
    const first = c.peek();
    if (!first) throw c.unexpected();
    let depth = 0;
    let cases = 0;
    let last: Token | undefined;
    while (!c.atEnd()) {
      const t = c.peek()!;
      const w = c.word();
      if (depth === 0 && cases === 0 && stop(t, t.type === 'SEMICOLON' ? undefined : w)) break;
      if (t.type === 'L_PAREN') depth += 1;
      if (t.type === 'R_PAREN') depth -= 1;
      if (w === 'CASE') cases += 1;
      if (w === 'END' && cases > 0) cases -= 1;
      last = t;
      c.next();
    }
    if (!last) throw c.unexpected();
    return c.sql.slice(first.start, last.end);
  }

  private semicolon(): void {
    if (!this.c.acceptSymbol('SEMICOLON')) throw errors.syntaxMessage(`syntax error: expected ';' ${this.c.atEnd() ? 'at the end' : `before '${this.c.peek()!.text}'`}.`);
  }
}

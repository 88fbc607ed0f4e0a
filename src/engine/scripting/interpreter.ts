/**
 * The Snowflake Scripting interpreter: runs a parsed block (grammar/scripting.ts) in a session.
 * Control structures run here; every SQL statement of the block runs through the session like any
 * statement (its own query id and QUERY_HISTORY row), with `:name` bound to block variables; block
 * expressions (`LET x := y + 1`, `IF (x > 3)`) are evaluated by the SQL translator, where a bare name
 * that is not a column is a block variable.
 *
 * Errors: a failing SQL statement raises STATEMENT_ERROR, a failing expression EXPRESSION_ERROR, RAISE
 * a declared exception; the innermost block with a matching EXCEPTION handler (or OTHER) handles it,
 * with SQLCODE, SQLERRM and SQLSTATE set. An unhandled one fails the whole block with Snowflake's
 * "Uncaught exception" error.
 */
import {
  errors,
  isSnowflakeError,
  SnowflakeError,
  T,
  translateExpression,
  type ScriptBlock,
  type BlockStatement,
  type VariableValue,
} from '../../sql/index.ts';
import { beforeRun } from '../query/query.ts';
import { mapDuckError } from '../results/duck-errors.ts';
import type { ResultSet } from '../results/result-set.ts';
import { resultType, toValue, type Value } from '../results/values.ts';
import type { Session } from '../session/session.ts';
import { coerce, Frame } from './frames.ts';

/** What a block returned: a value, or a table (RETURN TABLE(…)). */
export interface ScriptOutcome {
  value: VariableValue | undefined;
  table?: ResultSet;
}

class BreakSignal {}
class ContinueSignal {}
class ReturnSignal {
  constructor(readonly outcome: ScriptOutcome) {}
}

/** An exception travelling up the blocks: Snowflake's error plus the exception's name. */
class ScriptException extends Error {
  constructor(
    readonly exceptionName: string,
    readonly error: SnowflakeError,
  ) {
    super(error.message);
  }
}

const NULL_TEXT: VariableValue = { type: T.varchar(), value: null };

export class Interpreter {
  private frame: Frame;

  constructor(
    private readonly session: Session,
    globals: Frame,
  ) {
    this.frame = globals;
  }

  /** Runs a block to its end or its RETURN. */
  async run(block: ScriptBlock): Promise<ScriptOutcome> {
    const previous = this.session.scriptFrame;
    this.session.scriptFrame = this.frame;
    try {
      await this.block(block);
      return { value: undefined };
    } catch (e) {
      if (e instanceof ReturnSignal) return e.outcome;
      if (e instanceof ScriptException) throw uncaught(e);
      if (e instanceof BreakSignal || e instanceof ContinueSignal) throw errors.syntaxMessage('BREAK or CONTINUE outside a loop.');
      throw e;
    } finally {
      this.session.scriptFrame = previous;
    }
  }

  private async block(block: ScriptBlock): Promise<void> {
    const outer = this.frame;
    this.frame = new Frame(outer);
    this.session.scriptFrame = this.frame;
    try {
      for (const d of block.declarations) {
        switch (d.kind) {
          case 'variable':
            this.frame.declare(d.name, { kind: 'scalar', type: d.type, value: d.expr !== undefined ? coerce(await this.evaluate(d.expr), d.type) : { type: d.type ?? T.varchar(), value: null } });
            break;
          case 'cursor':
            this.frame.declare(d.name, { kind: 'cursor', query: d.query });
            break;
          case 'resultset':
            this.frame.declare(d.name, { kind: 'resultset', result: d.query !== undefined ? await this.query(stripParens(d.query)) : undefined });
            break;
          case 'exception':
            this.frame.declare(d.name, { kind: 'exception', code: d.code, message: d.message });
            break;
        }
      }
      try {
        await this.statements(block.body);
      } catch (e) {
        const ex = e instanceof ScriptException ? e : undefined;
        if (!ex || block.handlers.length === 0) throw e;
        const handler = block.handlers.find((h) => h.names.some((n) => n === 'OTHER' || n === ex.exceptionName));
        if (!handler) throw e;
        const scope = new Frame(this.frame);
        scope.declare('SQLCODE', { kind: 'scalar', value: { type: T.number(), value: String(Number(ex.error.code)) } });
        scope.declare('SQLERRM', { kind: 'scalar', value: { type: T.varchar(), value: ex.error.message } });
        scope.declare('SQLSTATE', { kind: 'scalar', value: { type: T.varchar(), value: ex.error.sqlState } });
        this.frame = scope;
        this.session.scriptFrame = scope;
        try {
          await this.statements(handler.body);
        } catch (inner) {
          // A bare RAISE in a handler re-raises the exception being handled.
          if (inner instanceof RaiseAgain) throw ex;
          throw inner;
        }
      }
    } finally {
      this.frame = outer;
      this.session.scriptFrame = outer;
    }
  }

  private async statements(list: BlockStatement[]): Promise<void> {
    for (const s of list) await this.statement(s);
  }

  private async statement(s: BlockStatement): Promise<void> {
    switch (s.kind) {
      case 'block':
        return this.block(s.block);
      case 'let':
        this.frame.declare(s.name, { kind: 'scalar', type: s.type, value: coerce(await this.evaluate(s.expr), s.type) });
        return;
      case 'let_cursor':
        this.frame.declare(s.name, { kind: 'cursor', query: s.query });
        return;
      case 'let_resultset':
        this.frame.declare(s.name, { kind: 'resultset', result: await this.query(stripParens(s.query)) });
        return;
      case 'assign':
        return this.assign(s.name, await this.evaluate(s.expr));
      case 'if':
        for (const b of s.branches) {
          if (await this.condition(b.condition)) return this.statements(b.body);
        }
        if (s.otherwise) await this.statements(s.otherwise);
        return;
      case 'case': {
        for (const b of s.branches) {
          const hit = s.subject !== undefined ? await this.condition(`(${s.subject}) = (${b.condition})`) : await this.condition(b.condition);
          if (hit) return this.statements(b.body);
        }
        if (s.otherwise) return this.statements(s.otherwise);
        throw new ScriptException('CASE_NOT_FOUND', errors.userError('002165', 'P0001', 'Case not found.'));
      }
      case 'for_range':
        return this.forRange(s);
      case 'for_rows':
        return this.forRows(s);
      case 'while':
        while (await this.condition(s.condition)) {
          if (await this.iteration(s.body)) break;
        }
        return;
      case 'repeat':
        for (;;) {
          if (await this.iteration(s.body)) break;
          if (await this.condition(s.until)) break;
        }
        return;
      case 'loop':
        for (;;) if (await this.iteration(s.body)) break;
        return;
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
      case 'return':
        if (s.table !== undefined) throw new ReturnSignal({ value: undefined, table: await this.resultTable(s.table) });
        throw new ReturnSignal({ value: s.expr === undefined ? undefined : await this.evaluate(s.expr) });
      case 'raise':
        return this.raise(s.name);
      case 'null':
        return;
      case 'open': {
        const slot = this.frame.lookup(s.name);
        if (slot?.kind !== 'cursor') throw errors.invalidIdentifier(s.name);
        slot.rows = await this.query(slot.query);
        slot.position = 0;
        return;
      }
      case 'fetch': {
        const slot = this.frame.lookup(s.name);
        if (slot?.kind !== 'cursor' || !slot.rows) throw errors.invalidOperation(`Cursor '${s.name}' is not open.`);
        const row = slot.rows.rows[slot.position ?? 0];
        slot.position = (slot.position ?? 0) + 1;
        s.into.forEach((name, i) => this.assign(name, row ? cell(slot.rows!, row, i) : NULL_TEXT));
        return;
      }
      case 'close': {
        const slot = this.frame.lookup(s.name);
        if (slot?.kind === 'cursor') {
          slot.rows = undefined;
          slot.position = undefined;
        }
        return;
      }
      case 'sql':
        return this.sql(s.text, s.into);
    }
  }

  /** Runs a loop body once; true when it asked to BREAK. */
  private async iteration(body: BlockStatement[]): Promise<boolean> {
    try {
      await this.statements(body);
      return false;
    } catch (e) {
      if (e instanceof BreakSignal) return true;
      if (e instanceof ContinueSignal) return false;
      throw e;
    }
  }

  private async forRange(s: Extract<BlockStatement, { kind: 'for_range' }>): Promise<void> {
    const from = Math.trunc(Number((await this.evaluate(s.from)).value));
    const to = Math.trunc(Number((await this.evaluate(s.to)).value));
    const outer = this.frame;
    this.frame = new Frame(outer);
    this.session.scriptFrame = this.frame;
    try {
      const values = [];
      for (let i = from; i <= to; i += 1) values.push(i);
      if (s.reverse) values.reverse();
      for (const i of values) {
        this.frame.declare(s.variable, { kind: 'scalar', type: T.number(), value: { type: T.number(), value: String(i) } });
        if (await this.iteration(s.body)) break;
      }
    } finally {
      this.frame = outer;
      this.session.scriptFrame = outer;
    }
  }

  private async forRows(s: Extract<BlockStatement, { kind: 'for_rows' }>): Promise<void> {
    let result: ResultSet;
    if (s.query !== undefined) {
      result = await this.query(s.query);
    } else {
      const slot = this.frame.lookup(s.cursor!);
      if (slot?.kind === 'cursor') result = await this.query(slot.query);
      else if (slot?.kind === 'resultset' && slot.result) result = slot.result;
      else throw errors.invalidIdentifier(s.cursor!);
    }
    const outer = this.frame;
    this.frame = new Frame(outer);
    this.session.scriptFrame = this.frame;
    try {
      for (const row of result.rows) {
        const fields = new Map<string, VariableValue>();
        result.columns.forEach((c, i) => fields.set(c.name.toUpperCase(), cell(result, row, i)));
        this.frame.declare(s.variable, { kind: 'row', fields });
        if (await this.iteration(s.body)) break;
      }
    } finally {
      this.frame = outer;
      this.session.scriptFrame = outer;
    }
  }

  private raise(name: string | undefined): never {
    if (name === undefined) throw new RaiseAgain();
    const slot = this.frame.lookup(name);
    if (slot?.kind !== 'exception') throw errors.invalidIdentifier(name);
    throw new ScriptException(name, errors.userError(String(slot.code), 'P0001', slot.message));
  }

  private assign(name: string, value: VariableValue): void {
    const slot = this.frame.lookup(name);
    if (!slot) {
      // Snowflake: assigning an undeclared name declares it in the current block.
      this.frame.declare(name, { kind: 'scalar', value });
      return;
    }
    if (slot.kind !== 'scalar') throw errors.invalidOperation(`'${name}' is not a variable that can be assigned.`);
    slot.value = coerce(value, slot.type);
  }

  /** A block expression's value, typed. */
  private async evaluate(expr: string): Promise<VariableValue> {
    try {
      return await evaluateExpression(this.session, expr);
    } catch (e) {
      if (!isSnowflakeError(e)) throw e;
      throw new ScriptException('EXPRESSION_ERROR', e);
    }
  }

  private async condition(expr: string): Promise<boolean> {
    const v = await this.evaluate(expr);
    return v.value === true || v.value === 'true';
  }

  /** A SQL statement of the block; SELECT … INTO assigns the first row. Sets SQLROWCOUNT & co. */
  private async sql(text: string, into?: string[]): Promise<void> {
    let result: ResultSet;
    const queryId = this.session.currentQueryId;
    try {
      result = await this.session.execute(text);
    } catch (e) {
      if (!isSnowflakeError(e)) throw e;
      throw new ScriptException('STATEMENT_ERROR', e);
    } finally {
      this.session.currentQueryId = queryId;
    }
    this.session.scriptFrame = this.frame;
    const affected = result.stats ? (result.stats.inserted ?? 0) + (result.stats.updated ?? 0) + (result.stats.deleted ?? 0) : result.rows.length;
    const globals = this.frame.root();
    globals.set('SQLROWCOUNT', { type: T.number(), value: String(affected) });
    globals.set('SQLFOUND', { type: T.boolean(), value: affected > 0 });
    globals.set('SQLNOTFOUND', { type: T.boolean(), value: affected === 0 });
    globals.set('SQLID', { type: T.varchar(), value: result.queryId });
    if (into) {
      const row = result.rows[0];
      into.forEach((name, i) => this.assign(name, row ? cell(result, row, i) : NULL_TEXT));
    }
  }

  private async query(text: string): Promise<ResultSet> {
    const queryId = this.session.currentQueryId;
    try {
      return await this.session.execute(text);
    } catch (e) {
      if (!isSnowflakeError(e)) throw e;
      throw new ScriptException('STATEMENT_ERROR', e);
    } finally {
      this.session.currentQueryId = queryId;
      this.session.scriptFrame = this.frame;
    }
  }

  /** RETURN TABLE(rs) or RETURN TABLE(SELECT …). */
  private async resultTable(inner: string): Promise<ResultSet> {
    const name = inner.trim().toUpperCase();
    const slot = /^[A-Z_][A-Z0-9_$]*$/.test(name) ? this.frame.lookup(name) : undefined;
    if (slot?.kind === 'resultset') {
      if (!slot.result) throw errors.invalidOperation(`RESULTSET '${name}' has no result.`);
      return slot.result;
    }
    return this.query(inner);
  }
}

class RaiseAgain {}

function cell(result: ResultSet, row: Value[], i: number): VariableValue {
  const col = result.columns[i];
  return { type: col?.type ?? T.varchar(), value: toVariable(row[i]) };
}

function toVariable(v: Value): VariableValue['value'] {
  if (v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

function stripParens(text: string): string {
  const t = text.trim();
  return t.startsWith('(') && t.endsWith(')') ? t.slice(1, -1) : t;
}

function uncaught(e: ScriptException): SnowflakeError {
  return new SnowflakeError(e.error.code, e.error.sqlState, `Uncaught exception of type '${e.exceptionName}': ${e.error.message}`);
}

/** A standalone expression's value in the session's current context (CALL arguments). */
export async function evaluateExpression(session: Session, expr: string): Promise<VariableValue> {
  const t = translateExpression(expr, session.translateContext());
  await beforeRun(session, t.info);
  let r;
  try {
    r = await session.conn.query(`SELECT ${t.sql}`);
  } catch (e) {
    throw mapDuckError(e, () => undefined);
  }
  const type = resultType(r.columns[0], t.type);
  return { type, value: toValue(r.rows[0]?.[0] ?? null, type, session.timezone) as VariableValue['value'] };
}

/** Parses and runs an anonymous block (or EXECUTE IMMEDIATE text that is one). */
export async function runAnonymousBlock(session: Session, block: ScriptBlock): Promise<ScriptOutcome> {
  return new Interpreter(session, new Frame(undefined)).run(block);
}


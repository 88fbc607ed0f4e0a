/**
 * Anonymous blocks and EXECUTE IMMEDIATE as statements. A block answers with one column named
 * `anonymous block` holding its RETURN value (or the table of RETURN TABLE(…)); EXECUTE IMMEDIATE
 * answers with whatever the statement it runs answers.
 */
import { errors, parseStatement, T, type ExecuteImmediateStatement, type ScriptBlockStatement } from '../../sql/index.ts';
import { table, type ResultBody } from '../results/result-set.ts';
import type { Session } from '../session/session.ts';
import { runAnonymousBlock, type ScriptOutcome } from './interpreter.ts';

export async function scriptStatement(session: Session, stmt: ScriptBlockStatement): Promise<ResultBody> {
  return outcomeBody(await runAnonymousBlock(session, stmt.block), 'anonymous block');
}

export async function executeImmediate(session: Session, stmt: ExecuteImmediateStatement): Promise<ResultBody> {
  let text = stmt.text;
  if (stmt.variable) {
    const v = stmt.variable.session ? session.variables.get(stmt.variable.name) : session.scriptFrame?.value(stmt.variable.name);
    if (!v) throw stmt.variable.session ? errors.variableNotSet(stmt.variable.name) : errors.bindVariableNotSet(stmt.variable.name);
    text = v.value === null ? '' : String(v.value);
  }
  const parsed = parseStatement(text ?? '').statement;
  if (parsed.kind === 'script') return scriptStatement(session, parsed);
  const { queryId: _ignored, ...body } = await session.execute(text ?? '');
  return body;
}

/** A block's outcome as a result: its returned table, or one row with the returned value. */
export function outcomeBody(outcome: ScriptOutcome, column: string): ResultBody {
  if (outcome.table) {
    const { queryId: _q, ...body } = outcome.table;
    return body;
  }
  const v = outcome.value;
  return table([[column, v?.type ?? T.varchar()]], [[v?.value ?? null]], 'ANONYMOUS_BLOCK');
}

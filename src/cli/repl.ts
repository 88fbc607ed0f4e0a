/**
 * The interactive console: multi-line statements (a statement runs when a line ends it with `;`),
 * history kept in the data directory, and a prompt showing user, role and database.schema.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { splitScript } from '../sql/index.ts';
import type { ResultSet, SnowflakeError } from '../engine/index.ts';
import { toFailure } from '../engine/index.ts';
import type { SqlConnection } from './connection.ts';

type Show = (result: ResultSet | undefined, error: SnowflakeError | undefined, elapsedMs: number) => void;

const HISTORY_SIZE = 1000;

function prompt(session: SqlConnection, continuation: boolean): string {
  const where = session.database ? `${session.database}.${session.schema ?? '(no schema)'}` : '(no database).(no schema)';
  const head = `${session.user}#${session.role}@${where}`;
  return continuation ? `${' '.repeat(Math.max(0, head.length - 2))}> ` : `${head}>`;
}

/** True when the buffer holds at least one complete statement (ends with `;` outside quotes). */
export function isComplete(buffer: string): boolean {
  const trimmed = buffer.trimEnd();
  if (!trimmed.endsWith(';')) return false;
  // The last `;` must terminate a statement, not sit inside a string, comment or $$ body.
  const parts = splitScript(`${trimmed}\nSELECT 1`);
  return parts.length > 0 && parts[parts.length - 1].text === 'SELECT 1';
}

async function runAll(session: SqlConnection, script: string, show: Show): Promise<void> {
  for (const stmt of splitScript(script)) {
    const started = Date.now();
    try {
      show(await session.execute(stmt.text), undefined, Date.now() - started);
    } catch (e) {
      show(undefined, toFailure(e).error, Date.now() - started);
    }
  }
}

export async function runRepl(session: SqlConnection, show: Show, historyPath: string): Promise<void> {
  const history = existsSync(historyPath) ? readFileSync(historyPath, 'utf8').split('\n').filter(Boolean).reverse().slice(0, HISTORY_SIZE) : [];
  const rl = createInterface({ input: process.stdin, output: process.stdout, history, historySize: HISTORY_SIZE, terminal: process.stdin.isTTY });
  let buffer = '';
  const interactive = process.stdin.isTTY === true;
  // Prompts only make sense on a terminal; piped input gets just the results.
  const showPrompt = (continuation: boolean) => {
    if (!interactive) return;
    rl.setPrompt(prompt(session, continuation));
    rl.prompt();
  };
  if (interactive) process.stdout.write('Backlot SQL console. End statements with ";". Type !exit or press Ctrl-D to leave.\n');
  showPrompt(false);
  for await (const line of rl) {
    if (buffer === '' && ['!exit', '!quit', 'exit', 'quit'].includes(line.trim().toLowerCase())) break;
    buffer += `${line}\n`;
    if (!isComplete(buffer)) {
      if (buffer.trim() === '') buffer = '';
      showPrompt(buffer !== '');
      continue;
    }
    const script = buffer;
    buffer = '';
    appendFileSync(historyPath, `${script.trim().replace(/\n/g, ' ')}\n`);
    rl.pause();
    await runAll(session, script, show);
    rl.resume();
    showPrompt(false);
  }
  // Input that ended without a final `;` still runs, as SnowSQL does.
  if (buffer.trim() !== '') await runAll(session, buffer, show);
  rl.close();
}

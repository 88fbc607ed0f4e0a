/**
 * A small sqllogictest runner for Backlot. Records:
 *
 *   statement ok                      the statement must succeed
 *   statement error [code] [text]     it must fail; with a six-digit code and/or message text
 *   query <types> [rowsort|colnames]  rows must match the lines after `----` (tab-separated)
 *   restart                           close and reopen the warehouse (persistence)
 *   clock <ISO timestamp>             set the injected clock
 *   clock +<n><s|m|h|d>               advance the injected clock
 *   file <name>                       write the lines up to a blank line (each + a newline) to a
 *                                     local file; statements name the files' folder as __FILES__
 *
 * A statement or query runs until a blank line (statements) or `----` (queries). Values print as
 * NULL, (empty) for '', true/false, numbers as exact text, VARIANT as compact JSON.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Engine, ManualClock, type ResultSet, type Session, type Value } from '../../src/engine/index.ts';

export type SltRecord =
  | { kind: 'statement'; expect: 'ok' | 'error'; code?: string; text?: string; sql: string; line: number }
  | { kind: 'query'; types: string; sort: boolean; colnames: boolean; sql: string; expected: string[]; line: number }
  | { kind: 'restart'; line: number }
  | { kind: 'clock'; at: string; line: number }
  | { kind: 'file'; name: string; content: string; line: number };

export function parseSlt(source: string): SltRecord[] {
  const lines = source.split('\n');
  const records: SltRecord[] = [];
  let i = 0;
  const isBlank = (l: string | undefined) => l === undefined || l.trim() === '';
  while (i < lines.length) {
    const line = lines[i];
    const lineNo = i + 1;
    if (isBlank(line) || line.startsWith('#')) {
      i += 1;
      continue;
    }
    const words = line.trim().split(/\s+/);
    if (words[0] === 'restart') {
      records.push({ kind: 'restart', line: lineNo });
      i += 1;
    } else if (words[0] === 'clock') {
      records.push({ kind: 'clock', at: words[1], line: lineNo });
      i += 1;
    } else if (words[0] === 'file') {
      i += 1;
      const content: string[] = [];
      while (!isBlank(lines[i])) content.push(lines[i++]);
      // `file <name> noeol`: no newline after the last line (records not separated by newlines).
      const text = content.map((l) => `${l}\n`).join('');
      records.push({ kind: 'file', name: words[1], content: words[2] === 'noeol' ? text.slice(0, -1) : text, line: lineNo });
    } else if (words[0] === 'statement') {
      i += 1;
      const sql: string[] = [];
      while (!isBlank(lines[i])) sql.push(lines[i++]);
      if (words[1] === 'ok') {
        records.push({ kind: 'statement', expect: 'ok', sql: sql.join('\n'), line: lineNo });
      } else if (words[1] === 'error') {
        const rest = line.trim().split(/\s+/).slice(2).join(' ');
        const m = /^(-?\d{5,6})(?=\s|$)\s*(.*)$/.exec(rest);
        records.push({
          kind: 'statement',
          expect: 'error',
          code: m ? m[1] : undefined,
          text: (m ? m[2] : rest) || undefined,
          sql: sql.join('\n'),
          line: lineNo,
        });
      } else {
        throw new Error(`line ${lineNo}: statement ok|error expected`);
      }
    } else if (words[0] === 'query') {
      i += 1;
      const sql: string[] = [];
      while (i < lines.length && lines[i].trim() !== '----') sql.push(lines[i++]);
      i += 1;
      const expected: string[] = [];
      while (!isBlank(lines[i])) expected.push(lines[i++]);
      records.push({
        kind: 'query',
        types: words[1] ?? '',
        sort: words.includes('rowsort'),
        colnames: words.includes('colnames'),
        sql: sql.join('\n'),
        expected,
        line: lineNo,
      });
    } else {
      throw new Error(`line ${lineNo}: unknown record '${line}'`);
    }
  }
  return records;
}

export function renderValue(v: Value): string {
  if (v === null) return 'NULL';
  if (v === '') return '(empty)';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

export function renderRows(r: ResultSet, sort: boolean): string[] {
  const lines = r.rows.map((row) => row.map(renderValue).join('\t'));
  return sort ? lines.sort() : lines;
}

export interface SltFailure {
  line: number;
  message: string;
}

/** Runs a file's records against a fresh data directory; returns failures and the statement count. */
export async function runSlt(source: string, file: string): Promise<{ failures: SltFailure[]; checked: number }> {
  const records = parseSlt(source);
  const dataDir = mkdtempSync(join(tmpdir(), 'backlot-slt-'));
  const filesDir = join(dataDir, 'local-files');
  mkdirSync(filesDir);
  const withFiles = (sql: string) => sql.split('__FILES__').join(filesDir);
  const clock = new ManualClock('2024-06-01T12:00:00Z');
  let engine = await Engine.open({ dataDir, clock });
  let session: Session = await engine.newSession();
  const failures: SltFailure[] = [];
  let checked = 0;
  try {
    for (const rec of records) {
      const fail = (message: string) => failures.push({ line: rec.line, message: `${file}:${rec.line}: ${message}` });
      if (rec.kind === 'restart') {
        const ctx = { database: session.database, schema: session.schema };
        await engine.close();
        engine = await Engine.open({ dataDir, clock });
        session = await engine.newSession();
        session.database = ctx.database;
        session.schema = ctx.schema;
        continue;
      }
      if (rec.kind === 'file') {
        const path = join(filesDir, rec.name);
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, rec.content);
        continue;
      }
      if (rec.kind === 'clock') {
        // Moving the clock runs every task schedule due on the way, each at its own time.
        const step = /^\+(\d+)([smhd])$/.exec(rec.at);
        const target = step
          ? clock.now().getTime() + Number(step[1]) * { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[step[2] as 's' | 'm' | 'h' | 'd']
          : new Date(rec.at).getTime();
        if (target <= clock.now().getTime()) clock.set(new Date(target));
        else await engine.runSchedules(target, (ms) => clock.set(new Date(ms)));
        continue;
      }
      checked += 1;
      if (rec.kind === 'statement') {
        try {
          await session.execute(withFiles(rec.sql));
          await engine.tasks.idle();
          await engine.dynamicTables.idle();
          if (rec.expect === 'error') fail(`expected an error, statement succeeded:\n${rec.sql}`);
        } catch (e) {
          const err = e as { code?: string; message?: string };
          if (rec.expect === 'ok') {
            fail(`statement failed: ${err.code} ${err.message}\n${rec.sql}`);
          } else {
            if (rec.code && err.code !== rec.code) fail(`expected error ${rec.code}, got ${err.code}: ${err.message}`);
            if (rec.text && !String(err.message).includes(rec.text)) fail(`expected error text '${rec.text}', got: ${err.message}`);
          }
        }
        continue;
      }
      try {
        const r = await session.execute(withFiles(rec.sql));
        let actual = renderRows(r, rec.sort);
        if (rec.colnames) actual = [r.columns.map((c) => c.name).join('\t'), ...actual];
        const expected = rec.sort && !rec.colnames ? [...rec.expected].sort() : rec.expected;
        if (rec.types && r.columns.length !== rec.types.length && !rec.colnames) {
          fail(`expected ${rec.types.length} columns, got ${r.columns.length}`);
        }
        if (actual.join('\n') !== expected.join('\n')) {
          fail(`query result mismatch\n${rec.sql}\n--- expected\n${expected.join('\n')}\n--- actual\n${actual.join('\n')}`);
        }
      } catch (e) {
        const err = e as { code?: string; message?: string };
        fail(`query failed: ${err.code} ${err.message}\n${rec.sql}`);
      }
    }
  } finally {
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return { failures, checked };
}

export function readSlt(path: string): string {
  return readFileSync(path, 'utf8');
}

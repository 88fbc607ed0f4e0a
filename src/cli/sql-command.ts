/**
 * `backlot sql`: run SQL from -e, -f or an interactive console against a data directory, printing
 * each statement's result in the chosen format. Exit code 1 when any statement failed.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { toFailure, type ResultSet, type SnowflakeError } from '../engine/index.ts';
import { splitScript } from '../sql/index.ts';
import { connect, type SqlConnection } from './connection.ts';
import { printerFor, type OutputFormat } from './format/formats.ts';
import { runRepl } from './repl.ts';

export interface SqlOptions {
  execute?: string;
  file?: string;
  format: OutputFormat;
  onError: 'stop' | 'continue';
  data: string;
  /** A running `backlot start` to send statements to, instead of opening the data directory. */
  server?: string;
  password?: string;
  user?: string;
  role?: string;
  database?: string;
  schema?: string;
}

export interface Output {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processOutput: Output = {
  stdout: (t) => process.stdout.write(`${t}\n`),
  stderr: (t) => process.stderr.write(`${t}\n`),
};

export async function sqlCommand(options: SqlOptions, out: Output = processOutput): Promise<number> {
  let conn: SqlConnection;
  try {
    conn = await connect(options);
  } catch (e) {
    const printer = printerFor(options.format);
    const err = printer.error(toFailure(e).error);
    if (err.stream === 'stdout') out.stdout(err.text);
    else out.stderr(err.text);
    return 1;
  }
  try {
    const printer = printerFor(options.format);
    const show = (result: ResultSet | undefined, error: SnowflakeError | undefined, elapsed: number) => {
      if (result) out.stdout(printer.result(result, elapsed));
      if (error) {
        const e = printer.error(error);
        if (e.stream === 'stdout') out.stdout(e.text);
        else out.stderr(e.text);
      }
    };
    let script: string | undefined = options.execute;
    if (options.file !== undefined) script = readFileSync(options.file, 'utf8');
    if (script === undefined) {
      await runRepl(conn, show, options.server ? join(homedir(), '.backlot_sql_history') : join(options.data, 'sql_history'));
      return 0;
    }
    let failed = 0;
    for (const stmt of splitScript(script)) {
      const started = Date.now();
      try {
        show(await conn.execute(stmt.text), undefined, Date.now() - started);
      } catch (e) {
        failed += 1;
        show(undefined, toFailure(e).error, Date.now() - started);
        if (options.onError === 'stop') break;
      }
    }
    return failed > 0 ? 1 : 0;
  } finally {
    await conn.close();
  }
}

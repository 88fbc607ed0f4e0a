/**
 * `backlot sql`: run SQL from -e, -f or an interactive console against a data directory, printing
 * each statement's result in the chosen format. Exit code 1 when any statement failed.
 */
import { readFileSync } from 'node:fs';
import { Engine, type ResultSet, type SnowflakeError } from '../engine/index.ts';
import { printerFor, type OutputFormat } from './format/formats.ts';
import { runRepl } from './repl.ts';

export interface SqlOptions {
  execute?: string;
  file?: string;
  format: OutputFormat;
  onError: 'stop' | 'continue';
  data: string;
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
  const engine = await Engine.open({ dataDir: options.data });
  try {
    const session = await engine.newSession({ user: options.user, role: options.role, database: options.database, schema: options.schema });
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
      await runRepl(session, show, options.data);
      return 0;
    }
    let started = Date.now();
    const { failed } = await session.executeScript(
      script,
      ({ result, failure }) => {
        show(result, failure?.error, Date.now() - started);
        started = Date.now();
      },
      options.onError === 'stop',
    );
    return failed > 0 ? 1 : 0;
  } finally {
    await engine.close();
  }
}

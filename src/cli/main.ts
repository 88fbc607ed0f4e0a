/**
 * The `backlot` command. `backlot start` (what `npm start` runs) is the long-running process: HTTP
 * server, task scheduler, owner of the data directory. `backlot sql` runs SQL on a data directory, or
 * against a running server with `--server`. `backlot demo events` feeds a running server with the
 * studio's generated fan events through the ingest API.
 */
import { Command, Option } from 'commander';
import { BACKLOT_VERSION } from '../engine/index.ts';
import { sqlCommand, type SqlOptions } from './sql-command.ts';
import { startCommand } from './start-command.ts';
import { demoEventsCommand, type DemoEventsOptions } from './demo-command.ts';
import { DEFAULT_TABLE } from './demo/event-producer.ts';

const DEFAULT_DATA = './.backlot';

function dataOption(): Option {
  return new Option('--data <dir>', 'data directory (env BACKLOT_DATA)').default(process.env.BACKLOT_DATA ?? DEFAULT_DATA);
}

export async function main(argv: string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('backlot')
    .description('Backlot: Snowflake SQL, streams, tasks and dynamic tables on an embedded DuckDB warehouse')
    .version(BACKLOT_VERSION)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  program
    .command('sql')
    .description('run SQL statements (-e, -f, or interactively)')
    .option('-e, --execute <sql>', 'SQL text to run')
    .option('-f, --file <path>', 'SQL script file to run')
    .addOption(new Option('--format <format>', 'output format').choices(['table', 'json', 'csv']).default('table'))
    .addOption(new Option('--on-error <mode>', 'stop at the first failing statement, or continue').choices(['stop', 'continue']).default('stop'))
    .addOption(dataOption())
    .option('--user <name>', 'user name', 'ADMIN')
    .option('--role <name>', 'role to use', 'ACCOUNTADMIN')
    .option('--database <name>', 'initial database')
    .option('--schema <name>', 'initial schema')
    .addOption(new Option('--server <url>', 'send statements to a running `backlot start` (env BACKLOT_SERVER)').default(process.env.BACKLOT_SERVER))
    .addOption(new Option('--password <password>', 'password for --server (env BACKLOT_PASSWORD)').default(process.env.BACKLOT_PASSWORD))
    .action(async (opts: SqlOptions & { onError: 'stop' | 'continue' }) => {
      exitCode = await sqlCommand({ ...opts, user: opts.user?.toUpperCase(), role: opts.role?.toUpperCase(), database: opts.database?.toUpperCase(), schema: opts.schema?.toUpperCase() });
    });

  program
    .command('start')
    .description('run Backlot: the HTTP server and the task scheduler, owning the data directory')
    .addOption(dataOption())
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', '8080')
    .option('--no-scheduler', 'do not run scheduled tasks')
    .action(async (opts: { data: string; host: string; port: string; scheduler: boolean }) => {
      exitCode = await startCommand(opts);
    });

  const demo = program.command('demo').description('the studio demo: generated data sent to a running `backlot start`');
  demo
    .command('events')
    .description('send generated fan events through the ingest API, steadily, until stopped (or --events)')
    .addOption(new Option('--server <url>', 'the running `backlot start` (env BACKLOT_SERVER)').default(process.env.BACKLOT_SERVER ?? 'http://127.0.0.1:8080'))
    .option('--user <name>', 'user name', 'ADMIN')
    .addOption(new Option('--password <password>', 'password (env BACKLOT_PASSWORD)').default(process.env.BACKLOT_PASSWORD))
    .option('--table <name>', 'target table, created if missing', DEFAULT_TABLE)
    .option('--channel <name>', 'ingest channel (a restart resumes it)', 'demo-events')
    .option('--rate <n>', 'events per second', '200')
    .option('--batch <n>', 'events per batch', '100')
    .option('--events <n>', 'stop after this many events (whole batches)')
    .option('--seed <n>', 'generator seed (same seed, same events)', '7')
    .option('--fans <n>', 'fans in the population', '5000')
    .action(async (opts: DemoEventsOptions) => {
      exitCode = await demoEventsCommand(opts);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    const code = (e as { code?: string; exitCode?: number }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return 0;
    if (code?.startsWith('commander.')) return (e as { exitCode?: number }).exitCode ?? 1;
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  return exitCode;
}

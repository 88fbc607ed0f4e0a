/**
 * `backlot start`: runs the server until SIGINT or SIGTERM, then stops cleanly (no new requests,
 * running task graphs finish, the warehouse is checkpointed and unlocked). On the first start it
 * prints the generated administrator password, once.
 */
import { BacklotServer } from '../server/server.ts';
import { BACKLOT_VERSION } from '../engine/index.ts';

export async function startCommand(opts: { data: string; host: string; port: string; scheduler: boolean }): Promise<number> {
  const port = Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`invalid --port ${opts.port}\n`);
    return 1;
  }
  let server: BacklotServer;
  try {
    server = await BacklotServer.start({ dataDir: opts.data, host: opts.host, port, scheduler: opts.scheduler });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    return 1;
  }
  process.stdout.write(`Backlot ${BACKLOT_VERSION} is running on ${server.url} (data: ${opts.data}${opts.scheduler ? '' : ', scheduler off'})\n`);
  if (server.adminPassword) {
    process.stdout.write(
      `Created the administrator ADMIN with the password: ${server.adminPassword}\n` +
        'It is shown only this once and stored hashed. Connect with:\n' +
        `  BACKLOT_PASSWORD='${server.adminPassword}' npx backlot sql --server ${server.url}\n`,
    );
  }
  if (opts.host !== '127.0.0.1' && opts.host !== 'localhost' && opts.host !== '::1') {
    process.stdout.write(`Warning: listening on ${opts.host}, reachable from other machines.\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.stdout.write(`${signal}: stopping…\n`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await server.stop();
  process.stdout.write('Backlot stopped.\n');
  return 0;
}

/**
 * The long-running process: the authenticated SQL endpoint (in-process, no socket), and `backlot
 * start` end to end — first-start administrator password, `backlot sql --server`, the lock on the
 * data directory, clean shutdown on SIGTERM.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BacklotServer } from '../src/server/server.ts';
import { hashPassword, verifyPassword } from '../src/server/users.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'backlot.js');
const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'backlot-server-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('passwords', () => {
  it('are stored as salted scrypt hashes and verified in constant time', async () => {
    const a = await hashPassword('secret');
    const b = await hashPassword('secret');
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword('secret', a)).toBe(true);
    expect(await verifyPassword('Secret', a)).toBe(false);
  });
});

describe('SQL endpoint', () => {
  it('logs in, keeps session context across requests, and answers with results or errors', async () => {
    const server = await BacklotServer.start({ dataDir: tempDir(), port: 0, scheduler: false });
    try {
      expect(server.adminPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
      const app = server.app;
      const post = (path: string, body: unknown, token?: string) =>
        app.request(path, { method: 'POST', headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });

      const bad = await post('/api/v1/login', { user: 'admin', password: 'nope' });
      expect(bad.status).toBe(401);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('390100');

      const login = await post('/api/v1/login', { user: 'admin', password: server.adminPassword });
      expect(login.status).toBe(200);
      const { token, context } = (await login.json()) as { token: string; context: { user: string; role: string } };
      expect(token.length).toBeGreaterThanOrEqual(40);
      expect(context).toMatchObject({ user: 'ADMIN', role: 'ACCOUNTADMIN' });

      expect((await post('/api/v1/statements', { sql: 'CREATE DATABASE web' }, token)).status).toBe(200);
      const r = await post('/api/v1/statements', { sql: 'SELECT CURRENT_DATABASE() AS db, 1 + 1 AS two' }, token);
      const body = (await r.json()) as { result: { columns: { name: string }[]; rows: unknown[][] }; context: { database: string } };
      expect(body.result.columns.map((c) => c.name)).toEqual(['DB', 'TWO']);
      expect(body.result.rows).toEqual([['WEB', '2']]);
      expect(body.context.database).toBe('WEB');

      const err = await post('/api/v1/statements', { sql: 'SELECT * FROM missing' }, token);
      expect(err.status).toBe(422);
      expect(((await err.json()) as { error: unknown }).error).toMatchObject({ code: '002003', sqlState: '42S02' });

      expect((await post('/api/v1/statements', { sql: 'SELECT 1' })).status).toBe(401);
      expect((await post('/api/v1/statements', { sql: 'SELECT 1' }, 'forged')).status).toBe(401);
      expect((await post('/api/v1/logout', {}, token)).status).toBe(200);
      expect((await post('/api/v1/statements', { sql: 'SELECT 1' }, token)).status).toBe(401);
    } finally {
      await server.stop();
    }
  });

  it('shows the administrator password only on the first start', async () => {
    const dir = tempDir();
    const first = await BacklotServer.start({ dataDir: dir, port: 0, scheduler: false });
    await first.stop();
    const second = await BacklotServer.start({ dataDir: dir, port: 0, scheduler: false });
    try {
      expect(first.adminPassword).toBeDefined();
      expect(second.adminPassword).toBeUndefined();
    } finally {
      await second.stop();
    }
  });
});

describe('backlot start', () => {
  it('serves `backlot sql --server`, refuses a second process on the directory, and stops on SIGTERM', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [BIN, 'start', '--data', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 200 && !/password: /.test(output); i += 1) await new Promise((r) => setTimeout(r, 100));
      const url = /running on (http:\/\/[^ ]+)/.exec(output)?.[1];
      const password = /password: (\S+)/.exec(output)?.[1];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const sql = (args: string[], env: Record<string, string> = {}) =>
        spawnSync(process.execPath, [BIN, 'sql', ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
      const ok = sql(['--server', url!, '--format', 'json', '-e', 'CREATE DATABASE remote; SELECT CURRENT_DATABASE()'], { BACKLOT_PASSWORD: password! });
      expect(ok.status).toBe(0);
      expect(ok.stdout.trim().split('\n')[1]).toBe('{"columns":["CURRENT_DATABASE()"],"rows":[["REMOTE"]]}');
      const wrong = sql(['--server', url!, '-e', 'SELECT 1'], { BACKLOT_PASSWORD: 'wrong' });
      expect(wrong.status).toBe(1);
      expect(wrong.stderr).toContain('Incorrect username or password');
      const locked = sql(['--data', dir, '-e', 'SELECT 1']);
      expect(locked.status).toBe(1);
      expect(locked.stderr).toContain('in use by another Backlot process');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(output).toContain('Backlot stopped.');
  }, 60_000);
});

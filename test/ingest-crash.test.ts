/**
 * Exactly-once ingestion across crashes: three producers append batches to their channels through
 * the client (retries with backoff, re-login) while `backlot start` is killed with SIGKILL twenty
 * times and restarted on the same port. A producer whose batch failed for good reopens its channel
 * and continues after the committed offset token. Afterwards every acknowledged event is stored
 * exactly once, every batch a producer saw fail is stored once or not at all (never in part), and
 * each channel's committed token is its last stored batch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/index.ts';
import { IngestClient, type Channel } from '../src/ingest/client/ingest-client.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'backlot.js');
const KILLS = Number(process.env.BACKLOT_CRASH_KILLS ?? 20);
const BATCH = 100;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts `backlot start` and resolves once it serves (with the first start's password, if shown). */
function startServer(data: string, port: number, first = false): Promise<{ child: ChildProcess; password?: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'start', '--data', data, '--port', String(port), '--no-scheduler'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (/running on/.test(out) && (!first || /password: \S+\n/.test(out))) {
        resolve({ child, password: /password: (\S+)/.exec(out)?.[1] });
      }
    });
    child.on('exit', (code, signal) => reject(new Error(`server exited early (${code ?? signal}): ${out}`)));
  });
}

function batchOf(producer: number, token: number): { event_id: number; fan_id: number; kind: string }[] {
  return Array.from({ length: BATCH }, (_, i) => ({ event_id: producer * 10_000_000 + token * BATCH + i, fan_id: i % 50, kind: 'like' }));
}

describe('ingestion under SIGKILL', () => {
  it(`stores every acknowledged event exactly once across ${KILLS} kills`, async () => {
    const data = mkdtempSync(join(tmpdir(), 'backlot-ingest-crash-'));
    dirs.push(data);
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    let server = await startServer(data, port, true);
    const password = server.password!;
    const admin = new IngestClient({ url, user: 'admin', password });
    for (const sql of ['CREATE DATABASE crash', 'CREATE TABLE crash.public.events (event_id INT NOT NULL, fan_id INT, kind VARCHAR)']) {
      const r = await admin.request<{ error?: unknown }>('POST', '/api/v1/statements', JSON.stringify({ sql }));
      expect(r.error).toBeUndefined();
    }

    const acked = [new Set<number>(), new Set<number>(), new Set<number>()];
    const failed = [new Set<number>(), new Set<number>(), new Set<number>()];
    let stop = false;
    const producer = async (p: number) => {
      const client = new IngestClient({ url, user: 'admin', password, attempts: 12, backoffMs: 20, maxBackoffMs: 400, timeoutMs: 10_000 });
      let ch: Channel | undefined;
      let next = 0;
      while (!stop) {
        try {
          if (!ch) {
            ch = await client.openChannel('CRASH.PUBLIC.EVENTS', `producer-${p}`);
            next = ch.offsetToken === null ? 0 : Number(ch.offsetToken) + 1;
          }
          await ch.append(batchOf(p, next), String(next));
          acked[p].add(next);
          next += 1;
        } catch {
          // Failed for good (the server was down through every retry): resume from what is committed.
          if (ch) failed[p].add(next);
          ch = undefined;
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    };
    const producers = [0, 1, 2].map((p) => producer(p));

    for (let k = 0; k < KILLS; k += 1) {
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 700));
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGKILL');
      await exited;
      server = await startServer(data, port);
    }
    await new Promise((r) => setTimeout(r, 500));
    stop = true;
    await Promise.all(producers);
    const exited = new Promise<number | null>((r) => server.child.once('exit', (code) => r(code)));
    server.child.kill('SIGTERM');
    expect(await exited).toBe(0);

    const engine = await Engine.open({ dataDir: data });
    try {
      const session = await engine.newSession();
      const rows = async (q: string) => (await session.execute(q)).rows;
      expect(await rows('SELECT count(*) - count(DISTINCT event_id) FROM crash.public.events')).toEqual([['0']]);
      const perBatch = await rows(`SELECT floor(event_id / 10000000), floor((event_id % 10000000) / ${BATCH}), count(*) FROM crash.public.events GROUP BY 1, 2`);
      const stored = [new Map<number, number>(), new Map<number, number>(), new Map<number, number>()];
      for (const [p, t, n] of perBatch) stored[Number(p)].set(Number(t), Number(n));
      const tokens = new Map((await rows('SELECT channel_name, offset_token FROM crash.information_schema.ingest_channels')).map((r) => [String(r[0]), Number(r[1])]));
      let total = 0;
      for (let p = 0; p < 3; p += 1) {
        // Every acknowledged batch is there in full; every stored batch is whole.
        for (const t of acked[p]) expect(stored[p].get(t)).toBe(BATCH);
        for (const [, n] of stored[p]) expect(n).toBe(BATCH);
        // Batches are stored as a gap-free run 0..committed token.
        const max = Math.max(...stored[p].keys());
        expect(stored[p].size).toBe(max + 1);
        expect(tokens.get(`producer-${p}`)).toBe(max);
        total += acked[p].size;
      }
      expect(total).toBeGreaterThan(KILLS);
      process.stdout.write(
        `ingest crash: ${KILLS} kills, acknowledged batches ${acked.map((a) => a.size).join('/')}, failed-for-good ${failed.map((f) => f.size).join('/')}, stored ${stored.map((s) => s.size).join('/')}\n`,
      );
    } finally {
      await engine.close();
    }
  }, 600_000);
});

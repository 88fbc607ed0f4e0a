/**
 * Issue 6's speed targets. Event ingestion against `backlot start` in its own process (the load
 * generator is this process, on the same machine): sustained events/s with 500-row NDJSON batches
 * and durable acknowledgements over several channels, and the acknowledgement latency at 5,000
 * events/s. COPY INTO of a large CSV (1 GB by default) against DuckDB's own `read_csv` insert into a
 * plain table, as rows/s.
 *
 * BENCH_INGEST_SECONDS (15), BENCH_INGEST_CHANNELS (16,32: one run per count of concurrent producers),
 * BENCH_COPY_MB (1024), BENCH_ONLY=ingest|latency|copy.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { Engine } from '../src/engine/index.ts';
import { IngestClient } from '../src/ingest/client/ingest-client.ts';
import type { BenchRow } from './statements.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'backlot.js');
const SECONDS = Number(process.env.BENCH_INGEST_SECONDS ?? 15);
const CHANNEL_COUNTS = (process.env.BENCH_INGEST_CHANNELS ?? '16,32').split(',').map(Number);
const COPY_MB = Number(process.env.BENCH_COPY_MB ?? 1024);
const ONLY = process.env.BENCH_ONLY;
const BATCH = 500;

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

async function startServer(data: string): Promise<{ child: ChildProcess; url: string; password: string }> {
  const port = await freePort();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--liftoff-only', ...(process.env.BENCH_SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean), BIN, 'start', '--data', data, '--port', String(port), '--no-scheduler'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const pw = /password: (\S+)\n/.exec(out);
      if (/running on/.test(out) && pw) resolve({ child, url: `http://127.0.0.1:${port}`, password: pw[1] });
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
}

/** One batch of fan events as NDJSON (what the studio's event stream sends). */
function batchBody(channel: number, token: number): string {
  const lines: string[] = [];
  const base = (channel * 1_000_000 + token) * BATCH;
  for (let i = 0; i < BATCH; i += 1) {
    const id = base + i;
    lines.push(
      `{"event_id":${id},"fan_id":${id % 50_000},"kind":"${['view', 'like', 'share', 'purchase'][id % 4]}","film":"film-${id % 300}","amount":${(id % 97) + 0.5},"at":"2026-11-25T10:${String(id % 60).padStart(2, '0')}:00Z","payload":{"device":"ios","session":${id % 9973}}}`,
    );
  }
  return lines.join('\n');
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

async function withServer<T>(fn: (url: string, client: IngestClient) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'backlot-bench-ingest-'));
  const { child, url, password } = await startServer(dir);
  try {
    const client = new IngestClient({ url, user: 'admin', password });
    for (const sql of [
      'CREATE DATABASE studio',
      'CREATE TABLE studio.public.fan_events (event_id INT NOT NULL, fan_id INT, kind VARCHAR, film VARCHAR, amount NUMBER(10,2), at TIMESTAMP_NTZ, payload VARIANT)',
    ]) {
      await client.request('POST', '/api/v1/statements', JSON.stringify({ sql }));
    }
    return await fn(url, client);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

async function count(client: IngestClient): Promise<number> {
  const r = await client.request<{ result: { rows: unknown[][] } }>('POST', '/api/v1/statements', JSON.stringify({ sql: 'SELECT count(*) FROM studio.public.fan_events' }));
  return Number(r.result.rows[0][0]);
}

async function benchThroughput(CHANNELS: number): Promise<BenchRow[]> {
  return withServer(async (_url, client) => {
    const channels = await Promise.all(Array.from({ length: CHANNELS }, (_, i) => client.openChannel('STUDIO.PUBLIC.FAN_EVENTS', `bench-${i}`)));
    // Warm up (parser tier-up, first commits), then measure.
    await Promise.all(channels.map((ch, i) => ch.append(batchBody(i, 0), '0')));
    let acked = 0;
    const until = performance.now() + SECONDS * 1000;
    const t0 = performance.now();
    await Promise.all(
      channels.map(async (ch, i) => {
        for (let token = 1; performance.now() < until; token += 1) {
          const r = await ch.append(batchBody(i, token), String(token));
          acked += r.inserted;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const stored = await count(client);
    return [
      { name: `ingest: ${BATCH}-row NDJSON batches, ${CHANNELS} channels, durable acks`, value: acked / seconds, unit: 'events/s', note: `${acked} acknowledged in ${seconds.toFixed(1)} s, ${stored} stored; target ≥ 50,000` },
    ];
  });
}

async function benchLatency(): Promise<BenchRow[]> {
  return withServer(async (_url, client) => {
    const ch = await client.openChannel('STUDIO.PUBLIC.FAN_EVENTS', 'latency');
    await ch.append(batchBody(0, 0), '0');
    // 5,000 events/s: a 500-row batch every 100 ms, each timed from send to acknowledgement.
    const latencies: number[] = [];
    const pending: Promise<void>[] = [];
    const n = Math.max(50, SECONDS * 10);
    const start = performance.now();
    const other = await client.openChannel('STUDIO.PUBLIC.FAN_EVENTS', 'latency-2');
    for (let i = 1; i <= n; i += 1) {
      const due = start + i * 100;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      // Two channels alternate, so a slow acknowledgement does not delay the next send.
      const target = i % 2 === 0 ? ch : other;
      const t0 = performance.now();
      pending.push(target.append(batchBody(i % 2 === 0 ? 0 : 1, i), String(i)).then(() => void latencies.push(performance.now() - t0)));
    }
    await Promise.all(pending);
    return [
      { name: 'ingest acknowledgement at 5,000 events/s, p50', value: percentile(latencies, 50), unit: 'ms', note: `${latencies.length} batches` },
      { name: 'ingest acknowledgement at 5,000 events/s, p99', value: percentile(latencies, 99), unit: 'ms', note: 'target < 250 ms' },
    ];
  });
}

async function benchCopy(): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'backlot-bench-copy-'));
  try {
    const csv = join(dir, 'box_office.csv');
    const rowsWanted = Math.round((COPY_MB * 1_000_000) / 39);
    {
      const db = await DuckDBInstance.create(':memory:');
      const c = await db.connect();
      await c.run(
        `COPY (SELECT DATE '2026-01-01' + (i % 365)::INT AS day, 'film-' || (i % 300) AS film, i % 5000 AS theater, (i % 400)::INT AS tickets, ((i % 100000) / 100.0)::DECIMAL(12,2) AS gross, 'USD' AS currency FROM range(${rowsWanted}) t(i)) TO '${csv}' (HEADER false)`,
      );
      c.closeSync();
    }
    const bytes = statSync(csv).size;
    const columns = `{'day': 'DATE', 'film': 'VARCHAR', 'theater': 'BIGINT', 'tickets': 'BIGINT', 'gross': 'DECIMAL(12,2)', 'currency': 'VARCHAR'}`;

    // The plain insert runs before and after the COPY (fresh files each time); the faster one counts,
    // which favours the baseline.
    const plainRun = async (k: number) => {
      const plainDb = await DuckDBInstance.create(join(dir, `plain${k}.duckdb`));
      const plain = await plainDb.connect();
      await plain.run('CREATE TABLE box (day DATE, film VARCHAR, theater BIGINT, tickets BIGINT, gross DECIMAL(12,2), currency VARCHAR)');
      const start = performance.now();
      await plain.run(`INSERT INTO box SELECT * FROM read_csv('${csv}', columns = ${columns}, header = false, auto_detect = false)`);
      const ms = performance.now() - start;
      plain.closeSync();
      rmSync(join(dir, `plain${k}.duckdb`), { force: true });
      return ms;
    };
    const firstPlain = await plainRun(1);
    let t0 = 0;
    const engine = await Engine.open({ dataDir: join(dir, 'backlot') });
    let copyMs = 0;
    let loaded = 0;
    try {
      const s = await engine.newSession();
      await s.execute('CREATE DATABASE b');
      await s.execute('CREATE TABLE box (day DATE, film VARCHAR, theater INT, tickets INT, gross NUMBER(12,2), currency VARCHAR)');
      await s.execute(`PUT file://${csv} @%box AUTO_COMPRESS = FALSE`);
      t0 = performance.now();
      const r = await s.execute('COPY INTO box');
      copyMs = performance.now() - t0;
      loaded = Number(r.rows[0][3]);
    } finally {
      await engine.close();
    }
    const plainMs = Math.min(firstPlain, await plainRun(2));
    const plainRate = rowsWanted / (plainMs / 1000);
    const copyRate = loaded / (copyMs / 1000);
    return [
      { name: `read_csv insert into a plain DuckDB table (${(bytes / 1e9).toFixed(2)} GB, ${rowsWanted} rows)`, value: plainRate / 1e6, unit: 'M rows/s', note: `${(plainMs / 1000).toFixed(1)} s` },
      { name: 'COPY INTO a Backlot table from a stage', value: copyRate / 1e6, unit: 'M rows/s', note: `${(copyMs / 1000).toFixed(1)} s, ${((100 * copyRate) / plainRate).toFixed(0)} % of read_csv; target ≥ 70 %` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchIngest(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  if (!ONLY || ONLY === 'ingest') for (const n of CHANNEL_COUNTS) rows.push(...(await benchThroughput(n)));
  if (!ONLY || ONLY === 'latency') rows.push(...(await benchLatency()));
  if (!ONLY || ONLY === 'copy') rows.push(...(await benchCopy()));
  return rows;
}

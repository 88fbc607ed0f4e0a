/**
 * Statement-by-statement trace of one incremental dynamic-table refresh: every DuckDB statement the
 * refresh and its history writes run, with when it started (ms after the refresh began), how long it
 * took and on which connection (c0 the user's session, c1 the refresh session, c2 the history).
 * Not a benchmark — a tool for finding where a refresh's time goes.
 *
 *   npx tsx bench/trace-refresh.ts                      # GROUP BY over 1M rows, a day appended
 *   TRACE_ROWS=10000000 npx tsx bench/trace-refresh.ts
 *   TRACE_SETUP='CREATE TABLE sales AS …' TRACE_QUERY='SELECT … FROM sales …' \
 *     TRACE_CHANGE='UPDATE sales …' TRACE_CHANGE2='UPDATE sales …' npx tsx bench/trace-refresh.ts
 *
 * The first change and refresh warm everything up (the running aggregate state is built then); the
 * second change's refresh is the one traced. TRACE_FULL_SQL=1 prints whole statements.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/index.ts';
import type { StorageConnection } from '../src/storage/index.ts';

const env = process.env;
const rows = Number(env.TRACE_ROWS ?? 1_000_000);
const day = (d: number) => `INSERT INTO sales SELECT ${d} * 10000 + seq8(), ${d}, seq8() % 200, 5 FROM TABLE(GENERATOR(ROWCOUNT => 10000))`;
const setup =
  env.TRACE_SETUP ??
  `CREATE TABLE sales AS SELECT seq8() AS id, FLOOR(seq8() / 10000)::INT AS day, seq8() % 200 AS film, uniform(1, 100, random()) AS amount FROM TABLE(GENERATOR(ROWCOUNT => ${rows}))`;
const query = env.TRACE_QUERY ?? 'SELECT day, film, sum(amount) AS amount, count(*) AS tickets FROM sales GROUP BY day, film';
const change = env.TRACE_CHANGE ?? day(rows / 10000);
const change2 = env.TRACE_CHANGE2 ?? day(rows / 10000 + 1);

const dir = mkdtempSync(join(tmpdir(), 'backlot-trace-'));
const engine = await Engine.open({ dataDir: dir });
try {
  const s = await engine.newSession();
  await s.execute('CREATE DATABASE b');
  await s.execute(setup);
  await s.execute(`CREATE DYNAMIC TABLE d TARGET_LAG = '1 day' WAREHOUSE = wh REFRESH_MODE = INCREMENTAL AS ${query}`);
  await s.execute(change);
  await s.execute('ALTER DYNAMIC TABLE d REFRESH');
  await s.execute(change2);
  const c = await engine.warehouse.connect();
  await c.run('CHECKPOINT');
  engine.warehouse.release(c);

  // Wraps the statement methods of the three connections involved.
  const log: { at: number; ms: number; conn: string; sql: string }[] = [];
  let t0 = 0;
  const service = engine.dynamicTables as unknown as { session: { conn: StorageConnection }; conn: StorageConnection };
  for (const [i, conn] of [s.conn, service.session.conn, service.conn].entries()) {
    const target = conn as unknown as Record<string, (sql: string, ...rest: unknown[]) => Promise<unknown>>;
    for (const m of ['run', 'query', 'rows', 'commitWith']) {
      const original = target[m].bind(conn);
      target[m] = async (sql: string, ...rest: unknown[]) => {
        const start = performance.now();
        try {
          return await original(sql, ...rest);
        } finally {
          log.push({ at: start - t0, ms: performance.now() - start, conn: `c${i}`, sql });
        }
      };
    }
  }
  t0 = performance.now();
  await s.execute('ALTER DYNAMIC TABLE d REFRESH');
  const total = performance.now() - t0;
  for (const e of log) {
    const text = env.TRACE_FULL_SQL ? e.sql : e.sql.replace(/\s+/g, ' ').slice(0, 200);
    console.log(`${e.at.toFixed(1).padStart(7)} ${e.ms.toFixed(1).padStart(6)} ${e.conn} ${text}`);
  }
  console.log(`refresh ${total.toFixed(1)} ms; ${log.length} statements, ${log.reduce((a, e) => a + e.ms, 0).toFixed(1)} ms in them`);
} finally {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Versioned tables against plain DuckDB, side by side in one warehouse file (issue 3's targets):
 * bulk INSERT … SELECT into a tracked table vs a plain table; UPDATE of 0.1 % of rows; the net change
 * set of 10k changed rows at 1M and 10M rows; a Time Travel read vs a current read; and storage
 * after 100 rounds of updating the same 1 % of rows, before and after the purge.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, ManualClock, type Session } from '../src/engine/index.ts';
import type { BenchRow } from './statements.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Six columns, like DESIGN §12's measurement. */
const SOURCE = (n: number) =>
  `SELECT seq8() AS id, seq8() % 100000 AS fan, 'kind_' || (seq8() % 7) AS kind, uniform(1, 100, random()) AS qty, ` +
  `DATEADD(second, seq8() % 86400, '2024-06-01'::TIMESTAMP_NTZ) AS ts, seq8() * 0.5 AS amount FROM TABLE(GENERATOR(ROWCOUNT => ${n}))`;

const PLAIN_DDL = (name: string) =>
  `CREATE OR REPLACE TABLE bench_plain.${name} (id BIGINT, fan BIGINT, kind VARCHAR, qty BIGINT, ts TIMESTAMP, amount DOUBLE)`;

export async function benchVersioned(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'backlot-bench-versioned-'));
  const clock = new ManualClock(new Date());
  const engine = await Engine.open({ dataDir: dir, clock });
  const raw = await engine.warehouse.connect();
  try {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE bench');
    await raw.run('CREATE SCHEMA bench_plain');
    await s.execute(`CREATE TABLE src AS ${SOURCE(ROWS)}`);
    const srcView = '"BENCH.PUBLIC"."SRC"';

    // 1. Bulk INSERT … SELECT of ROWS rows: tracked vs plain, same source, alternating, median of 3.
    const tracked: number[] = [];
    const plain: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      await s.execute('CREATE OR REPLACE TABLE events (id INT, fan INT, kind VARCHAR, qty INT, ts TIMESTAMP_NTZ, amount FLOAT) CHANGE_TRACKING = TRUE');
      await raw.run(PLAIN_DDL('events'));
      tracked.push(await timed(() => s.execute('INSERT INTO events SELECT * FROM src')));
      plain.push(await timed(() => raw.run(`INSERT INTO bench_plain.events SELECT * FROM ${srcView}`)));
    }
    const insertRatio = median(plain) / median(tracked);
    rows.push({ name: `bulk INSERT … SELECT ${fmt(ROWS)} rows, tracked`, value: (ROWS / median(tracked)) * 1000 / 1e6, unit: 'M rows/s' });
    rows.push({ name: `bulk INSERT … SELECT ${fmt(ROWS)} rows, plain DuckDB`, value: (ROWS / median(plain)) * 1000 / 1e6, unit: 'M rows/s' });
    rows.push({ name: 'tracked insert throughput / plain', value: insertRatio * 100, unit: '%', note: 'target ≥ 70 %' });

    // 2. UPDATE of 0.1 % of the rows (different rows each round, so each round changes 0.1 %).
    const marker = await statementId(s, 'SELECT 1');
    const beforeUpdates = await statementId(s, "SELECT 'before updates'");
    const upT: number[] = [];
    const upP: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      upT.push(await timed(() => s.execute(`UPDATE events SET qty = qty + 1 WHERE id % 1000 = ${i}`)));
      upP.push(await timed(() => raw.run(`UPDATE bench_plain.events SET qty = qty + 1 WHERE id % 1000 = ${i}`)));
    }
    rows.push({ name: `UPDATE 0.1 % of ${fmt(ROWS)} rows, tracked`, value: median(upT), unit: 'ms' });
    rows.push({ name: `UPDATE 0.1 % of ${fmt(ROWS)} rows, plain DuckDB`, value: median(upP), unit: 'ms' });
    rows.push({ name: 'tracked update time / plain', value: median(upT) / median(upP), unit: 'x', note: 'target ≤ 3x' });
    void marker;

    // 3. Net change set of 10k changed rows at ROWS and at ROWS/10 rows.
    const changeSet = async (table: string, size: number): Promise<number> => {
      const before = await statementId(s, `SELECT 'mark ${table}'`);
      await s.execute(`UPDATE ${table} SET qty = qty + 1 WHERE id % ${Math.round(size / 10_000)} = 3`);
      const times: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        times.push(await timed(() => s.execute(`SELECT count(*), sum(qty) FROM ${table} CHANGES(INFORMATION => DEFAULT) AT(STATEMENT => '${before}')`)));
      }
      const r = await s.execute(`SELECT count(*) FROM ${table} CHANGES(INFORMATION => DEFAULT) AT(STATEMENT => '${before}')`);
      if (Number(r.rows[0][0]) !== 20_000) throw new Error(`expected 10k update pairs, got ${String(r.rows[0][0])} rows`);
      return median(times);
    };
    await s.execute(`CREATE TABLE small CHANGE_TRACKING = TRUE AS SELECT * FROM src WHERE id < ${ROWS / 10}`);
    await s.execute(`INSERT INTO small SELECT * FROM src WHERE id >= ${ROWS / 10} AND id < ${ROWS / 5}`);
    const small = await changeSet('small', ROWS / 5);
    const large = await changeSet('events', ROWS);
    rows.push({ name: `net change set of 10k updated rows in ${fmt(ROWS / 5)} rows`, value: small, unit: 'ms' });
    rows.push({ name: `net change set of 10k updated rows in ${fmt(ROWS)} rows`, value: large, unit: 'ms', note: 'target < 200 ms, flat in size' });

    // 4. Time Travel read as of a version ~1 % of rows ago (the 0.1 % updates above, and ten more).
    for (let i = 3; i < 10; i += 1) await s.execute(`UPDATE events SET qty = qty + 1 WHERE id % 1000 = ${i}`);
    const now: number[] = [];
    const then: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      now.push(await timed(() => s.execute('SELECT count(*), sum(qty), max(kind) FROM events')));
      then.push(await timed(() => s.execute(`SELECT count(*), sum(qty), max(kind) FROM events BEFORE(STATEMENT => '${beforeUpdates}')`)));
    }
    rows.push({ name: `current read of ${fmt(ROWS)} rows`, value: median(now), unit: 'ms' });
    rows.push({ name: 'Time Travel read, ~1 % of rows changed since', value: median(then), unit: 'ms' });
    rows.push({ name: 'Time Travel read / current read', value: median(then) / median(now), unit: 'x', note: 'target ≤ 2x' });

    // 5. Storage after 100 rounds of updating the same 1 % of a table, then the purge.
    const n = Math.round(ROWS / 10);
    await s.execute(`CREATE TABLE churn AS SELECT * FROM src WHERE id < ${n}`);
    const churn = [...engine.catalog.objects.values()].find((o) => o.name === 'CHURN' && o.droppedOn === null)!.id;
    const storage = async (): Promise<{ history: number; blocks: number }> => {
      await raw.run('CHECKPOINT');
      const size = await raw.rows('PRAGMA database_size');
      const hist = await raw.rows(`SELECT count(*) AS n FROM _backlot_data.H${churn}`);
      return { history: Number(hist[0].n), blocks: Number(size[0].used_blocks) };
    };
    const base = await storage();
    for (let i = 0; i < 100; i += 1) {
      await s.execute(`UPDATE churn SET qty = qty + 1 WHERE id % 100 = 0`);
      clock.advance(60_000);
    }
    const grown = await storage();
    clock.advance(86_400_000 + 60_000);
    await engine.purge();
    await s.execute(`UPDATE churn SET qty = qty + 1 WHERE id % 100 = 0`);
    const purged = await storage();
    rows.push({ name: `history rows after 100 updates of 1 % of ${fmt(n)} rows`, value: grown.history, unit: 'rows' });
    rows.push({ name: 'history rows after the retention window and the purge', value: purged.history, unit: 'rows', note: 'only the last update, still in the window' });
    rows.push({ name: 'database blocks: before / after 100 rounds / after purge', value: purged.blocks, unit: `blocks (${base.blocks} / ${grown.blocks} / ${purged.blocks})` });
  } finally {
    engine.warehouse.release(raw);
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

async function statementId(s: Session, sql: string): Promise<string> {
  return (await s.execute(sql)).queryId;
}

function fmt(n: number): string {
  return n >= 1e6 ? `${n / 1e6}M` : n >= 1e3 ? `${n / 1e3}k` : String(n);
}

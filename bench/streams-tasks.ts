/**
 * Issue 4's speed targets: SYSTEM$STREAM_HAS_DATA on a 10M-row table (answered from the commit log,
 * not the data), reading a stream of 10k changes on a 10M-row table, and the scheduler's cost per
 * idle tick with many started tasks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, ManualClock } from '../src/engine/index.ts';
import type { BenchRow } from './statements.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function benchStreamsAndTasks(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'backlot-bench-streams-'));
  const clock = new ManualClock(new Date());
  const engine = await Engine.open({ dataDir: dir, clock });
  try {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE b');
    await s.execute(`CREATE TABLE events AS SELECT seq8() AS id, seq8() % 1000 AS fan, uniform(1, 100, random()) AS qty FROM TABLE(GENERATOR(ROWCOUNT => ${ROWS}))`);
    await s.execute('CREATE STREAM s ON TABLE events');
    await s.execute(`UPDATE events SET qty = qty + 1 WHERE id % ${Math.round(ROWS / 10_000)} = 7`);

    const hasData: number[] = [];
    for (let i = 0; i < 20; i += 1) hasData.push(await timed(() => s.execute("SELECT SYSTEM$STREAM_HAS_DATA('s')")));
    rows.push({ name: `SYSTEM$STREAM_HAS_DATA on a ${ROWS / 1e6}M-row table`, value: median(hasData), unit: 'ms', note: 'target < 5 ms' });

    const reads: number[] = [];
    let n = 0;
    for (let i = 0; i < 5; i += 1) {
      reads.push(
        await timed(async () => {
          const r = await s.execute('SELECT count(*), sum(qty) FROM s');
          n = Number(r.rows[0][0]);
        }),
      );
    }
    if (n !== 20_000) throw new Error(`expected 10k update pairs in the stream, got ${n} rows`);
    rows.push({ name: `read a stream of 10k updates on a ${ROWS / 1e6}M-row table`, value: median(reads), unit: 'ms', note: 'target < 200 ms' });

    // 200 started root tasks with schedules far apart: the tick only looks at due times.
    for (let i = 0; i < 200; i += 1) {
      await s.execute(`CREATE TASK t${i} SCHEDULE = '${60 + i} MINUTES' AS SELECT 1`);
      await s.execute(`ALTER TASK t${i} RESUME`);
    }
    const ticks = 10_000;
    const t0 = performance.now();
    for (let i = 0; i < ticks; i += 1) engine.tasks.tick();
    const perTick = (performance.now() - t0) / ticks;
    rows.push({ name: 'scheduler tick with 200 started, idle tasks', value: perTick * 1000, unit: 'µs', note: 'target < 1 ms' });
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

/**
 * The floor under the "10k scattered updates ≥ 5x" target of issue 5, on raw DuckDB with no Backlot
 * code: 10M rows over 100k fans, a stored `GROUP BY fan` with SUM and COUNT (100k rows), and 10k rows
 * updated at random. The change is handed over ready-made (a 10k-row table of each row's fan and its
 * old and new points), so finding it costs nothing here; Backlot reads it from the versioned tables.
 *
 *   full    the GROUP BY over all 10M rows into a temporary table (compute only), then the same
 *           write as `floor` (history of the old rows, the new values in place, COMMIT)
 *   floor   the per-fan delta of the 10k changed rows; INSERT the touched groups' old rows into a
 *           history table; UPDATE them in place by fan; COMMIT — no running state, no row ids, no
 *           change counts, no refresh bookkeeping
 *   write   the write and COMMIT alone
 *
 *   node bench/probes/scattered-floor.mjs        (ROWS=1000000 for a quick run)
 * Sums are BIGINT, as Backlot stores NUMBER(38,0) (DuckDB joins and updates HUGEINT columns about ten
 * times slower). Medians of 9; prints full / floor, the best ratio any refresh that writes its changes
 * could reach.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const rows = Number(process.env.ROWS ?? 10_000_000);
const dir = mkdtempSync(join(tmpdir(), 'scattered-floor-'));
const db = await DuckDBInstance.create(join(dir, 'probe.duckdb'));
const c = await db.connect();
try {
  await c.run(`CREATE TABLE sales AS SELECT range AS id, range % 100000 AS fan, (hash(range) % 100 + 1)::BIGINT AS pts FROM range(${rows})`);
  await c.run('CREATE TABLE dt AS SELECT fan, sum(pts)::BIGINT AS pts, count(*) AS plays FROM sales GROUP BY fan');
  await c.run('CREATE TABLE dt_history AS SELECT *, 0::BIGINT AS version FROM dt LIMIT 0');
  await c.run('CHECKPOINT');
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const timed = async (sqls) => {
    const t = performance.now();
    for (const sql of sqls) await c.run(sql);
    return performance.now() - t;
  };
  // The write both refreshes end with, given the per-fan deltas in `delta`.
  const write = (v) => [
    `INSERT INTO dt_history SELECT dt.*, ${v} FROM dt JOIN delta USING (fan)`,
    'UPDATE dt SET pts = dt.pts + delta.d FROM delta WHERE dt.fan = delta.fan',
    'COMMIT',
  ];
  const full = [];
  const floor = [];
  const writes = [];
  for (let i = 0; i < 9; i += 1) {
    // 10k rows updated at random, the change recorded as a table (old and new points).
    await c.run(`CREATE OR REPLACE TABLE chg AS SELECT id, fan, pts AS old_pts, pts + 1 AS new_pts FROM sales WHERE hash(id, ${i}) % 1000 = 0`);
    await c.run('UPDATE sales SET pts = pts + 1 WHERE id IN (SELECT id FROM chg)');
    await c.run('CHECKPOINT');
    floor.push(await timed(['BEGIN', 'CREATE OR REPLACE TEMP TABLE delta AS SELECT fan, sum(new_pts - old_pts)::BIGINT AS d FROM chg GROUP BY fan', ...write(2 * i)]));
    // The same delta again, for a full refresh whose diff found exactly these groups changed.
    full.push(await timed(['BEGIN', 'CREATE OR REPLACE TEMP TABLE f AS SELECT fan, sum(pts)::BIGINT AS pts, count(*) AS plays FROM sales GROUP BY fan', ...write(2 * i + 1)]));
    writes.push(await timed(['BEGIN', ...write(2 * i + 1)]));
  }
  const [f, fl, w] = [median(full), median(floor), median(writes)];
  console.log(`rows ${rows}: full ${f.toFixed(1)} ms, floor ${fl.toFixed(1)} ms (${(f / fl).toFixed(1)}x), the write and commit alone ${w.toFixed(1)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

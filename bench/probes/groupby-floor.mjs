/**
 * The floor under the "GROUP BY refresh ≥ 50x" target of issue 5, on raw DuckDB with no Backlot code:
 * how fast can *any* refresh that durably writes its result be, against DuckDB recomputing the
 * GROUP BY? Same shape as `npm run bench -- dynamic` (10M rows, 1,000 days × 200 films, a 10k-row day
 * appended, `GROUP BY day, film` with SUM and COUNT), in a file database as Backlot's warehouse is.
 *
 *   full     CREATE OR REPLACE TEMP TABLE … AS the GROUP BY over all rows (compute only, no write)
 *   floor    BEGIN; INSERT the new day's 200 aggregated rows (read by a range of its ids, which zone maps skip to;
 *            nothing else: no state, no history, no change detection); COMMIT
 *   commit   BEGIN; INSERT one constant row; COMMIT — the durable commit alone
 *   select   the floor's SELECT alone (read and aggregate the new day, no write)
 *
 *   node bench/probes/groupby-floor.mjs        (ROWS=1000000 for a quick run)
 * Medians of 15; prints full / floor and full / commit, the best ratios any refresh could reach.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const rows = Number(process.env.ROWS ?? 10_000_000);
const dir = mkdtempSync(join(tmpdir(), 'groupby-floor-'));
const db = await DuckDBInstance.create(join(dir, 'probe.duckdb'));
const c = await db.connect();
try {
  await c.run(`CREATE TABLE sales AS SELECT range AS id, (range // 10000)::INT AS day, range % 200 AS film,
    (hash(range) % 100 + 1)::BIGINT AS amount FROM range(${rows})`);
  await c.run('CREATE TABLE dt AS SELECT day, film, sum(amount) AS amount, count(*) AS tickets FROM sales GROUP BY day, film');
  await c.run('CREATE TABLE one (x BIGINT)');
  await c.run('CHECKPOINT');
  const median = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
  const timed = async (sqls) => {
    const t = performance.now();
    for (const sql of sqls) await c.run(sql);
    return performance.now() - t;
  };
  const full = [];
  const floor = [];
  const commit = [];
  const select = [];
  for (let i = 0; i < 15; i += 1) {
    const d = rows / 10000 + i;
    await c.run(`INSERT INTO sales SELECT ${d} * 10000 + range, ${d}, range % 200, 5 FROM range(10000)`);
    await c.run('CHECKPOINT');
    floor.push(await timed(['BEGIN', `INSERT INTO dt SELECT day, film, sum(amount), count(*) FROM sales
      WHERE id >= ${d} * 10000 GROUP BY day, film`, 'COMMIT']));
    select.push(await timed([`SELECT day, film, sum(amount), count(*) FROM sales WHERE id >= ${d} * 10000 GROUP BY day, film`]));
    commit.push(await timed(['BEGIN', `INSERT INTO one VALUES (${i})`, 'COMMIT']));
    full.push(await timed(['CREATE OR REPLACE TEMP TABLE f AS SELECT day, film, sum(amount) AS amount, count(*) AS tickets FROM sales GROUP BY day, film']));
  }
  const [f, fl, cm, se] = [median(full), median(floor), median(commit), median(select)];
  console.log(`rows ${rows}: full ${f.toFixed(1)} ms, floor ${fl.toFixed(1)} ms (${(f / fl).toFixed(1)}x), commit alone ${cm.toFixed(1)} ms (${(f / cm).toFixed(1)}x), the new day's aggregate alone ${se.toFixed(1)} ms`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

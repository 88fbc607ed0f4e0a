/**
 * Issue 5's speed targets for dynamic tables, each an incremental refresh compared with a full
 * refresh of the same definition after the same change (a FULL-mode twin; the two take turns at
 * going first, see twinRounds):
 *
 * - one new day (10k rows) appended to a 10M-row source: a GROUP BY table, and a five-table chain
 *   (flatten → convert → dedup → daily fact → rollup);
 * - 10k scattered updates across 100k groups;
 * - the same change on 1M and on 10M rows (refresh cost follows the change, not the table);
 * - with 1-second lags and the real scheduler, how long a change takes to reach the end of the chain;
 * - not a target: new groups appended to a GROUP BY with 5M groups (the refresh must not read the
 *   groups it does not touch); a seven-day sliding window (`CURRENT_TIMESTAMP` in WHERE) when only
 *   the clock moved; MAX, COUNT(DISTINCT) and MEDIAN under the scattered updates.
 *
 * Every measured refresh is checked to have been INCREMENTAL (or FULL for the twins), and the two
 * tables are checked to hold the same rows, so a number can never come from a wrong result.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, ManualClock, type Session } from '../src/engine/index.ts';
import type { BenchRow } from './statements.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 10_000_000);
const DAY = 10_000;
/**
 * Rounds per measurement (`BENCH_ROUNDS` sets all): fifteen for the single-table refreshes, whose
 * medians a slow round on this shared host would otherwise set (the first incremental refresh also
 * builds the running aggregate state, a full refresh's work: with seven rounds that one outlier
 * moved the median by a rank); three for the chain, whose full refreshes take over a minute a round.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const CHAIN_ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** `BENCH_ONLY=scattered` (or groupby, groups, chain, window, lag) runs one part. */
const ONLY = process.env.BENCH_ONLY;
const part = (name: string) => !ONLY || ONLY === name;
const LAG_CHANGES = Number(process.env.BENCH_LAG_CHANGES ?? 100);
/** The sliding window's length in days (`BENCH_WINDOW_DAYS`): 7 days of one-second events are 605k rows. */
const WINDOW_DAYS = Number(process.env.BENCH_WINDOW_DAYS ?? 7);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

async function lastAction(s: Session, name: string): Promise<string> {
  const r = await s.execute(
    `SELECT refresh_action, state_message FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => '${name}', RESULT_LIMIT => 10000)) ORDER BY refresh_start_time DESC, refresh_end_time DESC LIMIT 1`,
  );
  return String(r.rows[0][0]);
}

async function expectSame(s: Session, a: string, b: string): Promise<void> {
  const r = await s.execute(`SELECT count(*) FROM ((SELECT * FROM ${a} EXCEPT ALL SELECT * FROM ${b}) UNION ALL (SELECT * FROM ${b} EXCEPT ALL SELECT * FROM ${a}))`);
  if (Number(r.rows[0][0]) !== 0) throw new Error(`${a} and ${b} differ after the same change`);
}

/** Runs the incremental side first in even rounds and the full side first in odd ones. */
async function inTurn(round: number, incremental: () => Promise<unknown>, full: () => Promise<unknown>): Promise<void> {
  const [first, second] = round % 2 === 0 ? [incremental, full] : [full, incremental];
  await first();
  await second();
}

/** Refreshes each of `tables` (in order) and returns the total time; checks the action taken. */
async function refreshAll(s: Session, tables: string[], action: string): Promise<number> {
  let total = 0;
  for (const t of tables) {
    const ms = await timed(() => s.execute(`ALTER DYNAMIC TABLE ${t} REFRESH`));
    if (process.env.BENCH_VERBOSE) console.log(`  refresh ${t}: ${ms.toFixed(1)} ms`);
    total += ms;
    const got = await lastAction(s, t);
    if (got !== action) throw new Error(`${t}: expected a ${action} refresh, got ${got}`);
  }
  return total;
}

async function withEngine<T>(fn: (s: Session, engine: Engine) => Promise<T>, clock?: ManualClock): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'backlot-bench-dynamic-'));
  const engine = await Engine.open({ dataDir: dir, clock });
  try {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE b');
    return await fn(s, engine);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Writes DuckDB's WAL into the database file now. Done after each change, before the two refreshes
 * are timed: otherwise the automatic checkpoint lands in whichever commit crosses its threshold and
 * adds 200–300 ms to a random refresh of either twin.
 */
async function checkpoint(engine: Engine): Promise<void> {
  const conn = await engine.warehouse.connect();
  try {
    await conn.run('CHECKPOINT');
  } finally {
    engine.warehouse.release(conn);
  }
}

/** Ticket sales: `rows` rows over rows/10k days, 200 films, ordered by day as a daily load leaves them. */
async function createSales(s: Session, rows: number): Promise<void> {
  await s.execute(
    `CREATE TABLE sales AS SELECT seq8() AS id, FLOOR(seq8() / ${DAY})::INT AS day, seq8() % 200 AS film, uniform(1, 100, random()) AS amount ` +
      `FROM TABLE(GENERATOR(ROWCOUNT => ${rows}))`,
  );
}

async function appendDay(s: Session, table: string, day: number): Promise<void> {
  await s.execute(
    `INSERT INTO ${table} SELECT ${day} * ${DAY} + seq8() AS id, ${day} AS day, seq8() % 200 AS film, uniform(1, 100, random()) AS amount FROM TABLE(GENERATOR(ROWCOUNT => ${DAY}))`,
  );
}

/**
 * An INCREMENTAL dynamic table `<name>_inc` and its FULL twin `<name>_full` over `q`; each round
 * applies `change(i)`, checkpoints, and times both refreshes. Medians of ROUNDS. The twins are compared
 * after every round, or only after the last with `compareEachRound` false (for big tables).
 *
 * The twins take turns at refreshing first. The first refresh after the checkpoint reads the blocks
 * it just wrote cold; with the incremental twin always first, it alone paid for that: 7.5 ms more
 * than when second in 10k scattered updates (medians of ten rounds each way, three runs), 15 % of
 * its time, while the full twin's time did not move measurably either way.
 */
async function twinRounds(
  s: Session,
  engine: Engine,
  name: string,
  q: string,
  change: (round: number) => Promise<unknown>,
  compareEachRound = true,
): Promise<{ inc: number; full: number }> {
  await s.execute(`CREATE DYNAMIC TABLE ${name}_inc TARGET_LAG = '1 day' WAREHOUSE = wh REFRESH_MODE = INCREMENTAL AS ${q}`);
  await s.execute(`CREATE DYNAMIC TABLE ${name}_full TARGET_LAG = '1 day' WAREHOUSE = wh REFRESH_MODE = FULL AS ${q}`);
  const inc: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    await change(i);
    await checkpoint(engine);
    await inTurn(i, async () => inc.push(await refreshAll(s, [`${name}_inc`], 'INCREMENTAL')), async () => full.push(await refreshAll(s, [`${name}_full`], 'FULL')));
    if (compareEachRound || i === ROUNDS - 1) await expectSame(s, `${name}_inc`, `${name}_full`);
  }
  return { inc: median(inc), full: median(full) };
}

/** GROUP BY over the sales: incremental and full refresh after appending one day. */
async function groupByAppend(s: Session, engine: Engine, rows: number): Promise<{ inc: number; full: number }> {
  await createSales(s, rows);
  const q = 'SELECT day, film, sum(amount) AS amount, count(*) AS tickets FROM sales GROUP BY day, film';
  return twinRounds(s, engine, 'daily', q, (i) => appendDay(s, 'sales', rows / DAY + i));
}

/**
 * A GROUP BY with as many groups as half its rows (5M at 10M rows), one new batch of groups appended:
 * the refresh must not read the stored groups (nor the state's) it does not touch.
 */
async function manyGroups(s: Session, engine: Engine, rows: number): Promise<{ inc: number; full: number }> {
  await s.execute(`CREATE TABLE orders AS SELECT seq8() AS id, FLOOR(seq8() / 2)::INT AS cart, uniform(1, 100, random()) AS amount FROM TABLE(GENERATOR(ROWCOUNT => ${rows}))`);
  const q = 'SELECT cart, sum(amount) AS amount, count(*) AS items FROM orders GROUP BY cart';
  const append = (i: number) => {
    const first = rows + i * DAY;
    return s.execute(`INSERT INTO orders SELECT ${first} + seq8(), FLOOR((${first} + seq8()) / 2)::INT, uniform(1, 100, random()) FROM TABLE(GENERATOR(ROWCOUNT => ${DAY}))`);
  };
  return twinRounds(s, engine, 'carts', q, append, false);
}

/** The five-table chain over raw JSON-ish events: each raw row carries two items (one duplicated). */
const CHAIN = [
  ['flat', `SELECT r.id, r.day, f.index AS pos, f.value AS item FROM raw r, LATERAL FLATTEN(input => r.items) f`],
  ['conv', `SELECT id, day, item:film::INT AS film, item:amount::INT AS amount FROM flat_M`],
  ['dedup', `SELECT id, day, film, amount FROM conv_M QUALIFY row_number() OVER (PARTITION BY id, film ORDER BY amount DESC) = 1`],
  ['fact', `SELECT day, film, sum(amount) AS amount, count(*) AS tickets FROM dedup_M GROUP BY day, film`],
  ['rollup', `SELECT film, sum(amount) AS amount, sum(tickets) AS tickets FROM fact_M GROUP BY film`],
] as const;

function rawRows(from: string, count: number, idExpr: string, dayExpr: string): string {
  return (
    `SELECT ${idExpr} AS id, ${dayExpr} AS day, ` +
    `ARRAY_CONSTRUCT(OBJECT_CONSTRUCT('film', seq8() % 200, 'amount', uniform(1, 100, random())), OBJECT_CONSTRUCT('film', seq8() % 200, 'amount', 1)) AS items ` +
    `FROM TABLE(GENERATOR(ROWCOUNT => ${count}))${from}`
  );
}

async function chain(s: Session, engine: Engine, rows: number): Promise<{ inc: number; full: number }> {
  await s.execute(`CREATE TABLE raw AS ${rawRows('', rows, 'seq8()', `FLOOR(seq8() / ${DAY})::INT`)}`);
  for (const mode of ['INC', 'FULL']) {
    for (const [name, q] of CHAIN) {
      const lag = name === 'rollup' ? "'1 day'" : 'DOWNSTREAM';
      await s.execute(`CREATE DYNAMIC TABLE ${name}_${mode} TARGET_LAG = ${lag} WAREHOUSE = wh REFRESH_MODE = ${mode === 'INC' ? 'INCREMENTAL' : 'FULL'} AS ${q.replaceAll('_M', `_${mode}`)}`);
    }
  }
  const inc: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < CHAIN_ROUNDS; i += 1) {
    const day = rows / DAY + i;
    await s.execute(`INSERT INTO raw ${rawRows('', DAY, `${day} * ${DAY} + seq8()`, String(day))}`);
    await checkpoint(engine);
    await inTurn(i, async () => inc.push(await refreshAll(s, CHAIN.map(([n]) => `${n}_INC`), 'INCREMENTAL')), async () => full.push(await refreshAll(s, CHAIN.map(([n]) => `${n}_FULL`), 'FULL')));
    await expectSame(s, 'rollup_INC', 'rollup_FULL');
  }
  await expectSame(s, 'dedup_INC', 'dedup_FULL');
  return { inc: median(inc), full: median(full) };
}

/**
 * 10k updates at random rows of a table with 100k groups: touched groups are scattered everywhere.
 * Each raises (`step` 1) or lowers (`step` -1) the value by one. With MAX, a raise never takes a
 * group's maximum away (the raised row reaches it); a lower takes it from the groups whose maximum
 * row was lowered, about 1 % of the touched groups, which are then recomputed from their rows.
 */
async function scattered(s: Session, engine: Engine, rows: number, q: string, step = 1): Promise<{ inc: number; full: number }> {
  await s.execute(`CREATE TABLE plays AS SELECT seq8() AS id, seq8() % 100000 AS fan, uniform(1, 100, random()) AS pts FROM TABLE(GENERATOR(ROWCOUNT => ${rows}))`);
  return twinRounds(s, engine, 'fans', q, (i) => s.execute(`UPDATE plays SET pts = pts + ${step} WHERE hash(id, ${i}) % ${Math.round(rows / 10_000)} = 0`));
}

/**
 * A seven-day sliding window over events one second apart, the last just before now: each round the
 * clock moves a minute and no row changes, so sixty rows leave the window. The refresh is not NO_DATA;
 * the incremental one reads only the rows whose filter changed its mind (DuckDB skips the rest by the
 * timestamp's min/max per row group), the full one the whole window.
 */
async function slidingWindow(s: Session, engine: Engine, clock: ManualClock, rows: number): Promise<{ inc: number; full: number }> {
  const start = Math.floor(clock.now().getTime() / 1000) - rows;
  await s.execute(
    `CREATE TABLE events AS SELECT seq8() AS id, seq8() % 1000 AS fan, uniform(1, 100, random()) AS pts, TO_TIMESTAMP_LTZ(${start} + seq8()) AS at FROM TABLE(GENERATOR(ROWCOUNT => ${rows}))`,
  );
  const q = `SELECT fan, count(*) AS plays, sum(pts) AS pts FROM events WHERE at > DATEADD(day, -${WINDOW_DAYS}, CURRENT_TIMESTAMP()) GROUP BY fan`;
  return twinRounds(s, engine, 'window', q, async () => clock.advance(60_000));
}

/** With 1-second lags and the real scheduler: time from a committed change to its row in the rollup. */
async function lagLatency(s: Session, engine: Engine, rows: number): Promise<number[]> {
  await s.execute(`CREATE TABLE raw AS ${rawRows('', rows, 'seq8()', `FLOOR(seq8() / ${DAY})::INT`)}`);
  for (const [name, q] of CHAIN) {
    await s.execute(`CREATE DYNAMIC TABLE ${name}_L TARGET_LAG = '1 second' WAREHOUSE = wh REFRESH_MODE = INCREMENTAL AS ${q.replaceAll('_M', '_L')}`);
  }
  engine.startSchedulers();
  const latencies: number[] = [];
  for (let i = 0; i < LAG_CHANGES; i += 1) {
    const film = 1_000_000 + i; // a film of its own, so its rollup row appears only when the change arrives
    const t0 = performance.now();
    await s.execute(`INSERT INTO raw SELECT ${rows + i}, ${rows / DAY}, ARRAY_CONSTRUCT(OBJECT_CONSTRUCT('film', ${film}, 'amount', 5))`);
    for (;;) {
      const r = await s.execute(`SELECT count(*) FROM rollup_L WHERE film = ${film}`);
      if (Number(r.rows[0][0]) === 1) break;
      if (performance.now() - t0 > 60_000) throw new Error(`change ${i} did not reach the rollup within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    latencies.push(performance.now() - t0);
  }
  return latencies;
}

export async function benchDynamic(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const m = (n: number) => `${n / 1e6}M`;

  if (part('groupby')) {
    const g = await withEngine((s, e) => groupByAppend(s, e, ROWS));
    rows.push({ name: `GROUP BY refresh after a 10k-row day on ${m(ROWS)} rows: incremental`, value: g.inc, unit: 'ms' });
    rows.push({ name: `  … full`, value: g.full, unit: 'ms' });
    rows.push({ name: `  … full / incremental`, value: g.full / g.inc, unit: 'x', note: 'target ≥ 50x' });

    const small = await withEngine((s, e) => groupByAppend(s, e, ROWS / 10));
    rows.push({ name: `same day on ${m(ROWS / 10)} rows: incremental`, value: small.inc, unit: 'ms' });
    rows.push({ name: `  … ${m(ROWS)} / ${m(ROWS / 10)} incremental`, value: g.inc / small.inc, unit: 'x', note: 'target within 2x' });
  }
  if (part('groups')) {
    const g = await withEngine((s, e) => manyGroups(s, e, ROWS));
    rows.push({ name: `GROUP BY with ${m(ROWS / 2)} groups, 10k rows of new groups appended: incremental`, value: g.inc, unit: 'ms' });
    rows.push({ name: `  … full`, value: g.full, unit: 'ms' });
    rows.push({ name: `  … full / incremental`, value: g.full / g.inc, unit: 'x' });
  }
  if (part('chain')) {
    const c = await withEngine((s, e) => chain(s, e, ROWS));
    rows.push({ name: `five-table chain after a 10k-row day on ${m(ROWS)} rows: incremental`, value: c.inc, unit: 'ms' });
    rows.push({ name: `  … full`, value: c.full, unit: 'ms' });
    rows.push({ name: `  … full / incremental`, value: c.full / c.inc, unit: 'x', note: 'target ≥ 20x' });
  }
  if (part('scattered')) {
    const u = await withEngine((s, e) => scattered(s, e, ROWS, 'SELECT fan, sum(pts) AS pts, count(*) AS plays FROM plays GROUP BY fan'));
    rows.push({ name: `10k scattered updates, 100k groups, ${m(ROWS)} rows (SUM, COUNT): incremental`, value: u.inc, unit: 'ms' });
    rows.push({ name: `  … full`, value: u.full, unit: 'ms' });
    rows.push({ name: `  … full / incremental`, value: u.full / u.inc, unit: 'x', note: 'target ≥ 5x' });
    const withMax = 'SELECT fan, sum(pts) AS pts, max(pts) AS best FROM plays GROUP BY fan';
    const x = await withEngine((s, e) => scattered(s, e, ROWS, withMax));
    rows.push({ name: `  same with MAX, values raised (no maximum lost): incremental`, value: x.inc, unit: 'ms' });
    rows.push({ name: `  … full`, value: x.full, unit: 'ms' });
    rows.push({ name: `  … full / incremental`, value: x.full / x.inc, unit: 'x' });
    const y = await withEngine((s, e) => scattered(s, e, ROWS, withMax, -1));
    rows.push({ name: `  same with MAX, values lowered (groups that lost their maximum recomputed): incremental`, value: y.inc, unit: 'ms' });
    rows.push({ name: `  … full`, value: y.full, unit: 'ms' });
    rows.push({ name: `  … full / incremental`, value: y.full / y.inc, unit: 'x' });
    // A count per group and value kept beside the state: ~63 distinct values per group, 6.3M pairs.
    const z = await withEngine((s, e) => scattered(s, e, ROWS, 'SELECT fan, count(DISTINCT pts) AS kinds, count(*) AS plays FROM plays GROUP BY fan'));
    rows.push({ name: `  same with COUNT(DISTINCT), values raised: incremental`, value: z.inc, unit: 'ms' });
    rows.push({ name: `  … full`, value: z.full, unit: 'ms' });
    rows.push({ name: `  … full / incremental`, value: z.full / z.inc, unit: 'x' });
    // The same counts; each touched group's median recomputed from them.
    const md = await withEngine((s, e) => scattered(s, e, ROWS, 'SELECT fan, median(pts) AS mid, count(*) AS plays FROM plays GROUP BY fan'));
    rows.push({ name: `  same with MEDIAN, values raised: incremental`, value: md.inc, unit: 'ms' });
    rows.push({ name: `  … full`, value: md.full, unit: 'ms' });
    rows.push({ name: `  … full / incremental`, value: md.full / md.inc, unit: 'x' });
  }
  if (part('window')) {
    const clock = new ManualClock(new Date());
    const w = await withEngine((s, e) => slidingWindow(s, e, clock, ROWS), clock);
    rows.push({ name: `${WINDOW_DAYS}-day window over ${m(ROWS)} events, the clock a minute on, no new rows (GROUP BY): incremental`, value: w.inc, unit: 'ms' });
    rows.push({ name: `  … full`, value: w.full, unit: 'ms' });
    rows.push({ name: `  … full / incremental`, value: w.full / w.inc, unit: 'x' });
  }
  if (part('lag')) {
    const lat = await withEngine((s, e) => lagLatency(s, e, ROWS));
    rows.push({ name: `1 s lags: change → end of five-table chain (${lat.length} changes, ${m(ROWS)} rows), p50`, value: percentile(lat, 50), unit: 'ms' });
    rows.push({ name: `  … p95`, value: percentile(lat, 95), unit: 'ms', note: 'target < 5 s' });
  }
  return rows;
}

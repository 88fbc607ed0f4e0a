/**
 * Where one statement of a scattered-update refresh spends its time (see bench/RESULTS.md, seventh
 * session): the aggregate state merge of src/engine/dynamic/aggregate-state.ts, on raw DuckDB, for 20k
 * change rows (10k updates) against a 100k-group state. Prints the statement's median latency, that of
 * EXPLAIN (planning) and of a trivial statement, with DuckDB's threads at 2 and at 1, then the per-operator
 * times of one run from DuckDB's detailed profiling.
 *
 *   node bench/probes/state-merge-profile.mjs
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = mkdtempSync(join(tmpdir(), 'state-merge-'));
const db = await DuckDBInstance.create(':memory:');
const c = await db.connect();
const GROUPS = 100_000;
await c.run(`CREATE TEMP TABLE state AS SELECT range AS _k1, 100::BIGINT AS _n, 5000::BIGINT AS _s1, 100::BIGINT AS _c1, range AS _row, 1::BIGINT AS _ver FROM range(${GROUPS})`);
await c.run(`CREATE TEMP TABLE chg AS SELECT (random() * ${GROUPS})::BIGINT AS fan, 5::BIGINT AS pts, true AS old FROM range(10000)`);
await c.run('INSERT INTO chg SELECT fan, 6, false FROM chg');
await c.run('CREATE VIEW dold AS SELECT fan, pts FROM chg WHERE old');
await c.run('CREATE VIEW dnew AS SELECT fan, pts FROM chg WHERE NOT old');

// The shape the refresh generates: the signed per-group delta, joined to the state by key.
const delta =
  'SELECT _k1, CAST(sum(_sg) AS BIGINT) AS _n, CAST(coalesce(sum(_sg * _a1), 0) AS BIGINT) AS _s1, CAST(sum(CASE WHEN _a1 IS NOT NULL THEN _sg ELSE 0 END) AS BIGINT) AS _c1 ' +
  'FROM (SELECT *, -1 AS _sg FROM (SELECT fan, pts FROM dold) AS _t(_k1, _a1) UNION ALL SELECT *, 1 AS _sg FROM (SELECT fan, pts FROM dnew) AS _t(_k1, _a1)) GROUP BY _k1';
const list =
  'd._k1, CAST(coalesce(s._n, 0) + d._n AS BIGINT) AS _n, CAST(coalesce(s._s1, 0) + d._s1 AS BIGINT) AS _s1, CAST(coalesce(s._c1, 0) + d._c1 AS BIGINT) AS _c1, ' +
  's._rid AS _srid, s._n AS _on, s._s1 AS _os1, s._c1 AS _oc1, s._row, CAST(NULL AS BIGINT) AS _nrow, s._ver';
const merge =
  `WITH _d AS MATERIALIZED (${delta}) SELECT ${list} FROM (SELECT * FROM _d WHERE NOT (_k1 IS NULL)) d LEFT JOIN (SELECT *, rowid AS _rid FROM state) s ON s._k1 = d._k1 ` +
  `UNION ALL SELECT ${list} FROM (SELECT * FROM _d WHERE _k1 IS NULL) d LEFT JOIN (SELECT *, rowid AS _rid FROM state WHERE _k1 IS NULL) s ON s._k1 IS NOT DISTINCT FROM d._k1`;

const timed = async (sql) => {
  const t = performance.now();
  await c.run(sql);
  return performance.now() - t;
};
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1].toFixed(2);
for (const threads of [2, 1]) {
  await c.run(`SET threads = ${threads}`);
  const runs = { statement: [], explain: [], trivial: [] };
  for (let i = 0; i < 30; i += 1) {
    runs.statement.push(await timed(`CREATE OR REPLACE TEMP TABLE merged AS ${merge}`));
    runs.explain.push(await timed(`EXPLAIN ${merge}`));
    runs.trivial.push(await timed('SELECT 1'));
  }
  console.log(`threads=${threads}: merge ${median(runs.statement)} ms, EXPLAIN ${median(runs.explain)} ms, SELECT 1 ${median(runs.trivial)} ms`);
}

const profile = join(dir, 'profile.json');
await c.run("PRAGMA enable_profiling = 'json'");
await c.run("SET profiling_mode = 'detailed'");
await c.run(`SET profiling_output = '${profile}'`);
await c.run(`CREATE OR REPLACE TEMP TABLE merged AS ${merge}`);
await c.run('PRAGMA disable_profiling');
const tree = JSON.parse(readFileSync(profile, 'utf8'));
const ms = (x) => (x * 1000).toFixed(2);
console.log(`latency ${ms(tree.latency)} ms, cpu ${ms(tree.cpu_time)} ms, planner ${ms(tree.planner ?? 0)} ms, optimizer ${ms(tree.all_optimizers ?? 0)} ms`);
const walk = (n, depth) => {
  if (n.operator_name || n.operator_type) console.log(`${'  '.repeat(depth)}${n.operator_name ?? n.operator_type} ${ms(n.operator_timing ?? 0)} ms, ${n.operator_cardinality ?? 0} rows`);
  for (const child of n.children ?? []) walk(child, depth + 1);
};
walk(tree, 0);
rmSync(dir, { recursive: true, force: true });

/**
 * Why the dynamic tables' aggregate state is updated in place (see src/engine/dynamic/aggregate-state.ts):
 * DuckDB never reclaims a temporary table's deleted rows. 600 rounds of 10k deletes + 10k re-inserts
 * into a 100k-row temporary table, against 600 rounds of 10k in-place updates; every 150 rounds it
 * prints the live and physical rows (rowids are physical positions), DuckDB's memory and a scan's time.
 *
 *   node bench/probes/temp-table-deletes.mjs            # DELETE + INSERT
 *   UPDATE=1 node bench/probes/temp-table-deletes.mjs   # UPDATE in place
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const dir = mkdtempSync(join(tmpdir(), 'temp-deletes-'));
const db = await DuckDBInstance.create(join(dir, 'probe.duckdb'));
const c = await db.connect();
await c.run('CREATE TEMP TABLE st AS SELECT range AS k, 100::BIGINT AS n, 5000::BIGINT AS s FROM range(100000)');
const timed = async (sql) => {
  const t = performance.now();
  await c.run(sql);
  return (performance.now() - t).toFixed(1);
};
for (let i = 0; i < 600; i += 1) {
  await c.run(`CREATE OR REPLACE TEMP TABLE touched AS SELECT s.rowid AS r, s.k FROM st s WHERE hash(s.k, ${i}) % 10 = 0`);
  if (process.env.UPDATE) {
    await c.run('UPDATE st SET n = n + 1 FROM touched WHERE st.rowid = touched.r');
  } else {
    await c.run('DELETE FROM st WHERE rowid IN (SELECT r FROM touched)');
    await c.run('INSERT INTO st SELECT k, 1, 1 FROM touched');
  }
  if (i % 150 === 149) {
    const [live, held] = (await c.runAndReadAll('SELECT count(*), max(rowid) + 1 FROM st')).getRows()[0];
    const [mb] = (await c.runAndReadAll('SELECT sum(memory_usage_bytes) // 1000000 FROM duckdb_memory()')).getRows()[0];
    console.log(`round ${i + 1}: ${live} live rows, ${held} held, DuckDB memory ${mb} MB, scan ${await timed('SELECT sum(n) FROM st')} ms`);
  }
}
c.closeSync();
rmSync(dir, { recursive: true, force: true });

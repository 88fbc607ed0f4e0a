/**
 * What an aggregate dynamic table's creation and its first incremental refresh cost, over 10M rows
 * with 100k groups and with 5M groups (SUM/COUNT): the creation writes the first contents (with the
 * running aggregate state since 1208487), the first refresh follows 10k updated rows. Before 1208487
 * the first refresh rebuilt every group's state; run this probe at 1208487^ for those figures.
 *
 *   node --liftoff-only --import tsx bench/probes/first-contents.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/index.ts';

const SHAPES = [
  ['100k groups', 'seq8() % 100000'],
  ['5M groups', 'FLOOR(seq8() / 2)::INT'],
] as const;

for (const [label, fan] of SHAPES) {
  const dir = mkdtempSync(join(tmpdir(), 'backlot-first-contents-'));
  const engine = await Engine.open({ dataDir: dir });
  try {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE b');
    await s.execute(`CREATE TABLE plays AS SELECT seq8() AS id, ${fan} AS fan, uniform(1, 100, random()) AS pts FROM TABLE(GENERATOR(ROWCOUNT => 10000000))`);
    let t0 = performance.now();
    await s.execute(`CREATE DYNAMIC TABLE fans TARGET_LAG = '1 day' WAREHOUSE = wh REFRESH_MODE = INCREMENTAL AS SELECT fan, sum(pts) AS pts, count(*) AS plays FROM plays GROUP BY fan`);
    const create = performance.now() - t0;
    await s.execute('UPDATE plays SET pts = pts + 1 WHERE id % 1000 = 3');
    t0 = performance.now();
    await s.execute('ALTER DYNAMIC TABLE fans REFRESH');
    const first = performance.now() - t0;
    console.log(`${label}: creation ${create.toFixed(0)} ms, first refresh ${first.toFixed(0)} ms`);
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

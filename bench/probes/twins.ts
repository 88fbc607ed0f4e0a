/**
 * Shared by the twin probes (twin-order.ts, adaptive-share.ts): an engine in a scratch directory with
 * `plays` (`rows` rows, `fan` = seq8() % 100000) and an INCREMENTAL dynamic table `fans_inc` with its
 * FULL twin `fans_full` over SUM/COUNT per fan; `timed` refreshes one and returns its milliseconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, type Session } from '../../src/engine/index.ts';

export interface Twins {
  s: Session;
  timed(table: 'fans_inc' | 'fans_full'): Promise<number>;
  checkpoint(): Promise<void>;
}

export async function withTwins(rows: number, fn: (t: Twins) => Promise<void>): Promise<void> {
  const query = 'SELECT fan, sum(pts) AS pts, count(*) AS plays FROM plays GROUP BY fan';
  const dir = mkdtempSync(join(tmpdir(), 'backlot-twins-'));
  const engine = await Engine.open({ dataDir: dir });
  try {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE b');
    await s.execute(`CREATE TABLE plays AS SELECT seq8() AS id, seq8() % 100000 AS fan, uniform(1, 100, random()) AS pts FROM TABLE(GENERATOR(ROWCOUNT => ${rows}))`);
    await s.execute(`CREATE DYNAMIC TABLE fans_inc TARGET_LAG = '1 day' WAREHOUSE = wh REFRESH_MODE = INCREMENTAL AS ${query}`);
    await s.execute(`CREATE DYNAMIC TABLE fans_full TARGET_LAG = '1 day' WAREHOUSE = wh REFRESH_MODE = FULL AS ${query}`);
    await fn({
      s,
      timed: async (table) => {
        const t0 = performance.now();
        await s.execute(`ALTER DYNAMIC TABLE ${table} REFRESH`);
        return performance.now() - t0;
      },
      checkpoint: async () => {
        const c = await engine.warehouse.connect();
        try {
          await c.run('CHECKPOINT');
        } finally {
          engine.warehouse.release(c);
        }
      },
    });
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

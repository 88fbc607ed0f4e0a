/**
 * What exact NUMBER division costs (src/sql/translate/number-division.ts): 10M rows of a NUMBER(38,8)
 * column divided row by row, against the same values as FLOAT, an AVG per group and a plain SUM.
 * Medians of five, end to end through the engine.
 *
 *   node --liftoff-only --import tsx bench/probes/number-division.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/engine/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'number-division-'));
const engine = await Engine.open({ dataDir: dir });
const s = await engine.newSession();
await s.execute('CREATE DATABASE x');
await s.execute('CREATE TABLE t AS SELECT uniform(1, 1000000, random())::NUMBER(12,2) / 100 AS amount, seq8() % 1000 AS g FROM TABLE(GENERATOR(ROWCOUNT => 10000000))');
const median = async (q: string): Promise<string> => {
  const xs: number[] = [];
  for (let i = 0; i < 5; i += 1) {
    const t0 = performance.now();
    await s.execute(q);
    xs.push(performance.now() - t0);
  }
  return `${xs.sort((a, b) => a - b)[2].toFixed(0)} ms`;
};
console.log('sum(amount / 3), NUMBER(38,8) / NUMBER', await median('SELECT sum(amount / 3) FROM t'));
console.log('sum(amount::FLOAT / 3)', await median('SELECT sum(amount::FLOAT / 3) FROM t'));
console.log('avg(amount) by 1000 groups', await median('SELECT g, avg(amount) FROM t GROUP BY g'));
console.log('sum(amount)', await median('SELECT sum(amount) FROM t'));
await engine.close();
rmSync(dir, { recursive: true, force: true });

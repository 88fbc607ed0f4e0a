/**
 * Statement throughput of the SQL front end + warehouse: a 1,000-statement script (DDL, INSERT,
 * SELECT, UPDATE, each text distinct so nothing is served from the translation cache), and the
 * per-statement latency of a repeated (cached) and a new (uncached) query.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/engine/index.ts';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

export function mixedScript(): { text: string; count: number } {
  const lines: string[] = ['CREATE DATABASE bench', 'CREATE SCHEMA s'];
  for (let i = 0; i < 50; i++) lines.push(`CREATE TABLE t${i} (id INT, name STRING, v VARIANT, amount NUMBER(10,2))`);
  for (let i = 0; i < 600; i++) lines.push(`INSERT INTO t${i % 50} SELECT ${i}, 'name ${i}', PARSE_JSON('{"k": ${i}}'), ${i}.25`);
  for (let i = 0; i < 300; i++) lines.push(`SELECT id, name, v:k::INT AS k, amount * 2 FROM t${i % 50} WHERE id >= ${i} ORDER BY id`);
  for (let i = 0; i < 48; i++) lines.push(`UPDATE t${i} SET name = UPPER(name) WHERE id < ${100 + i}`);
  return { text: `${lines.join(';\n')};`, count: lines.length };
}

async function median(runs: number, fn: () => Promise<number>): Promise<number> {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push(await fn());
  xs.sort((a, b) => a - b);
  return xs[Math.floor(xs.length / 2)];
}

export async function benchStatements(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const script = mixedScript();
  const scriptMs = await median(3, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'backlot-bench-'));
    const engine = await Engine.open({ dataDir: dir });
    try {
      const s = await engine.newSession();
      const t0 = performance.now();
      const r = await s.executeScript(script.text, () => undefined);
      if (r.failed > 0) throw new Error(`${r.failed} statements failed`);
      return performance.now() - t0;
    } finally {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  rows.push({ name: `${script.count}-statement mixed script`, value: scriptMs / 1000, unit: 's', note: 'median of 3' });
  rows.push({ name: 'mean per statement in that script', value: scriptMs / script.count, unit: 'ms' });

  const dir = mkdtempSync(join(tmpdir(), 'backlot-bench-'));
  const engine = await Engine.open({ dataDir: dir });
  try {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE b');
    await s.execute('CREATE TABLE t (id INT, v VARIANT)');
    await s.execute(`INSERT INTO t SELECT SEQ4(), OBJECT_CONSTRUCT('k', SEQ4()) FROM TABLE(GENERATOR(ROWCOUNT => 1000))`);
    const cachedSql = `SELECT COUNT(*), SUM(v:k::INT) FROM t WHERE v:k::INT > 10`;
    await s.execute(cachedSql);
    const n = 300;
    let t0 = performance.now();
    for (let i = 0; i < n; i++) await s.execute(cachedSql);
    rows.push({ name: 'repeated query (translation cached)', value: (performance.now() - t0) / n, unit: 'ms' });
    t0 = performance.now();
    for (let i = 0; i < n; i++) await s.execute(`SELECT COUNT(*), SUM(v:k::INT) FROM t WHERE v:k::INT > ${i}`);
    rows.push({ name: 'new query text each time (parse + translate)', value: (performance.now() - t0) / n, unit: 'ms' });
  } finally {
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

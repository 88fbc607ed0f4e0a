/**
 * Durability: a Backlot process killed with SIGKILL in the middle of a large INSERT, a large MERGE
 * and a dynamic table refresh. After reopening, every statement that had answered is there in full,
 * and the interrupted one left nothing: no rows, no history images, no commit-log entry, no
 * allocated row ids in use, no refresh state ahead of or behind the table's rows.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../src/engine/index.ts';

const BIN = join(import.meta.dirname, '..', 'bin', 'backlot.js');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/**
 * Runs a script in a child `backlot sql` and kills it with SIGKILL once `answered` statements have
 * printed their results (plus a short moment, so the next statement is under way). Returns the
 * lines the child printed.
 */
function runAndKill(data: string, script: string, answered: number, delayMs: number): Promise<string[]> {
  const file = join(data, 'script.sql');
  writeFileSync(file, script);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'sql', '--data', data, '-f', file, '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let buffer = '';
    let killing = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l.length > 0));
      if (!killing && lines.length >= answered) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal !== 'SIGKILL') reject(new Error(`child ended before it was killed (code ${code}): ${lines.join('\n')}`));
      else resolve(lines);
    });
  });
}

async function query(engine: Engine, sql: string): Promise<unknown[][]> {
  const session = await engine.newSession();
  try {
    return (await session.execute(sql)).rows;
  } finally {
    await engine.closeSession(session);
  }
}

describe('SIGKILL in the middle of a statement', () => {
  it('keeps committed statements whole and the interrupted INSERT absent', async () => {
    const data = mkdtempSync(join(tmpdir(), 'backlot-crash-'));
    dirs.push(data);
    const lines = await runAndKill(
      data,
      `CREATE DATABASE crash;
       CREATE TABLE events (id INT, fan INT, kind VARCHAR, payload VARCHAR);
       INSERT INTO events SELECT seq8(), seq8() % 1000, 'view', 'committed' FROM TABLE(GENERATOR(ROWCOUNT => 100000));
       INSERT INTO events VALUES (-1, -1, 'buy', 'committed');
       INSERT INTO events SELECT seq8() + 1000000, seq8() % 1000, 'view', repeat('x', 40) FROM TABLE(GENERATOR(ROWCOUNT => 40000000));`,
      4,
      700,
    );
    expect(lines).toHaveLength(4);
    expect(JSON.parse(lines[3])).toEqual({ columns: ['number of rows inserted'], rows: [[1]] });

    const engine = await Engine.open({ dataDir: data });
    try {
      expect(await query(engine, 'SELECT count(*), count(DISTINCT id), min(payload), max(payload) FROM crash.public.events')).toEqual([
        ['100001', '100001', 'committed', 'committed'],
      ]);
      // Only the two committed inserts are in the commit log; the next write still works.
      expect(engine.commits.latest).toBe(2);
      expect(await query(engine, "INSERT INTO crash.public.events VALUES (-2, -2, 'buy', 'after')")).toEqual([['1']]);
      expect(await query(engine, 'SELECT count(*) FROM crash.public.events')).toEqual([['100002']]);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('keeps the table as it was before an interrupted MERGE', async () => {
    const data = mkdtempSync(join(tmpdir(), 'backlot-crash-'));
    dirs.push(data);
    const lines = await runAndKill(
      data,
      `CREATE DATABASE crash;
       CREATE TABLE fans (id INT, visits INT, tier VARCHAR);
       INSERT INTO fans SELECT seq8(), 1, 'basic' FROM TABLE(GENERATOR(ROWCOUNT => 6000000));
       UPDATE fans SET visits = 2 WHERE id < 10;
       MERGE INTO fans t USING (SELECT seq8() AS id FROM TABLE(GENERATOR(ROWCOUNT => 12000000))) s ON t.id = s.id
         WHEN MATCHED THEN UPDATE SET visits = t.visits + 100, tier = 'gold'
         WHEN NOT MATCHED THEN INSERT (id, visits, tier) VALUES (s.id, 0, 'new');`,
      4,
      1500,
    );
    expect(lines).toHaveLength(4);

    const engine = await Engine.open({ dataDir: data });
    try {
      expect(await query(engine, 'SELECT count(*), sum(visits), count_if(tier <> \'basic\') FROM crash.public.fans')).toEqual([['6000000', '6000010', '0']]);
      expect(engine.commits.latest).toBe(2);
      // The committed update's ten before-images are the only history; the merge left none.
      const table = [...engine.catalog.objects.values()].find((o) => o.name === 'FANS')!;
      const conn = await engine.warehouse.connect();
      try {
        expect(await conn.rows(`SELECT count(*)::INT AS n, min(_BACKLOT_TO)::INT AS v FROM _backlot_data.H${table.id}`)).toEqual([{ n: 10, v: 2 }]);
        expect(
          await conn.rows(
            `SELECT max(_BACKLOT_VERSION)::INT AS v, max(_BACKLOT_ROW_ID) = (SELECT max(row_id_hwm) FROM _backlot.commits) AS hwm FROM _backlot_data.T${table.id}`,
          ),
        ).toEqual([{ v: 2, hwm: true }]);
      } finally {
        engine.warehouse.release(conn);
      }
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('leaves a dynamic table and its refresh state consistent when a refresh is interrupted', async () => {
    const data = mkdtempSync(join(tmpdir(), 'backlot-crash-'));
    dirs.push(data);
    // The refresh after the update is under way when the process dies (or has just committed: either
    // is fine, as long as the table, its refresh state and its running sums agree).
    const lines = await runAndKill(
      data,
      `CREATE DATABASE crash;
       CREATE TABLE src AS SELECT seq8() AS id, seq8() % 50000 AS g, 1 AS v FROM TABLE(GENERATOR(ROWCOUNT => 4000000));
       CREATE DYNAMIC TABLE d TARGET_LAG = '1 day' WAREHOUSE = wh REFRESH_MODE = INCREMENTAL AS SELECT g, sum(v) AS s, count(*) AS n FROM src GROUP BY g;
       UPDATE src SET v = 2 WHERE id % 10 = 0;
       ALTER DYNAMIC TABLE d REFRESH;
       INSERT INTO src SELECT seq8() + 10000000, seq8() % 50000, 3 FROM TABLE(GENERATOR(ROWCOUNT => 40000000));`,
      4,
      250,
    );
    expect(lines.length).toBeGreaterThanOrEqual(4);

    const engine = await Engine.open({ dataDir: data });
    try {
      const differs = 'SELECT count(*) FROM ((SELECT * FROM crash.public.d EXCEPT ALL SELECT g, sum(v), count(*) FROM crash.public.src GROUP BY g) UNION ALL (SELECT g, sum(v), count(*) FROM crash.public.src GROUP BY g EXCEPT ALL SELECT * FROM crash.public.d))';
      expect(await query(engine, 'ALTER DYNAMIC TABLE crash.public.d REFRESH')).toHaveLength(1);
      expect(await query(engine, differs)).toEqual([['0']]);
      // An incremental refresh after that builds on whatever state the crash left: still exact.
      await query(engine, 'UPDATE crash.public.src SET v = v + 5 WHERE id % 1000 = 3');
      await query(engine, 'ALTER DYNAMIC TABLE crash.public.d REFRESH');
      expect(await query(engine, differs)).toEqual([['0']]);
      const actions = await query(engine, "SELECT refresh_action FROM TABLE(crash.INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => 'CRASH.PUBLIC.D')) ORDER BY refresh_end_time DESC LIMIT 1");
      expect(actions).toEqual([['INCREMENTAL']]);
    } finally {
      await engine.close();
    }
  }, 120_000);
});

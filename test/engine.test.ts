/**
 * Engine behaviour that SQL files cannot express: translation caching, session isolation, the
 * injected clock in history, and failure atomicity of DDL across the catalog and the file.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine, ManualClock, type Session } from '../src/engine/index.ts';
import { lostExtremesTable } from '../src/engine/dynamic/aggregate-state.ts';
import { appendRows, dataTable, deleteAll, versionedTable, type ObjectEntry } from '../src/storage/index.ts';

let dir: string;
let engine: Engine;
const clock = new ManualClock('2025-03-01T09:00:00Z');

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'backlot-engine-'));
  engine = await Engine.open({ dataDir: dir, clock });
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A GROUP BY dynamic table over `plays` (aggregate state path): `fans`, with its query. */
const FANS = 'SELECT fan, sum(pts) AS pts, count(*) AS n FROM plays GROUP BY fan';
/** The same with a COUNT(DISTINCT), whose value counts are kept beside the state. */
const SPREAD = 'SELECT fan, count(DISTINCT pts) AS kinds, sum(pts) AS pts FROM plays GROUP BY fan';

async function createFans(rows: number, groups: number): Promise<Session> {
  const s = await engine.newSession();
  await s.execute('CREATE DATABASE d');
  await s.execute('CREATE TABLE plays (fan INT, pts INT)');
  await s.execute(`INSERT INTO plays SELECT seq4() % ${groups}, seq4() % 7 FROM TABLE(GENERATOR(ROWCOUNT => ${rows}))`);
  await s.execute(`CREATE DYNAMIC TABLE fans TARGET_LAG = '1 hour' WAREHOUSE = wh REFRESH_MODE = INCREMENTAL AS ${FANS}`);
  return s;
}

/** The catalog entry of the live `fans` table. */
function fansObject(): ObjectEntry {
  return [...engine.catalog.objects.values()].find((x) => x.name === 'FANS' && x.droppedOn === null)!;
}

/**
 * White box: the groups of the dynamic table `name` (over FANS' `plays`) whose running state beside
 * the row is not the group's aggregates recomputed from the input (stored rows without a group count too).
 */
async function stateMismatches(s: Session, name: string): Promise<number> {
  const table = (n: string) => dataTable(versionedTable([...engine.catalog.objects.values()].find((x) => x.name === n && x.droppedOn === null)!));
  const r = await s.conn.query(
    `SELECT count(*) FROM ${table(name)} AS f FULL JOIN (SELECT fan, count(*) AS n, sum(pts) AS s, count(pts) AS c FROM ${table('PLAYS')} GROUP BY fan) AS g ` +
      `ON f."_BACKLOT_STATE_K1" IS NOT DISTINCT FROM g.fan WHERE f."_BACKLOT_STATE_N" IS DISTINCT FROM g.n OR f."_BACKLOT_STATE_S1" IS DISTINCT FROM g.s OR f."_BACKLOT_STATE_C1" IS DISTINCT FROM g.c`,
  );
  return Number(r.rows[0][0]);
}

/**
 * Applies `changes`, refreshes the dynamic table `table` (defined by `query`), and checks the refresh
 * was incremental and exact.
 */
async function refreshChecked(s: Session, table: string, query: string, ...changes: string[]): Promise<void> {
  for (const change of changes) await s.execute(change);
  clock.advance(1000);
  await s.execute(`ALTER DYNAMIC TABLE ${table} REFRESH`);
  const last = await s.execute(`SELECT refresh_action FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => '${table}')) ORDER BY refresh_start_time DESC LIMIT 1`);
  expect(last.rows[0][0]).toBe('INCREMENTAL');
  const diff = await s.execute(`SELECT count(*) FROM ((SELECT * FROM ${table} EXCEPT ALL ${query}) UNION ALL (${query} EXCEPT ALL SELECT * FROM ${table}))`);
  expect(diff.rows[0][0]).toBe('0');
}

/** Applies `change`, refreshes `fans`, and checks the refresh was incremental and exact. */
const refreshFans = (s: Session, change: string): Promise<void> => refreshChecked(s, 'fans', FANS, change);

describe('engine', () => {
  it('reuses the translation of a statement it has seen, until the catalog changes', async () => {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE t (a INT)');
    const before = engine.translationCache.size;
    await s.execute('SELECT a FROM t');
    const afterFirst = engine.translationCache.size;
    await s.execute('SELECT a FROM t');
    expect(afterFirst).toBe(before + 1);
    expect(engine.translationCache.size).toBe(afterFirst);
    await s.execute('ALTER TABLE t ADD COLUMN b INT');
    await s.execute('SELECT a FROM t');
    expect(engine.translationCache.size).toBe(afterFirst + 1);
  });

  it('does not cache translations that read session variables', async () => {
    const s = await engine.newSession();
    await s.execute('SET x = 1');
    const r1 = await s.execute('SELECT $x');
    await s.execute('SET x = 2');
    const r2 = await s.execute('SELECT $x');
    expect([r1.rows[0][0], r2.rows[0][0]]).toEqual(['1', '2']);
  });

  it('keeps temporary tables and variables per session', async () => {
    const a = await engine.newSession();
    const b = await engine.newSession();
    await a.execute('CREATE DATABASE d');
    await b.execute('USE DATABASE d');
    await a.execute('CREATE TEMPORARY TABLE tmp (x INT)');
    await a.execute('SET v = 5');
    await expect(b.execute('SELECT * FROM tmp')).rejects.toMatchObject({ code: '002003' });
    await expect(b.execute('SELECT $v')).rejects.toMatchObject({ code: '002211' });
    await a.execute('CREATE TABLE shared (x INT)');
    await a.execute('INSERT INTO shared VALUES (1)');
    expect((await b.execute('SELECT COUNT(*) FROM shared')).rows).toEqual([['1']]);
  });

  it('stamps CURRENT_TIMESTAMP and history with the injected clock', async () => {
    const s = await engine.newSession();
    await s.execute("ALTER SESSION SET TIMEZONE = 'UTC'");
    clock.set('2025-03-01T10:15:00Z');
    const r = await s.execute('SELECT CURRENT_TIMESTAMP() AS now');
    expect(r.rows[0][0]).toBe('2025-03-01 10:15:00+00:00');
    const h = await s.execute(`SELECT start_time FROM snowflake.account_usage.query_history WHERE query_id = '${r.queryId}'`);
    expect(h.rows[0][0]).toBe('2025-03-01 10:15:00+00:00');
  });

  it('leaves no trace of a DDL statement that fails half way', async () => {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE d');
    const objectsBefore = engine.catalog.objects.size;
    // The view's DuckDB compilation fails after its catalog row would have been written.
    await expect(s.execute('CREATE TABLE c AS SELECT 1/0 AS boom')).rejects.toMatchObject({ code: '100051' });
    expect(engine.catalog.objects.size).toBe(objectsBefore);
    await expect(s.execute('SELECT * FROM c')).rejects.toMatchObject({ code: '002003' });
    const tables = await s.execute("SELECT COUNT(*) FROM information_schema.tables WHERE table_name = 'C'");
    expect(tables.rows).toEqual([['0']]);
  });

  it('returns query ids as UUIDs and remembers the last one', async () => {
    const s = await engine.newSession();
    const r = await s.execute('SELECT 1');
    expect(r.queryId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const last = await s.execute('SELECT LAST_QUERY_ID()');
    expect(last.rows[0][0]).toBe(r.queryId);
  });

  it("trusts a dynamic table's stored aggregate state across a restart, and rebuilds what was in memory", async () => {
    let s = await createFans(1000, 50);
    await s.execute('CREATE DYNAMIC TABLE spread TARGET_LAG = \'1 hour\' WAREHOUSE = wh REFRESH_MODE = INCREMENTAL AS ' + SPREAD);
    const refresh = (change: string) => refreshFans(s, change);
    await refresh('UPDATE plays SET pts = pts + 1 WHERE fan < 5'); // the state written at creation
    await refreshChecked(s, 'spread', SPREAD, 'DELETE FROM plays WHERE fan = 7'); // builds its state and value counts
    await refresh('UPDATE plays SET pts = pts + 2 WHERE fan = 8'); // uses the state
    await engine.close();
    engine = await Engine.open({ dataDir: dir, clock });
    s = await engine.newSession();
    await s.execute('USE DATABASE d');
    // White box: a rebuild leaves its groups' state (`_bkl_aggb`) on the refresh connection.
    const service = () => engine.dynamicTables as unknown as { session: Session };
    const rebuilt = async () => {
      const r = await service().session.conn.query(`SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = '_bkl_aggb'`);
      return Number(r.rows[0][0]) > 0;
    };
    await refresh('UPDATE plays SET pts = pts * 2 WHERE fan > 40'); // the state in the rows holds
    expect(await rebuilt()).toBe(false);
    await refresh('INSERT INTO plays VALUES (7, 3), (99, 1)');
    const fan99 = await s.execute('SELECT pts, n FROM fans WHERE fan = 99');
    expect(fan99.rows).toEqual([['1', '1']]);
    // COUNT(DISTINCT)'s value counts were temporary: that table rebuilds once, and stays exact.
    await refreshChecked(s, 'spread', SPREAD, 'UPDATE plays SET pts = 6 WHERE fan = 3');
    expect(await rebuilt()).toBe(true);
    await refreshChecked(s, 'spread', SPREAD, 'UPDATE plays SET pts = 5 WHERE fan = 4');
  });

  it('recomputes a dynamic table whose definition CREATE OR ALTER changed, even across a restart', async () => {
    let s = await createFans(1000, 50);
    await refreshFans(s, 'UPDATE plays SET pts = pts + 1 WHERE fan < 5'); // builds the aggregate state
    const narrower = 'SELECT fan, sum(pts) AS pts, count(*) AS n FROM plays WHERE pts > 2 GROUP BY fan';
    await s.execute(`CREATE OR ALTER DYNAMIC TABLE fans TARGET_LAG = '1 hour' WAREHOUSE = wh REFRESH_MODE = INCREMENTAL AS ${narrower}`);
    // The process stops before any refresh: the changed definition is remembered on disk.
    await engine.close();
    engine = await Engine.open({ dataDir: dir, clock });
    s = await engine.newSession();
    await s.execute('USE DATABASE d');
    clock.advance(1000);
    await s.execute('ALTER DYNAMIC TABLE fans REFRESH');
    const diff = await s.execute(`SELECT count(*) FROM ((SELECT * FROM fans EXCEPT ALL ${narrower}) UNION ALL (${narrower} EXCEPT ALL SELECT * FROM fans))`);
    expect(diff.rows[0][0]).toBe('0');
    // Then incremental again, from the new definition.
    await refreshChecked(s, 'fans', narrower, 'UPDATE plays SET pts = 0 WHERE fan = 3');
  });

  it("rebuilds a dynamic table's aggregate state when its rows were rewritten behind the state's back", async () => {
    // The state lives in the rows. Here the table's rows are rewritten under new row ids (same
    // values, no state) by a write that is not a refresh: the next refresh must not trust the state
    // (the rows have none), but rebuild it.
    const s = await createFans(400, 20);
    const refresh = (change: string) => refreshFans(s, change);
    await refresh('UPDATE plays SET pts = pts + 1 WHERE fan < 5'); // the state written at creation
    await refresh('UPDATE plays SET pts = pts + 1 WHERE fan = 3');

    const o = fansObject();
    const t = versionedTable(o);
    await engine.writes.run(s, async (w) => {
      await s.conn.run(`CREATE OR REPLACE TEMP TABLE fans_rows AS SELECT ${t.columns.map((c) => `"${c}"`).join(', ')} FROM ${dataTable(t)}`);
      await deleteAll(s.conn, t, w);
      await appendRows(s.conn, t, t.columns, 'SELECT * FROM temp.fans_rows', w);
    });
    await refresh('UPDATE plays SET pts = pts + 5 WHERE fan IN (3, 4, 11)');
    const rows = await s.execute('SELECT count(*), count(DISTINCT fan) FROM fans');
    expect(rows.rows).toEqual([['20', '20']]);

    // Rows that are not the groups (one lost) cannot carry the rebuilt state: the table is recomputed.
    await engine.writes.run(s, async (w) => {
      await deleteAll(s.conn, t, w);
      await appendRows(s.conn, t, t.columns, 'SELECT * FROM temp.fans_rows WHERE "FAN" <> 7', w);
    });
    await s.execute('UPDATE plays SET pts = pts + 1 WHERE fan = 3');
    clock.advance(1000);
    await s.execute('ALTER DYNAMIC TABLE fans REFRESH');
    const last = await s.execute(`SELECT refresh_action FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => 'FANS')) ORDER BY refresh_start_time DESC LIMIT 1`);
    expect(last.rows[0][0]).toBe('REINITIALIZE');
    const diff = await s.execute(`SELECT count(*) FROM ((SELECT * FROM fans EXCEPT ALL ${FANS}) UNION ALL (${FANS} EXCEPT ALL SELECT * FROM fans))`);
    expect(diff.rows[0][0]).toBe('0');
    await refresh('UPDATE plays SET pts = pts + 1 WHERE fan = 7'); // and incremental again
  });

  it("keeps a dynamic table's aggregate state in its own rows, out of sight and exact", async () => {
    const s = await createFans(2000, 200);
    const refresh = (change: string) => refreshFans(s, change);
    const t = versionedTable(fansObject());
    const stateMatches = () => stateMismatches(s, 'FANS');
    expect(await stateMatches()).toBe(0); // written with the first contents
    await refresh('UPDATE plays SET pts = pts + 1 WHERE fan < 5');
    expect(await stateMatches()).toBe(0);
    await refresh('DELETE FROM plays WHERE fan >= 180'); // groups gone
    await refresh('INSERT INTO plays VALUES (500, 1), (3, 1), (NULL, 4)'); // a new group, a kept one, a NULL key
    expect(await stateMatches()).toBe(0);

    // A change that leaves fan 9's output as it was (a NULL made 0: same sum, same count) but its
    // state different (one more non-NULL value): the state is set in place, the row keeps its version.
    await refresh('INSERT INTO plays VALUES (9, NULL)');
    const version = async () => (await s.conn.query(`SELECT "_BACKLOT_VERSION", "_BACKLOT_STATE_C1" FROM ${dataTable(t)} WHERE "FAN" = 9`)).rows[0];
    const [before, nonNull] = await version();
    await refresh('UPDATE plays SET pts = 0 WHERE fan = 9 AND pts IS NULL');
    expect(await version()).toEqual([before, BigInt(Number(nonNull) + 1)]);
    expect(await stateMatches()).toBe(0);

    // Nobody reading the table sees the state columns.
    const star = await s.execute('SELECT * FROM fans LIMIT 1');
    expect(star.columns.map((c) => c.name)).toEqual(['FAN', 'PTS', 'N']);
    const described = await s.execute('DESCRIBE DYNAMIC TABLE fans');
    expect(described.rows.map((r) => r[0])).toEqual(['FAN', 'PTS', 'N']);
    const clone = await s.execute('CREATE TABLE fans_copy CLONE fans');
    expect(clone.rows.length).toBeGreaterThan(0);
    const copied = await s.execute('SELECT * FROM fans_copy LIMIT 1');
    expect(copied.columns.map((c) => c.name)).toEqual(['FAN', 'PTS', 'N']);
  });

  it("writes an aggregate table's state with its first contents, so that its first refresh rebuilds nothing", async () => {
    const s = await createFans(2000, 200);
    await s.execute(`CREATE DYNAMIC TABLE later TARGET_LAG = '1 hour' WAREHOUSE = wh REFRESH_MODE = INCREMENTAL INITIALIZE = ON_SCHEDULE AS ${FANS}`);
    await s.execute(`CREATE DYNAMIC TABLE whole TARGET_LAG = '1 hour' WAREHOUSE = wh REFRESH_MODE = FULL AS ${FANS}`);
    await s.execute(`CREATE DYNAMIC TABLE spread TARGET_LAG = '1 hour' WAREHOUSE = wh REFRESH_MODE = INCREMENTAL AS ${SPREAD}`);
    const stateColumns = async (name: string) => {
      const o = [...engine.catalog.objects.values()].find((x) => x.name === name && x.droppedOn === null)!;
      const r = await s.conn.query(`SELECT count(*) FROM duckdb_columns() WHERE table_name = '${o.duckName}' AND starts_with(column_name, '_BACKLOT_STATE')`);
      return Number(r.rows[0][0]);
    };
    // Created (INITIALIZE = ON_CREATE): rows and state, exact. A FULL table keeps no state; COUNT(DISTINCT)'s
    // value counts belong on the refresh connection, so that table builds its state when first refreshed.
    expect(await stateMismatches(s, 'FANS')).toBe(0);
    expect([await stateColumns('WHOLE'), await stateColumns('SPREAD')]).toEqual([0, 0]);
    // White box: a rebuild makes its groups' state table (`_bkl_aggb`) on the refresh connection.
    const conn = (engine.dynamicTables as unknown as { session: Session }).session.conn;
    const rebuilds = async (refresh: () => Promise<void>) => {
      await conn.run('DROP TABLE IF EXISTS temp._bkl_aggb');
      await refresh();
      return Number((await conn.query(`SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = '_bkl_aggb'`)).rows[0][0]) > 0;
    };
    expect(await rebuilds(() => refreshFans(s, 'UPDATE plays SET pts = pts + 1 WHERE fan % 3 = 0'))).toBe(false);
    expect(await stateMismatches(s, 'FANS')).toBe(0);
    // Filled by its first scheduled refresh instead: the same, and the next refresh rebuilds nothing.
    await refreshChecked(s, 'later', FANS);
    expect(await stateMismatches(s, 'LATER')).toBe(0);
    expect(await rebuilds(() => refreshChecked(s, 'later', FANS, 'DELETE FROM plays WHERE fan = 17', 'INSERT INTO plays VALUES (900, 3)'))).toBe(false);
    expect(await stateMismatches(s, 'LATER')).toBe(0);
    expect(await rebuilds(() => refreshChecked(s, 'spread', SPREAD, 'UPDATE plays SET pts = 2 WHERE fan = 5'))).toBe(true);
    expect(await stateColumns('SPREAD')).toBeGreaterThan(0);
  });

  it("keeps each aggregate table's merged-state view on the refresh connection between refreshes", async () => {
    const s = await createFans(2000, 100);
    await s.execute(`CREATE DYNAMIC TABLE fans2 TARGET_LAG = '1 hour' WAREHOUSE = wh REFRESH_MODE = INCREMENTAL AS ${FANS}`);
    // White box: count the views the refreshes' own session creates.
    const service = engine.dynamicTables as unknown as { session: Session };
    const conn = service.session.conn as unknown as { run(sql: string): Promise<void> };
    const run = conn.run.bind(conn);
    let made = 0;
    conn.run = async (sql: string) => {
      if (sql.includes('CREATE OR REPLACE TEMP VIEW _bkl_d')) made += 1;
      return run(sql);
    };
    for (let i = 0; i < 5; i += 1) {
      await refreshChecked(s, 'fans', FANS, `UPDATE plays SET pts = pts + 1 WHERE fan % 10 = ${i}`);
      await refreshChecked(s, 'fans2', FANS);
    }
    // Per table: one, kept from the first refresh on (the state came with the first contents, so
    // no refresh rebuilt it through a view of its own).
    expect(made).toBe(2);
  });

  it('recomputes only the groups whose MIN or MAX a change took away', async () => {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE plays (fan INT, pts INT)');
    // 100 fans, each with the points 0, 100, …, 1900 plus its own number: no ties.
    await s.execute('INSERT INTO plays SELECT seq4() % 100, seq4() + 0 FROM TABLE(GENERATOR(ROWCOUNT => 2000))');
    const q = 'SELECT fan, max(pts) AS best, min(pts) AS worst, count(*) AS n FROM plays GROUP BY fan';
    await s.execute(`CREATE DYNAMIC TABLE bests TARGET_LAG = '1 hour' WAREHOUSE = wh REFRESH_MODE = INCREMENTAL AS ${q}`);
    const service = engine.dynamicTables as unknown as { session: Session };
    const refresh = async (...changes: string[]): Promise<number[]> => {
      await refreshChecked(s, 'bests', q, ...changes);
      // White box: the groups the refresh recomputed (the table is left until the next refresh).
      const lost = await service.session.conn.query(`SELECT _k1 FROM temp.${lostExtremesTable(0)} ORDER BY _k1`);
      return lost.rows.map((r) => Number(r[0]));
    };
    // An append (appending only, it has no extreme to lose).
    await refreshChecked(s, 'bests', q, 'INSERT INTO plays VALUES (1, 5)');
    // Raised and lowered rows that were neither extreme, an extreme raised further, a row deleted
    // from the middle: every group is updated from the changed rows alone.
    expect(await refresh('UPDATE plays SET pts = pts + 1 WHERE pts BETWEEN 500 AND 599', 'UPDATE plays SET pts = pts - 1 WHERE pts BETWEEN 1000 AND 1099')).toEqual([]);
    expect(await refresh('UPDATE plays SET pts = pts + 1000 WHERE pts >= 1900', 'DELETE FROM plays WHERE pts BETWEEN 700 AND 709')).toEqual([]);
    // Fan 3 loses its maximum, fan 5 its minimum, fan 7 its maximum to a row lowered below it; fan 9's
    // maximum is lowered but another row is raised above it; fan 11 loses its whole group.
    expect(
      await refresh(
        'DELETE FROM plays WHERE fan = 3 AND pts > 2000',
        'DELETE FROM plays WHERE fan = 5 AND pts = 5',
        'UPDATE plays SET pts = 0 WHERE fan = 7 AND pts > 2000',
        'UPDATE plays SET pts = pts - 10000 WHERE fan = 9 AND pts > 2000',
        'UPDATE plays SET pts = 5000 WHERE fan = 9 AND pts = 9',
        'DELETE FROM plays WHERE fan = 11',
      ),
    ).toEqual([3, 5, 7]);
  });

  it('drops the on-disk aggregate state tables earlier versions left, when it opens', async () => {
    // A file as schema version 8 left it: a state table and the record of its versions.
    const conn = await engine.warehouse.connect();
    await conn.run('CREATE TABLE _backlot.dt_agg_42 (_k1 BIGINT, _n BIGINT)');
    await conn.run('CREATE TABLE _backlot.dt_agg_state (dt_id BIGINT, input_versions VARCHAR)');
    await conn.run("UPDATE _backlot.meta SET value = '8' WHERE key = 'schema_version'");
    engine.warehouse.release(conn);
    await engine.close();
    engine = await Engine.open({ dataDir: dir, clock });
    const check = await engine.warehouse.connect();
    try {
      const left = await check.rows(`SELECT table_name AS t FROM duckdb_tables() WHERE schema_name = '_backlot' AND table_name LIKE 'dt_agg%'`);
      expect(left).toEqual([]);
    } finally {
      engine.warehouse.release(check);
    }
  });

  it('releases the data directory on close so another engine can open it', async () => {
    await engine.close();
    engine = await Engine.open({ dataDir: dir, clock });
    const s = await engine.newSession();
    expect((await s.execute('SELECT 1 AS one')).rows).toEqual([['1']]);
  });
});

describe('AUTO tables created before AUTO settled on ADAPTIVE', () => {
  it('keep INCREMENTAL through CREATE OR ALTER with the same query, with no reinitialization', async () => {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE plays (fan INT, pts INT)');
    await s.execute('INSERT INTO plays VALUES (1, 2), (2, 3)');
    const q = 'SELECT fan, sum(pts) AS pts FROM plays GROUP BY fan';
    await s.execute(`CREATE DYNAMIC TABLE fans TARGET_LAG = '1 hour' WAREHOUSE = wh AS ${q}`);
    // As an earlier Backlot resolved AUTO (and a Snowflake table created before 2026-11-20 keeps).
    const o = [...engine.catalog.objects.values()].find((x) => x.name === 'FANS' && x.droppedOn === null)!;
    await engine.catalog.change(s.conn).putObject({ ...o, properties: { ...o.properties, REFRESH_MODE: 'INCREMENTAL' } });
    const mode = async () => {
      await s.execute(`SHOW DYNAMIC TABLES LIKE 'FANS'`);
      return (await s.execute(`SELECT "refresh_mode" FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))`)).rows[0][0];
    };
    expect(await mode()).toBe('INCREMENTAL');
    await s.execute(`CREATE OR ALTER DYNAMIC TABLE fans TARGET_LAG = '2 hours' WAREHOUSE = wh AS ${q}`);
    expect(await mode()).toBe('INCREMENTAL');
    await s.execute('INSERT INTO plays VALUES (1, 5)');
    await s.execute('ALTER DYNAMIC TABLE fans REFRESH');
    const last = `SELECT refresh_action FROM TABLE(INFORMATION_SCHEMA.DYNAMIC_TABLE_REFRESH_HISTORY(NAME => 'fans')) ORDER BY refresh_start_time DESC LIMIT 1`;
    expect((await s.execute(last)).rows[0][0]).toBe('INCREMENTAL');
    // A new query is a new definition: AUTO settles again, on ADAPTIVE, and the table is recomputed.
    await s.execute(`CREATE OR ALTER DYNAMIC TABLE fans TARGET_LAG = '2 hours' WAREHOUSE = wh AS SELECT fan, sum(pts) AS pts FROM plays WHERE pts > 0 GROUP BY fan`);
    expect(await mode()).toBe('ADAPTIVE');
    await s.execute('ALTER DYNAMIC TABLE fans REFRESH');
    expect((await s.execute(last)).rows[0][0]).toBe('REINITIALIZE');
    expect((await s.execute('SELECT fan, pts FROM fans ORDER BY fan')).rows).toEqual([
      ['1', '7'],
      ['2', '3'],
    ]);
  });
});

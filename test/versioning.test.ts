/**
 * Versioned-table behaviour beyond single SQL files: the purge under retention and under pins,
 * storage staying bounded under repeated updates, concurrent writers getting ordered versions, and
 * the upgrade of tables written before versioning existed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine, ManualClock, type Session } from '../src/engine/index.ts';
import { imagesSql, insertedSql, versionedTable, type ObjectEntry, type VersionedTable } from '../src/storage/index.ts';

let dir: string;
let engine: Engine;
let clock: ManualClock;
const DAY = 86_400_000;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'backlot-versioning-'));
  clock = new ManualClock('2025-03-01T09:00:00Z');
  engine = await Engine.open({ dataDir: dir, clock });
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rows(s: Session, sql: string): Promise<unknown[][]> {
  return (await s.execute(sql)).rows;
}

/** The live object of that name. */
function objectNamed(name: string): ObjectEntry {
  return [...engine.catalog.objects.values()].find((x) => x.name === name && x.droppedOn === null)!;
}

/** Rows of a query over a table's physical layout, read on a connection of its own. */
async function physicalRows(name: string, sql: (t: VersionedTable) => string): Promise<Record<string, unknown>[]> {
  const conn = await engine.warehouse.connect();
  try {
    return await conn.rows(sql(versionedTable(objectNamed(name))));
  } finally {
    engine.warehouse.release(conn);
  }
}

/** Row count of a table's physical history (what the purge removes). */
async function historyRows(name: string): Promise<number> {
  return Number((await physicalRows(name, (t) => `SELECT count(*) AS n FROM _backlot_data.H${t.id}`))[0].n);
}

describe('retention and the purge', () => {
  it('keeps storage bounded under 100 rounds of updating the same rows', async () => {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE t (id INT, n INT)');
    await s.execute('INSERT INTO t SELECT seq4(), 0 FROM TABLE(GENERATOR(ROWCOUNT => 1000))');
    for (let round = 0; round < 100; round += 1) {
      await s.execute('UPDATE t SET n = n + 1 WHERE id < 10');
      clock.advance(60_000);
    }
    expect(await historyRows('T')).toBe(1000);
    // Inside the one-day window nothing may go.
    expect((await engine.purge()).historyRows).toBe(0);
    // A day after the last update only the images that could still be asked for remain: none.
    clock.advance(DAY);
    expect((await engine.purge()).historyRows).toBe(1000);
    expect(await historyRows('T')).toBe(0);
    expect(await rows(s, 'SELECT count(*), sum(n) FROM t')).toEqual([['1000', '1000']]);
  });

  it('purges only what fell out of the window, and keeps the state at its start readable', async () => {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE t (id INT, n INT)');
    await s.execute('INSERT INTO t VALUES (1, 0)');
    for (let i = 1; i <= 4; i += 1) {
      clock.advance(6 * 3_600_000);
      await s.execute(`UPDATE t SET n = ${i}`);
    }
    // Updates to 1, 2, 3, 4 at +6h, +12h, +18h, +24h; now is +24h. At +36h the window starts at
    // +12h: the images n=0 and n=1 ended at or before it and go; n=2 (current then) stays.
    clock.advance(12 * 3_600_000);
    expect((await engine.purge()).historyRows).toBe(2);
    expect(await rows(s, "SELECT n FROM t AT(TIMESTAMP => '2025-03-01 21:00:00')")).toEqual([['2']]);
    expect(await rows(s, "SELECT n FROM t AT(TIMESTAMP => '2025-03-02 04:00:00')")).toEqual([['3']]);
    await expect(s.execute("SELECT n FROM t AT(TIMESTAMP => '2025-03-01 16:00:00')")).rejects.toMatchObject({ code: '000707' });
  });

  it('keeps history a stream still needs, up to MAX_DATA_EXTENSION_TIME_IN_DAYS', async () => {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE t (id INT, n INT) MAX_DATA_EXTENSION_TIME_IN_DAYS = 3');
    await s.execute('INSERT INTO t VALUES (1, 0)');
    const pinned = engine.commits.latest;
    await s.execute('UPDATE t SET n = 1');
    const t = [...engine.catalog.objects.values()].find((o) => o.name === 'T')!;
    engine.retentionPins = { oldestNeeded: (id) => (id === t.id ? pinned : undefined) };
    clock.advance(2 * DAY);
    expect((await engine.purge()).historyRows).toBe(0);
    expect(await historyRows('T')).toBe(1);
    clock.advance(2 * DAY);
    expect((await engine.purge()).historyRows).toBe(1);
  });

  it('keeps what an unconsumed stream needs, and lets it go once the stream is consumed', async () => {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE t (id INT, n INT)');
    await s.execute('INSERT INTO t VALUES (1, 0)');
    await s.execute('CREATE STREAM st ON TABLE t');
    await s.execute('UPDATE t SET n = 1');
    clock.advance(3 * DAY);
    expect((await engine.purge()).historyRows).toBe(0);
    expect(await rows(s, 'SELECT n, METADATA$ACTION FROM st ORDER BY 2')).toEqual([
      ['0', 'DELETE'],
      ['1', 'INSERT'],
    ]);
    await s.execute('CREATE TABLE sink AS SELECT * FROM st');
    expect((await engine.purge()).historyRows).toBe(1);
  });

  it('drops a dropped table for good once its retention has passed', async () => {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE t (id INT)');
    await s.execute('INSERT INTO t VALUES (1)');
    await s.execute('DROP TABLE t');
    clock.advance(DAY / 2);
    expect((await engine.purge()).droppedObjects).toBe(0);
    clock.advance(DAY);
    expect((await engine.purge()).droppedObjects).toBe(1);
    await expect(s.execute('UNDROP TABLE t')).rejects.toMatchObject({ code: '002003' });
    const conn = await engine.warehouse.connect();
    try {
      const left = await conn.rows(`SELECT count(*) AS n FROM duckdb_tables() WHERE schema_name = '_backlot_data'`);
      expect(Number(left[0].n)).toBe(0);
    } finally {
      engine.warehouse.release(conn);
    }
  });
});

describe('dropped containers', () => {
  it('purges a dropped database with its schemas and tables once its window passed', async () => {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE gone DATA_RETENTION_TIME_IN_DAYS = 2');
    await s.execute('CREATE TABLE t (id INT)');
    await s.execute('INSERT INTO t VALUES (1)');
    await s.execute('DROP DATABASE gone');
    clock.advance(DAY + 1000);
    expect(await engine.purge()).toMatchObject({ droppedObjects: 0, droppedContainers: 0 });
    await s.execute('UNDROP DATABASE gone');
    expect(await rows(s, 'SELECT id FROM gone.public.t')).toEqual([['1']]);
    await s.execute('DROP DATABASE gone');
    clock.advance(2 * DAY + 1000);
    expect(await engine.purge()).toMatchObject({ droppedObjects: 1, droppedContainers: 2 });
    expect([...engine.catalog.databases.values()].some((d) => d.name === 'GONE')).toBe(false);
    await expect(s.execute('UNDROP DATABASE gone')).rejects.toMatchObject({ code: '002003' });
  });
});

describe('writers', () => {
  it('serialises concurrent write transactions into consecutive versions', async () => {
    const a = await engine.newSession();
    const b = await engine.newSession();
    await a.execute('CREATE DATABASE d');
    await a.execute('CREATE TABLE t (who VARCHAR, i INT)');
    b.database = 'D';
    b.schema = 'PUBLIC';
    const start = engine.commits.latest;
    await a.execute('BEGIN');
    await a.execute("INSERT INTO t VALUES ('a', 1)");
    // b's autocommit insert waits for a's transaction…
    const pending = b.execute("INSERT INTO t VALUES ('b', 1)");
    let bDone = false;
    void pending.then(() => (bDone = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(bDone).toBe(false);
    await a.execute("INSERT INTO t VALUES ('a', 2)");
    await a.execute('COMMIT');
    await pending;
    expect(engine.commits.latest).toBe(start + 2);
    const versions = await rows(a, "SELECT who, count(DISTINCT i) FROM t GROUP BY who ORDER BY who");
    expect(versions).toEqual([
      ['a', '2'],
      ['b', '1'],
    ]);
  });

  it('releases the write lock when a session goes away mid-transaction', async () => {
    const a = await engine.newSession();
    await a.execute('CREATE DATABASE d');
    await a.execute('CREATE TABLE t (i INT)');
    await a.execute('BEGIN');
    await a.execute('INSERT INTO t VALUES (1)');
    await engine.closeSession(a);
    const b = await engine.newSession({ database: 'D' });
    await b.execute('INSERT INTO t VALUES (2)');
    expect(await rows(b, 'SELECT i FROM t')).toEqual([['2']]);
  });
});

describe('upgrade', () => {
  it('gives tables written before versioning row ids, history and macros at open', async () => {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE t (id INT, name VARCHAR)');
    await s.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')");
    const t = [...engine.catalog.objects.values()].find((o) => o.name === 'T')!;
    // Turn the table back into the pre-versioning layout.
    const conn = await engine.warehouse.connect();
    await conn.run(`DROP MACRO TABLE _backlot_data.T${t.id}_AT`);
    await conn.run(`DROP TABLE _backlot_data.H${t.id}`);
    await conn.run(`ALTER TABLE _backlot_data.T${t.id} DROP COLUMN _BACKLOT_ROW_ID`);
    await conn.run(`ALTER TABLE _backlot_data.T${t.id} DROP COLUMN _BACKLOT_VERSION`);
    await conn.run(`DELETE FROM _backlot.commits`);
    engine.warehouse.release(conn);
    await engine.close();

    engine = await Engine.open({ dataDir: dir, clock });
    const s2 = await engine.newSession({ database: 'D' });
    await s2.execute('ALTER TABLE t SET CHANGE_TRACKING = TRUE');
    await s2.execute("UPDATE t SET name = 'z' WHERE id = 1");
    const update = (await s2.execute("SELECT query_id FROM TABLE(INFORMATION_SCHEMA.QUERY_HISTORY_BY_SESSION()) WHERE query_text LIKE 'UPDATE%'")).rows[0][0];
    expect(await rows(s2, `SELECT id, name FROM t BEFORE(STATEMENT => '${update}') ORDER BY id`)).toEqual([
      ['1', 'a'],
      ['2', 'b'],
    ]);
    expect(await rows(s2, `SELECT id, name, METADATA$ACTION FROM t CHANGES(INFORMATION => DEFAULT) BEFORE(STATEMENT => '${update}') ORDER BY 3`)).toEqual([
      ['1', 'a', 'DELETE'],
      ['1', 'z', 'INSERT'],
    ]);
  });
});

describe('change sets a refresh reads', () => {
  /** Sorted rows of a query over one table's physical layout. */
  async function physical(name: string, sql: (t: VersionedTable) => string): Promise<string[]> {
    return (await physicalRows(name, sql)).map((r) => JSON.stringify(Object.values(r).map(String))).sort();
  }

  it('reads appends as the rows inserted in the range, with the images they had at its end', async () => {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE t (k INT, v INT)'); // v1
    const v1 = engine.writes.latest;
    await s.execute('INSERT INTO t VALUES (1, 10), (2, 20)'); // v2
    await s.execute('INSERT INTO t VALUES (3, 30)'); // v3
    const v3 = engine.writes.latest;
    await s.execute('UPDATE t SET v = v + 1 WHERE k IN (1, 3)'); // after the range
    await s.execute('DELETE FROM t WHERE k = 2');
    const id = objectNamed('T').id;
    expect(engine.commits.changesIn(id, v1, v3)).toEqual({ changed: true, appendOnly: true });
    const inserted = await physical('T', (t) => `SELECT * FROM (${insertedSql(t, v1, v3)})`);
    expect(inserted).toEqual(['["1","10"]', '["2","20"]', '["3","30"]']);
    const viaMacro = await physical('T', (t) => `SELECT "K", "V" FROM _backlot_data."T${t.id}_CHANGES"(${v1}, ${v3})`);
    expect(inserted).toEqual(viaMacro);
  });

  it('reads updates and deletes as unpaired images whose multiset difference is the net change', async () => {
    const s = await engine.newSession();
    await s.execute('CREATE DATABASE d');
    await s.execute('CREATE TABLE t (k INT, v INT)');
    await s.execute('INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)');
    const v1 = engine.writes.latest;
    await s.execute('UPDATE t SET v = v + 1 WHERE k = 1');
    await s.execute('UPDATE t SET v = v WHERE k = 2'); // changed back to what it was
    await s.execute('DELETE FROM t WHERE k = 3');
    await s.execute('INSERT INTO t VALUES (4, 40)');
    await s.execute('UPDATE t SET v = 41 WHERE k = 4');
    const v2 = engine.writes.latest;
    const id = objectNamed('T').id;
    expect(engine.commits.changesIn(id, v1, v2)).toEqual({ changed: true, appendOnly: false });
    const images = await physical('T', (t) => `SELECT "K", "V", _backlot_old FROM (${imagesSql(t, v1, v2)})`);
    expect(images).toEqual(['["1","10","true"]', '["1","11","false"]', '["2","20","false"]', '["2","20","true"]', '["3","30","true"]', '["4","41","false"]']);
    // The pairing CHANGES does drops the row that changed back; everything else is the same.
    const net = await physical('T', (t) => `SELECT "K", "V", "METADATA$ACTION" = 'DELETE' FROM _backlot_data."T${t.id}_CHANGES"(${v1}, ${v2})`);
    expect(net).toEqual(images.filter((r) => !r.startsWith('["2"')));
  });
});

/**
 * COPY INTO from Parquet files (written here with DuckDB, as another tool would): one VARIANT per
 * row, or columns matched by name; and the stage files' MD5 kept beside them.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine, ManualClock, type ResultSet, type Session } from '../src/engine/index.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A scratch directory for one test, removed after the file. */
function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** An engine on `<dir>/data` with one session, closed afterwards; `q` runs SQL and returns the rows. */
async function withEngine(
  dir: string,
  fn: (t: { engine: Engine; s: Session; q: (sql: string) => Promise<ResultSet['rows']> }) => Promise<void>,
  clock?: ManualClock,
): Promise<void> {
  const engine = await Engine.open({ dataDir: join(dir, 'data'), clock });
  try {
    const s = await engine.newSession();
    await fn({ engine, s, q: async (sql) => (await s.execute(sql)).rows });
  } finally {
    await engine.close();
  }
}

describe('COPY INTO from Parquet', () => {
  it('loads rows as VARIANT values or by column name, with conversion errors per row', async () => {
    const dir = scratchDir('backlot-parquet-');
    const file = join(dir, 'box.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    await c.run(
      `COPY (SELECT * FROM (VALUES ('Heat', 10.5::DECIMAL(12,2), DATE '2026-11-01', {'screens': 3}), ('Alien', 7.25, DATE '2026-11-02', {'screens': 1}), ('Up', NULL, NULL, NULL)) t("Film", gross, day, meta)) TO '${file}' (FORMAT PARQUET)`,
    );
    c.closeSync();
    await withEngine(dir, async ({ q }) => {
      await q('CREATE DATABASE pq');
      await q('CREATE STAGE files');
      await q(`PUT file://${file} @files`);
      expect(await q('LIST @files')).toEqual([['files/box.parquet', expect.any(Number), expect.stringMatching(/^[0-9a-f]{32}$/), expect.any(String)]]);

      // Staged Parquet rows can be queried directly, one VARIANT per row.
      await q('CREATE FILE FORMAT pqf TYPE = PARQUET');
      expect(await q("SELECT $1:Film::STRING, METADATA$FILE_ROW_NUMBER FROM @files (FILE_FORMAT => 'pqf') ORDER BY 2")).toEqual([
        ['Heat', '1'],
        ['Alien', '2'],
        ['Up', '3'],
      ]);

      await q('CREATE TABLE raw_box (v VARIANT)');
      expect((await q("COPY INTO raw_box FROM @files FILE_FORMAT = (TYPE = PARQUET)"))[0].slice(0, 4)).toEqual(['files/box.parquet', 'LOADED', 3, 3]);
      expect(await q('SELECT v:Film::STRING, v:meta.screens::INT FROM raw_box ORDER BY 1')).toEqual([
        ['Alien', '1'],
        ['Heat', '3'],
        ['Up', null],
      ]);

      await q('CREATE TABLE box (film VARCHAR NOT NULL, gross NUMBER(12,2), day DATE, meta VARIANT, missing INT)');
      expect((await q('COPY INTO box FROM @files FILE_FORMAT = (TYPE = PARQUET) MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE'))[0].slice(0, 4)).toEqual(['files/box.parquet', 'LOADED', 3, 3]);
      expect(await q('SELECT film, gross, day, meta:screens::INT, missing FROM box ORDER BY film')).toEqual([
        ['Alien', '7.25', '2026-11-02', '1', null],
        ['Heat', '10.50', '2026-11-01', '3', null],
        ['Up', null, null, null, null],
      ]);
      // Case-sensitive: "Film" does not fill FILM, which is NOT NULL: every row fails.
      await q('CREATE TABLE box2 LIKE box');
      const r = await q('COPY INTO box2 FROM @files FILE_FORMAT = (TYPE = PARQUET) MATCH_BY_COLUMN_NAME = CASE_SENSITIVE ON_ERROR = CONTINUE');
      expect(r[0].slice(0, 7)).toEqual(['files/box.parquet', 'LOAD_FAILED', 3, 0, 3, 3, "NULL result in a non-nullable column 'FILM'"]);
      // Loaded once: skipped the second time.
      expect(await q('COPY INTO box FROM @files FILE_FORMAT = (TYPE = PARQUET) MATCH_BY_COLUMN_NAME = CASE_INSENSITIVE')).toEqual([['Copy executed with 0 files processed.']]);
      await expect(q('COPY INTO box FROM @files FILE_FORMAT = (TYPE = PARQUET)')).rejects.toMatchObject({ code: '002019' });
    });
  });
});

describe('table stages', () => {
  it('go with their table once it is purged', async () => {
    const dir = scratchDir('backlot-tstage-');
    const clock = new ManualClock('2026-11-01T00:00:00Z');
    await withEngine(dir, async ({ engine, s }) => {
      writeFileSync(join(dir, 'x.csv'), '1\n');
      await s.execute('CREATE DATABASE ts');
      await s.execute('CREATE TABLE t (n INT)');
      await s.execute(`PUT file://${join(dir, 'x.csv')} @%t`);
      const id = [...engine.catalog.objects.values()].find((o) => o.name === 'T' && o.kind === 'TABLE')!.id;
      const stageDir = engine.stageFiles.dir('table', String(id));
      expect(existsSync(stageDir)).toBe(true);
      await s.execute('DROP TABLE t');
      await engine.purge();
      expect(existsSync(stageDir)).toBe(true); // still within its retention: UNDROP brings it back
      clock.set(new Date('2026-11-03T00:00:00Z'));
      await engine.purge();
      expect(existsSync(stageDir)).toBe(false);
    }, clock);
  });
});

describe('COPY INTO from files compressed with BROTLI, DEFLATE and RAW_DEFLATE', () => {
  it('decompresses them (AUTO by extension, or named) for CSV loads, transformations and staged queries; BZ2 says unsupported', async () => {
    const { brotliCompressSync, deflateRawSync, deflateSync } = await import('node:zlib');
    const dir = scratchDir('backlot-codecs-');
    const csv = Buffer.from('1,Heat\n2,"Alien, 2"\n');
    writeFileSync(join(dir, 'a.csv.br'), brotliCompressSync(csv));
    writeFileSync(join(dir, 'b.csv.deflate'), deflateSync(csv));
    writeFileSync(join(dir, 'c.csv.raw'), deflateRawSync(csv));
    writeFileSync(join(dir, 'd.csv.bz2'), 'BZh9 not really');
    await withEngine(dir, async ({ q }) => {
      await q('CREATE DATABASE cz');
      await q("CREATE STAGE z FILE_FORMAT = (TYPE = CSV FIELD_OPTIONALLY_ENCLOSED_BY = '\"')");
      for (const f of ['a.csv.br', 'b.csv.deflate', 'c.csv.raw', 'd.csv.bz2']) await q(`PUT file://${join(dir, f)} @z AUTO_COMPRESS = FALSE`);
      await q('CREATE TABLE films (id INT, title VARCHAR)');
      const loaded = await q("COPY INTO films FROM @z PATTERN = '.*[.](br|deflate)'");
      expect(loaded.map((r) => r.slice(0, 4))).toEqual([
        ['z/a.csv.br', 'LOADED', 2, 2],
        ['z/b.csv.deflate', 'LOADED', 2, 2],
      ]);
      expect((await q("COPY INTO films FROM @z FILES = ('c.csv.raw') FILE_FORMAT = (TYPE = CSV COMPRESSION = RAW_DEFLATE FIELD_OPTIONALLY_ENCLOSED_BY = '\"')"))[0].slice(0, 4)).toEqual([
        'z/c.csv.raw',
        'LOADED',
        2,
        2,
      ]);
      expect(await q('SELECT title, count(*) FROM films GROUP BY 1 ORDER BY 1')).toEqual([
        ['Alien, 2', '3'],
        ['Heat', '3'],
      ]);
      expect(await q("SELECT $2 FROM @z/a.csv.br ORDER BY 1")).toEqual([['Alien, 2'], ['Heat']]);
      await q('CREATE TABLE ids (id INT)');
      expect((await q('COPY INTO ids FROM (SELECT $1 FROM @z/b.csv.deflate)'))[0].slice(0, 4)).toEqual(['z/b.csv.deflate', 'LOADED', 2, 2]);
      await expect(q("COPY INTO films FROM @z FILES = ('d.csv.bz2')")).rejects.toMatchObject({ code: '000002', message: expect.stringContaining('COMPRESSION = BZ2') });
    });
  });
});

describe('COPY transformations with many bad rows', () => {
  it('isolate each bad row (no merely-NULL row counted), and stay quick for a file of bad rows', async () => {
    const dir = scratchDir('backlot-trbad-');
    // 150 rows whose value fails in the query, 100 whose value is NULL, 100 good ones.
    const lines = [...Array.from({ length: 150 }, (_, i) => `${i},x`), ...Array.from({ length: 100 }, (_, i) => `${150 + i},`), ...Array.from({ length: 100 }, (_, i) => `${250 + i},${i}`)];
    writeFileSync(join(dir, 'mixed.csv'), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'bad.csv'), `${Array.from({ length: 20_000 }, (_, i) => `${i},x`).join('\n')}\n`);
    await withEngine(dir, async ({ q }) => {
      await q('CREATE DATABASE tb');
      await q('CREATE STAGE st');
      await q(`PUT file://${join(dir, 'mixed.csv')} @st`);
      await q(`PUT file://${join(dir, 'bad.csv')} @st`);
      await q('CREATE TABLE pts (id INT, doubled INT)');
      const r = await q("COPY INTO pts FROM (SELECT $1, $2::INT * 2 FROM @st) FILES = ('mixed.csv.gz') ON_ERROR = CONTINUE");
      expect(r[0].slice(0, 7)).toEqual(['st/mixed.csv.gz', 'PARTIALLY_LOADED', 350, 200, 350, 150, "Numeric value 'x' is not recognized"]);
      expect(await q('SELECT count(*), count(doubled), sum(doubled) FROM pts')).toEqual([['200', '100', '9900']]);
      expect(await q("SELECT count(*), min(\"LINE\"), max(\"LINE\") FROM TABLE(VALIDATE(pts, JOB_ID => '_last'))")).toEqual([['150', '1', '150']]);

      // A bounded number of exact evaluations, not one per row (that took 45 s for this file).
      const all = await q("COPY INTO pts FROM (SELECT $1, $2::INT * 2 FROM @st) FILES = ('bad.csv.gz') ON_ERROR = CONTINUE");
      expect(all[0].slice(0, 6)).toEqual(['st/bad.csv.gz', 'LOAD_FAILED', 20_000, 0, 20_000, 20_000]);
    });
  }, 60_000);
});

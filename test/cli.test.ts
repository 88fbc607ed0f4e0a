/**
 * `backlot sql` end to end: the three output formats, --on-error, -f, persistence across runs,
 * the data-directory lock, and the interactive console fed through stdin.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sqlCommand, type Output } from '../src/cli/sql-command.ts';
import { Engine } from '../src/engine/index.ts';

const dirs: string[] = [];
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'backlot-cli-'));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function capture(): Output & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t) };
}

async function run(data: string, sql: string, format: 'table' | 'json' | 'csv', onError: 'stop' | 'continue' = 'stop') {
  const o = capture();
  const code = await sqlCommand({ execute: sql, format, onError, data }, o);
  return { code, out: o.out, err: o.err };
}

const BIN = join(import.meta.dirname, '..', 'bin', 'backlot.js');

describe('backlot sql', () => {
  it('prints one JSON line per statement with typed values', async () => {
    const data = tempDir();
    const r = await run(
      data,
      `CREATE DATABASE d;
       CREATE TABLE t (id INT, amount NUMBER(10,2), ok BOOLEAN, v VARIANT, day DATE, ts TIMESTAMP_NTZ, f FLOAT, big INT);
       INSERT INTO t SELECT 1, 12.50, TRUE, PARSE_JSON('{"a":[1,"x",null]}'), '2024-02-29', '2024-02-29 13:45:00.123', 2.5, 9007199254740993;
       SELECT * FROM t;`,
      'json',
    );
    expect(r.code).toBe(0);
    expect(r.out).toHaveLength(4);
    expect(JSON.parse(r.out[0])).toEqual({ columns: ['status'], rows: [['Database D successfully created.']] });
    expect(JSON.parse(r.out[2])).toEqual({ columns: ['number of rows inserted'], rows: [[1]] });
    expect(r.out[3]).toBe(
      '{"columns":["ID","AMOUNT","OK","V","DAY","TS","F","BIG"],"rows":[[1,12.50,true,{"a":[1,"x",null]},"2024-02-29","2024-02-29T13:45:00.123",2.5,9007199254740993]]}',
    );
  });

  it('prints errors as JSON objects and stops at the first one by default', async () => {
    const data = tempDir();
    const r = await run(data, `SELECT 1; SELECT * FROM nowhere; SELECT 2;`, 'json');
    expect(r.code).toBe(1);
    expect(r.out).toHaveLength(2);
    const err = JSON.parse(r.out[1]);
    expect(err.error.code).toBe('090105');
    expect(err.error.sqlState).toBe('22000');
  });

  it('runs every statement with --on-error continue and still exits 1', async () => {
    const data = tempDir();
    const r = await run(data, `SELECT 1; SELECT nope(); SELECT 2 AS two;`, 'json', 'continue');
    expect(r.code).toBe(1);
    expect(r.out.map((l) => Object.keys(JSON.parse(l))[0])).toEqual(['columns', 'error', 'columns']);
    expect(JSON.parse(r.out[2]).rows).toEqual([[2]]);
  });

  it('prints SnowSQL-style tables', async () => {
    const data = tempDir();
    const r = await run(data, `SELECT 1 AS id, 'Spider-Man' AS title, NULL AS note, TRUE AS ok, '2024-01-02 03:04:05'::TIMESTAMP AS ts;`, 'table');
    expect(r.code).toBe(0);
    const lines = r.out[0].split('\n');
    expect(lines[0]).toBe('+----+------------+------+------+-------------------------+');
    expect(lines[1]).toBe('| ID | TITLE      | NOTE | OK   | TS                      |');
    expect(lines[2]).toBe('|----+------------+------+------+-------------------------|');
    expect(lines[3]).toBe('|  1 | Spider-Man | NULL | True | 2024-01-02 03:04:05.000 |');
    expect(lines[5]).toMatch(/^1 Row\(s\) produced\. Time Elapsed: \d+\.\d{3}s$/);
  });

  it('prints errors on stderr in Snowflake form for table output', async () => {
    const data = tempDir();
    const r = await run(data, `CREATE DATABASE d; SELECT * FROM missing;`, 'table');
    expect(r.code).toBe(1);
    expect(r.err[0]).toBe("002003 (42S02): SQL compilation error:\nObject 'D.PUBLIC.MISSING' does not exist or not authorized.");
  });

  it('prints CSV with a header and quoting', async () => {
    const data = tempDir();
    const r = await run(data, `SELECT 'a,b' AS x, 'say "hi"' AS y, NULL AS z, 3 AS n;`, 'csv');
    expect(r.out[0]).toBe('X,Y,Z,N\n"a,b","say ""hi""",,3');
  });

  it('keeps everything across runs on the same data directory', async () => {
    const data = tempDir();
    await run(data, `CREATE DATABASE keep; CREATE TABLE t (v VARIANT); INSERT INTO t SELECT PARSE_JSON('[1,2]');`, 'json');
    const r = await run(data, `USE DATABASE keep; SELECT v[1] AS second FROM t;`, 'json');
    expect(JSON.parse(r.out[1])).toEqual({ columns: ['SECOND'], rows: [[2]] });
  });

  it('runs a script file through the real binary, honouring BACKLOT_DATA', () => {
    const data = tempDir();
    const file = join(data, 'script.sql');
    writeFileSync(file, "CREATE DATABASE f; -- comment; with a semicolon\nSELECT $$a;b$$ AS body, 'x;y' AS s;\n");
    const out = execFileSync(process.execPath, [BIN, 'sql', '-f', file, '--format', 'json'], {
      env: { ...process.env, BACKLOT_DATA: data },
      encoding: 'utf8',
    });
    const lines = out.trim().split('\n');
    expect(JSON.parse(lines[1])).toEqual({ columns: ['BODY', 'S'], rows: [['a;b', 'x;y']] });
  });

  it('exits 1 from the binary when a statement fails', () => {
    const data = tempDir();
    const r = spawnSync(process.execPath, [BIN, 'sql', '--data', data, '-e', 'SELECT 1 +'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('001003 (42000): SQL compilation error:');
  });

  it('refuses a second process on a data directory in use', async () => {
    const data = tempDir();
    const engine = await Engine.open({ dataDir: data });
    try {
      const r = spawnSync(process.execPath, [BIN, 'sql', '--data', data, '-e', 'SELECT 1'], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain('is in use by another Backlot process');
    } finally {
      await engine.close();
    }
  });

  it('reads multi-line statements interactively from stdin', () => {
    const data = tempDir();
    const input = 'CREATE DATABASE repl;\nSELECT\n  1 AS one,\n  2 AS two;\nUSE SCHEMA public;\n';
    const r = spawnSync(process.execPath, [BIN, 'sql', '--data', data, '--format', 'csv'], { input, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ONE,TWO\n1,2');
  });
});

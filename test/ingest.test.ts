/**
 * Event ingestion over HTTP (issue 6 item 3–4): channels with offset tokens, exactly-once appends,
 * resuming after a reopen, the quarantine for rows that do not fit (500 malformed events of more
 * than 20 kinds, never a 5xx), request limits as 4xx, expiring tokens, and the stage upload route.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IngestClient, IngestClientError } from '../src/ingest/client/ingest-client.ts';
import { parseBatch } from '../src/ingest/ndjson.ts';
import { BacklotServer, type ServerOptions } from '../src/server/server.ts';
import { T } from '../src/sql/index.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function start(options: Partial<ServerOptions> = {}): Promise<{ server: BacklotServer; client: IngestClient; sql: (q: string) => Promise<unknown[][]> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'backlot-ingest-'));
  dirs.push(dataDir);
  const server = await BacklotServer.start({ dataDir, port: 0, scheduler: false, ...options });
  const session = await server.engine.newSession();
  const sql = async (q: string) => (await session.execute(q)).rows;
  await sql('CREATE DATABASE studio');
  await sql(
    'CREATE TABLE fan_events (event_id INT NOT NULL, fan_id INT, kind VARCHAR(20), amount NUMBER(10,2), at TIMESTAMP_NTZ, flag BOOLEAN, day DATE, tags ARRAY, meta OBJECT, payload VARIANT)',
  );
  const client = new IngestClient({ url: server.url, user: 'admin', password: server.adminPassword!, backoffMs: 5 });
  return { server, client, sql };
}

async function raw(server: BacklotServer, method: string, path: string, body?: string, token?: string): Promise<{ status: number; json: { error?: { code: string; message: string } } & Record<string, unknown> }> {
  const res = await fetch(server.url + path, { method, headers: token ? { authorization: `Bearer ${token}` } : {}, body });
  return { status: res.status, json: (await res.json()) as never };
}

async function token(server: BacklotServer): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/login`, { method: 'POST', body: JSON.stringify({ user: 'admin', password: server.adminPassword }) });
  return ((await res.json()) as { token: string }).token;
}

describe('NDJSON batches', () => {
  it('turn lines into text fields per column or rejections with a reason', () => {
    const cols = [
      { name: 'ID', type: T.number(38, 0), nullable: false },
      { name: 'V', type: T.variant(), nullable: true },
    ];
    const b = parseBatch('{"id": 1, "v": {"a": [1]}}\n\n{"ID": 2}\r\n{oops\n{"v": 1}\n', cols, 1000);
    expect(b.rows.map((r) => [r.line, r.fields])).toEqual([
      [1, ['1', '{"a":[1]}']],
      [3, ['2', null]],
    ]);
    expect(b.rejected.map((r) => [r.line, r.code])).toEqual([
      [4, 'MALFORMED_JSON'],
      [5, 'MISSING_REQUIRED'],
    ]);
  });
});

describe('ingest defaults', () => {
  it('fill a left-out key with the column default or identity, once per row; an explicit null stays NULL', async () => {
    const { server, client, sql } = await start();
    try {
      await sql(
        "CREATE TABLE studio.public.raw_events (id INT IDENTITY(100, 1), event_id VARCHAR NOT NULL, source VARCHAR NOT NULL DEFAULT 'api', " +
          'ingested_at TIMESTAMP_LTZ DEFAULT CURRENT_TIMESTAMP(), payload VARIANT)',
      );
      const ch = await client.openChannel('STUDIO.PUBLIC.RAW_EVENTS', 'fans');
      const r = await ch.append(
        [
          { event_id: 'e1', payload: { a: 1 } },
          { event_id: 'e2', source: 'kiosk' },
          { event_id: 'e3', source: null },
          { event_id: 'e4', ingested_at: null, id: 7 },
        ],
        '1',
      );
      expect(r).toMatchObject({ inserted: 3, quarantined: 1 });
      expect(await sql('SELECT event_id, id, source, ingested_at IS NOT NULL FROM studio.public.raw_events ORDER BY event_id')).toEqual([
        ['e1', '100', 'api', true],
        ['e2', '101', 'kiosk', true],
        ['e4', '7', 'api', false],
      ]);
      expect(await sql("SELECT reason FROM studio.information_schema.ingest_quarantine WHERE channel_name = 'fans'")).toEqual([
        ["column 'SOURCE' is required (NOT NULL) but null"],
      ]);
    } finally {
      await server.stop();
    }
  });
});

describe('ingest channels', () => {
  it('append exactly once, resume from the committed offset token, and refuse a reopened channel', async () => {
    const { server, client, sql } = await start();
    try {
      const ch = await client.openChannel('STUDIO.PUBLIC.FAN_EVENTS', 'web-1');
      expect(ch.offsetToken).toBeNull();
      expect(ch.clientSequencer).toBe(1);
      const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ event_id: from + i, fan_id: (from + i) % 7, kind: 'like', amount: '1.50', at: '2026-11-25 10:00:00', payload: { i } }));
      expect(await ch.append(rows(1, 3), '0')).toMatchObject({ inserted: 3, quarantined: 0, duplicate: false, offsetToken: '0' });
      expect(await ch.append(rows(4, 2), '1')).toMatchObject({ inserted: 2, duplicate: false, offsetToken: '1' });
      // A re-sent batch (a lost acknowledgement, a retry) inserts nothing.
      expect(await ch.append(rows(4, 2), '1')).toMatchObject({ inserted: 0, duplicate: true, offsetToken: '1' });
      expect(await ch.append(rows(1, 3), '0')).toMatchObject({ inserted: 0, duplicate: true });
      expect(await sql('SELECT count(*), count(DISTINCT event_id), sum(amount) FROM studio.public.fan_events')).toEqual([['5', '5', '7.50']]);
      expect(await ch.committedOffsetToken()).toBe('1');

      // Concurrent batches of several channels commit together; each is acknowledged on its own.
      const other = await client.openChannel('STUDIO.PUBLIC.FAN_EVENTS', 'web-2');
      const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? ch : other).append(rows(100 + i * 10, 10), String(10 + i))));
      expect(results.every((r) => r.inserted === 10 && !r.duplicate)).toBe(true);
      expect(await sql('SELECT count(*) FROM studio.public.fan_events')).toEqual([['205']]);

      // A restarted producer reopens the channel and continues after the committed token; the old handle is stale.
      const again = await client.openChannel('STUDIO.PUBLIC.FAN_EVENTS', 'web-1');
      expect(again.offsetToken).toBe('28');
      expect(again.clientSequencer).toBe(2);
      await expect(ch.append(rows(900, 1), '29')).rejects.toMatchObject({ status: 409, code: 'CHANNEL_REOPENED' });
      expect(await again.append(rows(900, 1), '29')).toMatchObject({ inserted: 1 });

      const channels = await sql('SELECT channel_name, offset_token, rows_inserted FROM studio.information_schema.ingest_channels ORDER BY 1');
      expect(channels).toEqual([
        ['web-1', '29', '106'],
        ['web-2', '29', '100'],
      ]);
      // Ingested rows are ordinary inserts: a stream sees them.
      await sql('CREATE STREAM studio.public.fan_stream ON TABLE studio.public.fan_events APPEND_ONLY = TRUE');
      await again.append(rows(1000, 4), '30');
      expect(await sql('SELECT count(*) FROM studio.public.fan_stream')).toEqual([['4']]);
    } finally {
      await server.stop();
    }
  });

  it('quarantines 500 malformed events of 25 kinds with their reasons, loads the good rows, never answers 5xx', async () => {
    const { server, client, sql } = await start({ ingest: { maxRowBytes: 2048 } });
    try {
      const ch = await client.openChannel('STUDIO.PUBLIC.FAN_EVENTS', 'bad-input');
      const kinds: [string, string][] = [
        ['{"event_id": 1, "kind": ', 'MALFORMED_JSON'],
        ['{"event_id": 1} trailing', 'MALFORMED_JSON'],
        ['[1, 2, 3]', 'NOT_AN_OBJECT'],
        ['42', 'NOT_AN_OBJECT'],
        ['"just a string"', 'NOT_AN_OBJECT'],
        ['null', 'NOT_AN_OBJECT'],
        ['{"event_id": 1, "nope": 2}', 'UNKNOWN_COLUMN'],
        ['{"event_id": 1, "EVENT_ID": 2}', 'DUPLICATE_COLUMN'],
        ['{"fan_id": 1}', 'MISSING_REQUIRED'],
        ['{"event_id": null}', 'MISSING_REQUIRED'],
        ['{"event_id": "abc"}', '100038'],
        ['{"event_id": {"a": 1}}', 'WRONG_TYPE'],
        ['{"event_id": true}', 'WRONG_TYPE'],
        [`{"event_id": 1, "kind": "${'x'.repeat(21)}"}`, '100074'],
        ['{"event_id": 1, "kind": ["a"]}', 'WRONG_TYPE'],
        ['{"event_id": 1, "amount": 1e30}', '100038'],
        ['{"event_id": 1, "amount": "12,5"}', '100038'],
        ['{"event_id": 1, "at": "not a time"}', '100035'],
        ['{"event_id": 1, "flag": "maybe"}', '100037'],
        ['{"event_id": 1, "flag": 3}', 'WRONG_TYPE'],
        ['{"event_id": 1, "day": "2026-13-45"}', '100040'],
        ['{"event_id": 1, "tags": {"a": 1}}', 'WRONG_TYPE'],
        ['{"event_id": 1, "meta": [1]}', 'WRONG_TYPE'],
        [`{"event_id": 1, "payload": "${'y'.repeat(3000)}"}`, 'ROW_TOO_LARGE'],
        ['{"event_id": 99999999999999999999999}', '100038'],
      ];
      expect(new Set(kinds.map(([line]) => line)).size).toBe(25);
      let good = 0;
      let token = 0;
      const expected = new Map<string, number>();
      for (let batch = 0; batch < 10; batch += 1) {
        const lines: string[] = [];
        for (let i = 0; i < 50; i += 1) {
          const [line, code] = kinds[(batch * 50 + i) % kinds.length];
          lines.push(line);
          expected.set(code, (expected.get(code) ?? 0) + 1);
          good += 1;
          lines.push(JSON.stringify({ event_id: batch * 1000 + i, kind: 'view' }));
        }
        const r = await ch.append(lines.join('\n'), String(token++));
        expect(r.quarantined).toBe(50);
        expect(r.inserted).toBe(50);
        expect(r.rejected.every((x) => x.line % 2 === 1 && x.reason.length > 10)).toBe(true);
      }
      expect(await sql('SELECT count(*) FROM studio.public.fan_events')).toEqual([[String(good)]]);
      const q = await sql('SELECT error_code, count(*) FROM studio.information_schema.ingest_quarantine GROUP BY 1 ORDER BY 1');
      expect(new Map(q.map((r) => [String(r[0]), Number(r[1])]))).toEqual(new Map([...expected].sort()));
      const sample = await sql("SELECT channel_name, offset_token, line_number, reason, raw_row FROM studio.information_schema.ingest_quarantine WHERE error_code = 'UNKNOWN_COLUMN' ORDER BY offset_token::INT, line_number LIMIT 1");
      expect(sample).toEqual([['bad-input', '0', '13', "column 'nope' is not in the table", '{"event_id": 1, "nope": 2}']]);
      const dated = await sql("SELECT reason FROM studio.information_schema.ingest_quarantine WHERE error_code = '100040' LIMIT 1");
      expect(dated).toEqual([["column 'DAY': Date '2026-13-45' is not recognized"]]);
    } finally {
      await server.stop();
    }
  });

  it('answers client mistakes with 4xx: tokens, names, offsets, sizes, rates', async () => {
    const { server } = await start({ ingest: { maxBodyBytes: 4096 }, auth: { requestsPerSecond: 20 } });
    try {
      const t = await token(server);
      const base = '/api/v1/ingest/studio/public/fan_events/channels/c1';
      expect((await raw(server, 'POST', base)).status).toBe(401);
      expect((await raw(server, 'POST', base, '{}', 'not-a-token')).status).toBe(401);
      expect((await raw(server, 'POST', '/api/v1/ingest/studio/public/nope/channels/c1', '{}', t)).status).toBe(404);
      expect((await raw(server, 'POST', '/api/v1/ingest/studio/public/fan_events/channels/bad%20name', '{}', t)).json.error?.code).toBe('BAD_CHANNEL_NAME');
      expect((await raw(server, 'GET', base, undefined, t)).status).toBe(404);
      const open = await raw(server, 'POST', base, '{}', t);
      expect(open.status).toBe(200);
      const seq = open.json.clientSequencer;
      expect((await raw(server, 'POST', `${base}/rows?clientSequencer=${seq}`, '{"event_id": 1}', t)).json.error?.code).toBe('MISSING_OFFSET_TOKEN');
      expect((await raw(server, 'POST', `${base}/rows?offsetToken=abc&clientSequencer=${seq}`, '{"event_id": 1}', t)).json.error?.code).toBe('BAD_OFFSET_TOKEN');
      expect((await raw(server, 'POST', `${base}/rows?offsetToken=1`, '{"event_id": 1}', t)).json.error?.code).toBe('MISSING_CLIENT_SEQUENCER');
      const big = await raw(server, 'POST', `${base}/rows?offsetToken=1&clientSequencer=${seq}`, '{"event_id": 1}\n'.repeat(400), t);
      expect(big.status).toBe(413);
      const dynamic = await raw(server, 'POST', '/api/v1/ingest/studio/public/fan_events/channels/c2/rows?offsetToken=1&clientSequencer=1', '{"event_id": 1}', t);
      expect(dynamic.status).toBe(404);
      // The rate limit: a burst of twice the per-second budget, then 429.
      const statuses = await Promise.all(Array.from({ length: 60 }, () => raw(server, 'GET', base, undefined, t).then((r) => r.status)));
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
      expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    } finally {
      await server.stop();
    }
  });

  it('expires tokens; the client logs in again and carries on', async () => {
    const { server, client, sql } = await start({ auth: { tokenTtlMs: 200 } });
    try {
      const t = await token(server);
      await new Promise((r) => setTimeout(r, 300));
      const expired = await raw(server, 'GET', '/api/v1/ingest/studio/public/fan_events/channels/c1', undefined, t);
      expect(expired.status).toBe(401);
      expect(expired.json.error?.message).toMatch(/expired/);
      const ch = await client.openChannel('STUDIO.PUBLIC.FAN_EVENTS', 'c1');
      await new Promise((r) => setTimeout(r, 300));
      expect(await ch.append([{ event_id: 1 }], '0')).toMatchObject({ inserted: 1 });
      expect(await sql('SELECT count(*) FROM studio.public.fan_events')).toEqual([['1']]);
    } finally {
      await server.stop();
    }
  });

  it('uploads files to stages over HTTP for COPY INTO', async () => {
    const { server, client, sql } = await start();
    try {
      await sql('CREATE TABLE studio.public.box (day DATE, film VARCHAR, amount NUMBER(10,2))');
      await sql('CREATE STAGE studio.public.landing');
      expect(await client.upload('studio.public.landing/2026/day1.csv', '2026-11-01,Heat,10.50\n2026-11-01,Alien,7.25\n')).toMatchObject({ target: '2026/day1.csv.gz', status: 'UPLOADED' });
      expect(await client.upload('studio.public.landing/2026/day1.csv', 'ignored')).toMatchObject({ status: 'SKIPPED' });
      expect(await client.upload('~/notes.txt', 'hello', { autoCompress: false })).toMatchObject({ target: 'notes.txt' });
      expect(await sql('COPY INTO studio.public.box FROM @studio.public.landing/2026/')).toEqual([['landing/2026/day1.csv.gz', 'LOADED', 2, 2, 1, 0, null, null, null, null]]);
      expect(await sql('SELECT sum(amount) FROM studio.public.box')).toEqual([['17.75']]);
      await expect(client.upload('studio.public.nope/x.csv', 'a')).rejects.toBeInstanceOf(IngestClientError);
    } finally {
      await server.stop();
    }
  });
});

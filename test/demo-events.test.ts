/**
 * The demo's fan-event producer (issue 6: the ingest client used by the demo): deterministic events
 * with verified and guest fans and the faults a real feed has, sent through the ingest API; a
 * restarted producer resumes after the last committed batch without losing or repeating events.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { batchAt, eventAt, fan, type FanEvent } from '../src/cli/demo/fan-events.ts';
import { ensureEventTable, produceEvents } from '../src/cli/demo/event-producer.ts';
import { IngestClient } from '../src/ingest/client/ingest-client.ts';
import { BacklotServer } from '../src/server/server.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const AT = new Date('2026-11-26T12:00:00Z');

describe('generated fan events', () => {
  it('are the same for the same seed and position, and fans keep their attributes', () => {
    expect(eventAt({ seed: 7 }, 1234, AT)).toEqual(eventAt({ seed: 7 }, 1234, AT));
    expect(eventAt({ seed: 7 }, 1234, AT)).not.toEqual(eventAt({ seed: 8 }, 1234, AT));
    expect(fan(7, 42)).toEqual(fan(7, 42));
    expect(batchAt({ seed: 7 }, 3, 100, AT).body).toBe(batchAt({ seed: 7 }, 3, 100, AT).body);
  });

  it('look like the studio feed: verified and guest fans, purchases with money, and a few faults', () => {
    const events = Array.from({ length: 20_000 }, (_, i) => eventAt({ seed: 7 }, i, AT));
    const good = events.filter((e): e is FanEvent => !('malformed' in e));
    const malformed = events.length - good.length;
    expect(malformed).toBeGreaterThan(10);
    expect(malformed).toBeLessThan(100);
    const verified = good.filter((e) => e.PAYLOAD.account_type === 'verified');
    expect(verified.length / good.length).toBeGreaterThan(0.65);
    expect(verified.length / good.length).toBeLessThan(0.75);
    expect(verified.every((e) => typeof e.PAYLOAD.email === 'string' && typeof e.PAYLOAD.fan_id === 'number')).toBe(true);
    expect(good.filter((e) => e.PAYLOAD.account_type === 'guest').some((e) => 'email' in e.PAYLOAD || 'fan_id' in e.PAYLOAD)).toBe(false);
    const purchases = good.filter((e) => String(e.PAYLOAD.event_type).endsWith('_purchase'));
    expect(purchases.length).toBeGreaterThan(2000);
    expect(purchases.every((e) => Number(e.PAYLOAD.amount) > 0 && typeof e.PAYLOAD.currency === 'string')).toBe(true);
    expect(good.some((e) => e.PAYLOAD.country === 'XX')).toBe(true);
    const ids = good.map((e) => e.EVENT_ID);
    expect(new Set(ids).size).toBeLessThan(ids.length);
    // Long-tailed popularity: the most watched title draws far more than the least.
    const byTitle = new Map<string, number>();
    for (const e of good) byTitle.set(String(e.PAYLOAD.title_id), (byTitle.get(String(e.PAYLOAD.title_id)) ?? 0) + 1);
    const counts = [...byTitle.values()].sort((a, b) => b - a);
    expect(counts[0]).toBeGreaterThan(5 * counts[counts.length - 1]);
  });
});

describe('the demo event producer', () => {
  it('sends through the ingest API, quarantines the malformed lines, and resumes exactly after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'backlot-demo-'));
    dirs.push(dataDir);
    const server = await BacklotServer.start({ dataDir, port: 0, scheduler: false });
    try {
      const client = new IngestClient({ url: server.url, user: 'admin', password: server.adminPassword! });
      const table = 'SONY_DE.RAW.FAN_INTERACTIONS';
      await ensureEventTable(client, table);
      await ensureEventTable(client, table);
      const fast = { sleep: async () => undefined };
      const first = await produceEvents({ client, table, channel: 'demo', generator: { seed: 7 }, batch: 100, limit: 2000, ...fast });
      expect(first).toMatchObject({ resumedAfter: null, lastToken: '19', batches: 20, events: 2000 });
      expect(first.quarantined).toBeGreaterThan(0);
      expect(first.inserted + first.quarantined).toBe(2000);

      // A second run of the same producer continues after batch 19.
      const second = await produceEvents({ client, table, channel: 'demo', generator: { seed: 7 }, batch: 100, limit: 500, ...fast });
      expect(second).toMatchObject({ resumedAfter: '19', lastToken: '24', batches: 5, duplicateBatches: 0 });

      const session = await server.engine.newSession();
      const rows = async (q: string) => (await session.execute(q)).rows;
      expect(await rows('SELECT count(*) FROM sony_de.raw.fan_interactions')).toEqual([[String(first.inserted + second.inserted)]]);
      expect(await rows("SELECT count(*) FROM sony_de.raw.fan_interactions WHERE source <> 'demo' OR ingested_at IS NULL")).toEqual([['0']]);
      expect(await rows("SELECT count(*) FROM sony_de.information_schema.ingest_quarantine WHERE channel_name = 'demo' AND error_code = 'MALFORMED_JSON'")).toEqual([
        [String(first.quarantined + second.quarantined)],
      ]);
      // Every generated good event of batches 0–24 is stored (duplicates of the feed included).
      let expected = 0;
      for (let t = 0; t < 25; t += 1) {
        const b = batchAt({ seed: 7 }, t, 100, AT);
        expected += b.events - b.malformed;
      }
      expect(first.inserted + second.inserted).toBe(expected);
      const kinds = await rows("SELECT payload:account_type::STRING AS k, count(*) > 0 FROM sony_de.raw.fan_interactions GROUP BY k ORDER BY k");
      expect(kinds).toEqual([
        ['guest', true],
        ['verified', true],
      ]);

      // `backlot demo events` is the same producer on the command line.
      const out = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, [join(import.meta.dirname, '..', 'bin', 'backlot.js'), 'demo', 'events', '--server', server.url, '--password', server.adminPassword!, '--events', '200', '--rate', '100000'], {
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        let stdout = '';
        child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
        child.on('exit', (code) => resolve({ code, stdout }));
      });
      expect(out.code).toBe(0);
      expect(out.stdout).toContain("channel 'demo-events'");
      expect(out.stdout).toMatch(/Done: batches 2 \(last token 1\), events 200, inserted \d+, quarantined \d+/);
    } finally {
      await server.stop();
    }
  }, 60_000);
});

/**
 * The demo's live fan-event producer: a client of `backlot start` that sends the generated events
 * (fan-events.ts) through the ingest API at a steady rate, one channel, with the ingest client's
 * retries. It resumes where the channel's last committed offset token says it stopped, and because
 * batch n is always the same events, a restarted producer neither loses nor repeats an event.
 */
import { IngestClient } from '../../ingest/client/ingest-client.ts';
import { batchAt, type GeneratorOptions } from './fan-events.ts';

export const DEFAULT_TABLE = 'SONY_DE.RAW.FAN_INTERACTIONS';

export interface ProducerOptions {
  client: IngestClient;
  table: string;
  channel: string;
  generator: GeneratorOptions;
  /** Events per second (default 200). */
  rate?: number;
  /** Events per batch (default 100). */
  batch?: number;
  /** Stop after this many events in this run (default: until `signal` aborts). */
  limit?: number;
  signal?: AbortSignal;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  onProgress?: (stats: ProducerStats) => void;
}

export interface ProducerStats {
  /** The channel's committed offset token when the producer started (null: a new channel). */
  resumedAfter: string | null;
  lastToken: string | null;
  batches: number;
  events: number;
  inserted: number;
  quarantined: number;
  /** Batches the server had already committed (a retry after a lost acknowledgement). */
  duplicateBatches: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** Creates the bronze table (STUDIO.md: EVENT_ID, PAYLOAD, SOURCE, INGESTED_AT) if it is not there. */
export async function ensureEventTable(client: IngestClient, table: string): Promise<void> {
  const parts = table.split('.');
  if (parts.length !== 3 || !parts.every((p) => NAME.test(p))) throw new Error(`--table must be database.schema.table with plain names; got '${table}'`);
  const [db, schema] = parts;
  for (const sql of [
    `CREATE DATABASE IF NOT EXISTS ${db}`,
    `CREATE SCHEMA IF NOT EXISTS ${db}.${schema}`,
    `CREATE TABLE IF NOT EXISTS ${table} (EVENT_ID VARCHAR NOT NULL, PAYLOAD VARIANT, SOURCE VARCHAR DEFAULT 'api', INGESTED_AT TIMESTAMP_LTZ DEFAULT CURRENT_TIMESTAMP())`,
  ]) {
    await client.request('POST', '/api/v1/statements', JSON.stringify({ sql }));
  }
}

export async function produceEvents(o: ProducerOptions): Promise<ProducerStats> {
  const rate = o.rate ?? 200;
  const size = o.batch ?? 100;
  if (!(rate > 0) || !Number.isInteger(size) || size < 1 || size > 10_000) throw new Error('--rate must be positive and --batch between 1 and 10000');
  const now = o.now ?? (() => new Date());
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const ch = await o.client.openChannel(o.table, o.channel);
  const stats: ProducerStats = { resumedAfter: ch.offsetToken, lastToken: ch.offsetToken, batches: 0, events: 0, inserted: 0, quarantined: 0, duplicateBatches: 0 };
  let token = ch.offsetToken === null ? 0 : Number(ch.offsetToken) + 1;
  const interval = (size / rate) * 1000;
  const start = now().getTime();
  while (!o.signal?.aborted && (o.limit === undefined || stats.events < o.limit)) {
    const wait = start + stats.batches * interval - now().getTime();
    if (wait > 0) await sleep(wait);
    if (o.signal?.aborted) break;
    const n = o.limit === undefined ? size : Math.min(size, o.limit - stats.events);
    // A shorter last batch would change what batch `token` holds: only full batches are sent.
    if (n < size) break;
    const { body } = batchAt(o.generator, token, size, now());
    const r = await ch.append(body, String(token));
    stats.batches += 1;
    stats.events += size;
    stats.inserted += r.inserted;
    stats.quarantined += r.quarantined;
    if (r.duplicate) stats.duplicateBatches += 1;
    stats.lastToken = String(token);
    token += 1;
    o.onProgress?.(stats);
  }
  return stats;
}

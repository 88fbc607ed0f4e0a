/**
 * `backlot demo events`: sends the studio's fan events to a running `backlot start` through the
 * ingest API, steadily, until stopped (SIGINT / SIGTERM) or after --events. The table is created if
 * it does not exist. Progress every few seconds; a restart resumes after the last committed batch.
 */
import { IngestClient } from '../ingest/client/ingest-client.ts';
import { ensureEventTable, produceEvents, type ProducerStats } from './demo/event-producer.ts';

export interface DemoEventsOptions {
  server?: string;
  user: string;
  password?: string;
  table: string;
  channel: string;
  rate: string;
  batch: string;
  events?: string;
  seed: string;
  fans: string;
}

export async function demoEventsCommand(opts: DemoEventsOptions): Promise<number> {
  if (!opts.server || !opts.password) {
    process.stderr.write('backlot demo events needs --server and --password (or BACKLOT_SERVER and BACKLOT_PASSWORD): it sends to a running `backlot start`.\n');
    return 1;
  }
  const numbers = { rate: Number(opts.rate), batch: Number(opts.batch), seed: Number(opts.seed), fans: Number(opts.fans), events: opts.events === undefined ? undefined : Number(opts.events) };
  for (const [k, v] of Object.entries(numbers)) {
    if (v !== undefined && (!Number.isFinite(v) || v < 0)) {
      process.stderr.write(`invalid --${k} ${String(v)}\n`);
      return 1;
    }
  }
  const client = new IngestClient({ url: opts.server.replace(/\/$/, ''), user: opts.user, password: opts.password });
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let lastPrint = Date.now();
  const line = (s: ProducerStats) =>
    `batches ${s.batches} (last token ${s.lastToken}), events ${s.events}, inserted ${s.inserted}, quarantined ${s.quarantined}` +
    (s.duplicateBatches > 0 ? `, already committed ${s.duplicateBatches}` : '');
  try {
    await ensureEventTable(client, opts.table);
    process.stdout.write(`Sending fan events to ${opts.table} on channel '${opts.channel}' at ${numbers.rate}/s (seed ${numbers.seed}); Ctrl-C stops.\n`);
    const stats = await produceEvents({
      client,
      table: opts.table,
      channel: opts.channel,
      generator: { seed: numbers.seed, fans: numbers.fans },
      rate: numbers.rate,
      batch: numbers.batch,
      limit: numbers.events,
      signal: stop.signal,
      onProgress: (s) => {
        if (s.batches === 1) process.stdout.write(s.resumedAfter === null ? 'New channel: starting at batch 0.\n' : `Resuming after committed batch ${s.resumedAfter}.\n`);
        if (Date.now() - lastPrint >= 5000) {
          lastPrint = Date.now();
          process.stdout.write(`${line(s)}\n`);
        }
      },
    });
    process.stdout.write(`Done: ${line(stats)}.\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * The studio's fan-interaction events (STUDIO.md, "Data generator"), deterministic from a seed: the
 * i-th event of a seed is always the same, so a producer that resumes after its last committed
 * offset token re-creates exactly the batches it had not sent. Fans are verified accounts (a tier, a
 * country, an email, a name, a phone) or guest sessions (no personal data); titles follow a
 * long-tailed popularity; event kinds carry what they need (an amount and currency for purchases, a
 * rating for reviews). Like a real feed it also contains what the pipeline's checks must catch: a
 * few malformed lines, unknown country codes, and events sent twice.
 */

export interface Title {
  id: string;
  title: string;
  franchise: string;
  released: string;
  genre: string;
}

/** The studio's catalogue (franchises and titles as the demo knows them). */
export const TITLES: Title[] = [
  { id: 'tt-sm-1', title: 'Spider-Man: Across the Spider-Verse', franchise: 'Spider-Verse', released: '2023-06-02', genre: 'Animation' },
  { id: 'tt-sm-2', title: 'Spider-Man: Into the Spider-Verse', franchise: 'Spider-Verse', released: '2018-12-14', genre: 'Animation' },
  { id: 'tt-sm-3', title: 'Spider-Man: No Way Home', franchise: 'Spider-Man', released: '2021-12-17', genre: 'Action' },
  { id: 'tt-sm-4', title: 'Spider-Man: Far From Home', franchise: 'Spider-Man', released: '2019-07-02', genre: 'Action' },
  { id: 'tt-ve-1', title: 'Venom', franchise: 'Venom', released: '2018-10-05', genre: 'Action' },
  { id: 'tt-ve-2', title: 'Venom: Let There Be Carnage', franchise: 'Venom', released: '2021-10-01', genre: 'Action' },
  { id: 'tt-ve-3', title: 'Venom: The Last Dance', franchise: 'Venom', released: '2024-10-25', genre: 'Action' },
  { id: 'tt-ju-1', title: 'Jumanji: Welcome to the Jungle', franchise: 'Jumanji', released: '2017-12-20', genre: 'Adventure' },
  { id: 'tt-ju-2', title: 'Jumanji: The Next Level', franchise: 'Jumanji', released: '2019-12-13', genre: 'Adventure' },
  { id: 'tt-gb-1', title: 'Ghostbusters: Afterlife', franchise: 'Ghostbusters', released: '2021-11-19', genre: 'Comedy' },
  { id: 'tt-gb-2', title: 'Ghostbusters: Frozen Empire', franchise: 'Ghostbusters', released: '2024-03-22', genre: 'Comedy' },
  { id: 'tt-bb-1', title: 'Bad Boys for Life', franchise: 'Bad Boys', released: '2020-01-17', genre: 'Action' },
  { id: 'tt-bb-2', title: 'Bad Boys: Ride or Die', franchise: 'Bad Boys', released: '2024-06-07', genre: 'Action' },
  { id: 'tt-mib-1', title: 'Men in Black: International', franchise: 'Men in Black', released: '2019-06-14', genre: 'Sci-Fi' },
  { id: 'tt-un-1', title: 'Uncharted', franchise: 'Uncharted', released: '2022-02-18', genre: 'Adventure' },
  { id: 'tt-kk-1', title: 'The Karate Kid', franchise: 'Karate Kid', released: '2010-06-11', genre: 'Drama' },
  { id: 'tt-kk-2', title: 'Karate Kid: Legends', franchise: 'Karate Kid', released: '2025-05-30', genre: 'Drama' },
  { id: 'tt-ze-1', title: 'Zombieland: Double Tap', franchise: 'Zombieland', released: '2019-10-18', genre: 'Comedy' },
  { id: 'tt-bt-1', title: 'Bullet Train', franchise: 'Standalone', released: '2022-08-05', genre: 'Action' },
  { id: 'tt-it-1', title: 'It Ends with Us', franchise: 'Standalone', released: '2024-08-09', genre: 'Drama' },
];

const COUNTRIES: [code: string, currency: string][] = [
  ['US', 'USD'], ['GB', 'GBP'], ['JP', 'JPY'], ['DE', 'EUR'], ['FR', 'EUR'], ['ES', 'EUR'], ['IT', 'EUR'], ['IN', 'INR'],
  ['BR', 'BRL'], ['MX', 'MXN'], ['KR', 'KRW'], ['AU', 'AUD'], ['CA', 'CAD'],
];
/** Local prices are about this many units per USD (so amounts look right in each currency). */
const PER_USD: Record<string, number> = { USD: 1, GBP: 0.79, JPY: 150, EUR: 0.92, INR: 83, BRL: 5, MXN: 17, KRW: 1330, AUD: 1.5, CAD: 1.36 };
const TIERS: [tier: string, weight: number][] = [['free', 55], ['silver', 25], ['gold', 15], ['platinum', 5]];
const KINDS: [kind: string, weight: number][] = [
  ['trailer_view', 45], ['stream', 20], ['share', 12], ['review', 8], ['ticket_purchase', 10], ['merch_purchase', 5],
];
const FIRST = ['Ana', 'Ben', 'Chloe', 'Dev', 'Emi', 'Farah', 'Gus', 'Hana', 'Ivan', 'Jia', 'Kofi', 'Lena', 'Mateo', 'Noor', 'Owen', 'Priya'];
const LAST = ['Silva', 'Okafor', 'Tanaka', 'Müller', 'Dubois', 'García', 'Rossi', 'Sharma', 'Kim', 'Smith', 'Nguyen', 'Cohen'];
const DEVICES = ['ios', 'android', 'web', 'tv', 'console'];

export interface GeneratorOptions {
  seed: number;
  /** Fans in the population (verified and guest), default 5,000. */
  fans?: number;
  /** Share of lines that are not valid JSON (default 0.002). */
  malformed?: number;
  /** Share of events carrying a country code that does not exist (default 0.003). */
  unknownCountry?: number;
  /** Share of events that repeat an earlier event (default 0.005). */
  duplicates?: number;
}

/** mulberry32: a small, fast, well-distributed 32-bit generator; one per event, seeded from (seed, i). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix(seed: number, i: number): number {
  let h = (seed ^ Math.imul(i, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

function weighted<T>(r: number, items: [T, number][]): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let x = r * total;
  for (const [v, w] of items) {
    x -= w;
    if (x < 0) return v;
  }
  return items[items.length - 1][0];
}

/** Zipf-like popularity over the catalogue: the first titles draw most of the attention. */
const POPULARITY: [number, number][] = TITLES.map((_, k) => [k, 1 / Math.pow(k + 1, 1.1)]);

/** A fan's stable attributes: the same fan id always has the same tier, country and contact. */
export function fan(seed: number, id: number): { verified: boolean; tier: string; country: string; currency: string; email: string; name: string; phone: string } {
  const r = random(mix(seed ^ 0x5eed, id));
  const verified = r() < 0.7;
  const [country, currency] = COUNTRIES[Math.floor(r() * COUNTRIES.length)];
  const first = FIRST[Math.floor(r() * FIRST.length)];
  const last = LAST[Math.floor(r() * LAST.length)];
  return {
    verified,
    tier: weighted(r(), TIERS),
    country,
    currency,
    email: `${first}.${last}.${id}@example.com`.toLowerCase(),
    name: `${first} ${last}`,
    phone: `+${1 + Math.floor(r() * 98)} ${String(Math.floor(r() * 1e9)).padStart(9, '0')}`,
  };
}

export interface FanEvent {
  EVENT_ID: string;
  SOURCE: string;
  PAYLOAD: Record<string, unknown>;
}

/**
 * The i-th event (or, for a malformed one, its broken line). `at` is when it happened. A duplicate
 * repeats an event from a few hundred positions earlier, with that event's id.
 */
export function eventAt(o: GeneratorOptions, i: number, at: Date): FanEvent | { malformed: string } {
  const r = random(mix(o.seed, i));
  if (r() < (o.malformed ?? 0.002)) return { malformed: `{"EVENT_ID": "evt-${o.seed}-${i}", "PAYLOAD": {"event_type": "share", "title_id": ` };
  if (i > 500 && r() < (o.duplicates ?? 0.005)) {
    const earlier = eventAt({ ...o, duplicates: 0, malformed: 0 }, i - 1 - Math.floor(r() * 400), at);
    return earlier;
  }
  const fans = o.fans ?? 5000;
  const fanId = 1 + Math.floor(r() * fans);
  const f = fan(o.seed, fanId);
  const title = TITLES[weighted(r(), POPULARITY)];
  const kind = weighted(r(), KINDS);
  const country = r() < (o.unknownCountry ?? 0.003) ? 'XX' : f.country;
  const payload: Record<string, unknown> = {
    event_type: kind,
    occurred_at: at.toISOString(),
    account_type: f.verified ? 'verified' : 'guest',
    session_id: `s-${(mix(o.seed, fanId) % 1_000_000).toString(36)}-${Math.floor(i / 50)}`,
    title_id: title.id,
    title: title.title,
    franchise: title.franchise,
    country,
    device: DEVICES[Math.floor(r() * DEVICES.length)],
  };
  if (f.verified) Object.assign(payload, { fan_id: fanId, tier: f.tier, email: f.email, full_name: f.name, phone: f.phone });
  if (kind === 'ticket_purchase' || kind === 'merch_purchase') {
    const usd = kind === 'ticket_purchase' ? 8 + r() * 17 : 15 + r() * 105;
    const local = usd * PER_USD[f.currency];
    payload.amount = Math.round(local * 100) / 100;
    payload.currency = f.currency;
    payload.quantity = kind === 'ticket_purchase' ? 1 + Math.floor(r() * 4) : 1;
  }
  if (kind === 'review') payload.rating = 1 + Math.floor(r() * 10);
  if (kind === 'stream') payload.watch_seconds = 60 + Math.floor(r() * 7200);
  return { EVENT_ID: `evt-${o.seed}-${i}`, SOURCE: 'demo', PAYLOAD: payload };
}

/** Batch `token` of `size` events as NDJSON: events token·size … token·size + size − 1. */
export function batchAt(o: GeneratorOptions, token: number, size: number, at: Date): { body: string; events: number; malformed: number } {
  const lines: string[] = [];
  let malformed = 0;
  for (let k = 0; k < size; k += 1) {
    const e = eventAt(o, token * size + k, at);
    if ('malformed' in e) {
      malformed += 1;
      lines.push(e.malformed);
    } else {
      lines.push(JSON.stringify(e));
    }
  }
  return { body: lines.join('\n'), events: size, malformed };
}

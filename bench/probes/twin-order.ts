/**
 * Does it matter which of two twin dynamic tables refreshes first after a checkpoint? The bench's
 * scattered-update measurement (10M rows over 100k fans, 10k rows updated at random, SUM/COUNT) with an
 * INCREMENTAL table and its FULL twin; each round updates, checkpoints and refreshes both, in the order
 * `ORDER` says: `inc` (incremental first, the bench's order before the thirteenth session), `full`, or
 * `alt` (taking turns, as bench/dynamic.ts does now). With `alt`, each side's times are also printed
 * split by whether it went first (A: even rounds, incremental first) or second.
 *
 *   ORDER=alt ROUNDS=20 node --liftoff-only --import tsx bench/probes/twin-order.ts
 */
import { withTwins } from './twins.ts';

const ROWS = Number(process.env.ROWS ?? 10_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 15);
const ORDER = process.env.ORDER ?? 'alt';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(1)).join(' ');

await withTwins(ROWS, async ({ s, timed, checkpoint }) => {
  const inc: number[] = [];
  const full: number[] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    await s.execute(`UPDATE plays SET pts = pts + 1 WHERE hash(id, ${i}) % ${Math.round(ROWS / 10_000)} = 0`);
    await checkpoint();
    const fullFirst = ORDER === 'full' || (ORDER === 'alt' && i % 2 === 1);
    if (fullFirst) full.push(await timed('fans_full'));
    inc.push(await timed('fans_inc'));
    if (!fullFirst) full.push(await timed('fans_full'));
  }
  console.log(`order ${ORDER}, ${ROUNDS} rounds`);
  console.log(`incremental ms: ${fmt(inc)}`);
  console.log(`full ms:        ${fmt(full)}`);
  if (ORDER === 'alt') {
    const even = (xs: number[]) => xs.filter((_, k) => k % 2 === 0);
    const odd = (xs: number[]) => xs.filter((_, k) => k % 2 === 1);
    // Round 0 is left out of the split: it is the first refresh of everything.
    console.log(`incremental first ${median(even(inc).slice(1)).toFixed(1)}, second ${median(odd(inc)).toFixed(1)} (medians)`);
    console.log(`full first ${median(odd(full)).toFixed(1)}, second ${median(even(full).slice(1)).toFixed(1)} (medians)`);
  }
  console.log(`median incremental ${median(inc).toFixed(1)} ms, full ${median(full).toFixed(1)} ms, full / incremental ${(median(full) / median(inc)).toFixed(2)}x`);
});

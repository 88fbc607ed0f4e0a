/**
 * Where an incremental refresh through the running aggregate state stops paying against a full one,
 * by the share of rows updated: 10M rows over 100k groups (SUM/COUNT), an INCREMENTAL table and a FULL
 * twin, `PERCENTS` (default 1,5,15,30,40,50,70) of the rows updated at random, two rounds each. The
 * basis of refresh.ts STATE_FULL_REFRESH_SHARE (a full refresh also costs the next refresh a rebuild
 * of the state, about another full refresh: see bench/probes/first-contents.ts at 1208487^).
 *
 *   node --liftoff-only --import tsx bench/probes/adaptive-share.ts
 */
import { withTwins } from './twins.ts';

const PERCENTS = (process.env.PERCENTS ?? '1,5,15,30,40,50,70').split(',').map(Number);

await withTwins(10_000_000, async ({ s, timed, checkpoint }) => {
  let round = 0;
  for (const pct of PERCENTS) {
    for (let r = 0; r < 2; r += 1) {
      round += 1;
      // HASH is signed (as Snowflake's): its absolute value spreads the rows over 0..999.
      await s.execute(`UPDATE plays SET pts = pts + 1 WHERE abs(hash(id, ${round})) % 1000 < ${pct * 10}`);
      await checkpoint();
      const inc = await timed('fans_inc');
      const full = await timed('fans_full');
      console.log(`${pct}% of the rows updated: incremental ${inc.toFixed(0)} ms, full ${full.toFixed(0)} ms`);
    }
  }
});

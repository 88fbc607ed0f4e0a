/**
 * When the soak finds a target short of events, this explains where from the warehouse file itself
 * (opened read-only after the server stopped): the commit log as a timeline, each commit's rows routed
 * into the staging table and the events the vault gained, and the points where the vault stopped
 * keeping up. A failure that happens once in many ten-minute runs must leave enough behind to debug.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';

type Row = Record<string, unknown>;

export async function diagnoseSoak(dataDir: string, staging: string, vault: string): Promise<string> {
  const db = await DuckDBInstance.create(join(dataDir, 'warehouse.duckdb'), { access_mode: 'READ_ONLY' });
  const conn = await db.connect();
  const rows = async (sql: string): Promise<Row[]> => (await conn.runAndReadAll(sql)).getRowObjectsJson() as Row[];
  try {
    const ids = await rows(`SELECT name, id FROM _backlot.objects WHERE kind = 'TABLE' AND dropped_on IS NULL AND name IN ('${staging}', '${vault}')`);
    const idOf = (n: string) => Number(ids.find((r) => r.name === n)?.id);
    const s = idOf(staging);
    const v = idOf(vault);
    const routed = new Map(
      (await rows(`SELECT "_BACKLOT_VERSION" AS ver, count(*) AS n, min("_BACKLOT_ROW_ID") AS lo, max("_BACKLOT_ROW_ID") AS hi FROM _backlot_data."T${s}" GROUP BY 1`)).map((r) => [
        Number(r.ver),
        r,
      ]),
    );
    // Events the vault gained per version: rows that start there minus images that end there.
    const gained = new Map(
      (
        await rows(
          `SELECT ver, sum(e) AS d FROM (SELECT "_BACKLOT_VERSION" AS ver, "EVENTS" AS e FROM _backlot_data."T${v}" ` +
            `UNION ALL SELECT "_BACKLOT_FROM", "EVENTS" FROM _backlot_data."H${v}" UNION ALL SELECT "_BACKLOT_TO", -"EVENTS" FROM _backlot_data."H${v}") GROUP BY 1`,
        )
      ).map((r) => [Number(r.ver), Number(r.d)]),
    );
    const commits = await rows(`SELECT version, row_id_hwm AS hwm, session_id AS session, tables FROM _backlot.commits ORDER BY version`);
    const lines: string[] = [];
    let stagedTotal = 0;
    let vaultTotal = 0;
    let reported = 0;
    const describe = (c: Row) => {
      const ver = Number(c.version);
      const r = routed.get(ver);
      return `v${ver} hwm=${c.hwm} session=${String(c.session).slice(0, 22)} tables=${JSON.stringify(c.tables)}${r ? ` routed=${r.n} ids ${r.lo}..${r.hi}` : ''}${gained.has(ver) ? ` vault+${gained.get(ver)}` : ''}`;
    };
    for (let i = 0; i < commits.length; i += 1) {
      const ver = Number(commits[i].version);
      stagedTotal += Number(routed.get(ver)?.n ?? 0);
      if (!gained.has(ver)) continue;
      vaultTotal += gained.get(ver)!;
      // The graph routes then merges: right after a vault commit nothing routed should be left over.
      const left = stagedTotal - vaultTotal;
      if (left !== 0 && reported < 3) {
        reported += 1;
        lines.push(`after v${ver}: routed ${stagedTotal}, vault ${vaultTotal} (${left} behind); around it:`);
        for (const c of commits.slice(Math.max(0, i - 12), i + 3)) lines.push(`  ${describe(c)}`);
      }
    }
    lines.unshift(`staging rows ${stagedTotal}, vault events ${vaultTotal}, commits ${commits.length}`);
    return lines.join('\n');
  } finally {
    conn.closeSync();
    db.closeSync();
  }
}

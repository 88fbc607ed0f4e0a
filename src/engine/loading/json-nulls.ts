/**
 * STRIP_NULL_VALUES (JSON file format): object fields and array elements whose value is null are
 * removed, at every depth — `{"a":null,"b":{"c":null,"d":1}}` loads as `{"b":{"d":1}}`, `[null]` as
 * `[]`. Parsed with lossless-json so numbers keep their exact text (JSON.parse would round
 * 12345678901234567890 to a double).
 */
import { isLosslessNumber, parse, stringify } from 'lossless-json';
import { duckIdent } from '../../sql/index.ts';
import type { StorageConnection } from '../../storage/index.ts';

function strip(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || isLosslessNumber(v)) return v;
  if (Array.isArray(v)) return v.filter((x) => x !== null).map(strip);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== null) out[k] = strip(x);
  return out;
}

/** The document's text without its null fields and elements; undefined when it is not JSON. */
export function stripNullValues(text: string): string | undefined {
  try {
    return stringify(strip(parse(text))) ?? undefined;
  } catch {
    return undefined;
  }
}

const CHUNK = 10_000;

/**
 * Strips the null values of every document in a temporary table's JSON column, in place. Documents
 * go through Node in chunks (DuckDB has no function for this); a document that does not parse is
 * left as it is for the load to report.
 */
export async function stripNullsInPlace(conn: StorageConnection, table: string, column: string): Promise<void> {
  const stripped = `${table}_nonull`;
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(stripped)} (r BIGINT, v VARCHAR)`);
  try {
    const appender = await conn.raw.createAppender(stripped, 'main', 'temp');
    try {
      for (let from = 0; ; ) {
        const chunk = await conn.query(`SELECT rowid, CAST(${duckIdent(column)} AS VARCHAR) FROM temp.${duckIdent(table)} WHERE rowid >= ${from} ORDER BY rowid LIMIT ${CHUNK}`);
        if (chunk.rows.length === 0) break;
        for (const [rowid, text] of chunk.rows) {
          const v = text === null ? undefined : stripNullValues(String(text));
          if (v === undefined || v === text) continue;
          appender.appendBigInt(BigInt(rowid as number | bigint));
          appender.appendVarchar(v);
          appender.endRow();
        }
        from = Number(chunk.rows[chunk.rows.length - 1][0]) + 1;
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    await conn.run(`UPDATE temp.${duckIdent(table)} AS t SET ${duckIdent(column)} = CAST(s.v AS JSON) FROM temp.${duckIdent(stripped)} AS s WHERE t.rowid = s.r`);
  } finally {
    await conn.run(`DROP TABLE IF EXISTS temp.${duckIdent(stripped)}`);
  }
}

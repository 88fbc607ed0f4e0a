/**
 * RESULT_SCAN: an earlier statement's result, written into a session temporary table so SQL can
 * read it like any relation (SHOW …; SELECT "name" FROM TABLE(RESULT_SCAN(LAST_QUERY_ID()))).
 */
import { duckIdent, duckTypeOf, displayName, type ResolvedRelation } from '../../sql/index.ts';
import type { StorageConnection } from '../../storage/index.ts';
import type { ResultSet } from '../results/result-set.ts';

const BATCH = 200;

export async function materializeResult(conn: StorageConnection, result: ResultSet): Promise<ResolvedRelation> {
  const table = `RESULT_${result.queryId.replace(/-/g, '_')}`;
  const seen = new Map<string, number>();
  const names = result.columns.map((c) => {
    const n = (seen.get(c.name) ?? 0) + 1;
    seen.set(c.name, n);
    return n === 1 ? c.name : `${c.name}_${n}`;
  });
  const duckTypes = result.columns.map((c) => duckTypeOf(c.type));
  const cols = names.map((n, i) => `${duckIdent(n)} ${duckTypes[i]}`).join(', ');
  await conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(table)} (${cols})`);
  const cell = (i: number) => (duckTypes[i] === 'BLOB' ? 'unhex(?)' : `CAST(? AS ${duckTypes[i]})`);
  for (let start = 0; start < result.rows.length; start += BATCH) {
    const rows = result.rows.slice(start, start + BATCH);
    const placeholders = rows.map(() => `(${duckTypes.map((_, i) => cell(i)).join(', ')})`).join(', ');
    const params = rows.flatMap((r) => r.map((v) => (typeof v === 'boolean' || typeof v === 'number' || v === null ? v : String(v))));
    await conn.query(`INSERT INTO temp.${duckIdent(table)} VALUES ${placeholders}`, params);
  }
  return {
    duckSchema: 'temp',
    duckName: table,
    columns: result.columns.map((c, i) => ({ name: names[i], type: c.type })),
    kind: 'RESULT',
    displayName: displayName(['RESULT_SCAN', result.queryId]),
  };
}

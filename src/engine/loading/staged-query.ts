/**
 * Querying staged files: `SELECT $1, $2, METADATA$FILENAME FROM @stage/path (FILE_FORMAT => 'f',
 * PATTERN => '.*[.]csv') t`. Before the query is translated, the files' rows are staged as one
 * temporary table — CSV fields as text columns (as many as the widest record), a JSON document or
 * Parquet row as one VARIANT, then the METADATA$ columns — with the reader COPY transformations use.
 * The tables live until the session's next statement.
 */
import { duckIdent, errors, parseNameString, parseStageLocation, T, objectNameFromParts, type ResolvedRelation, type StagedFilesRef } from '../../sql/index.ts';
import type { Session } from '../session/session.ts';
import type { FileFormat } from './file-format.ts';
import { findFileFormat, stageFormat } from './stage-ddl.ts';
import { filesAt, resolveStage } from './stage-commands.ts';
import { stageRows } from './transform.ts';
import { needsReadableCopy, readableCopy } from './readable-copy.ts';

export function stagedFilesKey(ref: StagedFilesRef): string {
  return JSON.stringify([ref.location, ref.fileFormat ?? null, ref.pattern ?? null]);
}

/** Stages the files a reference names; returns the relation and the temporary tables it made. */
export async function stageFilesForQuery(session: Session, ref: StagedFilesRef, index: number): Promise<{ relation: ResolvedRelation; tables: string[] }> {
  const stage = resolveStage(session, parseStageLocation(ref.location), 'SELECT');
  const format: FileFormat = ref.fileFormat
    ? findFileFormat(session, objectNameFromParts(parseNameString(ref.fileFormat)), 'SELECT').format
    : (stageFormat(session, stage.stage) ?? { type: 'CSV', options: {} });
  const files = filesAt(session, stage, ref.pattern, 'path');
  const prefix = `_bkl_q_${index}`;
  const tables: string[] = [];
  const widths: number[] = [];
  try {
    for (const [k, file] of files.entries()) {
      const t = `${prefix}_${k}`;
      tables.push(t);
      const copy = needsReadableCopy(format, file.path) ? await readableCopy(file, format) : undefined;
      try {
        const staged = await stageRows(session, copy?.file ?? file, stage.listPrefix + file.path, copy?.format ?? format, t);
        widths.push(staged.columns.length - 2);
      } catch (e) {
        throw errors.userError('100069', '22000', `Error reading ${stage.listPrefix}${file.path}: ${String((e as Error).message).split('\n')[0]}`);
      } finally {
        copy?.remove();
      }
    }
    // One relation over all the files: the widest record's fields, NULL where a file has fewer.
    const width = Math.max(1, ...widths);
    const fieldType = format.type === 'CSV' ? T.varchar() : T.variant();
    const all = `${prefix}_all`;
    const selects = tables.map(
      (t, k) =>
        `SELECT ${Array.from({ length: width }, (_, j) => (j < widths[k] ? `c${j + 1}` : `CAST(NULL AS ${format.type === 'CSV' ? 'VARCHAR' : 'JSON'}) AS c${j + 1}`)).join(', ')}, ` +
        `"METADATA$FILENAME", "METADATA$FILE_ROW_NUMBER" FROM temp.${duckIdent(t)}`,
    );
    const empty = `SELECT ${Array.from({ length: width }, (_, j) => `CAST(NULL AS ${format.type === 'CSV' ? 'VARCHAR' : 'JSON'}) AS c${j + 1}`).join(', ')}, CAST(NULL AS VARCHAR) AS "METADATA$FILENAME", CAST(NULL AS BIGINT) AS "METADATA$FILE_ROW_NUMBER" LIMIT 0`;
    await session.conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(all)} AS ${selects.length > 0 ? selects.join(' UNION ALL ') : empty}`);
    tables.push(all);
    return {
      tables,
      relation: {
        duckSchema: 'temp',
        duckName: all,
        columns: [
          ...Array.from({ length: width }, (_, j) => ({ name: `c${j + 1}`, type: fieldType })),
          { name: 'METADATA$FILENAME', type: T.varchar() },
          { name: 'METADATA$FILE_ROW_NUMBER', type: T.number() },
        ],
        kind: 'TABLE',
        displayName: ref.location.slice(1).split('/')[0] || ref.location,
      },
    };
  } catch (e) {
    for (const t of tables) await session.conn.run(`DROP TABLE IF EXISTS temp.${duckIdent(t)}`).catch(() => undefined);
    throw e;
  }
}

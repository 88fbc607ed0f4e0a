/**
 * What one statement returns: its query id, columns with Snowflake types, rows, and for DML the row
 * counts. DDL and other commands return Snowflake's own one-row results (`status`,
 * `number of rows inserted`, …), built here so their texts live in one place.
 */
import { T, type SfType } from '../../sql/index.ts';
import type { ResultColumn, Value } from './values.ts';

export interface DmlStats {
  inserted?: number;
  updated?: number;
  deleted?: number;
}

export interface ResultSet {
  queryId: string;
  columns: ResultColumn[];
  rows: Value[][];
  /** Snowflake's statement type for history: SELECT, INSERT, CREATE_TABLE, SHOW … */
  statementType: string;
  stats?: DmlStats;
}

export type ResultBody = Omit<ResultSet, 'queryId'>;

export function table(columns: [string, SfType][], rows: Value[][], statementType: string): ResultBody {
  return { columns: columns.map(([name, type]) => ({ name, type })), rows, statementType };
}

/** `status` = message, as CREATE/DROP/ALTER/USE return. */
export function status(message: string, statementType: string): ResultBody {
  return table([['status', T.varchar()]], [[message]], statementType);
}

export function rowsInserted(n: number): ResultBody {
  return { ...table([['number of rows inserted', T.number()]], [[String(n)]], 'INSERT'), stats: { inserted: n } };
}

export function rowsUpdated(n: number, multiJoined = 0): ResultBody {
  return {
    ...table(
      [
        ['number of rows updated', T.number()],
        ['number of multi-joined rows updated', T.number()],
      ],
      [[String(n), String(multiJoined)]],
      'UPDATE',
    ),
    stats: { updated: n },
  };
}

export function rowsDeleted(n: number): ResultBody {
  return { ...table([['number of rows deleted', T.number()]], [[String(n)]], 'DELETE'), stats: { deleted: n } };
}

/** MERGE reports one column per kind of clause present. */
export function mergeResult(kinds: { insert: boolean; update: boolean; delete: boolean }, counts: DmlStats): ResultBody {
  const cols: [string, SfType][] = [];
  const row: Value[] = [];
  if (kinds.insert) {
    cols.push(['number of rows inserted', T.number()]);
    row.push(String(counts.inserted ?? 0));
  }
  if (kinds.update) {
    cols.push(['number of rows updated', T.number()]);
    row.push(String(counts.updated ?? 0));
  }
  if (kinds.delete) {
    cols.push(['number of rows deleted', T.number()]);
    row.push(String(counts.deleted ?? 0));
  }
  return { ...table(cols, [row], 'MERGE'), stats: counts };
}

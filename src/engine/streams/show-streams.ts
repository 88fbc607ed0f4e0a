/**
 * SHOW [TERSE] STREAMS and DESCRIBE STREAM with Snowflake's columns (semantics §1.9): the source,
 * mode, whether the stream is stale and when it will be.
 */
import { T, type ShowStatement } from '../../sql/index.ts';
import type { ObjectEntry } from '../../storage/index.ts';
import { objectsIn, ts, type Located } from '../metadata/show.ts';
import { applyShowFilters } from '../metadata/show-filters.ts';
import { table, type ResultBody } from '../results/result-set.ts';
import type { Value } from '../results/values.ts';
import type { Session } from '../session/session.ts';

const STR = T.varchar();
const TS = T.timestampLtz();

const COLUMNS: [string, typeof STR][] = [
  ['created_on', TS],
  ['name', STR],
  ['database_name', STR],
  ['schema_name', STR],
  ['owner', STR],
  ['comment', STR],
  ['table_name', STR],
  ['source_type', STR],
  ['base_tables', STR],
  ['type', STR],
  ['stale', STR],
  ['mode', STR],
  ['stale_after', TS],
  ['invalid_reason', STR],
  ['owner_role_type', STR],
];

export function showStreams(session: Session, stmt: ShowStatement): ResultBody {
  const found = applyShowFilters(objectsIn(session, stmt, ['STREAM']), (l) => l.object.name, stmt);
  if (stmt.terse) {
    return table(
      [['created_on', TS], ['name', STR], ['kind', STR], ['database_name', STR], ['schema_name', STR], ['tableOn', STR]],
      found.map((l) => [ts(session, l.object.createdOn), l.object.name, 'DELTA', l.database.name, l.schema.name, sourceName(session, l.object)]),
      'SHOW',
    );
  }
  return table(COLUMNS, found.map((l) => streamRow(session, l)), 'SHOW');
}

export function describeStream(session: Session, located: Located): ResultBody {
  return table(COLUMNS, [streamRow(session, located)], 'DESCRIBE');
}

function streamRow(session: Session, { database, schema, object: o }: Located): Value[] {
  const streams = session.engine.streams;
  const broken = streams.source(o) === undefined;
  return [
    ts(session, o.createdOn),
    o.name,
    database.name,
    schema.name,
    o.owner,
    o.comment ?? '',
    sourceName(session, o),
    o.properties.SOURCE_TYPE ?? 'Table',
    o.properties.SOURCE_TYPE === 'View' ? (o.properties.BASE_TABLES ?? '') : '',
    'DELTA',
    streams.isStale(o) ? 'true' : 'false',
    o.properties.MODE ?? 'DEFAULT',
    broken ? null : ts(session, streams.staleAfter(o)),
    broken ? 'Base table dropped' : 'N/A',
    'ROLE',
  ];
}

/** The fully qualified source name: current (it follows renames), or as it was when dropped. */
function sourceName(session: Session, o: ObjectEntry): string {
  return session.engine.streams.sourceName(o);
}

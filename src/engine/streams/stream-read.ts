/**
 * Reading a stream: the net (or append-only) change set of its source from the offset to the
 * reading transaction's start — so every read inside one transaction sees the same rows — with the
 * three METADATA$ columns. The relation carries the stream's id and read version; a DML statement
 * that reads it moves the offset there when its transaction commits.
 */
import { displayName, errors, type ResolvedRelation } from '../../sql/index.ts';
import type { ObjectEntry } from '../../storage/index.ts';
import type { Resolver, ResolvedPath } from '../session/resolver.ts';
import type { Session } from '../session/session.ts';
import { changeSet, seededAppends } from '../versioning/time-travel.ts';
import { requireSource } from './stream-ddl.ts';
import { viewChangeSet } from './view-streams.ts';

/** Row ids above every allocated one: "up to now" for append-only change sets. */
const NO_LIMIT = Number.MAX_SAFE_INTEGER;

export function streamRelation(session: Session, resolver: Resolver, path: ResolvedPath, stream: ObjectEntry): ResolvedRelation {
  const engine = session.engine;
  const name = displayName([path.database.name, path.schema.name, stream.name]);
  const source = requireSource(session, stream);
  if (engine.streams.isStale(stream)) throw errors.streamStale(name, engine.streams.staleAfter(stream).toISOString());
  const state = engine.streams.state(stream.id);
  const readVersion = session.transactionStartVersion ?? engine.writes.latest;
  const sourcePath = pathOf(session, source);
  const appendOnly = stream.properties.MODE !== 'DEFAULT';
  const fromVersion = Math.min(state.offsetVersion, readVersion);
  if (source.kind === 'VIEW') {
    const rel = viewChangeSet(session, stream, source, sourcePath, state.initialPending ? -1 : fromVersion, readVersion);
    return { ...rel, displayName: name, stream: { id: stream.id, readVersion } };
  }
  const table = resolver.relationOf(sourcePath, source);
  let rel: ResolvedRelation;
  if (appendOnly && state.initialPending) {
    rel = seededAppends(source, table, fromVersion, state.offsetHwm, readVersion);
  } else if (state.initialPending) {
    // The first read returns what is there as inserts: the net change from an empty table.
    rel = changeSet(source, table, { fromVersion: -1, toVersion: readVersion, fromHwm: -1, toHwm: NO_LIMIT }, false);
  } else {
    rel = changeSet(source, table, { fromVersion, toVersion: readVersion, fromHwm: state.offsetHwm, toHwm: NO_LIMIT }, appendOnly);
  }
  return { ...rel, kind: 'STREAM', displayName: name, stream: { id: stream.id, readVersion } };
}

function pathOf(session: Session, o: ObjectEntry): ResolvedPath {
  const schema = session.engine.catalog.schemas.get(o.schemaId)!;
  const database = session.engine.catalog.databases.get(schema.databaseId)!;
  return { database, schema, name: o.name };
}


/**
 * CREATE [OR REPLACE] STREAM, ALTER STREAM and the stream side of DROP (semantics §1.1). Creating a
 * stream turns change tracking on for its source; the new offset is now, an AT | BEFORE point, or
 * another stream's offset (AT (STREAM => …), CLONE).
 */
import {
  displayName,
  errors,
  objectNameFromParts,
  parseNameString,
  quoteIdentifier,
  translateHistoryPoint,
  type AlterStreamStatement, type CreateStreamStatement, type ObjectName } from '../../sql/index.ts';
import type { ObjectEntry } from '../../storage/index.ts';
import { clonePoint } from '../ddl/clone.ts';
import { ddlTransaction } from '../ddl/ddl-transaction.ts';
import { status, type ResultBody } from '../results/result-set.ts';
import type { Session } from '../session/session.ts';
import { checkAvailable } from '../versioning/time-travel.ts';
import type { StreamState } from './registry.ts';
import { viewBaseTables } from './view-streams.ts';

export async function createStream(session: Session, stmt: CreateStreamStatement): Promise<ResultBody> {
  const engine = session.engine;
  const resolver = session.resolver;
  const path = resolver.path(stmt.name, 'CREATE STREAM');
  const full = displayName([path.database.name, path.schema.name, path.name]);
  const existing = engine.catalog.findObject(path.schema.id, path.name, ['TABLE', 'VIEW', 'STREAM']);
  if (existing && stmt.ifNotExists) return status(`${quoteIdentifier(path.name)} already exists, statement succeeded.`, 'CREATE');
  if (existing && !stmt.orReplace) throw errors.alreadyExists('Object', full);
  if (existing && existing.kind !== 'STREAM') throw errors.invalidOperation(`Object '${full}' already exists as ${existing.kind}.`);

  const now = engine.clock.now();
  let source: ObjectEntry;
  let state: StreamState;
  let mode: 'DEFAULT' | 'APPEND_ONLY' | 'INSERT_ONLY';
  let baseTables: ObjectEntry[] = [];
  if (stmt.clone) {
    const other = streamByName(session, stmt.clone);
    source = requireSource(session, other);
    if (source.kind === 'VIEW') baseTables = viewBaseTables(session, source);
    state = { ...engine.streams.state(other.id) };
    mode = other.properties.MODE as typeof mode;
  } else {
    const src = stmt.source!;
    const label = src.kind === 'VIEW' ? 'View' : src.kind === 'DYNAMIC TABLE' ? 'Dynamic table' : 'Table';
    source = resolver.require(src.name, src.kind === 'VIEW' ? ['VIEW'] : ['TABLE'], label, 'CREATE STREAM').object;
    // A dynamic table is a versioned table like any other; the stream reads its refreshes' changes.
    if (src.kind === 'DYNAMIC TABLE' && source.properties.DYNAMIC !== 'true') {
      throw errors.wrongObjectType(pathOf(session, source), 'TABLE', 'DYNAMIC_TABLE');
    }
    if (source.temporary) throw errors.unsupported('streams on temporary tables and views');
    if (stmt.insertOnly) throw errors.invalidOperation('INSERT_ONLY streams are only supported on external tables; use APPEND_ONLY = TRUE.');
    if (src.kind === 'VIEW') {
      if (stmt.appendOnly) throw errors.unsupported('APPEND_ONLY streams on views');
      baseTables = viewBaseTables(session, source);
    }
    mode = stmt.appendOnly ? 'APPEND_ONLY' : 'DEFAULT';
    let offset = engine.writes.latest;
    if (stmt.at?.by === 'STREAM') {
      const point = translateHistoryPoint(stmt.at, session.translateContext());
      const other = streamByName(session, objectNameFromParts(parseNameString(point.valueSql)));
      if (Number(other.properties.SOURCE_ID) !== source.id) {
        throw errors.invalidOperation(`Stream '${other.name}' is not on table '${source.name}'; AT (STREAM => …) needs a stream on the same table.`);
      }
      offset = engine.streams.state(other.id).offsetVersion;
    } else if (stmt.at) {
      const p = await clonePoint(session, stmt.at);
      for (const t of source.kind === 'VIEW' ? baseTables : [source]) checkAvailable(session, t, p.point);
      // AT includes changes committed at the point; BEFORE is the point just before it.
      offset = p.point.before;
    }
    state = { offsetVersion: offset, offsetHwm: await engine.commits.hwmAt(session.conn, offset), initialPending: stmt.showInitialRows, consumedMs: now.getTime() };
  }

  const id = await ddlTransaction(session, async (change, when) => {
    if (existing) {
      await change.removeObject(existing.id);
      await session.conn.run(engine.streams.deleteSql(existing.id));
    }
    // The first stream switches change tracking on: for a view, on the view and its tables.
    for (const o of [source, ...baseTables]) {
      const current = session.engine.catalog.objects.get(o.id) ?? o;
      if (current.properties.CHANGE_TRACKING !== 'true') {
        await change.putObject({ ...current, properties: { ...current.properties, CHANGE_TRACKING: 'true' } });
      }
    }
    const newId = await change.nextId();
    const sourcePath = pathOf(session, source);
    await change.putObject({
      id: newId,
      schemaId: path.schema.id,
      name: path.name,
      kind: 'STREAM',
      duckName: '',
      createdOn: when,
      lastAltered: when,
      owner: session.role,
      comment: stmt.properties.COMMENT?.text ?? null,
      properties: {
        SOURCE_ID: String(source.id),
        SOURCE_TYPE: source.kind === 'VIEW' ? 'View' : 'Table',
        ...(source.kind === 'VIEW'
          ? { BASE_TABLE_IDS: baseTables.map((t) => t.id).join(','), BASE_TABLES: baseTables.map((t) => pathOf(session, t)).join(', ') }
          : {}),
        TABLE_NAME: sourcePath,
        MODE: mode,
        SHOW_INITIAL_ROWS: String(stmt.showInitialRows),
      },
      definition: null,
      columns: [],
      droppedOn: null,
      temporary: false,
    });
    await session.conn.run(engine.streams.insertSql(newId, state));
    return newId;
  });
  if (existing) engine.streams.set(existing.id, undefined);
  engine.streams.set(id, state);
  return status(`Stream ${quoteIdentifier(path.name)} successfully created.`, 'CREATE');
}

export async function alterStream(session: Session, stmt: AlterStreamStatement): Promise<ResultBody> {
  let stream: ObjectEntry;
  try {
    stream = streamByName(session, stmt.name);
  } catch (e) {
    if (stmt.ifExists) return status('Statement executed successfully.', 'ALTER');
    throw e;
  }
  await ddlTransaction(session, (change, now) => change.putObject({ ...stream, comment: stmt.comment, lastAltered: now }));
  return status('Statement executed successfully.', 'ALTER');
}

/** A stream by name (002003 when there is none). */
export function streamByName(session: Session, name: ObjectName): ObjectEntry {
  return session.resolver.require(name, ['STREAM'], 'Stream', 'STREAM').object;
}

/** The stream's live source, or Snowflake's error for a dropped or replaced one. */
export function requireSource(session: Session, stream: ObjectEntry): ObjectEntry {
  const src = session.engine.streams.source(stream);
  if (!src) throw errors.streamSourceDropped(session.engine.streams.sourceName(stream), stream.name);
  return src;
}

function pathOf(session: Session, o: ObjectEntry): string {
  const schema = session.engine.catalog.schemas.get(o.schemaId)!;
  const db = session.engine.catalog.databases.get(schema.databaseId)!;
  return displayName([db.name, schema.name, o.name]);
}

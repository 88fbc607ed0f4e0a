/**
 * CREATE TABLE | SCHEMA | DATABASE … CLONE [AT | BEFORE (…)]. A clone is a new table filled with its
 * source's rows as of a version, keeping their row ids (Snowflake's clones share row identity with
 * their source). Schema and database clones copy every table, view and sequence inside; tables that
 * did not exist yet at the requested point are left out.
 */
import { clonedProperties, recordClone } from '../dynamic/dt-clone.ts';
import { duckIdent, errors, translateHistoryPoint, type ObjectName, type TimeTravelClause } from '../../sql/index.ts';
import { copyRows, DATA_SCHEMA, versionedTable, type CatalogChange, type ObjectEntry, type PendingWrite, type SchemaEntry } from '../../storage/index.ts';
import { setStatementTime } from '../query/query.ts';
import type { Session } from '../session/session.ts';
import { checkAvailable, evaluatePoint, type EvaluatedPoint } from '../versioning/time-travel.ts';
import { contextAt, createPhysicalTable, tableViewDdl, viewDdl } from './physical.ts';

export interface ClonePoint {
  point: EvaluatedPoint;
  version: number;
}

/** Evaluates a clone's AT | BEFORE clause (before the DDL transaction starts). */
export async function clonePoint(session: Session, clause: TimeTravelClause): Promise<ClonePoint> {
  const point = translateHistoryPoint(clause, session.translateContext());
  if (point.kind === 'STREAM') throw errors.syntaxMessage('STREAM => is only allowed in CREATE STREAM and the CHANGES clause.');
  await setStatementTime(session);
  const evaluated = await evaluatePoint(session, point);
  return { point: evaluated, version: point.mode === 'BEFORE' ? evaluated.before : evaluated.at };
}

/** The version a table clone reads its source at, checked against the source's retention. */
export async function cloneVersion(session: Session, source: ObjectName, clause: TimeTravelClause): Promise<number> {
  const { object } = session.resolver.require(source, ['TABLE'], 'Table', 'CREATE TABLE');
  const p = await clonePoint(session, clause);
  checkAvailable(session, object, p.point);
  return p.version;
}

/** Copies the live objects of schema `from` into the new schema `to`. */
export async function cloneSchemaObjects(
  session: Session,
  change: CatalogChange,
  write: PendingWrite,
  from: SchemaEntry,
  to: SchemaEntry,
  at: ClonePoint | undefined,
  now: Date,
): Promise<void> {
  const catalog = session.engine.catalog;
  const conn = session.conn;
  const ctx = contextAt(session, catalog, to);
  const objects = catalog.objectsOf(from.id);
  const copy = async (o: ObjectEntry, fields: Partial<ObjectEntry>): Promise<ObjectEntry> => {
    const id = await change.nextId();
    return { ...o, id, schemaId: to.id, createdOn: now, lastAltered: now, owner: session.role, droppedOn: null, ...fields };
  };
  const clonedDynamic: ObjectEntry[] = [];
  for (const o of objects.filter((x) => x.kind === 'TABLE')) {
    if (at && at.point.epochMs < o.createdOn.getTime()) continue;
    if (at) checkAvailable(session, o, at.point);
    const entry = await copy(o, { columns: o.columns.map((c) => ({ ...c, identity: null })) });
    // A cloned dynamic table starts suspended (semantics §3.1); it refreshes once someone resumes it.
    if (o.properties.DYNAMIC === 'true') {
      entry.properties = clonedProperties(o.properties, now);
      clonedDynamic.push(entry);
    }
    entry.duckName = `T${entry.id}`;
    await createPhysicalTable(conn, entry, ctx);
    await copyRows(conn, versionedTable(o), versionedTable(entry), at?.version, write);
    await conn.run(tableViewDdl(to, entry));
    await change.putObject(entry);
  }
  for (const o of objects.filter((x) => x.kind === 'SEQUENCE')) {
    if (at && at.point.epochMs < o.createdOn.getTime()) continue;
    const entry = await copy(o, {});
    entry.duckName = `S${entry.id}`;
    const next = await nextSequenceValue(session, o);
    await conn.run(`CREATE SEQUENCE ${DATA_SCHEMA}.${duckIdent(entry.duckName)} START WITH ${next} INCREMENT BY ${o.properties.INCREMENT ?? 1}`);
    await change.putObject(entry);
  }
  // Views last: unqualified names in their bodies now resolve to the cloned tables.
  for (const o of objects.filter((x) => x.kind === 'VIEW')) {
    if (at && at.point.epochMs < o.createdOn.getTime()) continue;
    const entry = await copy(o, {});
    try {
      await conn.run(viewDdl(to, entry, ctx));
    } catch {
      /* a view that no longer compiles is cloned as it is: it fails when queried, as in Snowflake */
    }
    await change.putObject(entry);
  }
  // Last, once the views they may read exist: each cloned dynamic table's first graph-history row.
  for (const entry of clonedDynamic) await recordClone(session, entry, now);
}

/** The value a sequence hands out next (a cloned sequence continues from there). */
async function nextSequenceValue(session: Session, o: ObjectEntry): Promise<number> {
  const rows = await session.conn.rows(
    `SELECT coalesce(last_value + increment_by, start_value) AS n FROM duckdb_sequences() WHERE schema_name = '${DATA_SCHEMA}' AND sequence_name = '${o.duckName}'`,
  );
  return Number(rows[0]?.n ?? o.properties.START ?? 1);
}

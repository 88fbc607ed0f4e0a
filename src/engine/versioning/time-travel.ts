/**
 * AT | BEFORE and CHANGES on tables: turning a point (a timestamp, an offset, a statement) into a
 * version, checking it against the table's creation and retention (error 000707), and reading the
 * table through its versioned macros.
 *
 * Translation is synchronous but evaluating a point needs the database, so the translate context
 * throws NeedsPoint for a point it has not seen; the engine evaluates it and translates again (as it
 * does for RESULT_SCAN). Evaluated points live for one statement.
 */
import { errors, type ResolvedRelation, type TimeTravelPoint, T } from '../../sql/index.ts';
import { macroName, METADATA_COLUMNS, physicalSchema, type MacroKind, type ObjectEntry } from '../../storage/index.ts';
import type { Resolver, ResolvedPath } from '../session/resolver.ts';
import type { Session } from '../session/session.ts';
import { DAY_MS, retentionDays } from './retention.ts';

export class NeedsPoint extends Error {
  constructor(readonly point: TimeTravelPoint) {
    super(`time travel point ${point.kind} must be evaluated`);
  }
}

/** A point as versions: `at` includes what committed at the point, `before` excludes it. */
export interface EvaluatedPoint {
  /** When the point is, for the creation and retention checks. */
  epochMs: number;
  at: number;
  before: number;
  /** Row-id high-water marks at those versions (for append-only change sets). */
  hwmAt: number;
  hwmBefore: number;
}

export function pointKey(p: TimeTravelPoint): string {
  return `${p.kind}\u0001${p.valueSql}`;
}

export async function evaluatePoint(session: Session, p: TimeTravelPoint): Promise<EvaluatedPoint> {
  const versions = await pointVersions(session, p);
  const hwm = (v: number) => session.engine.commits.hwmAt(session.conn, v);
  return { ...versions, hwmAt: await hwm(versions.at), hwmBefore: await hwm(versions.before) };
}

async function pointVersions(session: Session, p: TimeTravelPoint): Promise<Pick<EvaluatedPoint, 'epochMs' | 'at' | 'before'>> {
  const engine = session.engine;
  switch (p.kind) {
    case 'STATEMENT': {
      const v = await engine.history.statementVersions(p.valueSql);
      if (!v) throw errors.statementNotFound(p.valueSql);
      return { epochMs: v.endTime.getTime(), at: v.versionAfter, before: v.versionBefore };
    }
    case 'TIMESTAMP':
    case 'OFFSET': {
      const r = await session.conn.query(p.valueSql);
      const value = r.rows[0]?.[0];
      if (value === null || value === undefined) throw errors.invalidArgument(p.kind, `${p.kind} => evaluated to NULL`);
      const epochMs = p.kind === 'TIMESTAMP' ? Number(value) : engine.clock.now().getTime() + Number(value) * 1000;
      if (!Number.isFinite(epochMs)) throw errors.invalidArgument(p.kind, `${p.kind} => is not a valid point in time`);
      return {
        epochMs,
        at: await engine.commits.versionAt(session.conn, epochMs),
        before: await engine.commits.versionAt(session.conn, epochMs, true),
      };
    }
    case 'STREAM':
      throw errors.unsupported('STREAM => (streams arrive with the streams release)');
  }
}

/** Raises 000707 when the point is before the table existed or outside its retention window. */
export function checkAvailable(session: Session, object: ObjectEntry, point: EvaluatedPoint): void {
  const now = session.engine.clock.now().getTime();
  const oldest = now - retentionDays(session.engine, object) * DAY_MS;
  if (point.epochMs < object.createdOn.getTime() || point.epochMs < oldest) throw errors.timeTravelUnavailable(object.name);
}

function tableAt(session: Session, resolver: Resolver, parts: string[]): { path: ResolvedPath; object: ObjectEntry } {
  const found = resolver.require(resolverName(parts), ['TABLE', 'VIEW'], 'Object', 'SELECT');
  if (found.object.kind === 'VIEW') throw errors.unsupported('AT | BEFORE and CHANGES on a view (use them on its tables)');
  return found;
}

function resolverName(parts: string[]) {
  if (parts.length === 1) return { name: parts[0] };
  if (parts.length === 2) return { schema: parts[0], name: parts[1] };
  return { database: parts[0], schema: parts[1], name: parts[2] };
}

function evaluated(session: Session, p: TimeTravelPoint): EvaluatedPoint {
  const e = session.points.get(pointKey(p));
  if (!e) throw new NeedsPoint(p);
  return e;
}

function macro(object: ObjectEntry, kind: MacroKind): string {
  return `${physicalSchema(object)}.${macroName(object.id, kind)}`;
}

/** `t AT | BEFORE (…)`: the table's rows as of the point, in its current definition. */
export function timeTravelRelation(session: Session, resolver: Resolver, parts: string[], p: TimeTravelPoint): ResolvedRelation {
  const { path, object } = tableAt(session, resolver, parts);
  if (p.kind === 'STREAM') throw errors.syntaxMessage('STREAM => is only allowed in CREATE STREAM and the CHANGES clause.');
  const point = evaluated(session, p);
  checkAvailable(session, object, point);
  const version = p.mode === 'BEFORE' ? point.before : point.at;
  return { ...resolver.relationOf(path, object), tableFunction: { macro: macro(object, 'AT'), args: [version] } };
}

/**
 * `t CHANGES (INFORMATION => …) AT | BEFORE (…) [END (…)]`: the net (or append-only) change set
 * from the start point — changes committed at the point included — to the end point or now.
 */
export function changesRelation(
  session: Session,
  resolver: Resolver,
  parts: string[],
  appendOnly: boolean,
  from: TimeTravelPoint,
  to: TimeTravelPoint | undefined,
): ResolvedRelation {
  const { path, object } = tableAt(session, resolver, parts);
  // A dynamic table's history is always kept: its refreshes are what downstream tables read.
  if (object.properties.CHANGE_TRACKING !== 'true' && object.properties.DYNAMIC !== 'true') {
    throw errors.userError(
      '000707',
      '02000',
      `Change tracking is not enabled or has been missing for the time range requested on table '${object.name}'. Run ALTER TABLE … SET CHANGE_TRACKING = TRUE first.`,
    );
  }
  const start = evaluated(session, from);
  checkAvailable(session, object, start);
  let v2 = session.engine.commits.latest;
  // Up to now: every row id visible in a committed version qualifies.
  let h2 = Number.MAX_SAFE_INTEGER;
  if (to) {
    const end = evaluated(session, to);
    checkAvailable(session, object, end);
    v2 = end.at;
    h2 = end.hwmAt;
  }
  const v1 = Math.min(start.before, v2);
  const h1 = Math.min(start.hwmBefore, h2);
  return changeSet(object, resolver.relationOf(path, object), { fromVersion: v1, toVersion: v2, fromHwm: h1, toHwm: h2 }, appendOnly);
}

/** A version interval of a table's history: changes after `fromVersion` up to `toVersion`. */
export interface ChangeRange {
  fromVersion: number;
  toVersion: number;
  /** Row-id high-water marks at both ends (append-only change sets). */
  fromHwm: number;
  toHwm: number;
}

/**
 * The change set of a table over a range, as a relation: the table's columns plus METADATA$ACTION,
 * METADATA$ISUPDATE and METADATA$ROW_ID. Net (standard-stream rules) or append-only. The CHANGES
 * clause reads it; streams and dynamic-table refreshes read it the same way.
 */
export function changeSet(object: ObjectEntry, table: ResolvedRelation, range: ChangeRange, appendOnly: boolean): ResolvedRelation {
  const columns = withMetadata(table);
  const tableFunction = appendOnly
    ? { macro: macro(object, 'APPENDS'), args: [range.fromHwm, range.toHwm, range.fromVersion, range.toVersion] }
    : { macro: macro(object, 'CHANGES'), args: [range.fromVersion, range.toVersion] };
  return { ...table, columns, tableFunction };
}

/**
 * An append-only stream's first read with SHOW_INITIAL_ROWS: the rows present at `fromVersion` as
 * inserts, then the rows appended since.
 */
export function seededAppends(object: ObjectEntry, table: ResolvedRelation, fromVersion: number, fromHwm: number, toVersion: number): ResolvedRelation {
  return { ...table, columns: withMetadata(table), tableFunction: { macro: macro(object, 'SEEDED'), args: [fromVersion, fromHwm, toVersion] } };
}

function withMetadata(table: ResolvedRelation): ResolvedRelation['columns'] {
  return [
    ...table.columns,
    { name: METADATA_COLUMNS[0], type: T.varchar() },
    { name: METADATA_COLUMNS[1], type: T.boolean() },
    { name: METADATA_COLUMNS[2], type: T.varchar() },
  ];
}

/**
 * Stream offsets (semantics §1.2–1.8). A stream is a catalog object (kind STREAM) naming its source;
 * its offset — a version of the source's history — lives in `_backlot.stream_offsets` and here in
 * memory. The offset moves only when a transaction whose DML read the stream commits: the engine
 * writes the new offset inside that transaction, so a rollback keeps the old one.
 *
 * Staleness: a stream must be consumed within max(DATA_RETENTION_TIME_IN_DAYS,
 * MAX_DATA_EXTENSION_TIME_IN_DAYS) of its last consumption; until then its source keeps the history
 * it needs (the registry is the engine's RetentionPins).
 */
import { SYSTEM_SCHEMA, type ObjectEntry, type StorageConnection } from '../../storage/index.ts';
import type { Engine } from '../engine.ts';
import { DAY_MS, maxExtensionDays, retentionDays, type RetentionPins } from '../versioning/retention.ts';

const S = SYSTEM_SCHEMA;

export interface StreamState {
  /** Changes after this version are the stream's contents. */
  offsetVersion: number;
  /** Row-id high-water mark at the offset (append-only streams). */
  offsetHwm: number;
  /** SHOW_INITIAL_ROWS: the first consumption still has to return the rows present at creation. */
  initialPending: boolean;
  /** When the stream was created or last consumed (epoch ms); staleness counts from here. */
  consumedMs: number;
}

export class StreamRegistry implements RetentionPins {
  private readonly states = new Map<number, StreamState>();

  constructor(private readonly engine: Engine) {}

  async load(conn: StorageConnection): Promise<void> {
    this.states.clear();
    for (const r of await conn.rows(`SELECT * FROM ${S}.stream_offsets`)) this.states.set(Number(r.stream_id), stateOf(r));
  }

  /** Re-reads the offsets of some streams (after a commit moved them). */
  async refresh(conn: StorageConnection, ids: number[]): Promise<void> {
    if (ids.length === 0) return;
    for (const r of await conn.rows(`SELECT * FROM ${S}.stream_offsets WHERE stream_id IN (${ids.map((i) => Math.trunc(i)).join(', ')})`)) {
      this.states.set(Number(r.stream_id), stateOf(r));
    }
  }

  state(streamId: number): StreamState {
    const s = this.states.get(streamId);
    if (!s) throw new Error(`stream ${streamId} has no offset`);
    return s;
  }

  /** The statement that records a new stream's offset (inside its CREATE's transaction). */
  insertSql(streamId: number, s: StreamState): string {
    return `INSERT INTO ${S}.stream_offsets VALUES (${Math.trunc(streamId)}, ${Math.trunc(s.offsetVersion)}, ${Math.trunc(s.offsetHwm)}, ${s.initialPending}, ${Math.trunc(s.consumedMs)})`;
  }

  /** The statement that moves an offset to `version` when a consuming transaction commits. */
  consumeSql(streamId: number, version: number, nowMs: number): string {
    const v = Math.trunc(version);
    return (
      `UPDATE ${S}.stream_offsets SET offset_version = ${v}, ` +
      `offset_hwm = (SELECT coalesce(max(row_id_hwm), 0) FROM ${S}.commits WHERE version <= ${v}), ` +
      `initial_pending = false, consumed_ms = ${Math.trunc(nowMs)} WHERE stream_id = ${Math.trunc(streamId)}`
    );
  }

  deleteSql(streamId: number): string {
    return `DELETE FROM ${S}.stream_offsets WHERE stream_id = ${Math.trunc(streamId)}`;
  }

  /** Applies a committed CREATE or DROP to memory. */
  set(streamId: number, s: StreamState | undefined): void {
    if (s) this.states.set(streamId, s);
    else this.states.delete(streamId);
  }

  /** The live source object of a stream, or undefined when it was dropped (or replaced). */
  source(stream: ObjectEntry): ObjectEntry | undefined {
    const src = this.engine.catalog.objects.get(Number(stream.properties.SOURCE_ID));
    if (!src || src.droppedOn !== null) return undefined;
    const schema = this.engine.catalog.schemas.get(src.schemaId);
    const db = schema ? this.engine.catalog.databases.get(schema.databaseId) : undefined;
    if (!schema || schema.droppedOn !== null || !db || db.droppedOn !== null) return undefined;
    return src;
  }

  /** The source's fully qualified name as it is now (or was when dropped). */
  sourceName(stream: ObjectEntry): string {
    const src = this.engine.catalog.objects.get(Number(stream.properties.SOURCE_ID));
    const schema = src ? this.engine.catalog.schemas.get(src.schemaId) : undefined;
    const db = schema ? this.engine.catalog.databases.get(schema.databaseId) : undefined;
    if (!src || !schema || !db) return stream.properties.TABLE_NAME ?? '';
    return `${db.name}.${schema.name}.${src.name}`;
  }

  /** Tables whose changes a stream reads (the source table, or a view's base tables). */
  baseTables(stream: ObjectEntry): number[] {
    return (stream.properties.BASE_TABLE_IDS ?? stream.properties.SOURCE_ID ?? '')
      .split(',')
      .filter((x) => x !== '')
      .map(Number);
  }

  /** When the stream goes stale unless consumed (semantics §1.7). */
  staleAfter(stream: ObjectEntry): Date {
    const s = this.state(stream.id);
    const src = this.source(stream);
    const days = src ? Math.max(retentionDays(this.engine, src), maxExtensionDays(this.engine, src)) : 0;
    return new Date(s.consumedMs + days * DAY_MS);
  }

  isStale(stream: ObjectEntry): boolean {
    return this.source(stream) === undefined || this.engine.clock.now().getTime() > this.staleAfter(stream).getTime();
  }

  /**
   * SYSTEM$STREAM_HAS_DATA without touching table data: did any commit after the offset change a
   * base table (or are initial rows still to be returned)? Never a false negative.
   */
  hasData(stream: ObjectEntry): boolean {
    const s = this.state(stream.id);
    if (s.initialPending) return true;
    const changed = this.engine.commits.lastChanged;
    return this.baseTables(stream).some((t) => (changed.get(t) ?? 0) > s.offsetVersion);
  }

  /** RetentionPins: the oldest offset of a live, non-stale stream on the table. */
  oldestNeeded(tableId: number): number | undefined {
    let oldest: number | undefined;
    for (const o of this.engine.catalog.objects.values()) {
      if (o.kind !== 'STREAM' || o.droppedOn !== null || !this.states.has(o.id)) continue;
      if (!this.baseTables(o).includes(tableId) || this.isStale(o)) continue;
      const v = this.state(o.id).offsetVersion;
      oldest = oldest === undefined ? v : Math.min(oldest, v);
    }
    return oldest;
  }
}

function stateOf(r: Record<string, unknown>): StreamState {
  return {
    offsetVersion: Number(r.offset_version),
    offsetHwm: Number(r.offset_hwm),
    initialPending: r.initial_pending === true,
    consumedMs: Number(r.consumed_ms),
  };
}

/**
 * Event ingestion in the spirit of Snowpipe Streaming (DESIGN §8). A client opens a named channel
 * on a table and appends NDJSON batches, each with an offset token (a non-negative integer that
 * grows with every batch). Batches wait in a queue; one committer takes everything queued and writes
 * it in a single transaction — the rows through the versioned write path, the rows that do not fit
 * into the quarantine with why, and each channel's new offset token — and only then acknowledges
 * every batch in it. Grouping makes throughput independent of request size; writing the token with
 * the rows makes a batch re-sent after a crash or a lost acknowledgement (its token not above the
 * committed one) insert nothing: exactly once.
 */
import { randomUUID } from 'node:crypto';
import { listValue } from '@duckdb/node-api';
import { displayName, duckIdent, sqlString, type ObjectName } from '../sql/index.ts';
import { appendRows, SYSTEM_SCHEMA, type StorageConnection } from '../storage/index.ts';
import { columnDefaultSql, conversionError, conversionSql, type Engine, type Session } from '../engine/index.ts';
import { parseBatch, type IngestColumn, type RejectedRow } from './ndjson.ts';

const S = SYSTEM_SCHEMA;

export interface IngestLimits {
  /** Largest row (bytes of its JSON line). */
  maxRowBytes: number;
  /** Most rows one commit group takes (more wait for the next). */
  maxGroupRows: number;
}

export const DEFAULT_LIMITS: IngestLimits = { maxRowBytes: 1 << 20, maxGroupRows: 200_000 };

/** A client mistake or conflict, answered with an HTTP status (never 5xx). */
export class IngestError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 413 | 422 | 429,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ChannelState {
  tableId: number;
  table: string;
  channel: string;
  /** The last committed offset token (null before the first batch). */
  offsetToken: string | null;
  clientSequencer: number;
  rowsInserted: number;
  rowsQuarantined: number;
  createdMs: number;
  updatedMs: number;
}

export interface AppendResult {
  channel: string;
  offsetToken: string | null;
  /** True when the batch had been committed before (nothing inserted this time). */
  duplicate: boolean;
  inserted: number;
  quarantined: number;
  rejected: { line: number; code: string; reason: string }[];
}

interface TableTarget {
  id: number;
  name: string;
  database: string;
  schema: string;
  columns: IngestColumn[];
  /** Per column, its default as a DuckDB expression (undefined: none). */
  defaults: (string | undefined)[];
  /** Catalog version the columns were read at (a changed table is re-read). */
  lastAltered: number;
}

interface PendingBatch {
  target: TableTarget;
  channel: string;
  sequencer: number;
  offsetToken: string;
  rows: ReturnType<typeof parseBatch>['rows'];
  rejected: RejectedRow[];
  resolve: (r: AppendResult) => void;
  reject: (e: unknown) => void;
}

function tokenValue(token: string): bigint {
  if (!/^\d{1,30}$/.test(token)) throw new IngestError(400, 'BAD_OFFSET_TOKEN', `offsetToken must be a non-negative integer (it orders the batches of a channel); got '${token}'`);
  return BigInt(token);
}

export class IngestService {
  private session!: Session;
  private readonly channels = new Map<string, ChannelState>();
  private readonly queue: PendingBatch[] = [];
  private committing = false;
  private closed = false;

  constructor(
    private readonly engine: Engine,
    readonly limits: IngestLimits = DEFAULT_LIMITS,
  ) {}

  async open(): Promise<void> {
    this.session = await this.engine.newSession({ user: 'SYSTEM', id: `ingest-${randomUUID()}` });
    for (const r of await this.conn.rows(`SELECT * FROM ${S}.ingest_channels`)) {
      const tableId = Number(r.table_id);
      const o = this.engine.catalog.objects.get(tableId);
      this.channels.set(key(tableId, String(r.channel)), {
        tableId,
        table: o ? o.name : '',
        channel: String(r.channel),
        offsetToken: r.offset_token === null ? null : String(r.offset_token),
        clientSequencer: Number(r.client_sequencer),
        rowsInserted: Number(r.rows_inserted),
        rowsQuarantined: Number(r.rows_quarantined),
        createdMs: Number(r.created_ms),
        updatedMs: Number(r.updated_ms),
      });
    }
  }

  /** Column defaults as DuckDB SQL, by table id and version. */
  private readonly defaultsCache = new Map<string, (string | undefined)[]>();

  private get conn(): StorageConnection {
    return this.session.conn;
  }

  /** The table a request names, resolved with the caller's session (its database and schema). */
  target(caller: Session, name: ObjectName): TableTarget {
    const t = caller.resolver.target([name.database, name.schema, name.name].filter((p): p is string => p !== undefined), 'INSERT');
    // Translated once per table version and caller (every append request resolves its table; a
    // default may read the session, CURRENT_USER()).
    const cacheKey = `${t.object.id}:${t.object.lastAltered.getTime()}:${caller.user}:${caller.role}`;
    let defaults = this.defaultsCache.get(cacheKey);
    if (!defaults) {
      defaults = t.object.columns.map((c) => columnDefaultSql(c, caller.translateContext()));
      this.defaultsCache.set(cacheKey, defaults);
    }
    return {
      id: t.object.id,
      name: displayName([t.path.database.name, t.path.schema.name, t.object.name]),
      database: t.path.database.name,
      schema: t.path.schema.name,
      columns: t.object.columns.map((c, j) => ({ name: c.name, type: c.type, nullable: c.nullable, hasDefault: defaults[j] !== undefined })),
      defaults,
      lastAltered: t.object.lastAltered.getTime(),
    };
  }

  /** Opens (or reopens) a channel: a new client sequencer invalidates the previous opener. */
  async openChannel(target: TableTarget, channel: string): Promise<ChannelState> {
    checkChannelName(channel);
    return this.serialized(async () => {
      const now = this.engine.clock.now().getTime();
      const k = key(target.id, channel);
      const st: ChannelState = this.channels.get(k) ?? {
        tableId: target.id,
        table: target.name,
        channel,
        offsetToken: null,
        clientSequencer: 0,
        rowsInserted: 0,
        rowsQuarantined: 0,
        createdMs: now,
        updatedMs: now,
      };
      const next = { ...st, clientSequencer: st.clientSequencer + 1, table: target.name };
      await this.conn.atomically(() => this.conn.run(upsertSql([next])));
      this.channels.set(k, next);
      return next;
    });
  }

  channelStatus(target: TableTarget, channel: string): ChannelState {
    const st = this.channels.get(key(target.id, channel));
    if (!st) throw new IngestError(404, 'CHANNEL_NOT_FOUND', `Channel '${channel}' on table ${target.name} does not exist; open it first.`);
    return st;
  }

  /** Queues a batch; resolves once it is durably committed (or was already). */
  append(target: TableTarget, channel: string, sequencer: number, offsetToken: string, body: string): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new IngestError(409, 'SHUTTING_DOWN', 'The server is stopping; retry against the restarted server.'));
    const st = this.channelStatus(target, channel);
    if (sequencer !== st.clientSequencer) {
      throw new IngestError(409, 'CHANNEL_REOPENED', `Channel '${channel}' was reopened by another client (sequencer ${st.clientSequencer}, this client has ${sequencer}); reopen it to continue.`);
    }
    tokenValue(offsetToken);
    const { rows, rejected } = parseBatch(body, target.columns, this.limits.maxRowBytes);
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ target, channel, sequencer, offsetToken, rows, rejected, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.committing || this.queue.length === 0) return;
    this.committing = true;
    setImmediate(() => void this.commitLoop());
  }

  private async commitLoop(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const group: PendingBatch[] = [];
        let rows = 0;
        while (this.queue.length > 0 && (group.length === 0 || rows + this.queue[0].rows.length <= this.limits.maxGroupRows)) {
          const b = this.queue.shift()!;
          rows += b.rows.length;
          group.push(b);
        }
        await this.commitGroup(group);
      }
    } finally {
      this.committing = false;
      this.kick();
    }
  }

  /** Runs `fn` between commit groups (channel opens write the same table). */
  private async serialized<T>(fn: () => Promise<T>): Promise<T> {
    while (this.committing) await new Promise((r) => setTimeout(r, 1));
    this.committing = true;
    try {
      return await fn();
    } finally {
      this.committing = false;
      this.kick();
    }
  }

  private async commitGroup(group: PendingBatch[]): Promise<void> {
    try {
      const results = await this.write(group);
      group.forEach((b, i) => {
        const r = results[i];
        if (r instanceof IngestError) b.reject(r);
        else b.resolve(r);
      });
    } catch (e) {
      if (group.length === 1) {
        group[0].reject(e);
        return;
      }
      // One batch may be what failed: the others should not pay for it.
      for (const b of group) await this.commitGroup([b]);
    }
  }

  /**
   * One transaction for a group: rows, quarantine, channel tokens. The rows are staged as text with
   * the appender, then converted and inserted by one INSERT … SELECT that keeps the rows that fit;
   * only when some did not is the conversion run again to say which and why.
   */
  private async write(group: PendingBatch[]): Promise<(AppendResult | IngestError)[]> {
    const now = this.engine.clock.now().getTime();
    // Duplicates: a token not above the channel's committed one (or an earlier batch's in this group).
    const tokens = new Map<string, bigint>();
    const live = group.map((b) => {
      const k = key(b.target.id, b.channel);
      const st = this.channels.get(k)!;
      const committed = tokens.get(k) ?? (st.offsetToken === null ? -1n : BigInt(st.offsetToken));
      const v = BigInt(b.offsetToken);
      if (b.sequencer !== st.clientSequencer) return 'stale' as const;
      if (v <= committed) return 'duplicate' as const;
      tokens.set(k, v);
      return 'live' as const;
    });
    const byTable = new Map<number, { target: TableTarget; batches: number[] }>();
    group.forEach((b, i) => {
      if (live[i] !== 'live') return;
      const e = byTable.get(b.target.id) ?? { target: b.target, batches: [] };
      e.batches.push(i);
      byTable.set(b.target.id, e);
    });
    const inserted = new Array<number>(group.length).fill(0);
    const quarantined: RejectedRow[][] = group.map((b, i) => (live[i] === 'live' ? [...b.rejected] : []));
    const conn = this.conn;
    // Stage outside the write lock: other writers only wait for the insert and the commit.
    const staged = new Map<number, string>();
    for (const { target, batches } of byTable.values()) staged.set(target.id, await this.stage(target, group, batches));
    try {
      await this.engine.writes.run(this.session, async (w) => {
        for (const { target, batches } of byTable.values()) {
          const raw = staged.get(target.id)!;
          const spec = { columns: target.columns, format: { type: 'CSV' as const, options: {} } };
          const field = (j: number) => `c${j + 1}`;
          const n = await appendRows(
            conn,
            { id: target.id, temporary: false, columns: target.columns.map((c) => c.name) },
            target.columns.map((c) => c.name),
            `SELECT ${target.columns.map((_, j) => `v${j + 1}`).join(', ')} FROM (${conversionSql(spec, raw, field)}) WHERE _bad IS NULL`,
            w,
          );
          const stagedRows = batches.reduce((sum, b) => sum + group[b].rows.length, 0);
          const badRows = new Array<number>(group.length).fill(0);
          if (n < stagedRows) {
            const bad = await conn.rows(
              `SELECT c._bad AS bad, c._why AS why, c._b AS b, c._line AS line, [${target.columns.map((_, j) => `r.c${j + 1}`).join(', ')}] AS fields ` +
                `FROM (${conversionSql(spec, raw, field, ['_b', '_line'])}) c JOIN temp.${duckIdent(raw)} r ON r.rowid = c._r WHERE c._bad IS NOT NULL`,
            );
            for (const x of bad) {
              const b = Number(x.b);
              const j = Number(x.bad) - 1;
              const e = conversionError(target.columns[j], String(x.why), ((x.fields as (string | null)[])[j] ?? '') as string);
              const row = group[b].rows.find((r) => r.line === Number(x.line));
              badRows[b] += 1;
              quarantined[b].push({ line: Number(x.line), code: e.code, reason: `column '${target.columns[j].name}': ${e.message}`, raw: row?.raw ?? '' });
            }
          }
          let sum = 0;
          for (const b of batches) {
            inserted[b] = group[b].rows.length - badRows[b];
            quarantined[b].sort((x, y) => x.line - y.line);
            sum += inserted[b];
          }
          if (sum !== n) throw new Error(`ingest: ${n} rows written, ${sum} expected`);
        }
        const statements: string[] = [];
        const values: string[] = [];
        group.forEach((b, i) => {
          for (const q of quarantined[i]) {
            values.push(
              `(${b.target.id}, ${sqlString(b.target.database)}, ${sqlString(b.target.schema)}, ${sqlString(b.target.name.split('.').pop()!)}, ${sqlString(b.channel)}, ` +
                `${sqlString(b.offsetToken)}, ${q.line}, ${sqlString(q.code)}, ${sqlString(q.reason)}, ${sqlString(q.raw)}, ${now})`,
            );
          }
        });
        if (values.length > 0) statements.push(`INSERT INTO ${S}.ingest_quarantine VALUES ${values.join(', ')}`);
        if (tokens.size > 0) statements.push(upsertSql([...tokens].map(([k, token]) => this.advanced(k, token, group, live, inserted, quarantined, now))));
        if (statements.length > 0) await conn.run(statements.join(';\n'));
      });
    } finally {
      for (const raw of staged.values()) await conn.run(`DROP TABLE IF EXISTS temp.${duckIdent(raw)}`).catch(() => undefined);
    }
    // Committed: the channels move on.
    for (const [k, token] of tokens) this.channels.set(k, this.advanced(k, token, group, live, inserted, quarantined, now));
    return group.map((b, i) => {
      if (live[i] === 'stale') return new IngestError(409, 'CHANNEL_REOPENED', `Channel '${b.channel}' was reopened by another client; reopen it to continue.`);
      const st = this.channels.get(key(b.target.id, b.channel))!;
      return {
        channel: b.channel,
        offsetToken: st.offsetToken,
        duplicate: live[i] === 'duplicate',
        inserted: inserted[i],
        quarantined: quarantined[i].length,
        rejected: quarantined[i].map((q) => ({ line: q.line, code: q.code, reason: q.reason })),
      };
    });
  }

  /** A channel's state once this group commits. */
  private advanced(k: string, token: bigint, group: PendingBatch[], live: string[], inserted: number[], quarantined: RejectedRow[][], now: number): ChannelState {
    const st = this.channels.get(k)!;
    let ins = 0;
    let quar = 0;
    group.forEach((b, i) => {
      if (live[i] === 'live' && key(b.target.id, b.channel) === k) {
        ins += inserted[i];
        quar += quarantined[i].length;
      }
    });
    return { ...st, offsetToken: token.toString(), rowsInserted: st.rowsInserted + ins, rowsQuarantined: st.rowsQuarantined + quar, updatedMs: now };
  }

  /**
   * Puts a group's rows for one table into a staging table: text fields, batch index, line. Fields
   * a row left out that have a default are filled with it here, once per row (an identity's
   * sequence advances once), as text that the conversion reads like any other field.
   */
  private async stage(target: TableTarget, group: PendingBatch[], batches: number[]): Promise<string> {
    const raw = `_bkl_ing_${target.id}`;
    const cols = target.columns.map((_, j) => `c${j + 1} VARCHAR`).join(', ');
    const withDefaults = target.defaults.some((d) => d !== undefined);
    await this.conn.run(`CREATE OR REPLACE TEMP TABLE ${duckIdent(raw)} (${cols}, _b INTEGER, _line INTEGER${withDefaults ? ', _defaulted INTEGER[]' : ''})`);
    const appender = await this.conn.raw.createAppender(raw, 'main', 'temp');
    let defaulted = false;
    try {
      for (const b of batches) {
        for (const r of group[b].rows) {
          for (const f of r.fields) {
            if (f === null) appender.appendNull();
            else appender.appendVarchar(f);
          }
          appender.appendInteger(b);
          appender.appendInteger(r.line);
          if (r.defaulted) {
            defaulted = true;
            appender.appendValue(listValue(r.defaulted));
          } else if (withDefaults) {
            appender.appendNull();
          }
          appender.endRow();
        }
      }
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
    if (defaulted) {
      for (const [j, def] of target.defaults.entries()) {
        if (def === undefined) continue;
        await this.conn.run(`UPDATE temp.${duckIdent(raw)} SET c${j + 1} = CAST((${def}) AS VARCHAR) WHERE list_contains(_defaulted, ${j})`);
      }
    }
    return raw;
  }

  /** Stops taking batches and waits for the queue to drain. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.committing || this.queue.length > 0) await new Promise((r) => setTimeout(r, 5));
    if (this.session) await this.engine.closeSession(this.session);
  }
}

function key(tableId: number, channel: string): string {
  return `${tableId}\u0000${channel}`;
}

function checkChannelName(channel: string): void {
  if (!/^[A-Za-z0-9_.$-]{1,200}$/.test(channel)) {
    throw new IngestError(400, 'BAD_CHANNEL_NAME', `channel names are 1–200 letters, digits, '_', '.', '$' or '-'; got '${channel}'`);
  }
}

/** Channels' new states: one DELETE and one INSERT for all of them (a group touches many channels). */
function upsertSql(states: ChannelState[]): string {
  const keys = states.map((st) => `(${st.tableId}, ${sqlString(st.channel)})`);
  const rows = states.map(
    (st) =>
      `(${st.tableId}, ${sqlString(st.channel)}, ${st.offsetToken === null ? 'NULL' : sqlString(st.offsetToken)}, ` +
      `${st.clientSequencer}, ${st.rowsInserted}, ${st.rowsQuarantined}, ${st.createdMs}, ${st.updatedMs})`,
  );
  return `DELETE FROM ${S}.ingest_channels WHERE (table_id, channel) IN (${keys.join(', ')}); INSERT INTO ${S}.ingest_channels VALUES ${rows.join(', ')}`;
}

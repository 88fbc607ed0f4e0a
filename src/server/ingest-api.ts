/**
 * The ingest and upload routes (behind the same bearer tokens as the SQL API):
 *
 *   POST /api/v1/ingest/{db}/{schema}/{table}/channels/{channel}          open (or reopen) a channel
 *        → {channel, offsetToken, clientSequencer}
 *   GET  /api/v1/ingest/{db}/{schema}/{table}/channels/{channel}          its last committed offset token
 *   POST /api/v1/ingest/{db}/{schema}/{table}/channels/{channel}/rows?offsetToken=n&clientSequencer=s
 *        NDJSON body → {inserted, quarantined, duplicate, offsetToken, rejected: [{line, code, reason}]}
 *        answered once the rows are durably committed
 *   PUT  /api/v1/stages/{stage}/{path…}?autoCompress=true&overwrite=false   upload a file to a stage
 *        ({stage}: `~` for the user stage, `%table` for a table stage, or a stage name)
 *
 * Client mistakes are 4xx with a code and a message (400 bad request, 401 token, 404 no such
 * table or channel, 409 channel reopened elsewhere, 413 too large, 429 too many requests); only a
 * server fault is 5xx.
 */
import { Hono, type Context } from 'hono';
import { gzipSync } from 'node:zlib';
import { isSnowflakeError } from '../engine/index.ts';
import { IngestError, type IngestService } from '../ingest/ingest-service.ts';
import { compressionOf, safeJoin } from '../storage/index.ts';
import { objectNameFromParts, parseNameString, parseStageLocation } from '../sql/index.ts';
import { resolveStage } from '../engine/index.ts';
import type { Tokens } from './auth.ts';

export interface IngestApiOptions {
  /** Largest request body accepted (bytes). */
  maxBodyBytes: number;
}

export const DEFAULT_INGEST_API: IngestApiOptions = { maxBodyBytes: 16 << 20 };

type Status = 400 | 401 | 404 | 409 | 413 | 422 | 429;

function fail(c: Context, status: Status, code: string, message: string) {
  return c.json({ error: { code, message } }, status);
}

/** A path segment as an identifier: unquoted folds to upper case, "quoted" keeps its case. */
function part(text: string): string {
  const parts = parseNameString(text);
  if (parts.length !== 1) throw new IngestError(400, 'BAD_NAME', `'${text}' is not a single identifier`);
  return parts[0];
}

export class IngestApi {
  constructor(
    private readonly tokens: Tokens,
    private readonly ingest: IngestService,
    private readonly options: IngestApiOptions = DEFAULT_INGEST_API,
  ) {}

  routes(): Hono {
    const app = new Hono();
    const base = '/api/v1/ingest/:db/:schema/:table/channels/:channel';
    app.post(base, (c) => this.guard(c, async (session) => {
      const target = this.ingest.target(session, this.tableName(c));
      const st = await this.ingest.openChannel(target, c.req.param('channel'));
      return c.json({ channel: st.channel, table: target.name, offsetToken: st.offsetToken, clientSequencer: st.clientSequencer });
    }));
    app.get(base, (c) => this.guard(c, async (session) => {
      const target = this.ingest.target(session, this.tableName(c));
      const st = this.ingest.channelStatus(target, c.req.param('channel'));
      return c.json({ channel: st.channel, table: target.name, offsetToken: st.offsetToken, clientSequencer: st.clientSequencer, rowsInserted: st.rowsInserted, rowsQuarantined: st.rowsQuarantined });
    }));
    app.post(`${base}/rows`, (c) => this.guard(c, async (session) => {
      const token = c.req.query('offsetToken');
      const sequencer = Number(c.req.query('clientSequencer'));
      if (token === undefined) return fail(c, 400, 'MISSING_OFFSET_TOKEN', 'offsetToken is required: it is how a restarted client resumes and how a re-sent batch is recognised');
      if (!Number.isInteger(sequencer)) return fail(c, 400, 'MISSING_CLIENT_SEQUENCER', 'clientSequencer (from opening the channel) is required');
      const body = await this.body(c);
      if (typeof body !== 'string') return body;
      const target = this.ingest.target(session, this.tableName(c));
      const result = await this.ingest.append(target, c.req.param('channel'), sequencer, token, body);
      return c.json(result);
    }));
    app.put('/api/v1/stages/:stage/*', (c) => this.guard(c, async (session) => {
      const stageText = c.req.param('stage');
      const path = decodeURIComponent(c.req.path.split('/').slice(5).join('/'));
      if (path === '' || path.endsWith('/')) return fail(c, 400, 'BAD_PATH', 'the upload path must name a file');
      const loc = parseStageLocation(`@${stageText}/${path}`);
      const stage = resolveStage(session, loc, 'PUT');
      const got = await this.bodyBytes(c);
      if ('response' in got) return got.response;
      const raw = got.bytes;
      const name = safeJoin('', stage.path);
      const sourceCompression = compressionOf(name, raw);
      const compress = c.req.query('autoCompress') !== 'false' && sourceCompression === 'NONE';
      const target = compress ? `${name}.gz` : name;
      const exists = session.engine.stageFiles.list(stage.area, stage.key, target).some((f) => f.path === target);
      if (exists && c.req.query('overwrite') !== 'true') return c.json({ source: name, target, status: 'SKIPPED' });
      const body = compress ? gzipSync(raw) : raw;
      session.engine.stageFiles.write(stage.area, stage.key, target, body);
      return c.json({ source: name, target, sourceSize: raw.length, targetSize: body.length, sourceCompression, targetCompression: compress ? 'GZIP' : sourceCompression, status: 'UPLOADED' });
    }));
    return app;
  }

  private tableName(c: Context) {
    return objectNameFromParts([part(c.req.param('db')!), part(c.req.param('schema')!), part(c.req.param('table')!)]);
  }

  private async bodyBytes(c: Context): Promise<{ bytes: Buffer } | { response: Response }> {
    const declared = Number(c.req.header('content-length') ?? 0);
    const tooLarge = (n: number) => ({ response: fail(c, 413, 'BODY_TOO_LARGE', `the request body is ${n} bytes, over the limit of ${this.options.maxBodyBytes}`) });
    if (declared > this.options.maxBodyBytes) return tooLarge(declared);
    const bytes = Buffer.from(await c.req.arrayBuffer());
    if (bytes.length > this.options.maxBodyBytes) return tooLarge(bytes.length);
    return { bytes };
  }

  private async body(c: Context): Promise<string | Response> {
    const b = await this.bodyBytes(c);
    return 'bytes' in b ? b.bytes.toString('utf8') : b.response;
  }

  /** Authenticates, runs the handler, and turns client mistakes into 4xx answers. */
  private async guard(c: Context, fn: (session: import('../engine/index.ts').Session) => Promise<Response>): Promise<Response> {
    const auth = await this.tokens.lookup(c.req.header('authorization'));
    if (!auth.ok) return fail(c, auth.status, auth.status === 429 ? 'RATE_LIMITED' : 'UNAUTHORIZED', auth.message);
    try {
      return await fn(auth.session);
    } catch (e) {
      if (e instanceof IngestError) return fail(c, e.status, e.code, e.message);
      if (isSnowflakeError(e)) return fail(c, e.code === '002003' ? 404 : 400, e.code, e.message);
      throw e;
    }
  }
}

/**
 * A small client for Backlot's event ingestion: log in, open a channel, append batches with offset
 * tokens. A batch that fails for a reason worth retrying (network error, 5xx, 429, an expired
 * token) is sent again with the same token after an exponential backoff with jitter — safe because
 * the server inserts a batch whose token it has committed nothing a second time. A restarted
 * producer opens its channel, reads `offsetToken`, and continues after it.
 *
 *   const client = new IngestClient({ url, user, password });
 *   const ch = await client.openChannel('STUDIO.RAW.FAN_EVENTS', 'web-1');
 *   let next = BigInt(ch.offsetToken ?? -1) + 1n;
 *   await ch.append(events, String(next));
 */

export interface IngestClientOptions {
  url: string;
  user: string;
  password: string;
  /** Attempts per request before giving up (default 8). */
  attempts?: number;
  /** First backoff (default 50 ms), doubling up to maxBackoffMs (default 5 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
}

export interface AppendResult {
  channel: string;
  offsetToken: string | null;
  duplicate: boolean;
  inserted: number;
  quarantined: number;
  rejected: { line: number; code: string; reason: string }[];
}

/** The server refused the request for a reason retrying will not fix. */
export class IngestClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const RETRYABLE = new Set([408, 429, 500, 502, 503, 504]);

export class IngestClient {
  private token: string | undefined;
  private readonly attempts: number;

  constructor(private readonly options: IngestClientOptions) {
    this.attempts = options.attempts ?? 8;
  }

  /** Sends a request with retries; `idempotent` requests are retried after network failures too. */
  async request<T>(method: string, path: string, body?: string, contentType = 'application/json'): Promise<T> {
    let delay = this.options.backoffMs ?? 50;
    let last: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt += 1) {
      try {
        if (!this.token) await this.login();
        const res = await fetch(this.options.url + path, {
          method,
          headers: { authorization: `Bearer ${this.token}`, ...(body !== undefined ? { 'content-type': contentType } : {}) },
          body,
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        });
        const text = await res.text();
        const json = text ? (JSON.parse(text) as { error?: { code: string; message: string } }) : {};
        if (res.ok) return json as T;
        if (res.status === 401) {
          this.token = undefined; // expired or unknown: log in again, then retry
          last = new IngestClientError(401, json.error?.code ?? 'UNAUTHORIZED', json.error?.message ?? 'unauthorized');
        } else if (RETRYABLE.has(res.status)) {
          last = new IngestClientError(res.status, json.error?.code ?? 'SERVER_ERROR', json.error?.message ?? text);
        } else {
          throw new IngestClientError(res.status, json.error?.code ?? 'ERROR', json.error?.message ?? text);
        }
      } catch (e) {
        if (e instanceof IngestClientError && !RETRYABLE.has(e.status) && e.status !== 401) throw e;
        last = e;
      }
      if (attempt < this.attempts) {
        await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
        delay = Math.min(delay * 2, this.options.maxBackoffMs ?? 5_000);
      }
    }
    throw last instanceof Error ? last : new Error(String(last));
  }

  async login(): Promise<void> {
    const res = await fetch(`${this.options.url}/api/v1/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: this.options.user, password: this.options.password }),
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
    });
    const json = (await res.json()) as { token?: string; error?: { code: string; message: string } };
    if (!res.ok || !json.token) throw new IngestClientError(res.status, json.error?.code ?? 'LOGIN_FAILED', json.error?.message ?? 'login failed');
    this.token = json.token;
  }

  /** Opens (or reopens) a channel on `db.schema.table`. */
  async openChannel(table: string, channel: string): Promise<Channel> {
    const path = channelPath(table, channel);
    const r = await this.request<{ offsetToken: string | null; clientSequencer: number }>('POST', path, '{}');
    return new Channel(this, path, channel, r.offsetToken, r.clientSequencer);
  }

  /** Uploads bytes to a stage path (`~/dir/file.csv`, `%table/file.csv`, `stage/dir/file.csv`). */
  async upload(stagePath: string, body: string | Buffer, options: { autoCompress?: boolean; overwrite?: boolean } = {}): Promise<Record<string, unknown>> {
    const q = `?autoCompress=${options.autoCompress ?? true}&overwrite=${options.overwrite ?? false}`;
    return this.request('PUT', `/api/v1/stages/${stagePath.split('/').map(encodeURIComponent).join('/')}${q}`, body as string, 'application/octet-stream');
  }
}

export class Channel {
  /** A channel is ordered: one batch in flight at a time, so tokens arrive in the order sent. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: IngestClient,
    private readonly path: string,
    readonly name: string,
    /** The last committed offset token when the channel was opened (null: nothing yet). */
    readonly offsetToken: string | null,
    readonly clientSequencer: number,
  ) {}

  /**
   * Appends rows (objects or ready NDJSON) as the batch `offsetToken`; resolves once committed.
   * Calls queue behind each other: the server takes a token not above the last committed one for a
   * re-sent batch, so a channel's batches must arrive in token order.
   */
  append(rows: readonly unknown[] | string, offsetToken: string): Promise<AppendResult> {
    const body = typeof rows === 'string' ? rows : rows.map((r) => JSON.stringify(r)).join('\n');
    const send = () => this.client.request<AppendResult>('POST', `${this.path}/rows?offsetToken=${encodeURIComponent(offsetToken)}&clientSequencer=${this.clientSequencer}`, body, 'application/x-ndjson');
    const result = this.tail.then(send, send);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** The channel's last committed offset token, as the server has it now. */
  async committedOffsetToken(): Promise<string | null> {
    return (await this.client.request<{ offsetToken: string | null }>('GET', this.path)).offsetToken;
  }
}

function channelPath(table: string, channel: string): string {
  const parts = table.split('.');
  if (parts.length !== 3) throw new Error(`name the table fully (database.schema.table); got '${table}'`);
  return `/api/v1/ingest/${parts.map(encodeURIComponent).join('/')}/channels/${encodeURIComponent(channel)}`;
}

/**
 * What `backlot sql` talks to: the warehouse directly (it opens the data directory itself), or a
 * running `backlot start` process over HTTP (`--server URL`), which owns the directory. Both run one
 * statement at a time and keep the session's context for the prompt.
 */
import { Engine, SnowflakeError, type ResultSet, type Session } from '../engine/index.ts';

export interface SqlConnection {
  readonly user: string;
  readonly role: string;
  readonly database: string | undefined;
  readonly schema: string | undefined;
  /** Runs one statement; throws a SnowflakeError (carrying `queryId`) when it fails. */
  execute(text: string): Promise<ResultSet>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  data: string;
  server?: string;
  user?: string;
  password?: string;
  role?: string;
  database?: string;
  schema?: string;
}

export async function connect(options: ConnectOptions): Promise<SqlConnection> {
  if (options.server) return RemoteConnection.open(options.server, options);
  return LocalConnection.open(options);
}

class LocalConnection implements SqlConnection {
  private constructor(
    private readonly engine: Engine,
    private readonly session: Session,
  ) {}

  static async open(o: ConnectOptions): Promise<LocalConnection> {
    const engine = await Engine.open({ dataDir: o.data });
    try {
      const session = await engine.newSession({ user: o.user, role: o.role, database: o.database, schema: o.schema });
      return new LocalConnection(engine, session);
    } catch (e) {
      await engine.close();
      throw e;
    }
  }

  get user() {
    return this.session.user;
  }
  get role() {
    return this.session.role;
  }
  get database() {
    return this.session.database;
  }
  get schema() {
    return this.session.schema;
  }

  execute(text: string): Promise<ResultSet> {
    return this.session.execute(text);
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}

interface Context {
  user: string;
  role: string;
  database: string | null;
  schema: string | null;
}

class RemoteConnection implements SqlConnection {
  private context: Context;

  private constructor(
    private readonly base: string,
    private readonly token: string,
    context: Context,
  ) {
    this.context = context;
  }

  static async open(url: string, o: ConnectOptions): Promise<RemoteConnection> {
    const base = url.replace(/\/+$/, '');
    if (o.password === undefined) {
      throw new SnowflakeError('390100', '08004', 'A password is needed to connect to a Backlot server: --password or BACKLOT_PASSWORD.');
    }
    let res: Response;
    try {
      res = await fetch(`${base}/api/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: o.user ?? 'ADMIN', password: o.password, role: o.role, database: o.database, schema: o.schema }),
      });
    } catch (e) {
      throw new SnowflakeError('390001', '08001', `Cannot reach the Backlot server at ${base}: ${(e as Error).message}`);
    }
    const body = (await res.json()) as { token?: string; context?: Context; error?: { code: string; sqlState: string; message: string } };
    if (!res.ok || !body.token || !body.context) {
      const err = body.error ?? { code: '390100', sqlState: '08004', message: `Login failed (HTTP ${res.status}).` };
      throw new SnowflakeError(err.code, err.sqlState, err.message);
    }
    return new RemoteConnection(base, body.token, body.context);
  }

  get user() {
    return this.context.user;
  }
  get role() {
    return this.context.role;
  }
  get database() {
    return this.context.database ?? undefined;
  }
  get schema() {
    return this.context.schema ?? undefined;
  }

  async execute(text: string): Promise<ResultSet> {
    const res = await fetch(`${this.base}/api/v1/statements`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ sql: text }),
    });
    const body = (await res.json()) as { result?: ResultSet; context?: Context; error?: { code: string; sqlState: string; message: string; queryId?: string } };
    if (body.context) this.context = body.context;
    if (body.result) return body.result;
    const err = body.error ?? { code: '000603', sqlState: 'XX000', message: `Unexpected response (HTTP ${res.status}).` };
    throw Object.assign(new SnowflakeError(err.code, err.sqlState, err.message), { queryId: err.queryId });
  }

  async close(): Promise<void> {
    await fetch(`${this.base}/api/v1/logout`, { method: 'POST', headers: { authorization: `Bearer ${this.token}` } }).catch(() => undefined);
  }
}

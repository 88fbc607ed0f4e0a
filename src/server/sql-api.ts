/**
 * The server's SQL endpoint (a minimal authenticated JSON API; the Snowflake protocols come later):
 *
 *   POST /api/v1/login       {"user", "password"}          → {"token", "context"}
 *   POST /api/v1/statements  {"sql"} + Bearer token         → a result, or {"error": {code, sqlState, message}}
 *   POST /api/v1/logout      Bearer token
 *   GET  /api/v1/health                                     → {"status": "ok", "version"}
 *
 * A login opens an engine session that keeps its context (database, schema, variables,
 * transaction) across requests until logout, token expiry or the server stops (see auth.ts).
 */
import { Hono } from 'hono';
import { BACKLOT_VERSION, isSnowflakeError, type ResultSet, type Session } from '../engine/index.ts';
import type { Tokens } from './auth.ts';

export interface SessionContext {
  user: string;
  role: string;
  database: string | null;
  schema: string | null;
}

export interface StatementResponse {
  result?: ResultSet;
  error?: { code: string; sqlState: string; message: string; queryId?: string };
  context: SessionContext;
}

function contextOf(s: Session): SessionContext {
  return { user: s.user, role: s.role, database: s.database ?? null, schema: s.schema ?? null };
}

const AUTH_ERROR = { code: '390100', sqlState: '08004', message: 'Incorrect username or password was specified.' };
const TOKEN_ERROR = { code: '390104', sqlState: '08001', message: 'Authentication token is missing, invalid or expired. Log in again.' };

export class SqlApi {
  /** One statement at a time per session, as on a Snowflake connection. */
  private readonly busy = new Map<Session, Promise<unknown>>();

  constructor(private readonly tokens: Tokens) {}

  routes(): Hono {
    const app = new Hono();
    app.get('/api/v1/health', (c) => c.json({ status: 'ok', version: BACKLOT_VERSION }));
    app.post('/api/v1/login', async (c) => {
      const body = await c.req.json<{ user?: string; password?: string; database?: string; schema?: string; role?: string }>().catch(() => ({}) as Record<string, undefined>);
      if (typeof body.user !== 'string' || typeof body.password !== 'string') return c.json({ error: AUTH_ERROR }, 401);
      const login = await this.tokens.login(body.user, body.password, body.role);
      if (!login) return c.json({ error: AUTH_ERROR }, 401);
      const { token, session, expiresAt } = login;
      for (const [kind, name] of [['DATABASE', body.database], ['SCHEMA', body.schema]] as const) {
        if (name) await session.execute(`USE ${kind} ${name}`).catch(() => undefined);
      }
      return c.json({ token, expiresAt: new Date(expiresAt).toISOString(), context: contextOf(session) });
    });
    app.post('/api/v1/statements', async (c) => {
      const auth = await this.tokens.lookup(c.req.header('authorization'));
      if (!auth.ok) return c.json({ error: { ...TOKEN_ERROR, message: auth.message } }, auth.status);
      const session = auth.session;
      const body = await c.req.json<{ sql?: string }>().catch(() => ({}) as { sql?: string });
      if (typeof body.sql !== 'string') return c.json({ error: { code: '000900', sqlState: '42601', message: 'The request needs a "sql" string.' }, context: contextOf(session) }, 400);
      const response = await this.serialized(session, () => this.run(session, body.sql!));
      return c.json(response, response.error ? 422 : 200);
    });
    app.post('/api/v1/logout', async (c) => {
      await this.tokens.logout(c.req.header('authorization'));
      return c.json({ status: 'ok' });
    });
    return app;
  }

  private async run(session: Session, sql: string): Promise<StatementResponse> {
    try {
      const result = await session.execute(sql);
      return { result, context: contextOf(session) };
    } catch (e) {
      if (!isSnowflakeError(e)) throw e;
      const queryId = (e as { queryId?: string }).queryId;
      return { error: { code: e.code, sqlState: e.sqlState, message: e.message, queryId }, context: contextOf(session) };
    }
  }

  private async serialized<T>(session: Session, fn: () => Promise<T>): Promise<T> {
    const previous = this.busy.get(session) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.busy.set(session, settled);
    void settled.then(() => {
      if (this.busy.get(session) === settled) this.busy.delete(session);
    });
    return next;
  }
}

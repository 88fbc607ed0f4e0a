/**
 * Session tokens: a login (user + password, checked against the scrypt hash) opens an engine
 * session and hands out 32 random bytes as its token. Tokens expire (four hours after login unless
 * configured), and an expired token's session is closed. Each token also has a request budget (a
 * token bucket) so one client cannot flood the server; going over it is a 429, not a slowdown.
 */
import { randomBytes } from 'node:crypto';
import type { Engine, Session } from '../engine/index.ts';
import type { Users } from './users.ts';

export interface AuthOptions {
  /** How long a token lives after login. */
  tokenTtlMs: number;
  /** Requests per second a token may make (bursts up to twice that). */
  requestsPerSecond: number;
  /** Sessions may PUT/GET the server's own files (the server listens on loopback only). */
  localFiles: boolean;
}

export const DEFAULT_AUTH: AuthOptions = { tokenTtlMs: 4 * 3_600_000, requestsPerSecond: 2_000, localFiles: true };

interface Entry {
  session: Session;
  expiresAt: number;
  tokens: number;
  refilledAt: number;
}

export type Lookup = { ok: true; session: Session } | { ok: false; status: 401 | 429; message: string };

export class Tokens {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly engine: Engine,
    private readonly users: Users,
    readonly options: AuthOptions = DEFAULT_AUTH,
  ) {}

  async login(user: string, password: string, role?: string): Promise<{ token: string; session: Session; expiresAt: number } | undefined> {
    const u = await this.users.authenticate(user, password);
    if (!u) return undefined;
    const session = await this.engine.newSession({ user: u.name, role: role?.toUpperCase() ?? u.defaultRole, localFiles: this.options.localFiles });
    const token = randomBytes(32).toString('base64url');
    const now = Date.now();
    const expiresAt = now + this.options.tokenTtlMs;
    this.entries.set(token, { session, expiresAt, tokens: this.options.requestsPerSecond * 2, refilledAt: now });
    return { token, session, expiresAt };
  }

  /** The session behind a bearer token, or why not (missing, unknown, expired, over its rate). */
  async lookup(header: string | undefined): Promise<Lookup> {
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const e = token ? this.entries.get(token) : undefined;
    if (!token || !e) return { ok: false, status: 401, message: 'Authentication token is missing or invalid. Log in again.' };
    const now = Date.now();
    if (now >= e.expiresAt) {
      this.entries.delete(token);
      await this.engine.closeSession(e.session);
      return { ok: false, status: 401, message: 'Authentication token has expired. Log in again.' };
    }
    const rate = this.options.requestsPerSecond;
    e.tokens = Math.min(rate * 2, e.tokens + ((now - e.refilledAt) / 1000) * rate);
    e.refilledAt = now;
    if (e.tokens < 1) return { ok: false, status: 429, message: `Too many requests: this token may make ${rate} requests per second. Retry after a short wait.` };
    e.tokens -= 1;
    return { ok: true, session: e.session };
  }

  async logout(header: string | undefined): Promise<void> {
    const token = header?.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : undefined;
    const e = token ? this.entries.get(token) : undefined;
    if (!token || !e) return;
    this.entries.delete(token);
    await this.engine.closeSession(e.session);
  }

  async close(): Promise<void> {
    for (const e of this.entries.values()) await this.engine.closeSession(e.session);
    this.entries.clear();
  }
}

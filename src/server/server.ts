/**
 * The long-running Backlot process: owns the warehouse file, runs the task scheduler and serves HTTP
 * on 127.0.0.1 (another host only when asked). Stops cleanly: no new requests, running task graphs
 * finish, the warehouse is checkpointed and unlocked.
 */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { Engine, type EngineOptions } from '../engine/index.ts';
import { DEFAULT_LIMITS, IngestService, type IngestLimits } from '../ingest/ingest-service.ts';
import { DEFAULT_AUTH, Tokens, type AuthOptions } from './auth.ts';
import { DEFAULT_INGEST_API, IngestApi, type IngestApiOptions } from './ingest-api.ts';
import { SqlApi } from './sql-api.ts';
import { Users } from './users.ts';

export interface ServerOptions extends EngineOptions {
  host?: string;
  port?: number;
  /** Run the task scheduler (default true). */
  scheduler?: boolean;
  auth?: Partial<AuthOptions>;
  ingest?: Partial<IngestLimits & IngestApiOptions>;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

export class BacklotServer {
  private constructor(
    readonly engine: Engine,
    readonly app: Hono,
    private readonly tokens: Tokens,
    private readonly ingest: IngestService,
    private server: Server | undefined,
    /** The generated administrator password on the first start (shown once). */
    readonly adminPassword: string | undefined,
    readonly url: string,
  ) {}

  static async start(options: ServerOptions): Promise<BacklotServer> {
    const engine = await Engine.open(options);
    try {
      const users = await Users.open(engine);
      const adminPassword = await users.ensureAdministrator();
      const host = options.host ?? '127.0.0.1';
      // PUT/GET with server paths only when every client is on this machine.
      const tokens = new Tokens(engine, users, { ...DEFAULT_AUTH, localFiles: isLoopback(host), ...options.auth });
      const ingest = new IngestService(engine, { ...DEFAULT_LIMITS, ...options.ingest });
      await ingest.open();
      const app = new Hono();
      app.route('/', new SqlApi(tokens).routes());
      app.route('/', new IngestApi(tokens, ingest, { ...DEFAULT_INGEST_API, ...options.ingest }).routes());
      const server = await listen(app, host, options.port ?? 8080);
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : (options.port ?? 8080);
      if (options.scheduler !== false) engine.startSchedulers();
      return new BacklotServer(engine, app, tokens, ingest, server, adminPassword, `http://${host.includes(':') ? `[${host}]` : host}:${port}`);
    } catch (e) {
      await engine.close();
      throw e;
    }
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    await this.ingest.close();
    await this.engine.tasks.stop();
    await this.engine.dynamicTables.stop();
    await this.tokens.close();
    await this.engine.close();
  }
}

function listen(app: Hono, hostname: string, port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname, port }, () => resolve(server as Server)) as Server;
    server.once('error', reject);
  });
}

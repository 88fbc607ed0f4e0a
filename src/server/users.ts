/**
 * Server users and their passwords. Passwords are stored as scrypt hashes (N=16384, r=8, p=1, a
 * random 16-byte salt) and compared in constant time; the first start creates an administrator with a
 * generated password, shown once.
 */
import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { Engine } from '../engine/index.ts';
import type { StorageConnection } from '../storage/index.ts';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: { N: number; r: number; p: number; maxmem: number }) => Promise<Buffer>;
const PARAMS = { N: 16384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, 64, PARAMS);
  return `scrypt$${PARAMS.N}$${PARAMS.r}$${PARAMS.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p), maxmem: PARAMS.maxmem });
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

export interface UserRecord {
  name: string;
  passwordHash: string;
  defaultRole: string;
  disabled: boolean;
}

export class Users {
  private constructor(
    private readonly engine: Engine,
    private readonly conn: StorageConnection,
  ) {}

  static async open(engine: Engine): Promise<Users> {
    return new Users(engine, await engine.serviceConnection());
  }

  async find(name: string): Promise<UserRecord | undefined> {
    const rows = await this.conn.rows(`SELECT * FROM _backlot.users WHERE name = $1`, [name]);
    if (rows.length === 0) return undefined;
    const r = rows[0];
    return { name: String(r.name), passwordHash: String(r.password_hash), defaultRole: String(r.default_role), disabled: r.disabled === true };
  }

  async count(): Promise<number> {
    const rows = await this.conn.rows('SELECT count(*) AS n FROM _backlot.users');
    return Number(rows[0].n);
  }

  async create(name: string, password: string, defaultRole: string): Promise<void> {
    const hash = await hashPassword(password);
    await this.conn.query(`INSERT INTO _backlot.users VALUES ($1, $2, $3, $4::TIMESTAMPTZ, false)`, [name, hash, defaultRole, this.engine.clock.now().toISOString()]);
  }

  /** The first start: an ADMIN user with a random password (returned, to be shown once). */
  async ensureAdministrator(): Promise<string | undefined> {
    if ((await this.count()) > 0) return undefined;
    const password = randomBytes(18).toString('base64url');
    await this.create('ADMIN', password, 'ACCOUNTADMIN');
    return password;
  }

  /** The user when the password matches; undefined otherwise (same time either way). */
  async authenticate(name: string, password: string): Promise<UserRecord | undefined> {
    const user = await this.find(name.toUpperCase());
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    return user && ok && !user.disabled ? user : undefined;
  }
}

/** Verifying against a dummy hash keeps unknown users as slow as wrong passwords. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/**
 * Stage locations and the file commands: PUT (local files into a stage), GET (stage files to a
 * local directory), LIST and REMOVE (semantics §6.4). `@~` is the session user's stage, `@%t` the
 * stage of table t, `@s` a named stage; paths inside a stage are prefixes (`@s/2026/` lists what is
 * under the folder 2026).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { displayName, errors, T, type GetStatement, type ListStatement, type PutStatement, type StageLocation } from '../../sql/index.ts';
import type { ObjectEntry, StageArea, StageFile } from '../../storage/index.ts';
import { table, type ResultBody } from '../results/result-set.ts';
import type { Session } from '../session/session.ts';

export interface ResolvedStage {
  area: StageArea;
  key: string;
  /** Path prefix inside the stage. */
  path: string;
  /** What LIST prints before a file's path (`my_stage/` for named stages). */
  listPrefix: string;
  /** The named stage, or the table of a table stage. */
  stage?: ObjectEntry;
  table?: ObjectEntry;
  display: string;
}

/** A user's stage directory: the name hex-encoded, so any user name is a safe directory name. */
function userKey(user: string): string {
  return `u${Buffer.from(user, 'utf8').toString('hex')}`;
}

export function resolveStage(session: Session, loc: StageLocation, operation: string): ResolvedStage {
  if (loc.kind === 'user') return { area: 'user', key: userKey(session.user), path: loc.path, listPrefix: '', display: '@~' };
  if (loc.kind === 'table') {
    const { path, object } = session.resolver.require(loc.name!, ['TABLE'], 'Table', operation);
    return { area: 'table', key: String(object.id), path: loc.path, listPrefix: '', table: object, display: `@%${displayName([path.database.name, path.schema.name, path.name])}` };
  }
  const { path, object } = session.resolver.require(loc.name!, ['STAGE'], 'Stage', operation);
  return { area: 'named', key: String(object.id), path: loc.path, listPrefix: `${object.name.toLowerCase()}/`, stage: object, display: `@${displayName([path.database.name, path.schema.name, path.name])}` };
}

/** Files of a stage location, optionally filtered by a regular expression on their listed names. */
export function filesAt(session: Session, stage: ResolvedStage, pattern: string | undefined, matchOn: 'listed' | 'path' = 'listed'): StageFile[] {
  const files = session.engine.stageFiles.list(stage.area, stage.key, stage.path);
  if (pattern === undefined) return files;
  const re = compilePattern(pattern);
  return files.filter((f) => re.test(matchOn === 'listed' ? stage.listPrefix + f.path : f.path));
}

/** PATTERN is a regular expression that must match the whole name. */
export function compilePattern(pattern: string): RegExp {
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    throw errors.invalidValue(`invalid regular expression '${pattern}' for PATTERN: ${(e as Error).message}`);
  }
}

function localFilesAllowed(session: Session, what: string): void {
  if (!session.localFiles) {
    throw errors.invalidOperation(`${what} reads and writes the server's own files, which this session may not do; upload with POST /api/v1/stages/… instead.`);
  }
}

export async function listStage(session: Session, stmt: ListStatement): Promise<ResultBody> {
  const stage = resolveStage(session, stmt.location, stmt.kind === 'list' ? 'LIST' : 'REMOVE');
  const files = filesAt(session, stage, stmt.pattern);
  if (stmt.kind === 'remove') {
    session.engine.stageFiles.remove(files);
    return table(
      [
        ['name', T.varchar()],
        ['result', T.varchar()],
      ],
      files.map((f) => [stage.listPrefix + f.path, 'removed']),
      'REMOVE',
    );
  }
  const rows = [];
  for (const f of files) rows.push([stage.listPrefix + f.path, f.size, await session.engine.stageFiles.md5(f), f.lastModified.toUTCString()]);
  return table(
    [
      ['name', T.varchar()],
      ['size', T.number()],
      ['md5', T.varchar()],
      ['last_modified', T.varchar()],
    ],
    rows,
    'LIST',
  );
}

/** Local files a PUT names: one path, or a `*` / `?` pattern in its last part. */
function localSources(pathText: string): string[] {
  const full = isAbsolute(pathText) ? pathText : resolve(pathText);
  const name = basename(full);
  if (!/[*?]/.test(name)) {
    if (!existsSync(full) || !statSync(full).isFile()) throw errors.userError('253006', '22000', `File doesn't exist: ['${pathText}']`);
    return [full];
  }
  const dir = dirname(full);
  if (/[*?]/.test(dir)) throw errors.unsupported('PUT with wildcards in directory names');
  const re = new RegExp(`^${name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  const found = existsSync(dir) ? readdirSync(dir).filter((f) => re.test(f) && statSync(join(dir, f)).isFile()) : [];
  if (found.length === 0) throw errors.userError('253006', '22000', `File doesn't exist: ['${pathText}']`);
  return found.sort().map((f) => join(dir, f));
}

function flag(v: { text: string } | undefined, fallback: boolean): boolean {
  if (!v) return fallback;
  return v.text.toUpperCase() === 'TRUE';
}

export async function putFiles(session: Session, stmt: PutStatement): Promise<ResultBody> {
  localFilesAllowed(session, 'PUT');
  const stage = resolveStage(session, stmt.target, 'PUT');
  for (const k of Object.keys(stmt.options)) {
    if (!['AUTO_COMPRESS', 'OVERWRITE', 'SOURCE_COMPRESSION', 'PARALLEL'].includes(k)) throw errors.invalidOperation(`invalid option ${k} for PUT`);
  }
  const outcomes = session.engine.stageFiles.put(stage.area, stage.key, stage.path, localSources(stmt.source), {
    autoCompress: flag(stmt.options.AUTO_COMPRESS, true),
    overwrite: flag(stmt.options.OVERWRITE, false),
  });
  return table(
    [
      ['source', T.varchar()],
      ['target', T.varchar()],
      ['source_size', T.number()],
      ['target_size', T.number()],
      ['source_compression', T.varchar()],
      ['target_compression', T.varchar()],
      ['status', T.varchar()],
      ['message', T.varchar()],
    ],
    outcomes.map((o) => [o.source, o.target, o.sourceSize, o.targetSize, o.sourceCompression, o.targetCompression, o.status, o.message]),
    'PUT',
  );
}

export async function getFiles(session: Session, stmt: GetStatement): Promise<ResultBody> {
  localFilesAllowed(session, 'GET');
  const stage = resolveStage(session, stmt.source, 'GET');
  for (const k of Object.keys(stmt.options)) if (!['PATTERN', 'PARALLEL'].includes(k)) throw errors.invalidOperation(`invalid option ${k} for GET`);
  const files = filesAt(session, stage, stmt.options.PATTERN?.text);
  const target = isAbsolute(stmt.target) ? stmt.target : resolve(stmt.target);
  const got = session.engine.stageFiles.get(files, target);
  return table(
    [
      ['file', T.varchar()],
      ['size', T.number()],
      ['status', T.varchar()],
      ['message', T.varchar()],
    ],
    got.map((g) => [g.file, g.size, 'DOWNLOADED', '']),
    'GET',
  );
}

/**
 * The files of internal stages, under `<data dir>/stages/<area>/<key>/…`: one directory per named
 * stage (by catalog id, so OR REPLACE starts empty), per table stage (by table id) and per user.
 * Paths inside a stage are relative and may not climb out of it. A file is written to a temporary
 * name and renamed, so a reader never sees half a file.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface StageFile {
  /** Path inside the stage, with forward slashes. */
  path: string;
  size: number;
  md5: string;
  lastModified: Date;
  /** Absolute path on disk. */
  absolute: string;
}

export interface PutOutcome {
  source: string;
  target: string;
  sourceSize: number;
  targetSize: number;
  sourceCompression: string;
  targetCompression: string;
  status: 'UPLOADED' | 'SKIPPED';
  message: string;
}

/** Which stage area a key lives in. */
export type StageArea = 'named' | 'table' | 'user';

export class StageFiles {
  constructor(private readonly dataDir: string) {}

  /** The directory of one stage. */
  dir(area: StageArea, key: string): string {
    if (!/^[A-Za-z0-9_$.-]+$/.test(key) || key === '.' || key === '..') throw new Error(`invalid stage key '${key}'`);
    return join(this.dataDir, 'stages', area, key);
  }

  /** Files under a path prefix (a folder `a/b/` or the start of names `a/b`), sorted by path. */
  list(area: StageArea, key: string, prefix: string): StageFile[] {
    const root = this.dir(area, key);
    if (!existsSync(root)) return [];
    const out: StageFile[] = [];
    const walk = (d: string) => {
      for (const entry of readdirSync(d, { withFileTypes: true })) {
        const full = join(d, entry.name);
        // Backlot's own scratch folders and files (`.bkl-…`: uploads and unloads in progress) are not stage files.
        if (entry.isDirectory()) {
          if (!entry.name.startsWith('.bkl-')) walk(full);
        }
        else if (entry.isFile() && !entry.name.startsWith('.bkl-')) {
          const path = relative(root, full).split(sep).join('/');
          if (!path.startsWith(prefix)) continue;
          const st = statSync(full);
          out.push({ path, size: st.size, md5: '', lastModified: st.mtime, absolute: full });
        }
      }
    };
    walk(root);
    out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return out;
  }

  /**
   * MD5 of a file's bytes (hex). Computed when the file is written and kept beside it (a hidden
   * `.bkl-md5-<name>` holding the sum, size and modification time), so COPY's load metadata does not
   * read a large file twice; computed here (streamed) when that is missing or stale.
   */
  async md5(file: StageFile): Promise<string> {
    const side = sidecar(file.absolute);
    try {
      const cached = JSON.parse(readFileSync(side, 'utf8')) as { md5: string; size: number; mtimeMs: number };
      if (cached.size === file.size && cached.mtimeMs === file.lastModified.getTime()) return cached.md5;
    } catch {
      // no sidecar yet
    }
    const hash = createHash('md5');
    await new Promise<void>((resolve, reject) => {
      createReadStream(file.absolute)
        .on('data', (b) => hash.update(b))
        .on('end', () => resolve())
        .on('error', reject);
    });
    const md5 = hash.digest('hex');
    writeSidecar(file.absolute, md5);
    return md5;
  }

  /**
   * Uploads local files into `folder` of the stage. AUTO_COMPRESS gzips files that are not
   * compressed already (adding `.gz`); an existing file is kept unless OVERWRITE.
   */
  put(area: StageArea, key: string, folder: string, sources: string[], options: { autoCompress: boolean; overwrite: boolean }): PutOutcome[] {
    const root = this.dir(area, key);
    const out: PutOutcome[] = [];
    for (const source of sources) {
      const name = basename(source);
      const data = readFileSync(source);
      const sourceCompression = compressionOf(name, data);
      const compress = options.autoCompress && sourceCompression === 'NONE';
      const targetName = compress ? `${name}.gz` : name;
      const body = compress ? gzipSync(data) : data;
      const relativePath = safeJoin(folder, targetName);
      const target = join(root, ...relativePath.split('/'));
      const outcome: PutOutcome = {
        source: name,
        target: targetName,
        sourceSize: data.length,
        targetSize: body.length,
        sourceCompression,
        targetCompression: compress ? 'GZIP' : sourceCompression,
        status: 'UPLOADED',
        message: '',
      };
      if (existsSync(target) && !options.overwrite) {
        out.push({ ...outcome, targetSize: statSync(target).size, status: 'SKIPPED' });
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      const tmp = join(dirname(target), `.bkl-tmp-${process.pid}-${Date.now()}-${basename(target)}`);
      writeFileSync(tmp, body);
      renameSync(tmp, target);
      writeSidecar(target, createHash('md5').update(body).digest('hex'));
      out.push(outcome);
    }
    return out;
  }

  /** Writes bytes to a path in the stage (the HTTP upload route). */
  write(area: StageArea, key: string, path: string, body: Buffer): void {
    const target = join(this.dir(area, key), ...safeJoin('', path).split('/'));
    mkdirSync(dirname(target), { recursive: true });
    const tmp = join(dirname(target), `.bkl-tmp-${process.pid}-${Date.now()}-${basename(target)}`);
    writeFileSync(tmp, body);
    renameSync(tmp, target);
    writeSidecar(target, createHash('md5').update(body).digest('hex'));
  }

  /** Copies stage files into a local directory (GET). */
  get(files: StageFile[], targetDir: string): { file: string; size: number }[] {
    mkdirSync(targetDir, { recursive: true });
    return files.map((f) => {
      const name = f.path.split('/').pop()!;
      copyFileSync(f.absolute, join(targetDir, name));
      return { file: name, size: f.size };
    });
  }

  remove(files: StageFile[]): void {
    for (const f of files) {
      rmSync(f.absolute, { force: true });
      rmSync(sidecar(f.absolute), { force: true });
    }
  }

  /** Everything of one stage (DROP STAGE, a dropped table's stage). */
  drop(area: StageArea, key: string): void {
    rmSync(this.dir(area, key), { recursive: true, force: true });
  }

  /** Removes the folders of an area whose key is not in `live` (stages of sessions that ended in a crash). */
  prune(area: StageArea, live: Set<string>): void {
    const root = join(this.dataDir, 'stages', area);
    if (!existsSync(root)) return;
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (entry.isDirectory() && !live.has(entry.name)) rmSync(join(root, entry.name), { recursive: true, force: true });
    }
  }
}

function sidecar(absolute: string): string {
  return join(dirname(absolute), `.bkl-md5-${basename(absolute)}`);
}

function writeSidecar(absolute: string, md5: string): void {
  const st = statSync(absolute);
  writeFileSync(sidecar(absolute), JSON.stringify({ md5, size: st.size, mtimeMs: st.mtime.getTime() }));
}

/** A relative stage path from a folder and a name; `..` and absolute paths are refused. */
export function safeJoin(folder: string, name: string): string {
  const parts = [...folder.split('/'), ...name.split('/')].filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw new Error(`the stage path '${folder}${name}' climbs out of the stage`);
  return parts.join('/');
}

/** Compression of a file from its name and first bytes (Snowflake's AUTO_DETECT). */
export function compressionOf(name: string, head: Buffer): string {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'GZIP';
  if (head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return 'BZ2';
  if (head.length >= 4 && head.readUInt32LE(0) === 0xfd2fb528) return 'ZSTD';
  if (head.length >= 4 && head.subarray(0, 4).toString('latin1') === 'PAR1') return 'PARQUET';
  const lower = name.toLowerCase();
  if (lower.endsWith('.br')) return 'BROTLI';
  if (lower.endsWith('.deflate')) return 'DEFLATE';
  if (lower.endsWith('.raw_deflate')) return 'RAW_DEFLATE';
  return 'NONE';
}

/**
 * One process owns a data directory. The lock is a file holding the owner's pid, created exclusively;
 * a lock left by a process that no longer runs is taken over, so a crash never blocks a restart.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SnowflakeError } from '../sql/index.ts';

export class DataDirectoryLock {
  private constructor(private readonly path: string) {}

  static acquire(dir: string): DataDirectoryLock {
    const path = join(dir, 'backlot.lock');
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return new DataDirectoryLock(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const owner = Number.parseInt(readFileSafe(path), 10);
        if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
          throw new SnowflakeError(
            '390100',
            '08001',
            `The data directory ${dir} is in use by another Backlot process (pid ${owner}). ` +
              'Stop it, or connect to it with `backlot sql --server URL`.',
          );
        }
        rmSync(path, { force: true });
      }
    }
    throw new Error(`could not lock ${dir}`);
  }

  release(): void {
    rmSync(this.path, { force: true });
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Scheduler behaviour that needs a graph run to be in progress while the clock moves: the overlap
 * policies. A test session holds the write lock (an open transaction that wrote), so task runs that
 * write wait — as a slow run would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Engine, ManualClock, type Session } from '../src/engine/index.ts';

let dir: string;
let engine: Engine;
let clock: ManualClock;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'backlot-tasks-'));
  clock = new ManualClock('2024-06-01T00:00:00Z');
  engine = await Engine.open({ dataDir: dir, clock });
});
afterEach(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

async function setup(policy: string): Promise<{ admin: Session; blocker: Session }> {
  const admin = await engine.newSession();
  await admin.execute('CREATE DATABASE d');
  await admin.execute('CREATE TABLE runs (at TIMESTAMP_LTZ)');
  await admin.execute('CREATE TABLE other (x INT)');
  await admin.execute(`CREATE TASK t SCHEDULE = '1 MINUTE' OVERLAP_POLICY = ${policy} AS INSERT INTO runs VALUES (CURRENT_TIMESTAMP())`);
  await admin.execute('ALTER TASK t RESUME');
  const blocker = await engine.newSession({ database: 'D', schema: 'PUBLIC' });
  return { admin, blocker };
}

/** Moves the clock minute by minute, ticking the scheduler without waiting for runs. */
async function minutes(n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) {
    clock.advance(60_000);
    engine.tasks.tick();
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('overlap policies', () => {
  it('NO_OVERLAP skips the times that come due while a run is in progress', async () => {
    const { admin, blocker } = await setup('NO_OVERLAP');
    await blocker.execute('BEGIN');
    await blocker.execute('INSERT INTO other VALUES (1)');
    await minutes(3);
    await blocker.execute('COMMIT');
    await engine.tasks.idle();
    expect((await admin.execute('SELECT count(*) FROM runs')).rows).toEqual([['1']]);
  });

  it('ALLOW_ALL_OVERLAP starts every due run even while earlier ones are in progress', async () => {
    const { admin, blocker } = await setup('ALLOW_ALL_OVERLAP');
    await blocker.execute('BEGIN');
    await blocker.execute('INSERT INTO other VALUES (1)');
    await minutes(3);
    await blocker.execute('COMMIT');
    await engine.tasks.idle();
    expect((await admin.execute('SELECT count(*) FROM runs')).rows).toEqual([['3']]);
  });

  it('queues EXECUTE TASK behind a running graph under NO_OVERLAP', async () => {
    const { admin, blocker } = await setup('NO_OVERLAP');
    await blocker.execute('BEGIN');
    await blocker.execute('INSERT INTO other VALUES (1)');
    await minutes(1);
    await admin.execute('EXECUTE TASK t');
    await new Promise((r) => setTimeout(r, 50));
    // Only the scheduled run is executing; the manual one waits for it.
    const executing = await admin.execute("SELECT state, scheduled_from FROM TABLE(INFORMATION_SCHEMA.CURRENT_TASK_GRAPHS()) WHERE state = 'EXECUTING'");
    expect(executing.rows).toEqual([['EXECUTING', 'SCHEDULE']]);
    await blocker.execute('COMMIT');
    await engine.tasks.idle();
    const done = (await admin.execute("SELECT scheduled_from FROM TABLE(INFORMATION_SCHEMA.COMPLETE_TASK_GRAPHS()) WHERE state = 'SUCCEEDED' ORDER BY 1")).rows;
    expect(done).toEqual([['EXECUTE_TASK'], ['SCHEDULE']]);
  });
});

import { describe, expect, it } from 'vitest';
import { CommitLog, type CommitRecord } from './commit-log.ts';

function commit(log: CommitLog, tables: number[], rewrote: number[]): void {
  const r: CommitRecord = { version: log.latest + 1, committedAt: new Date(0), tables, rewrote, sessionId: 's', queryId: null };
  log.committed(r);
}

describe('the commit log in memory', () => {
  it('says which ranges changed a table and whether they only appended', () => {
    const log = new CommitLog();
    commit(log, [7], []); // v1: append to 7
    commit(log, [8], [8]); // v2: update of 8
    commit(log, [7, 8], [8]); // v3: append to 7, delete from 8
    commit(log, [7], [7]); // v4: update of 7
    expect(log.changesIn(7, 0, 1)).toEqual({ changed: true, appendOnly: true });
    expect(log.changesIn(7, 1, 2)).toEqual({ changed: false, appendOnly: true });
    expect(log.changesIn(7, 0, 3)).toEqual({ changed: true, appendOnly: true });
    expect(log.changesIn(7, 0, 4)).toEqual({ changed: true, appendOnly: false });
    expect(log.changesIn(7, 3, 4)).toEqual({ changed: true, appendOnly: false });
    expect(log.changesIn(8, 2, 4)).toEqual({ changed: true, appendOnly: false });
    expect(log.changesIn(9, 0, 4)).toEqual({ changed: false, appendOnly: true });
  });

  it('treats a commit that does not say what it rewrote as rewriting every table', () => {
    const log = new CommitLog();
    log.committed({ version: 1, committedAt: new Date(0), tables: [3], sessionId: 'upgrade', queryId: null });
    expect(log.changesIn(3, 0, 1)).toEqual({ changed: true, appendOnly: false });
  });

  it('answers only for ranges it holds in full, and forgets old commits past its tail', () => {
    const log = new CommitLog();
    for (let i = 0; i < 300; i += 1) commit(log, [1], []);
    // The oldest 44 commits fell out of the 256 it keeps: ranges starting before them are unknown.
    expect(log.changesIn(1, 0, 300)).toBeUndefined();
    expect(log.changesIn(1, 43, 300)).toBeUndefined();
    expect(log.changesIn(1, 44, 300)).toEqual({ changed: true, appendOnly: true });
    expect(log.changesIn(1, 299, 300)).toEqual({ changed: true, appendOnly: true });
    expect(log.changesIn(1, 300, 300)).toEqual({ changed: false, appendOnly: true });
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { StartedRow } from './started-row.ts';

describe('StartedRow', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes nothing for a refresh that ends before the delay', async () => {
    vi.useFakeTimers();
    const write = vi.fn(async () => true);
    const row = new StartedRow(write, 200);
    vi.advanceTimersByTime(199);
    expect(await row.settle()).toBe(false);
    vi.advanceTimersByTime(1000);
    expect(write).not.toHaveBeenCalled();
    expect(row.written).toBe(false);
  });

  it('writes the row once the delay passes, and settles after the write committed', async () => {
    vi.useFakeTimers();
    let commit!: () => void;
    const write = vi.fn(() => new Promise<boolean>((resolve) => (commit = () => resolve(true))));
    const row = new StartedRow(write, 200);
    vi.advanceTimersByTime(200);
    expect(write).toHaveBeenCalledTimes(1);
    let settled: boolean | undefined;
    const pending = row.settle().then((v) => (settled = v));
    await Promise.resolve();
    expect(settled).toBeUndefined();
    commit();
    await pending;
    expect(settled).toBe(true);
    expect(row.written).toBe(true);
  });

  it('reports a failed write as no row (the completion then inserts it)', async () => {
    vi.useFakeTimers();
    const row = new StartedRow(async () => false, 10);
    vi.advanceTimersByTime(10);
    expect(await row.settle()).toBe(false);
  });
});

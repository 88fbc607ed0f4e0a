/**
 * Time as an input. Everything that reads "now" — CURRENT_TIMESTAMP in statements, query history,
 * schedules, lags and retention — reads it from a Clock, so tests can step through hours in
 * milliseconds with a ManualClock.
 */
export interface Clock {
  now(): Date;
  /** Waits `ms` of this clock's time (SYSTEM$WAIT, schedulers). */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => new Date(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** A clock that moves only when told to; sleeping advances it instantly. */
export class ManualClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2024-01-01T00:00:00Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current += ms;
  }

  set(to: Date | string): void {
    this.current = new Date(to).getTime();
  }

  async sleep(ms: number): Promise<void> {
    this.advance(ms);
  }
}

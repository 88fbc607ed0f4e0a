/**
 * The system-clock loop each scheduler (tasks, dynamic tables) runs in the long-running process:
 * tick, then sleep until the next due time — at most a second, so a moved clock or a missed wake-up
 * heals by itself — and wake early when the catalog changes. Tests never start it: they step the
 * schedulers with `Engine.runSchedules` on an injected clock.
 */
import type { Clock } from './clock.ts';

export class SchedulerLoop {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  /** A tick is running: a wake-up then only shortens the coming sleep (one chain of timers, never two). */
  private ticking = false;
  private wakeRequested = false;

  constructor(
    private readonly clock: Clock,
    private readonly tick: () => void,
    private readonly nextDue: () => number,
    /** Shortest sleep between ticks. */
    private readonly minWaitMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    this.loop();
  }

  private loop(): void {
    if (this.stopped) return;
    this.ticking = true;
    this.wakeRequested = false;
    try {
      this.tick();
    } finally {
      this.ticking = false;
      const wait = this.wakeRequested ? 0 : Math.max(this.minWaitMs, Math.min(1000, this.nextDue() - this.clock.now().getTime()));
      if (!this.stopped) this.timer = setTimeout(() => this.loop(), wait);
    }
  }

  /** Ticks again right away (something became due earlier than the loop is sleeping for). */
  wake(): void {
    if (this.stopped) return;
    if (this.ticking) {
      this.wakeRequested = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.loop(), 0);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

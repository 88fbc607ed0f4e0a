/**
 * A refresh's EXECUTING history row, written only if the refresh is still running after a while.
 * Most incremental refreshes take tens of milliseconds: their row is written once, complete, inside
 * the refresh's own transaction — an INSERT, instead of an INSERT on another connection at the
 * start (competing with the refresh for the cores) and an UPDATE at the end (which has to find the
 * row among all the history). A long refresh still shows as EXECUTING while it runs.
 *
 * The delay is wall time, not the engine's clock: it decides when a row becomes visible, not what it
 * says (its timestamps come from the clock).
 */
export const STARTED_ROW_AFTER_MS = 200;

export class StartedRow {
  /** Whether the row was written (the completion then updates it, else inserts the whole row). */
  written = false;
  private writing: Promise<void> | undefined;
  private readonly timer: NodeJS.Timeout;

  /** `write` writes the EXECUTING row and resolves whether it did. */
  constructor(write: () => Promise<boolean>, delayMs = STARTED_ROW_AFTER_MS) {
    this.timer = setTimeout(() => {
      this.writing = write().then((ok) => {
        this.written = ok;
      });
    }, delayMs);
    this.timer.unref();
  }

  /** No row is written after this; resolves, once a row being written is committed, whether one was. */
  async settle(): Promise<boolean> {
    clearTimeout(this.timer);
    await this.writing;
    return this.written;
  }
}

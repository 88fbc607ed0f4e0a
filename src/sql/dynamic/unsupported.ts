/** Why a query cannot be refreshed incrementally (shown as refresh_mode_reason). */
export class Unsupported extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

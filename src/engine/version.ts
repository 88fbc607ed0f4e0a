/** Backlot's version, as CURRENT_VERSION() and the CLI report it. */
export const BACKLOT_VERSION = '0.1.0';

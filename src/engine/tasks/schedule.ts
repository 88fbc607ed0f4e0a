/**
 * Task schedules (semantics §2.3): `'<n> SECONDS | MINUTES | HOURS'` (older `'<n> MINUTE'`, `'10 m'`)
 * and `'USING CRON <min> <hour> <dom> <month> <dow> <time zone>'`. Next run times come from croner
 * (cron) or arithmetic (intervals); the scheduler's loop and clock are our own.
 */
import { Cron } from 'croner';
import { errors } from '../../sql/index.ts';

export type Schedule =
  | { kind: 'interval'; ms: number; text: string }
  | { kind: 'cron'; expression: string; timezone: string; text: string; cron: Cron };

const UNITS: Record<string, number> = {
  SECOND: 1_000,
  SECONDS: 1_000,
  S: 1_000,
  MINUTE: 60_000,
  MINUTES: 60_000,
  M: 60_000,
  HOUR: 3_600_000,
  HOURS: 3_600_000,
  H: 3_600_000,
};

/** Parses a SCHEDULE value, or throws Snowflake's error for a malformed one. */
export function parseSchedule(text: string): Schedule {
  const words = text.trim().split(/\s+/);
  if (words[0]?.toUpperCase() === 'USING' && words[1]?.toUpperCase() === 'CRON') {
    const fields = words.slice(2);
    if (fields.length !== 6) throw invalid(text, 'a cron schedule needs five fields and a time zone');
    const timezone = fields[5];
    if (!validTimezone(timezone)) throw invalid(text, `unknown time zone '${timezone}'`);
    const expression = fields.slice(0, 5).map(normalizeField).join(' ');
    try {
      const cron = new Cron(expression, { timezone, paused: true, legacyMode: true });
      return { kind: 'cron', expression, timezone, text, cron };
    } catch (e) {
      throw invalid(text, (e as Error).message);
    }
  }
  if (words.length === 2 && /^\d+$/.test(words[0])) {
    const unit = UNITS[words[1].toUpperCase()];
    const n = Number(words[0]);
    if (unit !== undefined && n > 0) return { kind: 'interval', ms: n * unit, text };
  }
  throw invalid(text, "expected '<n> SECONDS | MINUTES | HOURS' or 'USING CRON <expr> <time zone>'");
}

/** The first run strictly after `after` (an interval counts from `base`, the resume time). */
export function nextRun(s: Schedule, after: number, base: number): number {
  if (s.kind === 'interval') {
    if (after < base) return base + s.ms;
    const steps = Math.floor((after - base) / s.ms) + 1;
    return base + steps * s.ms;
  }
  const next = s.cron.nextRun(new Date(after));
  if (!next) throw new Error(`cron schedule ${s.text} has no next run`);
  return next.getTime();
}

/**
 * Snowflake's `a/n` (every n starting at a) is croner's `a-<max>/n`. Everything else (`*`, lists,
 * ranges, `L`, `5L`, names) croner reads as Snowflake writes it.
 */
function normalizeField(field: string, index: number): string {
  const max = [59, 23, 31, 12, 6][index];
  return field
    .split(',')
    .map((part) => {
      const m = /^(\d+)\/(\d+)$/.exec(part);
      return m ? `${m[1]}-${max}/${m[2]}` : part;
    })
    .join(',');
}

function validTimezone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function invalid(text: string, why: string) {
  return errors.invalidValue(`invalid value [${text}] for parameter 'SCHEDULE': ${why}`);
}

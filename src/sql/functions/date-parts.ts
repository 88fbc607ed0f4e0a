/**
 * Snowflake date and time parts with their documented abbreviations, resolved to one canonical name.
 */
import { errors } from '../errors.ts';

export type DatePart =
  | 'YEAR'
  | 'QUARTER'
  | 'MONTH'
  | 'WEEK'
  | 'WEEKISO'
  | 'DAY'
  | 'DAYOFWEEK'
  | 'DAYOFWEEKISO'
  | 'DAYOFYEAR'
  | 'YEAROFWEEK'
  | 'YEAROFWEEKISO'
  | 'HOUR'
  | 'MINUTE'
  | 'SECOND'
  | 'MILLISECOND'
  | 'MICROSECOND'
  | 'NANOSECOND'
  | 'EPOCH_SECOND'
  | 'EPOCH_MILLISECOND'
  | 'EPOCH_MICROSECOND'
  | 'EPOCH_NANOSECOND'
  | 'TIMEZONE_HOUR'
  | 'TIMEZONE_MINUTE';

const ALIASES: Record<DatePart, string[]> = {
  YEAR: ['Y', 'YY', 'YYY', 'YYYY', 'YR', 'YEARS', 'YRS'],
  QUARTER: ['Q', 'QTR', 'QTRS', 'QUARTERS'],
  MONTH: ['MM', 'MON', 'MONS', 'MONTHS'],
  WEEK: ['W', 'WK', 'WEEKOFYEAR', 'WOY', 'WY'],
  WEEKISO: ['WEEK_ISO', 'WEEKOFYEARISO', 'WEEKOFYEAR_ISO'],
  DAY: ['D', 'DD', 'DAYS', 'DAYOFMONTH'],
  DAYOFWEEK: ['WEEKDAY', 'DOW', 'DW'],
  DAYOFWEEKISO: ['WEEKDAY_ISO', 'DOW_ISO', 'DW_ISO'],
  DAYOFYEAR: ['YEARDAY', 'DOY', 'DY'],
  YEAROFWEEK: [],
  YEAROFWEEKISO: [],
  HOUR: ['H', 'HH', 'HR', 'HOURS', 'HRS'],
  MINUTE: ['M', 'MI', 'MIN', 'MINUTES', 'MINS'],
  SECOND: ['S', 'SEC', 'SECONDS', 'SECS'],
  MILLISECOND: ['MS', 'MSEC', 'MILLISECONDS'],
  MICROSECOND: ['US', 'USEC', 'MICROSECONDS'],
  NANOSECOND: ['NS', 'NSEC', 'NANOSEC', 'NSECOND', 'NANOSECONDS', 'NANOSECS', 'NSECONDS'],
  EPOCH_SECOND: ['EPOCH', 'EPOCH_SECONDS'],
  EPOCH_MILLISECOND: ['EPOCH_MILLISECONDS'],
  EPOCH_MICROSECOND: ['EPOCH_MICROSECONDS'],
  EPOCH_NANOSECOND: ['EPOCH_NANOSECONDS'],
  TIMEZONE_HOUR: ['TZH'],
  TIMEZONE_MINUTE: ['TZM'],
};

const LOOKUP = new Map<string, DatePart>();
for (const [part, aliases] of Object.entries(ALIASES) as [DatePart, string[]][]) {
  LOOKUP.set(part, part);
  for (const a of aliases) LOOKUP.set(a, part);
}

export function resolveDatePart(text: string): DatePart {
  const p = LOOKUP.get(text.trim().toUpperCase());
  if (!p) throw errors.invalidValue(`Invalid date/time part '${text}'.`);
  return p;
}

/** Parts that keep a DATE a DATE under DATEADD and DATE_TRUNC. */
export function isDateLevel(p: DatePart): boolean {
  return p === 'YEAR' || p === 'QUARTER' || p === 'MONTH' || p === 'WEEK' || p === 'DAY';
}

/** DuckDB date_part name for EXTRACT / DATE_PART. */
export function duckExtractPart(p: DatePart): string {
  switch (p) {
    case 'DAYOFWEEK':
      return 'dow';
    case 'DAYOFWEEKISO':
      return 'isodow';
    case 'DAYOFYEAR':
      return 'doy';
    case 'WEEKISO':
    case 'WEEK':
      return 'week';
    case 'YEAROFWEEK':
    case 'YEAROFWEEKISO':
      return 'isoyear';
    case 'EPOCH_SECOND':
      return 'epoch';
    case 'TIMEZONE_HOUR':
      return 'timezone_hour';
    case 'TIMEZONE_MINUTE':
      return 'timezone_minute';
    default:
      return p.toLowerCase();
  }
}

/** DuckDB interval constructor for DATEADD by part, with the multiplier it needs. */
export function intervalFunction(p: DatePart): { fn: string; factor: number } {
  switch (p) {
    case 'YEAR':
      return { fn: 'to_years', factor: 1 };
    case 'QUARTER':
      return { fn: 'to_months', factor: 3 };
    case 'MONTH':
      return { fn: 'to_months', factor: 1 };
    case 'WEEK':
    case 'WEEKISO':
      return { fn: 'to_days', factor: 7 };
    case 'DAY':
      return { fn: 'to_days', factor: 1 };
    case 'HOUR':
      return { fn: 'to_hours', factor: 1 };
    case 'MINUTE':
      return { fn: 'to_minutes', factor: 1 };
    case 'SECOND':
      return { fn: 'to_seconds', factor: 1 };
    case 'MILLISECOND':
      return { fn: 'to_milliseconds', factor: 1 };
    case 'MICROSECOND':
      return { fn: 'to_microseconds', factor: 1 };
    case 'NANOSECOND':
      return { fn: 'to_microseconds', factor: 0.001 };
    default:
      throw errors.invalidValue(`Invalid date/time part '${p}' for DATEADD.`);
  }
}

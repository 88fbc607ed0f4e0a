/**
 * Snowflake date/time format models (`YYYY-MM-DD HH24:MI:SS.FF3`) as DuckDB strftime/strptime
 * patterns (`%Y-%m-%d %H:%M:%S.%g`). Text in double quotes is literal, as in Snowflake.
 */
import { errors } from '../errors.ts';

/** Longest elements first so `MMMM` wins over `MM` and `HH24` over `HH`. */
const ELEMENTS: [string, string][] = [
  ['YYYY', '%Y'],
  ['MMMM', '%B'],
  ['HH24', '%H'],
  ['HH12', '%I'],
  ['TZH:TZM', '%z'],
  ['TZHTZM', '%z'],
  ['FF9', '%n'],
  ['FF8', '%n'],
  ['FF7', '%n'],
  ['FF6', '%f'],
  ['FF5', '%f'],
  ['FF4', '%f'],
  ['FF3', '%g'],
  ['FF2', '%g'],
  ['FF1', '%g'],
  ['FF0', ''],
  ['FF', '%n'],
  ['MON', '%b'],
  ['DY', '%a'],
  ['YY', '%y'],
  ['MM', '%m'],
  ['DD', '%d'],
  ['HH', '%H'],
  ['MI', '%M'],
  ['SS', '%S'],
  ['AM', '%p'],
  ['PM', '%p'],
  ['TZH', '%z'],
];

/** The UTC-offset elements, which strftime cannot print as Snowflake does (`%z` gives -07 or +05:30). */
export type OffsetElement = 'TZH:TZM' | 'TZHTZM' | 'TZH' | 'TZM';
const OFFSETS: OffsetElement[] = ['TZH:TZM', 'TZHTZM', 'TZH', 'TZM'];

/**
 * A format model for printing: strftime patterns, and the offset elements apart (TO_CHAR prints each
 * piece and joins them).
 */
export function formatModelPieces(model: string): (string | { offset: OffsetElement })[] {
  const pieces: (string | { offset: OffsetElement })[] = [];
  let text = '';
  let i = 0;
  const upper = model.toUpperCase();
  while (i < model.length) {
    if (model[i] === '"') {
      const close = model.indexOf('"', i + 1);
      if (close < 0) {
        text += model.slice(i); // unterminated: formatModelToStrftime says so
        break;
      }
      text += model.slice(i, close + 1);
      i = close + 1;
      continue;
    }
    const offset = OFFSETS.find((o) => upper.startsWith(o, i));
    if (offset) {
      if (text) pieces.push(formatModelToStrftime(text));
      pieces.push({ offset });
      text = '';
      i += offset.length;
      continue;
    }
    text += model[i];
    i += 1;
  }
  if (text || pieces.length === 0) pieces.push(formatModelToStrftime(text));
  return pieces;
}

export function formatModelToStrftime(model: string): string {
  let out = '';
  let i = 0;
  const upper = model.toUpperCase();
  while (i < model.length) {
    const c = model[i];
    if (c === '"') {
      const close = model.indexOf('"', i + 1);
      if (close < 0) throw errors.invalidValue(`Can't parse format '${model}': unterminated quoted text.`);
      out += model.slice(i + 1, close).replace(/%/g, '%%');
      i = close + 1;
      continue;
    }
    const el = ELEMENTS.find(([name]) => upper.startsWith(name, i));
    if (el) {
      out += el[1];
      i += el[0].length;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      throw errors.unsupported(`format element '${model.slice(i, i + 4)}' in '${model}'`);
    }
    out += c === '%' ? '%%' : c;
    i += 1;
  }
  return out;
}

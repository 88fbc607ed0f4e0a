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

/**
 * DuckDB's errors in Snowflake's shape. A statement that DuckDB rejects (a missing column, a value
 * that does not convert, a violated NOT NULL) reaches the user with the code, SQL state and wording
 * Snowflake uses; anything unrecognised is reported as an internal error, never silently.
 */
import { errors, SnowflakeError } from '../../sql/index.ts';

/** Turns DuckDB's physical names (T42 …) back into Snowflake names in messages. */
export type NameLookup = (duckName: string) => string | undefined;

export function mapDuckError(e: unknown, names: NameLookup = () => undefined): SnowflakeError {
  if (e instanceof SnowflakeError) return e;
  const raw = e instanceof Error ? e.message : String(e);
  const firstLine = raw.split('\n')[0];
  const colon = firstLine.indexOf(': ');
  const kind = colon > 0 ? firstLine.slice(0, colon) : '';
  const msg = colon > 0 ? firstLine.slice(colon + 2) : firstLine;
  const quoted = (re: RegExp) => re.exec(msg)?.[1];

  switch (kind) {
    case 'Invalid Input Error':
      return fromRaisedMessage(msg) ?? errors.userError('100097', '22000', msg);
    case 'Conversion Error':
      return conversion(msg);
    case 'Constraint Error': {
      const nn = /NOT NULL constraint failed: ([^.]+)\.(.+)$/.exec(msg);
      if (nn) return errors.nullInNotNullColumn(nn[2]);
      const chk = /CHECK constraint failed on table (\S+) with expression CHECK\(\(length\("?([^")]+)"?\) <= (\d+)\)\)/.exec(msg);
      if (chk) {
        return errors.userError('100074', '22001', `String is too long and would be truncated (column '${chk[2]}', maximum length ${chk[3]})`);
      }
      return errors.userError('100072', '22000', msg);
    }
    case 'Out of Range Error':
      return errors.numericOverflow(msg);
    case 'Binder Error': {
      const col = quoted(/Referenced column "([^"]+)" (?:was )?not found/) ?? quoted(/column "([^"]+)" not found/i);
      if (col) return errors.invalidIdentifier(col);
      const tab = quoted(/Referenced table "([^"]+)" not found/);
      if (tab) return errors.invalidIdentifier(tab);
      const grp = quoted(/column "([^"]+)" must appear in the GROUP BY clause/);
      if (grp) return errors.userError('000979', '42601', `SQL compilation error:\n[${grp}] is not a valid group by expression`);
      if (msg.startsWith('No function matches')) {
        const sig = quoted(/argument types '([^']+)'/) ?? msg;
        return errors.userError('001044', '42P13', `SQL compilation error:\nInvalid argument types for function ${sig}`);
      }
      if (/Ambiguous reference to column name "([^"]+)"/.test(msg)) {
        return errors.userError('002028', '42601', `SQL compilation error:\nambiguous column name '${quoted(/column name "([^"]+)"/)}'`);
      }
      return errors.userError('002000', '42601', `SQL compilation error:\n${renameDuck(msg, names)}`);
    }
    case 'Catalog Error': {
      const fn = quoted(/Function with name (\S+) does not exist/);
      if (fn) return errors.unknownFunction(fn.toUpperCase());
      const tbl = quoted(/Table with name (\S+) does not exist/);
      if (tbl) return errors.doesNotExist('Object', names(tbl) ?? tbl);
      return errors.userError('002003', '42S02', `SQL compilation error:\n${renameDuck(msg, names)}`);
    }
    case 'Parser Error':
      return errors.syntaxMessage(msg);
    case 'TransactionContext Error':
    case 'Transaction Error':
      return errors.userError('000625', '57014', `Statement aborted because of a conflict with a concurrent transaction: ${msg}`);
    case 'Not implemented Error':
      return errors.unsupported(msg);
    case 'Dependency Error':
      return errors.userError('002043', '2BP01', `SQL compilation error:\n${renameDuck(msg, names)}`);
    default:
      return errors.internal(raw);
  }
}

/** Messages our own `sf_*` macros raise with error(). */
function fromRaisedMessage(msg: string): SnowflakeError | undefined {
  if (msg === 'Division by zero') return errors.divisionByZero();
  const b = /^Boolean value '(.*)' is not recognized$/s.exec(msg);
  if (b) return errors.booleanNotRecognized(b[1]);
  const d = /^Date '(.*)' is not recognized$/s.exec(msg);
  if (d) return errors.dateNotRecognized(d[1]);
  const ts = /^Timestamp '(.*)' is not recognized$/s.exec(msg);
  if (ts) return errors.timestampNotRecognized(ts[1]);
  const t = /^Time '(.*)' is not recognized$/s.exec(msg);
  if (t) return errors.timeNotRecognized(t[1]);
  if (msg.startsWith('Malformed JSON')) return jsonError(msg);
  if (/^String '.*' is too long and would be truncated$/s.test(msg)) return errors.userError('100074', '22001', msg);
  if (msg.startsWith('The following string is not a legal hex-encoded value')) return errors.userError('100115', '22000', msg);
  return undefined;
}

/** DuckDB: `Malformed JSON at byte 1 of input: unexpected character.  Input: "{bad"`. */
function jsonError(msg: string): SnowflakeError {
  const m = /^Malformed JSON at byte (\d+) of input: ([^.]*)\.?/.exec(msg);
  return errors.jsonParse(m ? `${m[2]}, pos ${m[1]}` : msg);
}

function conversion(msg: string): SnowflakeError {
  if (msg.startsWith('Malformed JSON')) return jsonError(msg);
  const str = /Could not convert string '(.*)' to (\w+)/s.exec(msg) ?? /Could not convert string "(.*)" to (\w+)/s.exec(msg);
  if (str) {
    if (str[2] === 'BOOL') return errors.booleanNotRecognized(str[1]);
    // A well-formed number that does not fit the DECIMAL is out of range, not unrecognised.
    if (str[2] === 'DECIMAL' && NUMERIC_TEXT.test(str[1])) return errors.numericOutOfRange(str[1].trim());
    return errors.numericNotRecognized(str[1]);
  }
  // A number cast to (or written into) a NUMBER(p, s) too narrow for it.
  const narrow = /^Could not cast value (.+?) to DECIMAL\(\d+,\d+\)(?: when casting from source column .*)?$/s.exec(msg) ?? /^Casting value "(.*)" to type DECIMAL\(\d+,\d+\) failed: value is out of range!$/s.exec(msg);
  if (narrow) return errors.numericOutOfRange(shownNumber(narrow[1]));
  const date = /invalid date field format: "(.*)"/.exec(msg) ?? /date field value out of range: "(.*)"/.exec(msg);
  if (date) return errors.dateNotRecognized(date[1]);
  const ts = /invalid timestamp field format: "(.*)"/.exec(msg) ?? /timestamp field value out of range: "(.*)"/.exec(msg);
  if (ts) return errors.timestampNotRecognized(ts[1]);
  const time = /invalid time field format: "(.*)"/.exec(msg);
  if (time) return errors.timeNotRecognized(time[1]);
  if (/out of range|can't be cast because the value is out of range/.test(msg)) return errors.numericOverflow(msg);
  const cast = /Failed to cast value to numerical: (.*)$/.exec(msg);
  if (cast) return errors.numericNotRecognized(cast[1].replace(/^"|"$/g, ''));
  return errors.userError('100038', '22018', msg);
}

/** Text DuckDB reads as a number (signs, decimals and exponents; surrounding blanks allowed). */
const NUMERIC_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** DuckDB prints a DOUBLE cast with six decimals (12345.670000); Snowflake shows the number. */
function shownNumber(text: string): string {
  return /^-?\d+\.\d+$/.test(text) ? text.replace(/\.?0+$/, '') : text;
}

function renameDuck(msg: string, names: NameLookup): string {
  return msg.replace(/\b(T\d+)\b/g, (m) => names(m) ?? m);
}

/**
 * Snowflake identifier rules. Unquoted identifiers fold to upper case and compare case-insensitively;
 * quoted identifiers keep their case exactly. Names are stored resolved (after folding), so two names
 * are equal exactly when their stored strings are equal.
 */
import { SnowflakeError, errors } from '../errors.ts';

/** A possibly partial three-part object name, every part already resolved (folded or verbatim). */
export interface ObjectName {
  database?: string;
  schema?: string;
  name: string;
}

/** Folds an identifier as Snowflake does: unquoted to upper case, quoted verbatim. */
export function foldIdentifier(text: string, quoted: boolean): string {
  return quoted ? text : text.toUpperCase();
}

const PLAIN = /^[A-Z_][A-Z0-9_$]*$/;

/** Words that must be quoted to be used as identifiers (Snowflake's reserved keywords). */
const RESERVED = new Set(
  (
    'ALL ALTER AND ANY AS BETWEEN BY CASE CAST CHECK COLUMN CONNECT CONSTRAINT CREATE CROSS CURRENT ' +
    'CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DELETE DISTINCT DROP ELSE EXISTS FALSE FOLLOWING ' +
    'FOR FROM FULL GRANT GROUP HAVING ILIKE IN INCREMENT INNER INSERT INTERSECT INTO IS JOIN LATERAL LEFT LIKE ' +
    'LOCALTIME LOCALTIMESTAMP MINUS NATURAL NOT NULL OF ON OR ORDER QUALIFY REGEXP REVOKE RIGHT RLIKE ROW ROWS ' +
    'SAMPLE SELECT SET SOME START TABLE TABLESAMPLE THEN TO TRIGGER TRUE TRY_CAST UNION UNIQUE UPDATE USING ' +
    'VALUES WHEN WHENEVER WHERE WITH'
  ).split(' '),
);

/** The identifier as a user would have to write it: bare when possible, otherwise double-quoted. */
export function quoteIdentifier(name: string): string {
  if (PLAIN.test(name) && !RESERVED.has(name)) return name;
  return `"${name.replace(/"/g, '""')}"`;
}

/** `DB.SCHEMA.NAME` with each part quoted where needed, as Snowflake prints names in messages. */
export function displayName(n: ObjectName | string[]): string {
  const parts = Array.isArray(n) ? n : [n.database, n.schema, n.name].filter((p): p is string => p !== undefined);
  return parts.map(quoteIdentifier).join('.');
}

/** A DuckDB identifier: always double-quoted so case and special characters survive. */
export function duckIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A SQL string literal (single quotes doubled). */
export function sqlString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/**
 * Parses a name written inside a string, as IDENTIFIER('db.s."My T"') and SYSTEM$ functions take it:
 * dot-separated parts, each unquoted (folded) or double-quoted (verbatim). Returns the parts in order.
 */
export function parseNameString(text: string): string[] {
  const parts: string[] = [];
  let i = 0;
  const s = text.trim();
  const fail = (): SnowflakeError => errors.invalidIdentifier(text);
  while (i <= s.length) {
    if (s[i] === '"') {
      let j = i + 1;
      let part = '';
      for (;;) {
        if (j >= s.length) throw fail();
        if (s[j] === '"') {
          if (s[j + 1] === '"') {
            part += '"';
            j += 2;
            continue;
          }
          break;
        }
        part += s[j];
        j += 1;
      }
      parts.push(part);
      i = j + 1;
    } else {
      let j = i;
      while (j < s.length && s[j] !== '.') j += 1;
      const part = s.slice(i, j).trim();
      if (part === '' && !(parts.length > 0 && j === i && s[j] === '.')) throw fail();
      // `db..name` means the PUBLIC schema.
      parts.push(part === '' ? 'PUBLIC' : part.toUpperCase());
      i = j;
    }
    if (i >= s.length) break;
    if (s[i] !== '.') throw fail();
    i += 1;
  }
  if (parts.length === 0 || parts.length > 3) throw fail();
  return parts;
}

/** Builds an ObjectName from 1–3 resolved parts (name last). */
export function objectNameFromParts(parts: string[]): ObjectName {
  if (parts.length === 1) return { name: parts[0] };
  if (parts.length === 2) return { schema: parts[0], name: parts[1] };
  return { database: parts[0], schema: parts[1], name: parts[2] };
}

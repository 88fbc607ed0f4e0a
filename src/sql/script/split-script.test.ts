import { describe, expect, it } from 'vitest';
import { isBlankSql, splitScript } from './split-script.ts';

describe('splitScript', () => {
  it('splits on semicolons outside quotes, comments and $$ bodies', () => {
    const script = `SELECT 'a;b'; -- c;d
SELECT "x;y" FROM t; /* e;f */ SELECT $$g;h$$;
// slash comment; here
SELECT 'it''s; fine'`;
    expect(splitScript(script).map((s) => s.text)).toEqual([
      "SELECT 'a;b'",
      '-- c;d\nSELECT "x;y" FROM t'.replace('-- c;d\n', ''),
      'SELECT $$g;h$$',
      "SELECT 'it''s; fine'",
    ]);
  });
  it('reports the line each statement starts on', () => {
    expect(splitScript('SELECT 1;\n\n  SELECT 2;').map((s) => s.line)).toEqual([1, 3]);
  });
  it('drops statements that are only comments or whitespace', () => {
    expect(splitScript(' ; -- nothing\n ;')).toEqual([]);
    expect(isBlankSql('/* x */ -- y\n')).toBe(true);
  });
  it('keeps an unterminated literal to the end instead of failing', () => {
    expect(splitScript("SELECT 'open; SELECT 2").map((s) => s.text)).toEqual(["SELECT 'open; SELECT 2"]);
  });
  it('handles backslash escapes inside strings', () => {
    expect(splitScript("SELECT 'a\\';b'; SELECT 2").map((s) => s.text)).toEqual(["SELECT 'a\\';b'", 'SELECT 2']);
  });
  it('keeps Snowflake Scripting blocks whole, and tells them from transaction control', () => {
    const script = `BEGIN;
INSERT INTO t VALUES (1);
COMMIT;
BEGIN TRANSACTION;
BEGIN
  LET x := 1;
  IF (x > 0) THEN
    INSERT INTO t SELECT CASE WHEN x = 1 THEN 'a' END;
  ELSE
    FOR r IN c DO
      x := x + 1;
    END FOR;
  END IF;
  WHILE (x < 3) DO x := x + 1; END WHILE;
  LOOP BREAK; END LOOP;
  RETURN REPEAT('a', x);
END;
DECLARE
  c CURSOR FOR SELECT 1;
  n INT DEFAULT CASE WHEN true THEN 1 END;
BEGIN
  RETURN n;
EXCEPTION
  WHEN OTHER THEN RETURN 0;
END;
CREATE OR REPLACE TASK t1 SCHEDULE = '1 MINUTE' AS BEGIN INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END;
CREATE TABLE IF NOT EXISTS u (a INT);
SELECT 1`;
    const texts = splitScript(script).map((s) => s.text.split('\n')[0]);
    expect(texts).toEqual([
      'BEGIN',
      'INSERT INTO t VALUES (1)',
      'COMMIT',
      'BEGIN TRANSACTION',
      'BEGIN',
      'DECLARE',
      "CREATE OR REPLACE TASK t1 SCHEDULE = '1 MINUTE' AS BEGIN INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); END",
      'CREATE TABLE IF NOT EXISTS u (a INT)',
      'SELECT 1',
    ]);
    expect(splitScript(script)[4].text.endsWith('END')).toBe(true);
  });
});

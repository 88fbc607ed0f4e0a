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
});

import { describe, expect, it } from 'vitest';
import { duckJsonPath, parsePath, snowflakePathText } from './variant.ts';

describe('VARIANT paths', () => {
  it('parses dotted, bracketed and quoted segments', () => {
    expect(parsePath('a.b[0].c')).toEqual([{ key: 'a' }, { key: 'b' }, { index: 0 }, { key: 'c' }]);
    expect(parsePath('["x y"][1]')).toEqual([{ key: 'x y' }, { index: 1 }]);
    expect(parsePath("a['k.j']")).toEqual([{ key: 'a' }, { key: 'k.j' }]);
    expect(parsePath('"Mixed".z')).toEqual([{ key: 'Mixed' }, { key: 'z' }]);
  });
  it('prints DuckDB JSON paths and Snowflake PATH text', () => {
    const p = parsePath('a["x y"][2]');
    expect(duckJsonPath(p)).toBe('$.a."x y"[2]');
    expect(snowflakePathText(p)).toBe("a['x y'][2]");
  });
  it('rejects broken paths', () => {
    expect(() => parsePath('a[')).toThrow(/Invalid extraction path/);
  });
});

import { describe, expect, it } from 'vitest';
import { displayName, parseNameString, quoteIdentifier } from './identifiers.ts';

describe('identifiers', () => {
  it('parses names written in strings as Snowflake folds them', () => {
    expect(parseNameString('db.s.t')).toEqual(['DB', 'S', 'T']);
    expect(parseNameString('"My Db"."s".T')).toEqual(['My Db', 's', 'T']);
    expect(parseNameString('db..t')).toEqual(['DB', 'PUBLIC', 'T']);
    expect(parseNameString('"a""b"')).toEqual(['a"b']);
  });
  it('rejects malformed names', () => {
    expect(() => parseNameString('a.b.c.d')).toThrow(/invalid identifier/);
    expect(() => parseNameString('"open')).toThrow(/invalid identifier/);
  });
  it('quotes only where needed', () => {
    expect(quoteIdentifier('ORDERS')).toBe('ORDERS');
    expect(quoteIdentifier('orders')).toBe('"orders"');
    expect(quoteIdentifier('SELECT')).toBe('"SELECT"');
    expect(displayName(['DB', 'my schema', 'T'])).toBe('DB."my schema".T');
  });
});

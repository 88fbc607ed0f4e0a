import { describe, expect, it } from 'vitest';
import { stripNullValues } from './json-nulls.ts';

describe('STRIP_NULL_VALUES', () => {
  it('removes null fields and array elements at every depth, as Snowflake documents', () => {
    expect(stripNullValues('[null]')).toBe('[]');
    expect(stripNullValues('[null,null]')).toBe('[]');
    expect(stripNullValues('{"a":null,"b":null}')).toBe('{}');
    expect(stripNullValues('{"a":null,"b":{"c":null,"d":1}}')).toBe('{"b":{"d":1}}');
    expect(stripNullValues('{"l":[1,null,{"x":null,"y":[null,"s"]}]}')).toBe('{"l":[1,{"y":["s"]}]}');
  });

  it('keeps numbers exactly as written and scalars as they are', () => {
    expect(stripNullValues('{"n":12345678901234567890123.50,"e":1e400}')).toBe('{"n":12345678901234567890123.50,"e":1e400}');
    expect(stripNullValues('"text"')).toBe('"text"');
    expect(stripNullValues('null')).toBe('null');
  });

  it('says undefined for text that is not JSON', () => {
    expect(stripNullValues('{"a": ')).toBeUndefined();
  });
});

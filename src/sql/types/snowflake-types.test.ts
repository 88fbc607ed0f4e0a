import { describe, expect, it } from 'vitest';
import { duckTypeOf, formatType, informationSchemaTypeName, typeFromDuck, typeFromName } from './snowflake-types.ts';

describe('Snowflake types', () => {
  it('maps types to DuckDB storage for speed', () => {
    expect(duckTypeOf(typeFromName('INT'))).toBe('BIGINT');
    expect(duckTypeOf(typeFromName('NUMBER', [38, 0]))).toBe('BIGINT');
    expect(duckTypeOf(typeFromName('NUMBER', [10, 2]))).toBe('DECIMAL(10,2)');
    expect(duckTypeOf(typeFromName('TIMESTAMP_LTZ'))).toBe('TIMESTAMPTZ');
    expect(duckTypeOf(typeFromName('VARIANT'))).toBe('JSON');
    expect(duckTypeOf(typeFromName('STRING'))).toBe('VARCHAR');
  });
  it('prints Snowflake type names', () => {
    expect(formatType(typeFromName('STRING'))).toBe('VARCHAR(16777216)');
    expect(formatType(typeFromName('CHAR'))).toBe('VARCHAR(1)');
    expect(formatType(typeFromName('DATETIME'))).toBe('TIMESTAMP_NTZ(9)');
    expect(formatType(typeFromName('DOUBLE PRECISION'))).toBe('FLOAT');
    expect(informationSchemaTypeName(typeFromName('VARCHAR', [5]))).toBe('TEXT');
  });
  it('reads DuckDB result types back', () => {
    expect(typeFromDuck('DECIMAL(10,2)')).toEqual({ kind: 'NUMBER', precision: 10, scale: 2 });
    expect(typeFromDuck('VARCHAR', 'JSON')).toEqual({ kind: 'VARIANT' });
    expect(typeFromDuck('TIMESTAMP WITH TIME ZONE')).toEqual({ kind: 'TIMESTAMP_LTZ', precision: 9 });
    expect(typeFromDuck('HUGEINT')).toEqual({ kind: 'NUMBER', precision: 38, scale: 0 });
  });
  it('rejects what Backlot cannot store', () => {
    expect(() => typeFromName('GEOGRAPHY')).toThrow(/unsupported: data type GEOGRAPHY/);
    expect(() => typeFromName('NUMBER', [40, 0])).toThrow(/Unsupported data type/);
    expect(() => typeFromName('WIDGET')).toThrow(/Unsupported data type 'WIDGET'/);
  });
});

import { describe, expect, it } from 'vitest';
import { resolveDatePart } from './date-parts.ts';
import { formatModelPieces, formatModelToStrftime } from './format-models.ts';

describe('format models', () => {
  it('maps Snowflake elements to strftime', () => {
    expect(formatModelToStrftime('YYYY-MM-DD HH24:MI:SS.FF3')).toBe('%Y-%m-%d %H:%M:%S.%g');
    expect(formatModelToStrftime('DD Mon YYYY')).toBe('%d %b %Y');
    expect(formatModelToStrftime('MMMM DY HH12 AM')).toBe('%B %a %I %p');
    expect(formatModelToStrftime('YYYY"T"HH24 100%')).toBe('%YT%H 100%%');
  });
  it('rejects elements it does not know', () => {
    expect(() => formatModelToStrftime('YYYY-QQ')).toThrow(/unsupported: format element/);
  });
});

describe('date parts', () => {
  it('resolves abbreviations', () => {
    expect(resolveDatePart('yy')).toBe('YEAR');
    expect(resolveDatePart('MON')).toBe('MONTH');
    expect(resolveDatePart('dw')).toBe('DAYOFWEEK');
    expect(resolveDatePart('epoch')).toBe('EPOCH_SECOND');
    expect(() => resolveDatePart('fortnight')).toThrow(/Invalid date\/time part/);
  });
  it('keeps offset elements apart for printing', () => {
    expect(formatModelPieces('YYYY-MM-DD HH24:MI TZHTZM')).toEqual(['%Y-%m-%d %H:%M ', { offset: 'TZHTZM' }]);
    expect(formatModelPieces('"TZH"TZH:TZM')).toEqual(['TZH', { offset: 'TZH:TZM' }]);
    expect(formatModelPieces('YYYY')).toEqual(['%Y']);
  });
});

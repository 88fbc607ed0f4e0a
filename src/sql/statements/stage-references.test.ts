import { describe, expect, it } from 'vitest';
import { extractStageReferences } from './stage-references.ts';

describe('stage locations in FROM', () => {
  it('are cut out with their option lists and replaced by placeholder names', () => {
    expect(extractStageReferences("SELECT $1 FROM @s/a.csv t ORDER BY 1")).toEqual({ sql: 'SELECT $1 FROM _BKL_STAGE_REF_0 t ORDER BY 1', refs: [{ location: '@s/a.csv' }] });
    expect(extractStageReferences("SELECT a.$1 FROM @%fans (FILE_FORMAT => 'j', PATTERN => '.*[.]json') a JOIN @~/x/ b ON TRUE, @\"My\".s/p")).toEqual({
      sql: 'SELECT a.$1 FROM _BKL_STAGE_REF_0 a JOIN _BKL_STAGE_REF_1 b ON TRUE, _BKL_STAGE_REF_2',
      refs: [{ location: '@%fans', fileFormat: 'j', pattern: '.*[.]json' }, { location: '@~/x/' }, { location: '@"My".s/p' }],
    });
    expect(extractStageReferences('SELECT * FROM (SELECT $1 FROM @db.sch.s (FILE_FORMAT => db.sch.f))').refs).toEqual([{ location: '@db.sch.s', fileFormat: 'db.sch.f' }]);
  });

  it('leaves text without locations alone, and strings that hold an @', () => {
    expect(extractStageReferences("SELECT '@x' FROM t")).toEqual({ sql: "SELECT '@x' FROM t", refs: [] });
    expect(extractStageReferences('SELECT 1')).toEqual({ sql: 'SELECT 1', refs: [] });
  });

  it('refuses options it does not know', () => {
    expect(() => extractStageReferences("SELECT $1 FROM @s (FORMAT => 'x')")).toThrow("A stage location's options are (FILE_FORMAT");
  });
});

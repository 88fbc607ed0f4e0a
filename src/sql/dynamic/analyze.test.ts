/**
 * The incremental planner's analysis, case by case: which block shape and partition key a query gets,
 * which aggregates keep running state, and why a query cannot be incremental. (Correctness of the
 * generated refreshes is proven end to end by test/dynamic-property.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { T } from '../types/snowflake-types.ts';
import { aggregatePlan } from './aggregates.ts';
import { analyze, type Block } from './analyze.ts';
import { bindQuery, type BindLookup } from './bind.ts';
import { Unsupported } from './unsupported.ts';

const columns = ['ID', 'K', 'V', 'G'].map((name) => ({ name, type: name === 'G' ? T.varchar() : T.number(38, 0) }));
const lookup: BindLookup = {
  lookup(parts) {
    const name = parts[parts.length - 1].toUpperCase();
    return { kind: 'input', id: name === 'A' ? 1 : 2, displayName: `D.S.${name}`, dynamic: false, columns };
  },
};

function plan(sql: string): Block {
  return analyze(bindQuery(sql, lookup, { database: 'D', schema: 'S' }).ast);
}

function reason(sql: string): string {
  try {
    plan(sql);
  } catch (e) {
    if (e instanceof Unsupported) return e.reason;
    throw e;
  }
  return 'supported';
}

function describeBlock(b: Block): string {
  if (b.kind === 'union') return `union${b.all ? ' all' : ''}(${b.branches.map(describeBlock).join(', ')})`;
  if (b.kind === 'constant') return 'constant';
  const key = b.key === undefined ? '' : b.key.kind === 'output' ? ' by output' : ` by ${b.key.exprs.length} key(s)`;
  return `${b.shape}${key}${b.items.some((i) => i.kind === 'derived') ? ' over derived' : ''}`;
}

describe('analyze', () => {
  it.each([
    ['SELECT id, v * 2 AS w FROM a WHERE v > 1', 'spj'],
    ['SELECT a.id, b.v FROM a JOIN b ON a.k = b.k', 'spj'],
    ['SELECT a.id, b.v FROM a LEFT JOIN b ON a.k = b.k', 'spj by output'],
    ['SELECT k, sum(v) AS s FROM a GROUP BY k', 'group by 1 key(s)'],
    ['SELECT count(*) AS n FROM a', 'group by 1 key(s)'],
    ['SELECT id, rank() OVER (PARTITION BY k ORDER BY v) AS r FROM a', 'window by 1 key(s)'],
    ['SELECT * FROM a QUALIFY row_number() OVER (PARTITION BY k, g ORDER BY v DESC) = 1', 'window by 2 key(s)'],
    ['SELECT DISTINCT k FROM a', 'distinct by output'],
    ['SELECT k FROM a UNION ALL SELECT k FROM b', 'union all(spj, spj)'],
    ['SELECT k FROM a UNION SELECT k FROM b', 'union(spj, spj)'],
    ['WITH s AS (SELECT k, sum(v) AS t FROM a GROUP BY k) SELECT s.k, b.v FROM s JOIN b ON s.k = b.k', 'spj over derived'],
  ])('%s → %s', (sql, expected) => {
    expect(describeBlock(plan(sql))).toBe(expected);
  });

  it.each([
    ['SELECT k FROM a EXCEPT SELECT k FROM b', 'Unsupported query operator type: SetOperation[EXCEPT]'],
    ['SELECT id FROM a WHERE k IN (SELECT k FROM b)', 'IN (subquery) is not supported for incremental refresh'],
    ['SELECT id, random() AS r FROM a', 'non-deterministic function RANDOM is not supported for incremental refresh'],
    ['SELECT id, sum(v) OVER () AS t FROM a', 'window functions without a common PARTITION BY are not supported for incremental refresh'],
    ['SELECT k, sum(v) AS s FROM a GROUP BY ROLLUP (k)', 'ROLLUP, CUBE and GROUPING SETS are not supported for incremental refresh'],
    ['WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3) SELECT n FROM r', 'WITH RECURSIVE is not supported for incremental refresh'],
    ['SELECT a.id FROM a FULL JOIN b ON a.k = b.k', 'FULL JOIN is not supported for incremental refresh'],
  ])('%s is not incremental: %s', (sql, expected) => {
    expect(reason(sql)).toBe(expected);
  });
});

describe('aggregatePlan', () => {
  const top = (sql: string) => {
    const b = plan(sql);
    if (b.kind !== 'select') throw new Error('not a select block');
    return aggregatePlan(b);
  };

  it('keeps running state for SUM, COUNT and MIN/MAX, sharing repeated calls', () => {
    const p = top('SELECT k, sum(v) AS s, count(*) AS n, count(v) AS c, max(v) AS hi, sum(v) * 2 AS s2 FROM a GROUP BY k');
    expect(p?.parts.map((x) => x.kind)).toEqual(['SUM', 'COUNT', 'MAX']);
    expect(p?.hasExtremes).toBe(true);
    expect(top('SELECT k, sum(v) AS s FROM a GROUP BY k')?.hasExtremes).toBe(false);
  });

  it('keeps COUNT(DISTINCT x) apart from COUNT(x), and MEDIAN; declines DISTINCT of other aggregates', () => {
    const p = top('SELECT k, count(DISTINCT v) AS d, count(v) AS c FROM a GROUP BY k');
    expect(p?.parts.map((x) => x.kind)).toEqual(['DISTINCT', 'COUNT']);
    expect(top('SELECT k, sum(DISTINCT v) AS d FROM a GROUP BY k')).toBeUndefined();
    expect(top('SELECT k, median(v) AS m FROM a GROUP BY k')?.parts.map((x) => x.kind)).toEqual(['MEDIAN']);
  });

  it('declines what the state cannot give exactly', () => {
    expect(top('SELECT k, listagg(v, \',\') AS l FROM a GROUP BY k')).toBeUndefined();
    expect(top('SELECT k, sum(v) AS s FROM a GROUP BY k HAVING sum(v) > 1')).toBeUndefined();
    expect(top('SELECT count(*) AS n FROM a')).toBeUndefined(); // a global aggregate has a row on no input
    expect(top('SELECT b.k, count(*) AS n FROM a LEFT JOIN b ON a.k = b.k GROUP BY b.k')).toBeUndefined();
  });
});

import { describe, expect, it } from 'vitest';
import { parseStatement } from './parse-statement.ts';

const parse = (sql: string) => parseStatement(sql).statement;

describe('platform grammar', () => {
  it('parses CREATE TABLE with columns, identity, constraints and properties', () => {
    const s = parse(
      "CREATE OR REPLACE TRANSIENT TABLE db.s.t (id INT IDENTITY(10, 5) PRIMARY KEY, name VARCHAR(20) NOT NULL COMMENT 'n', d DATE DEFAULT CURRENT_DATE(), CONSTRAINT u UNIQUE (name)) CLUSTER BY (d) DATA_RETENTION_TIME_IN_DAYS = 3 COMMENT = 'x'",
    );
    expect(s.kind).toBe('create_table');
    if (s.kind !== 'create_table') return;
    expect(s.name).toEqual({ database: 'DB', schema: 'S', name: 'T' });
    expect(s.transient).toBe(true);
    expect(s.columns?.map((c) => c.name)).toEqual(['ID', 'NAME', 'D']);
    expect(s.columns?.[0].identity).toEqual({ start: 10, increment: 5, order: true });
    expect(s.columns?.[1]).toMatchObject({ nullable: false, comment: 'n', type: { kind: 'VARCHAR', length: 20 } });
    expect(s.columns?.[2].defaultSql).toBe('CURRENT_DATE()');
    expect(s.constraints).toEqual([{ kind: 'UNIQUE', name: 'U', columns: ['NAME'] }]);
    expect(s.clusterBy).toEqual(['d']);
    expect(s.properties.DATA_RETENTION_TIME_IN_DAYS.text).toBe('3');
  });
  it('parses CTAS, LIKE and CLONE heads', () => {
    const ctas = parse('CREATE TABLE t2 (a, b) AS SELECT 1, 2');
    expect(ctas.kind === 'create_table' && ctas.asQuery).toBe('SELECT 1, 2');
    const like = parse('create table t3 like t');
    expect(like.kind === 'create_table' && like.like).toEqual({ name: 'T' });
  });
  it('parses SHOW with every filter', () => {
    expect(parse("SHOW TERSE TABLES HISTORY LIKE 'a%' IN SCHEMA db.s STARTS WITH 'A' LIMIT 5 FROM 'AB'")).toEqual({
      kind: 'show',
      what: 'TABLES',
      terse: true,
      history: true,
      like: 'a%',
      scope: { kind: 'SCHEMA', name: { database: 'DB', name: 'S' } },
      startsWith: 'A',
      limit: 5,
      limitFrom: 'AB',
    });
  });
  it('parses SET forms', () => {
    expect(parse('SET (a, b) = (1, 2)')).toMatchObject({ kind: 'set_variables', names: ['A', 'B'], values: ['1', '2'] });
    expect(parse('SET x = (SELECT 1)')).toMatchObject({ names: ['X'], values: ['(SELECT 1)'] });
  });
  it('reports syntax errors with line and position', () => {
    expect(() => parse('CREATE TABLE t (a INT,\n b INT,)')).toThrow(/syntax error line 2 at position/);
    expect(() => parse('SELECT FROM')).toThrow("syntax error line 1 at position 7 unexpected 'FROM'.");
  });
  it('says unsupported for statements it does not run', () => {
    expect(() => parse('CREATE PIPE p AS COPY INTO t FROM @s')).toThrow('unsupported: CREATE PIPE');
    expect(() => parse('COPY INTO @s FROM t PARTITION (x)')).toThrow('syntax error');
    expect(() => parse('EXPLAIN SELECT 1')).toThrow('unsupported: EXPLAIN');
  });
});

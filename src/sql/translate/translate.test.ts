/**
 * Golden cases for the translation passes: Snowflake SQL in, the exact DuckDB SQL out, with a fixed
 * catalog. Each block names the pass whose behaviour it pins down.
 */
import { describe, expect, it } from 'vitest';
import { parseStatement } from '../statements/parse-statement.ts';
import { T } from '../types/snowflake-types.ts';
import type { ResolvedRelation, TranslateContext } from './context.ts';
import { translateDml, translateExpression, translateQuery } from './translate.ts';

function relation(name: string, columns: [string, ReturnType<typeof T.varchar>][]): ResolvedRelation {
  return { duckSchema: 'DB.S', duckName: name, columns: columns.map(([n, type]) => ({ name: n, type })), kind: 'TABLE', displayName: `DB.S.${name}` };
}

const TABLES: Record<string, ResolvedRelation> = {
  T: relation('T', [
    ['ID', T.number()],
    ['NAME', T.varchar()],
    ['V', T.variant()],
    ['D', T.date()],
    ['TS', T.timestampNtz()],
    ['AMT', T.number(10, 2)],
  ]),
  U: relation('U', [['ID', T.number()], ['X', T.float()]]),
  MIXED: relation('MIXED', [['camelCase', T.varchar()]]),
};

const ctx: TranslateContext = {
  session: {
    database: 'DB',
    schema: 'S',
    role: 'SYSADMIN',
    user: 'ADMIN',
    warehouse: 'WH',
    sessionId: 'sess',
    timezone: 'UTC',
    account: 'ACCT',
    region: 'LOCAL',
    version: '0.1.0',
  },
  resolveRelation: (parts) => {
    const r = TABLES[parts[parts.length - 1]];
    if (!r) throw new Error(`no relation ${parts.join('.')}`);
    return r;
  },
  resolveSequence: (parts) => (parts[parts.length - 1] === 'SEQ' ? { duckSchema: '_backlot_data', duckName: 'S9' } : undefined),
  variable: (name) => (name === 'N' ? { type: T.number(), value: '5' } : name === 'TBL' ? { type: T.varchar(), value: 'db.s.u' } : undefined),
  lastQueryId: (i) => (i === -1 ? 'q-last' : undefined),
  tableFunction: () => undefined,
  resolveTarget: (parts) => ({
    relation: { ...ctx.resolveRelation(parts), duckSchema: '_backlot_data', duckName: 'T1' },
    history: { duckSchema: '_backlot_data', duckName: 'H1' },
    tableId: 1,
  }),
  timeTravel: (parts, point) => ({ ...ctx.resolveRelation(parts), tableFunction: { macro: '_backlot_data.T1_AT', args: [point.valueSql] } }),
  streamHasData: () => ({ hasData: true, streamId: 7 }),
  changes: (parts) => ({ ...ctx.resolveRelation(parts), tableFunction: { macro: '_backlot_data.T1_CHANGES', args: [1, 2] } }),
  resultScan: (id) => ({ ...relation(`RESULT_${id}`, [['A', T.number()]]), duckSchema: 'temp' }),
};

function duck(sql: string): string {
  const stmt = parseStatement(sql).statement;
  if (stmt.kind === 'query') return translateQuery(stmt, sql, ctx).sql;
  if (stmt.kind === 'dml') {
    const plan = translateDml(stmt, ctx);
    return plan.kind === 'insert' ? plan.sourceSql : plan.kind === 'change' ? plan.changesSql : plan.sourceSql;
  }
  throw new Error(`not translatable: ${stmt.kind}`);
}

describe('identifier case (fold-identifiers)', () => {
  it('folds unquoted names and keeps quoted ones', () => {
    expect(duck('select id as Ident, "camelCase" from mixed m')).toBe('SELECT "ID" AS "IDENT", "camelCase" FROM "DB.S"."MIXED" AS "M"');
  });
  it('names unaliased expressions by their upper-cased text', () => {
    expect(duck('select count(*), id + 1 from t')).toBe('SELECT COUNT_STAR() AS "COUNT(*)", "ID" + 1 AS "ID + 1" FROM "DB.S"."T" AS "T"');
  });
  it('rejects a reference that only matches ignoring case', () => {
    expect(() => duck('select camelcase from mixed')).toThrow(/invalid identifier 'CAMELCASE'/);
  });
});

describe('relations (queries)', () => {
  it('resolves tables through the resolver and keeps CTE names local', () => {
    expect(duck('with c as (select id from t) select c.id from c')).toBe('WITH "C" AS (SELECT "ID" FROM "DB.S"."T" AS "T") SELECT "C"."ID" FROM "C"');
  });
  it('reads IDENTIFIER() from a literal or a session variable', () => {
    expect(duck('select * from identifier($tbl)')).toBe('SELECT * FROM "DB.S"."U" AS "U"');
  });
  it('names VALUES columns COLUMN1..n and resolves $n', () => {
    expect(duck('select $2 from values (1, \'a\')')).toBe(
      'SELECT "VALUES_1"."COLUMN2" AS "$2" FROM (VALUES (1, \'a\')) AS "VALUES_1"("COLUMN1", "COLUMN2")',
    );
  });
  it('turns GENERATOR into range() and SEQ4 into its row number', () => {
    expect(duck('select seq4() from table(generator(rowcount => 3))')).toBe(
      'SELECT "GENERATOR"."_GENERATOR_ROW" AS "SEQ4()" FROM RANGE(3) AS "GENERATOR"("_GENERATOR_ROW")',
    );
  });
  it('turns LATERAL FLATTEN into the sf_flatten table macro', () => {
    expect(duck('select f.value from t, lateral flatten(input => t.v:items, outer => true) f')).toBe(
      'SELECT "F"."VALUE" FROM "DB.S"."T" AS "T", LATERAL SF_FLATTEN(JSON_EXTRACT("T"."V", \'$.items\'), \'$\', \'\', TRUE, \'BOTH\') AS F',
    );
  });
  it('reads RESULT_SCAN(LAST_QUERY_ID()) from the materialised result', () => {
    expect(duck('select a from table(result_scan(last_query_id()))')).toBe('SELECT "A" FROM "temp"."RESULT_q-last" AS "RESULT_SCAN"');
  });
});

describe('VARIANT (variant paths and implicit conversion)', () => {
  it('extracts paths with DuckDB JSON paths, quoting odd keys', () => {
    expect(duck('select v:a.b[0], v:"x y", v[\'k\'] from t')).toBe(
      'SELECT JSON_EXTRACT("V", \'$.a.b[0]\') AS "V:A.B[0]", JSON_EXTRACT("V", \'$."x y"\') AS "V:""X Y""", JSON_EXTRACT("V", \'$.k\') AS "V[\'K\']" FROM "DB.S"."T" AS "T"',
    );
  });
  it('unwraps a VARIANT compared with a string and casts it for arithmetic', () => {
    expect(duck("select id from t where v:kind = 'x' and v:n > 2")).toBe(
      'SELECT "ID" FROM "DB.S"."T" AS "T" WHERE SF_V2S(JSON_EXTRACT("V", \'$.kind\')) = \'x\' AND CAST(SF_V2S(JSON_EXTRACT("V", \'$.n\')) AS DOUBLE) > 2',
    );
  });
  it('casts VARIANT to text with sf_v2s', () => {
    expect(duck('select v:name::string from t')).toBe('SELECT CAST(SF_V2S(JSON_EXTRACT("V", \'$.name\')) AS VARCHAR) AS "V:NAME::STRING" FROM "DB.S"."T" AS "T"');
  });
});

describe('functions (catalogue)', () => {
  it('maps conditional functions to DuckDB or sf_ macros', () => {
    expect(duck('select iff(id > 1, 1, 0), nvl(name, \'x\'), zeroifnull(amt) from t')).toBe(
      'SELECT IF("ID" > 1, 1, 0) AS "IFF(ID > 1, 1, 0)", COALESCE("NAME", \'x\') AS "NVL(NAME, \'X\')", SF_ZEROIFNULL("AMT") AS "ZEROIFNULL(AMT)" FROM "DB.S"."T" AS "T"',
    );
  });
  it('counts DATEDIFF boundaries with per-part macros and keeps DATEADD of a DATE a DATE', () => {
    expect(duck('select datediff(month, d, ts), dateadd(day, 1, d) from t')).toBe(
      'SELECT SF_DATEDIFF_MONTH("D", "TS") AS "DATEDIFF(MONTH, D, TS)", CAST("D" + TO_DAYS(CAST(1 AS BIGINT)) AS DATE) AS "DATEADD(DAY, 1, D)" FROM "DB.S"."T" AS "T"',
    );
  });
  it('converts format models for TO_CHAR', () => {
    expect(duck("select to_char(ts, 'YYYY-MM-DD HH24:MI:SS.FF3') from t")).toBe(
      'SELECT STRFTIME("TS", \'%Y-%m-%d %H:%M:%S.%g\') AS "TO_CHAR(TS, \'YYYY-MM-DD HH24:MI:SS.FF3\')" FROM "DB.S"."T" AS "T"',
    );
  });
  it('divides NUMBERs into NUMBER with Snowflake scale, exactly on unscaled integers, raising on zero', () => {
    // amt is NUMBER(10,2): scale 8 = 2 + 6, so the dividend's unscaled integer is scaled by 10^(8 - 2 + 0).
    // BIGINTs while |amt| < 10^10 (2 · |A| · 10^6 within 64 bits) and |2| < 10^15, HUGEINTs up to 10^29
    // and 10^37, DOUBLEs beyond; the quotient comes back to scale 8 through the DECIMAL 10^-8.
    expect(duck('select amt / 2 from t')).toBe(
      'SELECT CAST(SF_DIV_SCALED("AMT", 2, 1e2, 1e0, 1000000, CAST(\'100\' AS HUGEINT), CAST(\'1\' AS HUGEINT), CAST(\'1000000\' AS HUGEINT), ' +
        '1e8, 1e10, 1e15, 1e29, 1e37, CAST(\'0.00000001\' AS DECIMAL(9,8))) AS DECIMAL(38,8)) AS "AMT / 2" FROM "DB.S"."T" AS "T"',
    );
  });
  it('expands LIKE ANY into ORs', () => {
    expect(duck("select id from t where name like any ('a%', 'b%')")).toBe(
      'SELECT "ID" FROM "DB.S"."T" AS "T" WHERE ("NAME" LIKE \'a%\' OR "NAME" LIKE \'b%\')',
    );
  });
  it('fails on unknown functions instead of guessing', () => {
    expect(() => duck('select frobnicate(1)')).toThrow('unsupported: function FROBNICATE');
  });
  it('substitutes session variables and context functions as constants', () => {
    expect(duck('select $n + 1, current_database()')).toBe('SELECT 5 + 1 AS "$N + 1", \'DB\' AS "CURRENT_DATABASE()"');
  });
  it('reads sequences as nextval', () => {
    expect(duck('select seq.nextval')).toBe('SELECT NEXTVAL(\'"_backlot_data"."S9"\') AS "SEQ.NEXTVAL"');
  });
});

describe('DML plans', () => {
  it('turns INSERT … VALUES into a source query, wrapping values entering VARIANT columns', () => {
    const stmt = parseStatement("insert into t (id, v) values (1, 'text')").statement;
    if (stmt.kind !== 'dml') throw new Error('not DML');
    const plan = translateDml(stmt, ctx);
    expect(plan.kind).toBe('insert');
    if (plan.kind !== 'insert') return;
    expect(plan.columns).toEqual(['ID', 'V']);
    expect(plan.sourceSql).toBe('SELECT * FROM (VALUES (1, TO_JSON(\'text\'))) AS "_V"("_V1", "_V2")');
  });
  it('turns UPDATE into a change table: rowid, old image, op, new values', () => {
    expect(duck("update t set name = 'x' where id = 1")).toBe(
      'SELECT "T".rowid AS "_BACKLOT_DUCK_ROWID", "T"."_BACKLOT_ROW_ID" AS "_BACKLOT_ROW_ID", "T"."_BACKLOT_VERSION" AS "_BACKLOT_VERSION", ' +
        '"T"."ID" AS "_BACKLOT_O1", "T"."NAME" AS "_BACKLOT_O2", "T"."V" AS "_BACKLOT_O3", "T"."D" AS "_BACKLOT_O4", "T"."TS" AS "_BACKLOT_O5", "T"."AMT" AS "_BACKLOT_O6", ' +
        '\'U\' AS "_BACKLOT_OP", "T"."ID" AS "_BACKLOT_N1", \'x\' AS "_BACKLOT_N2", "T"."V" AS "_BACKLOT_N3", "T"."D" AS "_BACKLOT_N4", "T"."TS" AS "_BACKLOT_N5", "T"."AMT" AS "_BACKLOT_N6" ' +
        'FROM "_backlot_data"."T1" AS "T" WHERE "ID" = 1',
    );
  });
  it('turns MERGE into one pass: source LEFT JOIN target, the first matching clause per row', () => {
    const sql = duck('merge into t using u on t.id = u.id when matched and u.x > 0 then delete when not matched then insert (id) values (u.id)');
    expect(sql).toContain('FROM "DB.S"."U" AS "U" LEFT JOIN "_backlot_data"."T1" AS "T" ON "T"."ID" = "U"."ID"');
    expect(sql).toContain('CASE WHEN "T"."_BACKLOT_ROW_ID" IS NOT NULL AND ("U"."X" > 0) THEN 1 WHEN "T"."_BACKLOT_ROW_ID" IS NULL THEN 2 END');
    expect(sql).toContain('CROSS JOIN LATERAL (SELECT CASE');
  });
  it('reads a multi-table INSERT source once and routes rows with conditions', () => {
    const stmt = parseStatement('insert first when id > 1 then into t (id) values (id) else into u (id) select id from u').statement;
    if (stmt.kind !== 'dml') throw new Error('not DML');
    const plan = translateDml(stmt, ctx);
    if (plan.kind !== 'multi_insert') throw new Error('not a multi-table insert');
    expect(plan.sourceColumns).toEqual(['ID']);
    expect(plan.branches.map((b) => b.selectSql)).toEqual([
      'SELECT "ID" FROM "temp"."_BACKLOT_SRC" AS "_SRC" WHERE COALESCE("ID" > 1, FALSE)',
      'SELECT "_SRC"."ID" FROM "temp"."_BACKLOT_SRC" AS "_SRC" WHERE NOT (COALESCE("ID" > 1, FALSE))',
    ]);
  });
});

describe('Time Travel', () => {
  it('reads AT | BEFORE through the table macro the context names', () => {
    expect(duck("select id from t at(statement => 'q1')")).toBe('SELECT "ID" FROM _backlot_data.T1_AT(\'q1\') AS "T"');
  });
  it('refuses AT on a CTE name', () => {
    expect(() => duck("with c as (select 1 a) select * from c at(offset => -1)")).toThrow('common table expression');
  });
});

describe('standalone expressions', () => {
  it('translates a column default', () => {
    // An ISO literal is cast natively (a constant DuckDB folds); other text goes through the AUTO formats.
    expect(translateExpression("'2024-01-01'::date", ctx).sql).toBe("CAST('2024-01-01' AS DATE)");
    expect(translateExpression("'01/02/2024'::date", ctx).sql).toBe("SF_TO_DATE('01/02/2024')");
  });
});

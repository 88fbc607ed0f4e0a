/**
 * Snowflake data types, their storage in DuckDB, and the names Snowflake shows for them.
 *
 * Mapping (DESIGN §12, chosen for speed):
 * - NUMBER(p,0) and every integer synonym → BIGINT. Values beyond ±9.2e18 overflow with error 100046
 *   where Snowflake would accept up to 38 digits; the declared precision is kept in the catalog.
 * - NUMBER(p,s), s > 0 → DECIMAL(p,s) (64-bit storage when p ≤ 18).
 * - FLOAT and synonyms → DOUBLE. VARCHAR/STRING/TEXT/CHAR → VARCHAR (length kept in the catalog and
 *   enforced by a CHECK constraint, as Snowflake rejects over-long strings). BINARY → BLOB.
 * - TIMESTAMP_NTZ → TIMESTAMP; TIMESTAMP_LTZ and TIMESTAMP_TZ → TIMESTAMPTZ (a TZ value's own offset is
 *   not kept: it is shown in the session time zone).
 * - VARIANT, OBJECT, ARRAY → DuckDB JSON (text), so JSON null and SQL NULL stay distinct.
 */
import { errors } from '../errors.ts';

export type SfType =
  | { kind: 'NUMBER'; precision: number; scale: number }
  | { kind: 'FLOAT' }
  | { kind: 'VARCHAR'; length: number }
  | { kind: 'BINARY'; length: number }
  | { kind: 'BOOLEAN' }
  | { kind: 'DATE' }
  | { kind: 'TIME'; precision: number }
  | { kind: 'TIMESTAMP_NTZ' | 'TIMESTAMP_LTZ' | 'TIMESTAMP_TZ'; precision: number }
  | { kind: 'VARIANT' }
  | { kind: 'OBJECT' }
  | { kind: 'ARRAY' };

export type SfTypeKind = SfType['kind'];

export const MAX_VARCHAR = 16777216;
export const MAX_BINARY = 8388608;

export const T = {
  number: (precision = 38, scale = 0): SfType => ({ kind: 'NUMBER', precision, scale }),
  float: (): SfType => ({ kind: 'FLOAT' }),
  varchar: (length = MAX_VARCHAR): SfType => ({ kind: 'VARCHAR', length }),
  binary: (length = MAX_BINARY): SfType => ({ kind: 'BINARY', length }),
  boolean: (): SfType => ({ kind: 'BOOLEAN' }),
  date: (): SfType => ({ kind: 'DATE' }),
  time: (precision = 9): SfType => ({ kind: 'TIME', precision }),
  timestampNtz: (precision = 9): SfType => ({ kind: 'TIMESTAMP_NTZ', precision }),
  timestampLtz: (precision = 9): SfType => ({ kind: 'TIMESTAMP_LTZ', precision }),
  timestampTz: (precision = 9): SfType => ({ kind: 'TIMESTAMP_TZ', precision }),
  variant: (): SfType => ({ kind: 'VARIANT' }),
  object: (): SfType => ({ kind: 'OBJECT' }),
  array: (): SfType => ({ kind: 'ARRAY' }),
};

/** Semi-structured kinds, all stored as JSON. */
export function isSemiStructured(t: SfType): boolean {
  return t.kind === 'VARIANT' || t.kind === 'OBJECT' || t.kind === 'ARRAY';
}

export function isTimestamp(t: SfType): boolean {
  return t.kind === 'TIMESTAMP_NTZ' || t.kind === 'TIMESTAMP_LTZ' || t.kind === 'TIMESTAMP_TZ';
}

/**
 * Resolves a type written in Snowflake SQL: its words (`DOUBLE PRECISION`, `TIMESTAMP_NTZ`) and its
 * numeric parameters. Unknown or unsupported types fail with a coded error.
 */
export function typeFromName(rawName: string, params: number[] = []): SfType {
  const name = rawName.toUpperCase().replace(/\s+/g, ' ').trim();
  const [p0, p1] = params;
  switch (name) {
    case 'NUMBER':
    case 'DECIMAL':
    case 'NUMERIC':
    case 'DEC': {
      const precision = p0 ?? 38;
      const scale = p1 ?? 0;
      if (precision < 1 || precision > 38) throw errors.invalidValue(`Unsupported data type 'NUMBER(${precision}, ${scale})'.`);
      if (scale < 0 || scale > 37 || scale > precision) throw errors.invalidValue(`Unsupported data type 'NUMBER(${precision}, ${scale})'.`);
      return T.number(precision, scale);
    }
    case 'INT':
    case 'INTEGER':
    case 'BIGINT':
    case 'SMALLINT':
    case 'TINYINT':
    case 'BYTEINT':
      return T.number(38, 0);
    case 'FLOAT':
    case 'FLOAT4':
    case 'FLOAT8':
    case 'DOUBLE':
    case 'DOUBLE PRECISION':
    case 'REAL':
      return T.float();
    case 'VARCHAR':
    case 'STRING':
    case 'TEXT':
    case 'NVARCHAR':
    case 'NVARCHAR2':
    case 'CHAR VARYING':
    case 'CHARACTER VARYING':
    case 'NCHAR VARYING':
      return T.varchar(checkLength(p0 ?? MAX_VARCHAR, MAX_VARCHAR, name));
    case 'CHAR':
    case 'CHARACTER':
    case 'NCHAR':
      return T.varchar(checkLength(p0 ?? 1, MAX_VARCHAR, name));
    case 'BINARY':
    case 'VARBINARY':
      return T.binary(checkLength(p0 ?? MAX_BINARY, MAX_BINARY, name));
    case 'BOOLEAN':
    case 'BOOL':
      return T.boolean();
    case 'DATE':
      return T.date();
    case 'TIME':
      return T.time(checkPrecision(p0));
    case 'DATETIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_NTZ':
    case 'TIMESTAMPNTZ':
    case 'TIMESTAMP WITHOUT TIME ZONE':
      return T.timestampNtz(checkPrecision(p0));
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMPLTZ':
    case 'TIMESTAMP WITH LOCAL TIME ZONE':
      return T.timestampLtz(checkPrecision(p0));
    case 'TIMESTAMP_TZ':
    case 'TIMESTAMPTZ':
    case 'TIMESTAMP WITH TIME ZONE':
      return T.timestampTz(checkPrecision(p0));
    case 'VARIANT':
      return T.variant();
    case 'OBJECT':
      return T.object();
    case 'ARRAY':
      return T.array();
    case 'GEOGRAPHY':
    case 'GEOMETRY':
    case 'VECTOR':
    case 'FILE':
      throw errors.unsupported(`data type ${name}`);
    default:
      throw errors.syntaxMessage(`Unsupported data type '${rawName}'.`);
  }
}

function checkLength(n: number, max: number, name: string): number {
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw errors.invalidValue(`Unsupported data type '${name}(${n})'. Length must be between 1 and ${max}.`);
  }
  return n;
}

function checkPrecision(p: number | undefined): number {
  if (p === undefined) return 9;
  if (!Number.isInteger(p) || p < 0 || p > 9) throw errors.invalidValue(`Invalid precision ${p}: must be between 0 and 9.`);
  return p;
}

/** The DuckDB column type that stores values of this Snowflake type. */
export function duckTypeOf(t: SfType): string {
  switch (t.kind) {
    case 'NUMBER':
      return t.scale === 0 ? 'BIGINT' : `DECIMAL(${t.precision},${t.scale})`;
    case 'FLOAT':
      return 'DOUBLE';
    case 'VARCHAR':
      return 'VARCHAR';
    case 'BINARY':
      return 'BLOB';
    case 'BOOLEAN':
      return 'BOOLEAN';
    case 'DATE':
      return 'DATE';
    case 'TIME':
      return 'TIME';
    case 'TIMESTAMP_NTZ':
      return 'TIMESTAMP';
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_TZ':
      return 'TIMESTAMPTZ';
    case 'VARIANT':
    case 'OBJECT':
    case 'ARRAY':
      return 'JSON';
  }
}

/**
 * SQL converting a value to what a column of type `t` stores: a CAST to its DuckDB type and, for a
 * VARCHAR(n) column, Snowflake's check that the string fits (DuckDB ignores VARCHAR lengths).
 */
export function columnValueSql(value: string, t: SfType): string {
  const cast = `CAST(${value} AS ${duckTypeOf(t)})`;
  return t.kind === 'VARCHAR' && t.length < MAX_VARCHAR ? `sf_check_length(${cast}, ${t.length})` : cast;
}

/** Snowflake's full type text, as SHOW COLUMNS and DESCRIBE TABLE print it. */
export function formatType(t: SfType): string {
  switch (t.kind) {
    case 'NUMBER':
      return `NUMBER(${t.precision},${t.scale})`;
    case 'VARCHAR':
      return `VARCHAR(${t.length})`;
    case 'BINARY':
      return `BINARY(${t.length})`;
    case 'TIME':
    case 'TIMESTAMP_NTZ':
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_TZ':
      return `${t.kind}(${t.precision})`;
    default:
      return t.kind;
  }
}

/** INFORMATION_SCHEMA.COLUMNS.DATA_TYPE: the bare type family name. */
export function informationSchemaTypeName(t: SfType): string {
  if (t.kind === 'VARCHAR') return 'TEXT';
  return t.kind;
}

/**
 * The Snowflake type of a DuckDB result column, from DuckDB's type text (`DECIMAL(10,2)`,
 * `TIMESTAMP WITH TIME ZONE`) and alias (`JSON`). Used for view columns and result metadata.
 */
export function typeFromDuck(duckType: string, alias?: string): SfType {
  if (alias && alias.toUpperCase() === 'JSON') return T.variant();
  const t = duckType.toUpperCase();
  const dec = /^DECIMAL\((\d+),\s*(\d+)\)$/.exec(t);
  if (dec) return T.number(Number(dec[1]), Number(dec[2]));
  switch (t) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INTEGER':
    case 'BIGINT':
    case 'HUGEINT':
    case 'UTINYINT':
    case 'USMALLINT':
    case 'UINTEGER':
    case 'UBIGINT':
    case 'UHUGEINT':
      return T.number(38, 0);
    case 'FLOAT':
    case 'DOUBLE':
      return T.float();
    case 'BOOLEAN':
      return T.boolean();
    case 'DATE':
      return T.date();
    case 'TIME':
    case 'TIME WITH TIME ZONE':
      return T.time(9);
    case 'TIMESTAMP':
    case 'TIMESTAMP_S':
    case 'TIMESTAMP_MS':
    case 'TIMESTAMP_NS':
      return T.timestampNtz(9);
    case 'TIMESTAMP WITH TIME ZONE':
      return T.timestampLtz(9);
    case 'BLOB':
      return T.binary();
    case 'VARCHAR':
    case 'UUID':
    case 'INTERVAL':
    case 'BIT':
      return T.varchar();
    case '"NULL"':
    case 'NULL':
      return T.varchar();
    default:
      if (t.endsWith('[]') || t.startsWith('LIST') || /\[\d+\]$/.test(t)) return T.array();
      if (t.startsWith('STRUCT') || t.startsWith('MAP')) return T.object();
      return T.varchar();
  }
}

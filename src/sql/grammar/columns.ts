/**
 * Column definitions, data types, inline and out-of-line constraints of CREATE TABLE and
 * ALTER TABLE ADD COLUMN, following Snowflake's grammar. Snowflake enforces only NOT NULL; primary,
 * unique and foreign keys are recorded, not enforced, exactly as there.
 */
import { errors } from '../errors.ts';
import { typeFromName, type SfType } from '../types/snowflake-types.ts';
import type { ColumnDefinition, TableConstraint } from '../statements/statement.ts';
import type { Cursor } from './cursor.ts';

const MULTI_WORD_TYPES: string[][] = [
  ['DOUBLE', 'PRECISION'],
  ['CHARACTER', 'VARYING'],
  ['CHAR', 'VARYING'],
  ['NCHAR', 'VARYING'],
  ['TIMESTAMP', 'WITH', 'LOCAL', 'TIME', 'ZONE'],
  ['TIMESTAMP', 'WITH', 'TIME', 'ZONE'],
  ['TIMESTAMP', 'WITHOUT', 'TIME', 'ZONE'],
];

/** A data type: its words and optional `(precision[, scale])`. */
export function parseDataType(c: Cursor): SfType {
  let name: string | undefined;
  for (const words of MULTI_WORD_TYPES) {
    if (c.accept(...words)) {
      name = words.join(' ');
      break;
    }
  }
  if (name === undefined) {
    const w = c.word();
    if (w === undefined) throw c.unexpected();
    c.next();
    name = w;
  }
  const params: number[] = [];
  if (c.peek()?.type === 'L_PAREN') {
    if (name === 'ARRAY' || name === 'OBJECT' || name === 'MAP' || name === 'VECTOR') {
      throw errors.unsupported(`structured data type ${name}(...)`);
    }
    c.next();
    params.push(c.integer());
    if (c.acceptSymbol('COMMA')) params.push(c.integer());
    c.expectSymbol('R_PAREN');
  }
  return typeFromName(name, params);
}

const COLUMN_STOP_WORDS = [
  'NOT',
  'NULL',
  'COMMENT',
  'COLLATE',
  'PRIMARY',
  'UNIQUE',
  'REFERENCES',
  'FOREIGN',
  'CONSTRAINT',
  'WITH',
  'MASKING',
  'TAG',
  'DEFAULT',
  'AUTOINCREMENT',
  'IDENTITY',
];

/** One column definition: `name type [options…]`. With `typeOptional`, `name` alone is allowed (CTAS lists). */
export function parseColumnDefinition(c: Cursor, typeOptional = false): ColumnDefinition {
  const name = c.identifier();
  let type: SfType | undefined;
  const next = c.peek();
  const startsOption = c.atAny(...COLUMN_STOP_WORDS) || next?.type === 'COMMA' || next?.type === 'R_PAREN';
  if (!(typeOptional && startsOption)) type = parseDataType(c);
  const col: ColumnDefinition = { name, type, nullable: true };
  for (;;) {
    if (c.accept('NOT', 'NULL')) {
      col.nullable = false;
    } else if (c.accept('NULL')) {
      col.nullable = true;
    } else if (c.accept('COLLATE')) {
      col.collation = c.string();
      if (col.collation.trim() !== '' && col.collation.toLowerCase() !== 'utf8') {
        throw errors.unsupported(`COLLATE '${col.collation}'`);
      }
    } else if (c.accept('COMMENT')) {
      c.acceptSymbol('EQ');
      col.comment = c.string();
    } else if (c.accept('DEFAULT')) {
      col.defaultSql = c.expressionText(COLUMN_STOP_WORDS.filter((w) => w !== 'DEFAULT'));
    } else if (c.atAny('AUTOINCREMENT', 'IDENTITY')) {
      c.next();
      col.identity = { start: 1, increment: 1, order: true };
      if (c.acceptSymbol('L_PAREN')) {
        col.identity.start = c.integer();
        c.expectSymbol('COMMA');
        col.identity.increment = c.integer();
        c.expectSymbol('R_PAREN');
      } else {
        if (c.accept('START')) {
          c.accept('WITH');
          c.acceptSymbol('EQ');
          col.identity.start = c.integer();
        }
        if (c.accept('INCREMENT')) {
          c.accept('BY');
          c.acceptSymbol('EQ');
          col.identity.increment = c.integer();
        }
      }
      if (c.accept('ORDER')) col.identity.order = true;
      else if (c.accept('NOORDER')) col.identity.order = false;
      if (col.identity.increment === 0) throw errors.invalidValue('Increment of an identity column must not be zero.');
    } else if (c.atAny('CONSTRAINT', 'PRIMARY', 'UNIQUE', 'REFERENCES', 'FOREIGN')) {
      if (c.accept('CONSTRAINT')) c.identifier();
      if (c.accept('PRIMARY', 'KEY')) col.primaryKey = true;
      else if (c.accept('UNIQUE')) col.unique = true;
      else {
        c.accept('FOREIGN', 'KEY');
        c.expect('REFERENCES');
        c.objectName();
        if (c.peek()?.type === 'L_PAREN') identifierList(c);
      }
      skipConstraintProperties(c);
    } else if (c.at('WITH', 'MASKING') || c.at('MASKING') || c.at('WITH', 'TAG') || c.at('TAG')) {
      throw errors.unsupported('column masking policies and tags (governance comes in a later release)');
    } else {
      break;
    }
  }
  if (col.identity && col.defaultSql) throw errors.invalidValue(`Column '${name}' cannot have both a default and an identity.`);
  if (col.identity && type && !(type.kind === 'NUMBER' && type.scale === 0)) {
    throw errors.invalidValue(`Identity column '${name}' must have an integer type.`);
  }
  return col;
}

/** `(a, b, "C")` */
export function identifierList(c: Cursor): string[] {
  c.expectSymbol('L_PAREN');
  const names: string[] = [];
  do names.push(c.identifier());
  while (c.acceptSymbol('COMMA'));
  c.expectSymbol('R_PAREN');
  return names;
}

/** Out-of-line constraint: `[CONSTRAINT n] PRIMARY KEY (cols) | UNIQUE (cols) | FOREIGN KEY (cols) REFERENCES t (cols)`. */
export function parseTableConstraint(c: Cursor): TableConstraint {
  let name: string | undefined;
  if (c.accept('CONSTRAINT')) name = c.identifier();
  let constraint: TableConstraint;
  if (c.accept('PRIMARY', 'KEY')) {
    constraint = { kind: 'PRIMARY KEY', name, columns: identifierList(c) };
  } else if (c.accept('UNIQUE')) {
    constraint = { kind: 'UNIQUE', name, columns: identifierList(c) };
  } else if (c.accept('FOREIGN', 'KEY')) {
    const columns = identifierList(c);
    c.expect('REFERENCES');
    const table = c.objectName();
    const refCols = c.peek()?.type === 'L_PAREN' ? identifierList(c) : [];
    constraint = { kind: 'FOREIGN KEY', name, columns, references: { table, columns: refCols } };
  } else {
    throw c.unexpected();
  }
  skipConstraintProperties(c);
  return constraint;
}

export function startsTableConstraint(c: Cursor): boolean {
  return (
    c.atAny('CONSTRAINT') ||
    c.at('PRIMARY', 'KEY') ||
    (c.at('UNIQUE') && c.peek(1)?.type === 'L_PAREN') ||
    c.at('FOREIGN', 'KEY')
  );
}

/** ENFORCED / NOT ENFORCED, DEFERRABLE, RELY, VALIDATE, MATCH …, ON DELETE/UPDATE … — accepted, not enforced. */
function skipConstraintProperties(c: Cursor): void {
  for (;;) {
    if (c.accept('NOT', 'ENFORCED') || c.accept('ENFORCED') || c.accept('NOT', 'DEFERRABLE') || c.accept('DEFERRABLE')) continue;
    if (c.accept('INITIALLY', 'DEFERRED') || c.accept('INITIALLY', 'IMMEDIATE')) continue;
    if (c.accept('ENABLE') || c.accept('DISABLE') || c.accept('VALIDATE') || c.accept('NOVALIDATE') || c.accept('RELY') || c.accept('NORELY')) continue;
    if (c.accept('MATCH')) {
      c.next();
      continue;
    }
    if (c.accept('ON')) {
      c.next();
      if (!c.accept('NO', 'ACTION') && !c.accept('SET', 'NULL') && !c.accept('SET', 'DEFAULT')) c.next();
      continue;
    }
    return;
  }
}

/**
 * CREATE DATABASE | SCHEMA | TABLE | VIEW | SEQUENCE in Snowflake's grammar. Later object kinds
 * (STREAM, TASK, DYNAMIC TABLE, STAGE …) add their own parse functions beside these.
 */
import { errors } from '../errors.ts';
import type {
  ColumnDefinition,
  CreateDatabaseStatement,
  CreateSchemaStatement,
  CreateSequenceStatement,
  CreateTableStatement,
  CreateViewStatement,
  Properties,
  Statement,
  TableConstraint,
  TimeTravelClause,
} from '../statements/statement.ts';
import { parseColumnDefinition, parseTableConstraint, startsTableConstraint } from './columns.ts';
import type { Cursor } from './cursor.ts';
import { parseCreateFileFormat, parseCreateStage } from './loading.ts';
import { parseCreateStream } from './streams.ts';
import { parseCreateProcedure } from './procedures.ts';
import { parseCreateTask } from './tasks.ts';
import { parseCreateDynamicTable } from './dynamic-tables.ts';

/** Properties each object kind accepts in CREATE and ALTER … SET. */
export const CONTAINER_PROPERTIES = [
  'COMMENT',
  'DATA_RETENTION_TIME_IN_DAYS',
  'MAX_DATA_EXTENSION_TIME_IN_DAYS',
  'DEFAULT_DDL_COLLATION',
  'LOG_LEVEL',
  'TRACE_LEVEL',
  'SUSPEND_TASK_AFTER_NUM_FAILURES',
  'USER_TASK_TIMEOUT_MS',
  'TASK_AUTO_RETRY_ATTEMPTS',
];
export const TABLE_PROPERTIES = [
  'COMMENT',
  'DATA_RETENTION_TIME_IN_DAYS',
  'MAX_DATA_EXTENSION_TIME_IN_DAYS',
  'CHANGE_TRACKING',
  'DEFAULT_DDL_COLLATION',
  'ENABLE_SCHEMA_EVOLUTION',
];
export const VIEW_PROPERTIES = ['COMMENT', 'CHANGE_TRACKING'];
export const SEQUENCE_PROPERTIES = ['COMMENT'];

/** Reads `NAME [=] value` pairs while the next word is an allowed property name. */
export function readProperties(c: Cursor, allowed: string[], into: Properties = {}): Properties {
  for (;;) {
    const w = c.word();
    if (w === undefined || !allowed.includes(w)) return into;
    // `COMMENT` alone could start another clause in a few statements; a value must follow.
    c.next();
    into[w] = c.propertyValue();
    c.acceptSymbol('COMMA');
  }
}

/** `AT | BEFORE ( TIMESTAMP | OFFSET | STATEMENT | STREAM => <expr> )` */
export function parseTimeTravel(c: Cursor): TimeTravelClause | undefined {
  const mode = c.atAny('AT', 'BEFORE') ? (c.word() as 'AT' | 'BEFORE') : undefined;
  if (!mode || c.peek(1)?.type !== 'L_PAREN') return undefined;
  c.next();
  c.expectSymbol('L_PAREN');
  const by = c.word();
  if (by !== 'TIMESTAMP' && by !== 'OFFSET' && by !== 'STATEMENT' && by !== 'STREAM') throw c.unexpected();
  c.next();
  c.expectSymbol('F_ARROW');
  const valueSql = c.expressionText();
  c.expectSymbol('R_PAREN');
  if (mode === 'BEFORE' && by !== 'STATEMENT' && by !== 'TIMESTAMP' && by !== 'OFFSET') throw c.unexpected();
  return { mode, by, valueSql };
}

interface CreateHead {
  orReplace: boolean;
  /** CREATE OR ALTER (dynamic tables only). */
  orAlter?: boolean;
  temporary: boolean;
  transient: boolean;
  secure: boolean;
  recursive: boolean;
}

/** Parses everything after CREATE. */
export function parseCreate(c: Cursor): Statement {
  const head: CreateHead = { orReplace: false, temporary: false, transient: false, secure: false, recursive: false };
  if (c.accept('OR', 'REPLACE')) head.orReplace = true;
  else if (c.accept('OR', 'ALTER')) head.orAlter = true;
  c.accept('LOCAL') || c.accept('GLOBAL');
  if (c.accept('TEMP') || c.accept('TEMPORARY') || c.accept('VOLATILE')) head.temporary = true;
  else if (c.accept('TRANSIENT')) head.transient = true;
  if (head.orAlter && !c.at('DYNAMIC', 'TABLE')) throw errors.unsupported(`CREATE OR ALTER ${c.word(0) ?? '…'} (only dynamic tables support CREATE OR ALTER)`);
  if (c.accept('SECURE')) head.secure = true;
  if (c.accept('RECURSIVE')) head.recursive = true;
  if (c.accept('DATABASE')) return parseCreateDatabase(c, head);
  if (c.accept('SCHEMA')) return parseCreateSchema(c, head);
  if (c.accept('TABLE')) return parseCreateTable(c, head);
  if (c.accept('VIEW')) return parseCreateView(c, head);
  if (c.accept('SEQUENCE')) return parseCreateSequence(c, head);
  if (c.accept('STREAM')) return parseCreateStream(c, head);
  if (c.accept('PROCEDURE')) return parseCreateProcedure(c, head);
  if (c.accept('TASK')) return parseCreateTask(c, head);
  if (c.accept('DYNAMIC', 'TABLE')) return parseCreateDynamicTable(c, head);
  if (c.accept('STAGE')) return parseCreateStage(c, head);
  if (c.accept('FILE', 'FORMAT')) return parseCreateFileFormat(c, head);
  const what = [c.word(0), c.word(1)].filter(Boolean).join(' ');
  if (c.at('MATERIALIZED', 'VIEW')) throw errors.unsupported('CREATE MATERIALIZED VIEW (use a dynamic table)');
  throw errors.unsupported(`CREATE ${what || '…'}`);
}

function ifNotExists(c: Cursor, head: CreateHead): boolean {
  const present = c.accept('IF', 'NOT', 'EXISTS');
  if (present && head.orReplace) {
    throw errors.syntaxMessage('OR REPLACE and IF NOT EXISTS are incompatible.');
  }
  return present;
}

function parseCreateDatabase(c: Cursor, head: CreateHead): CreateDatabaseStatement {
  const ine = ifNotExists(c, head);
  const name = c.identifier();
  const stmt: CreateDatabaseStatement = {
    kind: 'create_database',
    name,
    orReplace: head.orReplace,
    ifNotExists: ine,
    transient: head.transient,
    properties: {},
  };
  if (c.accept('CLONE')) {
    stmt.clone = { source: c.identifier(), at: parseTimeTravel(c) };
  }
  readProperties(c, CONTAINER_PROPERTIES, stmt.properties);
  rejectTags(c);
  c.expectEnd();
  return stmt;
}

function parseCreateSchema(c: Cursor, head: CreateHead): CreateSchemaStatement {
  const ine = ifNotExists(c, head);
  const name = c.objectName();
  if (name.database !== undefined && name.schema !== undefined) throw c.unexpected();
  const schemaName = name.schema !== undefined ? { database: name.schema, name: name.name } : { name: name.name };
  const stmt: CreateSchemaStatement = {
    kind: 'create_schema',
    name: schemaName,
    orReplace: head.orReplace,
    ifNotExists: ine,
    transient: head.transient,
    managedAccess: false,
    properties: {},
  };
  if (c.accept('CLONE')) {
    const src = c.objectName();
    stmt.clone = { source: src.schema !== undefined ? { database: src.schema, name: src.name } : src, at: parseTimeTravel(c) };
  }
  if (c.accept('WITH', 'MANAGED', 'ACCESS')) stmt.managedAccess = true;
  readProperties(c, CONTAINER_PROPERTIES, stmt.properties);
  rejectTags(c);
  c.expectEnd();
  return stmt;
}

function parseCreateTable(c: Cursor, head: CreateHead): CreateTableStatement {
  const ine = ifNotExists(c, head);
  const stmt: CreateTableStatement = {
    kind: 'create_table',
    name: c.objectName(),
    orReplace: head.orReplace,
    ifNotExists: ine,
    temporary: head.temporary,
    transient: head.transient,
    constraints: [],
    copyGrants: false,
    properties: {},
  };
  if (c.accept('LIKE')) {
    stmt.like = c.objectName();
  } else if (c.accept('CLONE')) {
    stmt.clone = { source: c.objectName(), at: parseTimeTravel(c) };
  } else if (c.peek()?.type === 'L_PAREN') {
    const { columns, constraints } = parseColumnList(c);
    stmt.columns = columns;
    stmt.constraints = constraints;
  }
  tableClauses(c, stmt);
  if (c.accept('AS')) {
    stmt.asQuery = c.rest();
  }
  c.expectEnd();
  if (!stmt.columns && !stmt.asQuery && !stmt.like && !stmt.clone) {
    throw errors.syntaxMessage('Table must have at least one column.');
  }
  if (stmt.columns && !stmt.asQuery && stmt.columns.some((col) => col.type === undefined)) {
    throw errors.syntaxMessage('Column definitions need a data type unless the table is created AS SELECT.');
  }
  return stmt;
}

function parseColumnList(c: Cursor): { columns: ColumnDefinition[]; constraints: TableConstraint[] } {
  c.expectSymbol('L_PAREN');
  const columns: ColumnDefinition[] = [];
  const constraints: TableConstraint[] = [];
  do {
    if (startsTableConstraint(c)) constraints.push(parseTableConstraint(c));
    else columns.push(parseColumnDefinition(c, true));
  } while (c.acceptSymbol('COMMA'));
  c.expectSymbol('R_PAREN');
  return { columns, constraints };
}

function tableClauses(c: Cursor, stmt: CreateTableStatement): void {
  for (;;) {
    if (c.accept('CLUSTER', 'BY')) {
      if (c.accept('LINEAR')) {
        /* LINEAR is Snowflake's only clustering method */
      }
      c.expectSymbol('L_PAREN');
      stmt.clusterBy = [];
      do stmt.clusterBy.push(c.expressionText());
      while (c.acceptSymbol('COMMA'));
      c.expectSymbol('R_PAREN');
    } else if (c.accept('COPY', 'GRANTS')) {
      stmt.copyGrants = true;
    } else if (c.atAny(...TABLE_PROPERTIES, 'STAGE_FILE_FORMAT', 'STAGE_COPY_OPTIONS')) {
      if (c.atAny('STAGE_FILE_FORMAT', 'STAGE_COPY_OPTIONS')) throw errors.unsupported(`${c.word()} (stages come with loading)`);
      readProperties(c, TABLE_PROPERTIES, stmt.properties);
    } else if (c.at('WITH', 'ROW') || c.at('ROW', 'ACCESS') || c.at('WITH', 'TAG') || c.at('TAG')) {
      throw errors.unsupported('row access policies and tags on CREATE TABLE (governance comes in a later release)');
    } else {
      return;
    }
  }
}

function parseCreateView(c: Cursor, head: CreateHead): CreateViewStatement {
  const ine = ifNotExists(c, head);
  const stmt: CreateViewStatement = {
    kind: 'create_view',
    name: c.objectName(),
    orReplace: head.orReplace,
    ifNotExists: ine,
    secure: head.secure,
    temporary: head.temporary,
    recursive: head.recursive,
    query: '',
    copyGrants: false,
    properties: {},
  };
  if (c.peek()?.type === 'L_PAREN') {
    c.next();
    stmt.columns = [];
    do {
      const name = c.identifier();
      let comment: string | undefined;
      if (c.accept('COMMENT')) comment = c.string();
      stmt.columns.push({ name, comment });
    } while (c.acceptSymbol('COMMA'));
    c.expectSymbol('R_PAREN');
  }
  for (;;) {
    if (c.accept('COPY', 'GRANTS')) stmt.copyGrants = true;
    else if (c.atAny(...VIEW_PROPERTIES)) readProperties(c, VIEW_PROPERTIES, stmt.properties);
    else if (c.at('WITH', 'ROW') || c.at('WITH', 'TAG') || c.at('TAG')) throw errors.unsupported('row access policies and tags on views');
    else break;
  }
  c.expect('AS');
  stmt.query = c.rest();
  if (stmt.recursive) throw errors.unsupported('CREATE RECURSIVE VIEW (use WITH RECURSIVE in the view body)');
  return stmt;
}

function parseCreateSequence(c: Cursor, head: CreateHead): CreateSequenceStatement {
  const ine = ifNotExists(c, head);
  const stmt: CreateSequenceStatement = {
    kind: 'create_sequence',
    name: c.objectName(),
    orReplace: head.orReplace,
    ifNotExists: ine,
    start: 1,
    increment: 1,
    order: true,
    properties: {},
  };
  for (;;) {
    if (c.accept('WITH')) continue;
    if (c.accept('START')) {
      c.accept('WITH');
      c.acceptSymbol('EQ');
      stmt.start = c.integer();
    } else if (c.accept('INCREMENT')) {
      c.accept('BY');
      c.acceptSymbol('EQ');
      stmt.increment = c.integer();
    } else if (c.accept('ORDER')) {
      stmt.order = true;
    } else if (c.accept('NOORDER')) {
      stmt.order = false;
    } else if (c.atAny(...SEQUENCE_PROPERTIES)) {
      readProperties(c, SEQUENCE_PROPERTIES, stmt.properties);
    } else {
      break;
    }
  }
  c.expectEnd();
  if (stmt.increment === 0) throw errors.invalidValue('Sequence increment must not be zero.');
  return stmt;
}

function rejectTags(c: Cursor): void {
  if (c.at('WITH', 'TAG') || c.at('TAG')) throw errors.unsupported('object tags');
}

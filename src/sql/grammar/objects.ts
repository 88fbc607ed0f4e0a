/**
 * DROP, UNDROP, TRUNCATE and COMMENT ON, and SHOW / DESCRIBE.
 */
import { errors } from '../errors.ts';
import type { ObjectName } from '../names/identifiers.ts';
import type {
  DropProcedureStatement,
  CommentStatement,
  DescribeStatement,
  DropStatement,
  ObjectKind,
  ShowScope,
  ShowStatement,
  TruncateStatement,
  UndropStatement,
} from '../statements/statement.ts';
import type { Cursor } from './cursor.ts';
import { parseDropProcedure } from './procedures.ts';
import { parseDataType } from './columns.ts';

function kindName(c: Cursor, kind: ObjectKind): ObjectName {
  if (kind === 'DATABASE') return { name: c.identifier() };
  if (kind === 'SCHEMA') {
    const n = c.objectName();
    if (n.database !== undefined) throw c.unexpected();
    return n.schema !== undefined ? { database: n.schema, name: n.name } : n;
  }
  return c.objectName();
}

function objectKind(c: Cursor): ObjectKind | undefined {
  if (c.accept('DYNAMIC', 'TABLE')) return 'DYNAMIC TABLE';
  if (c.accept('FILE', 'FORMAT')) return 'FILE FORMAT';
  for (const k of ['DATABASE', 'SCHEMA', 'TABLE', 'VIEW', 'SEQUENCE', 'STREAM', 'TASK', 'STAGE'] as const) if (c.accept(k)) return k;
  return undefined;
}

export function parseDrop(c: Cursor): DropStatement | DropProcedureStatement {
  if (c.accept('PROCEDURE')) return parseDropProcedure(c);
  c.accept('TEMPORARY') || c.accept('TRANSIENT');
  const kind = objectKind(c);
  if (!kind) {
    if (c.at('MATERIALIZED', 'VIEW')) throw errors.unsupported('DROP MATERIALIZED VIEW');
    throw errors.unsupported(`DROP ${c.word() ?? '…'}`);
  }
  const ifExists = c.accept('IF', 'EXISTS');
  const name = kindName(c, kind);
  let cascade = kind === 'DATABASE' || kind === 'SCHEMA';
  if (c.accept('CASCADE')) cascade = true;
  else if (c.accept('RESTRICT')) cascade = false;
  c.expectEnd();
  return { kind: 'drop', objectKind: kind, name, ifExists, cascade };
}

export function parseUndrop(c: Cursor): UndropStatement {
  const kind = objectKind(c);
  if (kind !== 'DATABASE' && kind !== 'SCHEMA' && kind !== 'TABLE' && kind !== 'DYNAMIC TABLE') throw errors.unsupported(`UNDROP ${kind ?? c.word() ?? '…'}`);
  const name = kindName(c, kind);
  c.expectEnd();
  return { kind: 'undrop', objectKind: kind, name };
}

export function parseTruncate(c: Cursor): TruncateStatement {
  c.accept('TABLE');
  const ifExists = c.accept('IF', 'EXISTS');
  const name = c.objectName();
  c.expectEnd();
  return { kind: 'truncate', name, ifExists };
}

export function parseComment(c: Cursor): CommentStatement {
  c.expect('ON');
  let kind: CommentStatement['objectKind'];
  if (c.accept('COLUMN')) kind = 'COLUMN';
  else {
    const k = objectKind(c);
    if (!k) throw errors.unsupported(`COMMENT ON ${c.word() ?? '…'}`);
    kind = k;
  }
  const ifExists = c.accept('IF', 'EXISTS');
  let name: ObjectName;
  let column: string | undefined;
  if (kind === 'COLUMN') {
    const parts = c.nameParts(4);
    if (parts.length < 2) throw c.unexpected();
    column = parts[parts.length - 1];
    const t = parts.slice(0, -1);
    name = t.length === 1 ? { name: t[0] } : t.length === 2 ? { schema: t[0], name: t[1] } : { database: t[0], schema: t[1], name: t[2] };
  } else {
    name = kindName(c, kind);
  }
  c.expect('IS');
  const comment = c.string();
  c.expectEnd();
  return { kind: 'comment', objectKind: kind, name, column, comment, ifExists };
}

/** Object kinds SHOW understands (plural, as written). */
const SHOWABLE = [
  'DATABASES',
  'SCHEMAS',
  'TABLES',
  'VIEWS',
  'COLUMNS',
  'SEQUENCES',
  'STREAMS',
  'PROCEDURES',
  'USER PROCEDURES',
  'TASKS',
  'DYNAMIC TABLES',
  'STAGES',
  'FILE FORMATS',
  'OBJECTS',
  'PARAMETERS',
  'VARIABLES',
  'WAREHOUSES',
  'ROLES',
  'USERS',
  'FUNCTIONS',
  'USER FUNCTIONS',
  'PRIMARY KEYS',
  'TRANSACTIONS',
];

export function parseShow(c: Cursor): ShowStatement {
  const terse = c.accept('TERSE');
  let what: string | undefined;
  for (const w of SHOWABLE) {
    if (c.accept(...w.split(' '))) {
      what = w;
      break;
    }
  }
  if (!what) {
    const words = [c.word(0), c.word(1)].filter(Boolean).join(' ');
    throw errors.unsupported(`SHOW ${words || '…'}`);
  }
  const stmt: ShowStatement = { kind: 'show', what, terse, history: false };
  if (c.accept('HISTORY')) stmt.history = true;
  if (what === 'TASKS' && c.accept('ROOT', 'ONLY')) stmt.rootOnly = true;
  if (c.accept('LIKE')) stmt.like = c.string();
  if (c.accept('IN') || (what === 'PARAMETERS' && c.accept('FOR'))) stmt.scope = parseScope(c);
  if (c.accept('STARTS', 'WITH')) stmt.startsWith = c.string();
  if (what === 'TASKS' && c.accept('ROOT', 'ONLY')) stmt.rootOnly = true;
  if (c.accept('LIMIT')) {
    stmt.limit = c.integer();
    if (c.accept('FROM')) stmt.limitFrom = c.string();
  }
  c.expectEnd();
  return stmt;
}

function parseScope(c: Cursor): ShowScope {
  if (c.accept('ACCOUNT')) return { kind: 'ACCOUNT' };
  if (c.accept('SESSION')) return { kind: 'ACCOUNT' };
  if (c.accept('DATABASE')) {
    if (c.atEnd() || c.atAny('STARTS', 'LIMIT')) return { kind: 'DATABASE' };
    return { kind: 'DATABASE', name: c.identifier() };
  }
  if (c.accept('SCHEMA')) {
    if (c.atEnd() || c.atAny('STARTS', 'LIMIT')) return { kind: 'SCHEMA' };
    return { kind: 'SCHEMA', name: schemaName(c) };
  }
  if (c.accept('TABLE')) return { kind: 'TABLE', name: c.objectName() };
  if (c.accept('VIEW')) return { kind: 'VIEW', name: c.objectName() };
  // `IN name` alone names a schema ([db.]schema).
  return { kind: 'SCHEMA', name: schemaName(c) };
}

function schemaName(c: Cursor): ObjectName {
  const n = c.objectName();
  if (n.database !== undefined) throw c.unexpected();
  return n.schema !== undefined ? { database: n.schema, name: n.name } : n;
}

export function parseDescribe(c: Cursor): DescribeStatement {
  if (c.accept('RESULT')) {
    let queryId = 'LAST';
    if (c.peek()?.type === 'STRING') queryId = c.string();
    else {
      c.expect('LAST_QUERY_ID');
      c.expectSymbol('L_PAREN');
      c.expectSymbol('R_PAREN');
    }
    c.expectEnd();
    return { kind: 'describe', objectKind: 'RESULT', name: { name: '' }, queryId };
  }
  let kind: DescribeStatement['objectKind'] = 'TABLE';
  if (c.accept('PROCEDURE')) {
    const name = c.objectName();
    const argTypes = [];
    c.expectSymbol('L_PAREN');
    if (!c.acceptSymbol('R_PAREN')) {
      do argTypes.push(parseDataType(c));
      while (c.acceptSymbol('COMMA'));
      c.expectSymbol('R_PAREN');
    }
    c.expectEnd();
    return { kind: 'describe', objectKind: 'PROCEDURE', name, argTypes };
  }
  const k = objectKind(c);
  if (k) kind = k;
  const name = kind === 'DATABASE' || kind === 'SCHEMA' ? kindName(c, kind) : c.objectName();
  let type: string | undefined;
  if (c.accept('TYPE')) {
    c.expectSymbol('EQ');
    type = c.word();
    if (type !== 'COLUMNS' && type !== 'STAGE') throw c.unexpected();
    c.next();
  }
  c.expectEnd();
  return { kind: 'describe', objectKind: kind, name, type };
}

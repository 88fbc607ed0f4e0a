/**
 * CREATE STREAM and ALTER STREAM (semantics §1.1):
 *
 *   CREATE [OR REPLACE] STREAM [IF NOT EXISTS] <name> [COPY GRANTS]
 *     ON { TABLE | VIEW | DYNAMIC TABLE | EXTERNAL TABLE | STAGE } <source>
 *     [ { AT | BEFORE } ( TIMESTAMP | OFFSET | STATEMENT | STREAM => … ) ]
 *     [ APPEND_ONLY = TRUE | FALSE ] [ INSERT_ONLY = TRUE | FALSE ] [ SHOW_INITIAL_ROWS = TRUE | FALSE ]
 *     [ COMMENT = '…' ]
 *   CREATE [OR REPLACE] STREAM <name> CLONE <source_stream>
 *   ALTER STREAM [IF EXISTS] <name> SET COMMENT = '…' | UNSET COMMENT
 */
import { errors } from '../errors.ts';
import type { AlterStreamStatement, CreateStreamStatement } from '../statements/statement.ts';
import type { Cursor } from './cursor.ts';
import { parseTimeTravel, readProperties } from './create.ts';

const STREAM_OPTIONS = ['APPEND_ONLY', 'INSERT_ONLY', 'SHOW_INITIAL_ROWS', 'COMMENT'];

export function parseCreateStream(c: Cursor, head: { orReplace: boolean; temporary: boolean; transient: boolean; secure: boolean }): CreateStreamStatement {
  if (head.temporary || head.transient || head.secure) throw errors.syntaxMessage('A stream cannot be TEMPORARY, TRANSIENT or SECURE.');
  const ine = c.accept('IF', 'NOT', 'EXISTS');
  if (ine && head.orReplace) throw errors.syntaxMessage('OR REPLACE and IF NOT EXISTS are incompatible.');
  const stmt: CreateStreamStatement = {
    kind: 'create_stream',
    name: c.objectName(),
    orReplace: head.orReplace,
    ifNotExists: ine,
    appendOnly: false,
    insertOnly: false,
    showInitialRows: false,
    properties: {},
  };
  if (c.accept('CLONE')) {
    stmt.clone = c.objectName();
    c.expectEnd();
    return stmt;
  }
  c.accept('COPY', 'GRANTS');
  c.expect('ON');
  let sourceKind: NonNullable<CreateStreamStatement['source']>['kind'];
  if (c.accept('TABLE')) sourceKind = 'TABLE';
  else if (c.accept('VIEW')) sourceKind = 'VIEW';
  else if (c.accept('DYNAMIC', 'TABLE')) sourceKind = 'DYNAMIC TABLE';
  else if (c.accept('EXTERNAL', 'TABLE')) throw errors.unsupported('streams on external tables');
  else if (c.accept('STAGE')) throw errors.unsupported('streams on stages (directory tables)');
  else if (c.accept('EVENT', 'TABLE')) throw errors.unsupported('streams on event tables');
  else throw c.unexpected();
  stmt.source = { kind: sourceKind, name: c.objectName() };
  stmt.at = parseTimeTravel(c);
  const props = readProperties(c, STREAM_OPTIONS, {});
  for (const [k, v] of Object.entries(props)) {
    if (k === 'COMMENT') {
      stmt.properties.COMMENT = v;
      continue;
    }
    if (v.kind !== 'boolean') throw errors.syntaxMessage(`${k} must be TRUE or FALSE.`);
    const on = v.text === 'TRUE';
    if (k === 'APPEND_ONLY') stmt.appendOnly = on;
    if (k === 'INSERT_ONLY') stmt.insertOnly = on;
    if (k === 'SHOW_INITIAL_ROWS') stmt.showInitialRows = on;
  }
  if (c.at('WITH', 'TAG') || c.at('TAG')) throw errors.unsupported('tags on streams (governance comes in a later release)');
  c.expectEnd();
  return stmt;
}

export function parseAlterStream(c: Cursor): AlterStreamStatement {
  const ifExists = c.accept('IF', 'EXISTS');
  const name = c.objectName();
  if (c.accept('SET')) {
    const props = readProperties(c, ['COMMENT'], {});
    if (!props.COMMENT) throw c.unexpected();
    c.expectEnd();
    return { kind: 'alter_stream', name, ifExists, comment: props.COMMENT.text };
  }
  if (c.accept('UNSET')) {
    c.expect('COMMENT');
    c.expectEnd();
    return { kind: 'alter_stream', name, ifExists, comment: null };
  }
  throw errors.unsupported(`ALTER STREAM … ${c.word() ?? ''}`.trim());
}

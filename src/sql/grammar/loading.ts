/**
 * Stages, file formats and loading (semantics §6.4–6.5):
 *
 *   CREATE [OR REPLACE] [TEMPORARY] STAGE [IF NOT EXISTS] <name>
 *     [ FILE_FORMAT = ( FORMAT_NAME = '<ff>' | TYPE = CSV | JSON | PARQUET [ options ] ) ]
 *     [ COPY_OPTIONS = ( options ) ] [ COMMENT = '…' ]
 *   CREATE [OR REPLACE] [TEMPORARY] FILE FORMAT [IF NOT EXISTS] <name> [ TYPE = … ] [ options ] [ COMMENT = '…' ]
 *   ALTER STAGE | FILE FORMAT [IF EXISTS] <name> { SET … | UNSET COMMENT | RENAME TO <name> }
 *   PUT file://<path> <location> [ AUTO_COMPRESS = … ] [ OVERWRITE = … ] [ SOURCE_COMPRESSION = … ] [ PARALLEL = n ]
 *   GET <location> file://<dir> [ PATTERN = '…' ] [ PARALLEL = n ]
 *   LIST | LS <location> [ PATTERN = '…' ]        REMOVE | RM <location> [ PATTERN = '…' ]
 *   COPY INTO <table> [ ( cols ) ] FROM { <location> | ( SELECT … FROM <location> [alias] ) }
 *     [ FILES = ( '…', … ) ] [ PATTERN = '…' ] [ FILE_FORMAT = ( … ) ] [ copy options ] [ VALIDATION_MODE = … ]
 *
 * Locations and local paths are written without spaces (or quoted), so they are read as the run
 * of adjacent tokens; the engine resolves the stage names.
 */
import { errors } from '../errors.ts';
import { parseNameString, objectNameFromParts } from '../names/identifiers.ts';
import type {
  AlterFileFormatStatement,
  AlterStageStatement,
  CopyIntoLocationStatement,
  CopyIntoTableStatement,
  CreateFileFormatStatement,
  CreateStageStatement,
  FileFormatSpec,
  GetStatement,
  ListStatement,
  Properties,
  PutStatement,
  StageLocation,
  Statement,
} from '../statements/statement.ts';
import type { Cursor, ParsedValue } from './cursor.ts';

interface Head {
  orReplace: boolean;
  temporary: boolean;
  transient: boolean;
}

/** Options that may follow a name in one `( … )` list or after FILE FORMAT's name: NAME = value pairs. */
function optionList(c: Cursor, stop: string[] = []): Properties {
  const out: Properties = {};
  for (;;) {
    const w = c.word();
    if (w === undefined || stop.includes(w) || c.peek(1)?.type !== 'EQ') return out;
    c.next();
    c.expectSymbol('EQ');
    out[w] = c.value();
    c.acceptSymbol('COMMA');
  }
}

function parenthesizedOptions(c: Cursor): Properties {
  c.acceptSymbol('EQ');
  c.expectSymbol('L_PAREN');
  const out = optionList(c);
  c.expectSymbol('R_PAREN');
  return out;
}

/** FILE_FORMAT = ( FORMAT_NAME = 'x' | TYPE = … ) — also `FILE_FORMAT = x` with a bare name. */
function fileFormatSpec(c: Cursor): FileFormatSpec {
  c.acceptSymbol('EQ');
  if (c.peek()?.type !== 'L_PAREN') {
    const t = c.peek();
    const text = t?.type === 'STRING' ? c.string() : c.nameParts(3).join('.');
    return { formatName: objectNameFromParts(parseNameString(text)), options: {} };
  }
  const options = parenthesizedOptions(c);
  const name = options.FORMAT_NAME;
  if (name) {
    if (Object.keys(options).length > 1) throw errors.syntaxMessage('FORMAT_NAME and TYPE (or other format options) are mutually exclusive in FILE_FORMAT.');
    return { formatName: objectNameFromParts(parseNameString(name.text)), options: {} };
  }
  return { options };
}

export function parseCreateStage(c: Cursor, head: Head): CreateStageStatement {
  if (head.transient) throw errors.syntaxMessage('A stage cannot be TRANSIENT.');
  const ifNotExists = c.accept('IF', 'NOT', 'EXISTS');
  if (ifNotExists && head.orReplace) throw errors.syntaxMessage('OR REPLACE and IF NOT EXISTS are incompatible.');
  const stmt: CreateStageStatement = { kind: 'create_stage', name: c.objectName(), orReplace: head.orReplace, ifNotExists, temporary: head.temporary, copyOptions: {} };
  for (;;) {
    const w = c.word();
    if (w === 'URL' || w === 'STORAGE_INTEGRATION' || w === 'CREDENTIALS') throw errors.unsupported('external stages (URL = …): Backlot stages are internal');
    if (w === 'FILE_FORMAT') {
      c.next();
      stmt.fileFormat = fileFormatSpec(c);
    } else if (w === 'COPY_OPTIONS') {
      c.next();
      stmt.copyOptions = parenthesizedOptions(c);
    } else if (w === 'ENCRYPTION' || w === 'DIRECTORY') {
      c.next();
      parenthesizedOptions(c); // accepted: internal stage files are local and never encrypted here
    } else if (w === 'COMMENT') {
      c.next();
      stmt.comment = c.propertyValue().text;
    } else if (w === 'WITH' || w === 'TAG') {
      throw errors.unsupported('tags on stages');
    } else break;
    c.acceptSymbol('COMMA');
  }
  c.expectEnd();
  return stmt;
}

export function parseCreateFileFormat(c: Cursor, head: Head): CreateFileFormatStatement {
  if (head.transient) throw errors.syntaxMessage('A file format cannot be TRANSIENT.');
  const ifNotExists = c.accept('IF', 'NOT', 'EXISTS');
  if (ifNotExists && head.orReplace) throw errors.syntaxMessage('OR REPLACE and IF NOT EXISTS are incompatible.');
  const name = c.objectName();
  const options = optionList(c);
  const stmt: CreateFileFormatStatement = { kind: 'create_file_format', name, orReplace: head.orReplace, ifNotExists, temporary: head.temporary, options };
  if (options.COMMENT) {
    stmt.comment = options.COMMENT.text;
    delete options.COMMENT;
  }
  c.expectEnd();
  return stmt;
}

export function parseAlterStage(c: Cursor): AlterStageStatement {
  const ifExists = c.accept('IF', 'EXISTS');
  const name = c.objectName();
  if (c.accept('RENAME', 'TO')) {
    const to = c.objectName();
    c.expectEnd();
    return { kind: 'alter_stage', name, ifExists, action: { kind: 'rename', to } };
  }
  if (c.accept('UNSET')) {
    c.expect('COMMENT');
    c.expectEnd();
    return { kind: 'alter_stage', name, ifExists, action: { kind: 'unset_comment' } };
  }
  c.expect('SET');
  const action: Extract<AlterStageStatement['action'], { kind: 'set' }> = { kind: 'set' };
  for (;;) {
    const w = c.word();
    if (w === 'FILE_FORMAT') {
      c.next();
      action.fileFormat = fileFormatSpec(c);
    } else if (w === 'COPY_OPTIONS') {
      c.next();
      action.copyOptions = parenthesizedOptions(c);
    } else if (w === 'COMMENT') {
      c.next();
      action.comment = c.propertyValue().text;
    } else if (w === 'URL' || w === 'STORAGE_INTEGRATION' || w === 'CREDENTIALS') {
      throw errors.unsupported('external stages (URL = …): Backlot stages are internal');
    } else break;
    c.acceptSymbol('COMMA');
  }
  if (!action.fileFormat && !action.copyOptions && action.comment === undefined) throw c.unexpected();
  c.expectEnd();
  return { kind: 'alter_stage', name, ifExists, action };
}

export function parseAlterFileFormat(c: Cursor): AlterFileFormatStatement {
  const ifExists = c.accept('IF', 'EXISTS');
  const name = c.objectName();
  if (c.accept('RENAME', 'TO')) {
    const to = c.objectName();
    c.expectEnd();
    return { kind: 'alter_file_format', name, ifExists, action: { kind: 'rename', to } };
  }
  if (c.accept('UNSET')) {
    c.expect('COMMENT');
    c.expectEnd();
    return { kind: 'alter_file_format', name, ifExists, action: { kind: 'unset_comment' } };
  }
  c.expect('SET');
  const options = optionList(c);
  if (Object.keys(options).length === 0) throw c.unexpected();
  let comment: string | undefined;
  if (options.COMMENT) {
    comment = options.COMMENT.text;
    delete options.COMMENT;
  }
  c.expectEnd();
  return { kind: 'alter_file_format', name, ifExists, action: { kind: 'set', options, comment } };
}

/**
 * The run of tokens with no space between them, as written (`@db.s.st/dir/`, `file:///tmp/a.csv`),
 * or the content of a quoted string.
 */
function adjacentText(c: Cursor): string {
  const first = c.peek();
  if (!first) throw c.unexpected();
  if (first.type === 'STRING') return c.string();
  let end = first.end;
  c.next();
  // A closing parenthesis or a comma ends it even when adjacent (`FROM @s)` in a transformation).
  while (!c.atEnd() && c.peek()!.start === end && !['SEMICOLON', 'R_PAREN', 'COMMA'].includes(c.peek()!.type)) end = c.next().end;
  return c.sql.slice(first.start, end);
}

/** Reads `@~/p`, `@%t/p` or `@[db.]s/p` (quoted names allowed). */
export function parseStageLocation(text: string): StageLocation {
  if (!text.startsWith('@')) throw errors.syntaxMessage(`'${text}' is not a stage location: expected @~, @%<table> or @<stage>.`);
  let rest = text.slice(1);
  let kind: StageLocation['kind'] = 'named';
  if (rest.startsWith('~')) {
    kind = 'user';
    rest = rest.slice(1);
  } else if (rest.startsWith('%')) {
    kind = 'table';
    rest = rest.slice(1);
  }
  let name: StageLocation['name'];
  if (kind !== 'user') {
    // The name runs to the first slash outside double quotes.
    let i = 0;
    let quoted = false;
    while (i < rest.length && (quoted || rest[i] !== '/')) {
      if (rest[i] === '"') quoted = !quoted;
      i += 1;
    }
    const nameText = rest.slice(0, i);
    if (nameText === '') throw errors.syntaxMessage(`'${text}' names no ${kind === 'table' ? 'table' : 'stage'}.`);
    name = objectNameFromParts(parseNameString(nameText));
    rest = rest.slice(i);
  }
  const path = rest.replace(/^\/+/, '');
  return { kind, name, path, text };
}

function location(c: Cursor): StageLocation {
  return parseStageLocation(adjacentText(c));
}

function localPath(c: Cursor, what: string): string {
  const text = adjacentText(c);
  if (!text.toLowerCase().startsWith('file://')) throw errors.syntaxMessage(`${what} needs a local path written file://<path>; got '${text}'.`);
  return text.slice('file://'.length);
}

export function parsePut(c: Cursor): PutStatement {
  const source = localPath(c, 'PUT');
  const target = location(c);
  const options = optionList(c);
  c.expectEnd();
  return { kind: 'put', source, target, options };
}

export function parseGet(c: Cursor): GetStatement {
  const source = location(c);
  const target = localPath(c, 'GET');
  const options = optionList(c);
  c.expectEnd();
  return { kind: 'get', source, target, options };
}

export function parseListOrRemove(c: Cursor, first: string): ListStatement {
  const loc = location(c);
  const options = optionList(c);
  c.expectEnd();
  const unknown = Object.keys(options).filter((k) => k !== 'PATTERN');
  if (unknown.length > 0) throw errors.syntaxMessage(`invalid option ${unknown[0]} for ${first}: only PATTERN is allowed.`);
  return { kind: first === 'LIST' || first === 'LS' ? 'list' : 'remove', location: loc, pattern: options.PATTERN?.text };
}

export function parseCopy(c: Cursor): Statement {
  c.expect('INTO');
  if (c.peek()?.type === 'D_AT' || c.peek()?.text.startsWith('@')) return parseUnload(c);
  const table = c.objectName();
  let columns: string[] | undefined;
  if (c.acceptSymbol('L_PAREN')) {
    columns = [];
    do columns.push(c.identifier());
    while (c.acceptSymbol('COMMA'));
    c.expectSymbol('R_PAREN');
  }
  let from: StageLocation;
  let transform: CopyIntoTableStatement['transform'];
  if (c.accept('FROM')) {
    if (c.peek()?.type === 'L_PAREN') ({ from, transform } = transformQuery(c));
    else from = location(c);
  } else {
    // From a table stage the FROM may be left out.
    from = { kind: 'table', name: table, path: '', text: `@%${table.name}` };
  }
  const stmt: CopyIntoTableStatement = { kind: 'copy_into_table', table, columns, from, transform, options: {} };
  for (;;) {
    const w = c.word();
    if (w === undefined) break;
    if (w === 'FILES') {
      c.next();
      const v = c.propertyValue();
      const items = v.kind === 'list' ? (v.items ?? []) : [v];
      stmt.files = items.map((i) => i.text);
    } else if (w === 'PATTERN') {
      c.next();
      stmt.pattern = c.propertyValue().text;
    } else if (w === 'FILE_FORMAT') {
      c.next();
      stmt.fileFormat = fileFormatSpec(c);
    } else if (w === 'VALIDATION_MODE') {
      c.next();
      stmt.validationMode = c.propertyValue().text.toUpperCase();
    } else if (c.peek(1)?.type === 'EQ') {
      c.next();
      c.next();
      stmt.options[w] = copyOptionValue(c);
    } else break;
    c.acceptSymbol('COMMA');
  }
  c.expectEnd();
  if (stmt.transform && stmt.validationMode) throw errors.invalidOperation('VALIDATION_MODE does not support COPY statements that transform data during a load.');
  return stmt;
}

/** Words that end a PARTITION BY expression: the options that may follow it. */
const UNLOAD_STOP_WORDS = ['FILE_FORMAT', 'HEADER', 'SINGLE', 'MAX_FILE_SIZE', 'OVERWRITE', 'INCLUDE_QUERY_ID', 'DETAILED_OUTPUT'];

/** COPY INTO @location FROM { table | ( query ) } [ PARTITION BY expr ] [ FILE_FORMAT = (…) ] [ options ] */
function parseUnload(c: Cursor): CopyIntoLocationStatement {
  const to = location(c);
  c.expect('FROM');
  let querySql: string;
  if (c.peek()?.type === 'L_PAREN') querySql = c.parenthesizedText();
  else {
    const start = c.offset();
    c.objectName();
    querySql = `SELECT * FROM ${c.sql.slice(start, c.offset()).trim()}`;
  }
  const stmt: CopyIntoLocationStatement = { kind: 'copy_into_location', to, querySql, options: {} };
  for (;;) {
    const w = c.word();
    if (w === undefined) break;
    if (c.at('PARTITION', 'BY')) {
      c.expect('PARTITION', 'BY');
      stmt.partitionSql = c.expressionText(UNLOAD_STOP_WORDS);
    } else if (w === 'FILE_FORMAT') {
      c.next();
      stmt.fileFormat = fileFormatSpec(c);
    } else if (c.peek(1)?.type === 'EQ') {
      c.next();
      c.next();
      stmt.options[w] = c.value();
    } else break;
    c.acceptSymbol('COMMA');
  }
  c.expectEnd();
  return stmt;
}

/** ON_ERROR = SKIP_FILE_10 and similar words, strings, numbers, booleans, lists. */
function copyOptionValue(c: Cursor): ParsedValue {
  return c.value();
}

/**
 * `( SELECT … FROM @location [ ( FILE_FORMAT => …, PATTERN => … ) ] [alias] )`: the query text with
 * the location cut out — the engine puts the staged rows there.
 */
function transformQuery(c: Cursor): { from: StageLocation; transform: NonNullable<CopyIntoTableStatement['transform']> } {
  c.expectSymbol('L_PAREN');
  const start = c.offset();
  let depth = 0;
  let from: StageLocation | undefined;
  let cutStart = -1;
  let cutEnd = -1;
  let alias: string | undefined;
  while (!c.atEnd()) {
    const t = c.peek()!;
    if (t.type === 'L_PAREN') depth += 1;
    if (t.type === 'R_PAREN') {
      if (depth === 0) break;
      depth -= 1;
    }
    if (depth === 0 && c.word() === 'FROM' && !from) {
      c.next();
      cutStart = c.offset();
      from = location(c);
      cutEnd = c.offset();
      if (c.peek()?.type === 'L_PAREN') throw errors.unsupported('FILE_FORMAT => / PATTERN => on a stage in a COPY transformation (put them on the COPY statement)');
      const w = c.word();
      if (c.peek() && c.peek()!.type !== 'R_PAREN' && w !== 'WHERE' && w !== undefined) {
        c.accept('AS');
        alias = c.identifier();
        cutEnd = c.offset();
      }
      continue;
    }
    c.next();
  }
  const close = c.peek();
  if (!from || close?.type !== 'R_PAREN') throw errors.syntaxMessage('A COPY transformation must read FROM a stage location: COPY INTO t FROM (SELECT $1, … FROM @stage).');
  c.next();
  const full = c.sql.slice(start, close.start);
  // The cut may end where the next token starts: keep the two apart.
  const selectSql = `${full.slice(0, cutStart - start)}_bkl_staged${alias ? ` AS ${alias}` : ''} ${full.slice(cutEnd - start)}`.trim();
  return { from, transform: { selectSql, alias } };
}

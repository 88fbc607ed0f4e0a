/**
 * ALTER DATABASE | SCHEMA | TABLE | VIEW | SEQUENCE | SESSION in Snowflake's grammar.
 */
import { parseAlterFileFormat, parseAlterStage } from './loading.ts';
import { errors } from '../errors.ts';
import type { ObjectName } from '../names/identifiers.ts';
import type {
  AlterContainerStatement,
  AlterSequenceStatement,
  AlterTableAction,
  AlterTableStatement,
  AlterViewStatement,
  ColumnChange,
  Statement,
} from '../statements/statement.ts';
import { parseColumnDefinition, parseDataType, parseTableConstraint } from './columns.ts';
import { CONTAINER_PROPERTIES, readProperties, SEQUENCE_PROPERTIES, TABLE_PROPERTIES, VIEW_PROPERTIES } from './create.ts';
import type { Cursor } from './cursor.ts';
import { parseAlterStream } from './streams.ts';
import { parseAlterTask } from './tasks.ts';
import { parseAlterDynamicTable } from './dynamic-tables.ts';
import { parseAlterSession } from './session.ts';

export function parseAlter(c: Cursor): Statement {
  if (c.accept('DATABASE')) return parseAlterContainer(c, 'alter_database');
  if (c.accept('SCHEMA')) return parseAlterContainer(c, 'alter_schema');
  if (c.accept('TABLE')) return parseAlterTable(c);
  if (c.accept('VIEW')) return parseAlterView(c);
  if (c.accept('SEQUENCE')) return parseAlterSequence(c);
  if (c.accept('SESSION')) return parseAlterSession(c);
  if (c.accept('STREAM')) return parseAlterStream(c);
  if (c.accept('STAGE')) return parseAlterStage(c);
  if (c.accept('FILE', 'FORMAT')) return parseAlterFileFormat(c);
  if (c.accept('TASK')) return parseAlterTask(c);
  if (c.accept('DYNAMIC', 'TABLE')) return parseAlterDynamicTable(c);
  if (c.accept('WAREHOUSE')) throw errors.unsupported('ALTER WAREHOUSE (Backlot has one embedded warehouse)');
  throw errors.unsupported(`ALTER ${c.word() ?? '…'}`);
}

function ifExists(c: Cursor): boolean {
  return c.accept('IF', 'EXISTS');
}

function containerName(c: Cursor, kind: 'alter_database' | 'alter_schema'): ObjectName {
  if (kind === 'alter_database') return { name: c.identifier() };
  const n = c.objectName();
  if (n.database !== undefined) throw c.unexpected();
  return n.schema !== undefined ? { database: n.schema, name: n.name } : n;
}

function unsetNames(c: Cursor): string[] {
  const names: string[] = [];
  do {
    const w = c.word();
    if (w === undefined) throw c.unexpected();
    c.next();
    names.push(w);
  } while (c.acceptSymbol('COMMA'));
  return names;
}

function parseAlterContainer(c: Cursor, kind: 'alter_database' | 'alter_schema'): AlterContainerStatement {
  const ie = ifExists(c);
  const name = containerName(c, kind);
  let change: AlterContainerStatement['change'];
  if (c.accept('RENAME', 'TO')) change = { action: 'rename', to: containerName(c, kind) };
  else if (c.accept('SWAP', 'WITH')) change = { action: 'swap', with: containerName(c, kind) };
  else if (c.accept('SET')) change = { action: 'set', properties: readRequired(c, CONTAINER_PROPERTIES) };
  else if (c.accept('UNSET')) change = { action: 'unset', names: unsetNames(c) };
  else if (kind === 'alter_schema' && c.accept('ENABLE', 'MANAGED', 'ACCESS')) change = { action: 'managed_access', enable: true };
  else if (kind === 'alter_schema' && c.accept('DISABLE', 'MANAGED', 'ACCESS')) change = { action: 'managed_access', enable: false };
  else throw c.unexpected();
  c.expectEnd();
  return { kind, name, ifExists: ie, change };
}

function readRequired(c: Cursor, allowed: string[]) {
  const props = readProperties(c, allowed);
  if (Object.keys(props).length === 0) {
    const w = c.word();
    if (w !== undefined && c.peek(1)?.type === 'EQ') throw errors.invalidValue(`invalid property '${w}' for this object.`);
    throw c.unexpected();
  }
  return props;
}

function parseAlterTable(c: Cursor): AlterTableStatement {
  const ie = ifExists(c);
  const name = c.objectName();
  let change: AlterTableAction;
  if (c.accept('RENAME', 'TO')) {
    change = { action: 'rename', to: c.objectName() };
  } else if (c.accept('SWAP', 'WITH')) {
    change = { action: 'swap', with: c.objectName() };
  } else if (c.accept('RENAME', 'COLUMN')) {
    const from = c.identifier();
    c.expect('TO');
    change = { action: 'rename_column', from, to: c.identifier() };
  } else if (c.accept('ADD')) {
    if (c.atAny('CONSTRAINT', 'PRIMARY', 'UNIQUE', 'FOREIGN')) {
      change = { action: 'add_constraint', constraint: parseTableConstraint(c) };
    } else {
      if (c.at('ROW', 'ACCESS') || c.at('DATA', 'METRIC') || c.at('SEARCH', 'OPTIMIZATION')) {
        throw errors.unsupported(`ALTER TABLE ADD ${c.word()} ${c.word(1)}`);
      }
      c.accept('COLUMN');
      const ine = c.accept('IF', 'NOT', 'EXISTS');
      const columns = [];
      do columns.push(parseColumnDefinition(c));
      while (c.acceptSymbol('COMMA') && (c.accept('COLUMN') || true));
      change = { action: 'add_columns', columns, ifNotExists: ine };
    }
  } else if (c.accept('DROP')) {
    if (c.accept('CONSTRAINT')) {
      change = { action: 'drop_constraint', name: c.identifier() };
      c.accept('CASCADE') || c.accept('RESTRICT');
    } else if (c.accept('PRIMARY', 'KEY')) {
      change = { action: 'drop_constraint', kind: 'PRIMARY KEY' };
    } else if (c.accept('CLUSTERING', 'KEY')) {
      change = { action: 'drop_clustering_key' };
    } else {
      if (c.at('ROW', 'ACCESS') || c.at('DATA', 'METRIC') || c.at('SEARCH', 'OPTIMIZATION')) {
        throw errors.unsupported(`ALTER TABLE DROP ${c.word()} ${c.word(1)}`);
      }
      c.accept('COLUMN');
      const ie2 = c.accept('IF', 'EXISTS');
      const names: string[] = [];
      do names.push(c.identifier());
      while (c.acceptSymbol('COMMA') && (c.accept('COLUMN') || true));
      change = { action: 'drop_columns', names, ifExists: ie2 };
    }
  } else if (c.atAny('ALTER', 'MODIFY')) {
    c.next();
    change = { action: 'alter_columns', changes: parseColumnChanges(c) };
  } else if (c.accept('SET')) {
    change = { action: 'set', properties: readRequired(c, TABLE_PROPERTIES) };
  } else if (c.accept('UNSET')) {
    change = { action: 'unset', names: unsetNames(c) };
  } else if (c.accept('CLUSTER', 'BY')) {
    c.expectSymbol('L_PAREN');
    const keys: string[] = [];
    do keys.push(c.expressionText());
    while (c.acceptSymbol('COMMA'));
    c.expectSymbol('R_PAREN');
    change = { action: 'cluster_by', keys };
  } else if (c.atAny('SUSPEND', 'RESUME', 'RECLUSTER')) {
    throw errors.unsupported(`ALTER TABLE ${c.word()} (automatic clustering)`);
  } else {
    throw c.unexpected();
  }
  c.expectEnd();
  return { kind: 'alter_table', name, ifExists: ie, change };
}

/** `ALTER TABLE t ALTER [COLUMN] c SET DATA TYPE …, [COLUMN] d DROP NOT NULL, …` and the parenthesised form. */
function parseColumnChanges(c: Cursor): ColumnChange[] {
  const parens = c.acceptSymbol('L_PAREN');
  const changes: ColumnChange[] = [];
  do {
    c.accept('COLUMN');
    const change: ColumnChange = { column: c.identifier() };
    if (c.accept('SET', 'DATA', 'TYPE') || c.accept('TYPE')) {
      change.setType = parseDataType(c);
    } else if (c.accept('SET', 'NOT', 'NULL')) {
      change.setNotNull = true;
    } else if (c.accept('DROP', 'NOT', 'NULL')) {
      change.dropNotNull = true;
    } else if (c.accept('DROP', 'DEFAULT')) {
      change.dropDefault = true;
    } else if (c.accept('SET', 'DEFAULT')) {
      change.setDefaultSql = c.expressionText();
    } else if (c.accept('COMMENT')) {
      change.comment = c.string();
    } else if (c.accept('UNSET', 'COMMENT')) {
      change.comment = null;
    } else if (c.at('SET', 'MASKING') || c.at('UNSET', 'MASKING') || c.at('SET', 'TAG') || c.at('UNSET', 'TAG')) {
      throw errors.unsupported('column masking policies and tags (governance comes in a later release)');
    } else {
      // Snowflake also accepts a bare data type after the column name in the parenthesised form.
      change.setType = parseDataType(c);
    }
    changes.push(change);
  } while (c.acceptSymbol('COMMA'));
  if (parens) c.expectSymbol('R_PAREN');
  return changes;
}

function parseAlterView(c: Cursor): AlterViewStatement {
  const ie = ifExists(c);
  const name = c.objectName();
  let change: AlterViewStatement['change'];
  if (c.accept('RENAME', 'TO')) change = { action: 'rename', to: c.objectName() };
  else if (c.accept('SET', 'SECURE')) change = { action: 'secure', secure: true };
  else if (c.accept('UNSET', 'SECURE')) change = { action: 'secure', secure: false };
  else if (c.accept('SET')) change = { action: 'set', properties: readRequired(c, VIEW_PROPERTIES) };
  else if (c.accept('UNSET')) change = { action: 'unset', names: unsetNames(c) };
  else throw c.unexpected();
  c.expectEnd();
  return { kind: 'alter_view', name, ifExists: ie, change };
}

function parseAlterSequence(c: Cursor): AlterSequenceStatement {
  const ie = ifExists(c);
  const name = c.objectName();
  let change: AlterSequenceStatement['change'];
  if (c.accept('RENAME', 'TO')) {
    change = { action: 'rename', to: c.objectName() };
  } else if (c.accept('SET') || c.atAny('INCREMENT')) {
    let increment: number | undefined;
    if (c.accept('INCREMENT')) {
      c.accept('BY');
      c.acceptSymbol('EQ');
      increment = c.integer();
    }
    const properties = readProperties(c, SEQUENCE_PROPERTIES);
    change = { action: 'set', increment, properties };
  } else if (c.accept('UNSET')) {
    change = { action: 'unset', names: unsetNames(c) };
  } else {
    throw c.unexpected();
  }
  c.expectEnd();
  return { kind: 'alter_sequence', name, ifExists: ie, change };
}

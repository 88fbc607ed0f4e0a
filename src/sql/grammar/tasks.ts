/**
 * Tasks (semantics §2.1, §2.5):
 *
 *   CREATE [OR REPLACE] TASK [IF NOT EXISTS] <name>
 *     [ WAREHOUSE = <wh> | USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE = '<size>' ]
 *     [ SCHEDULE = '<n> SECONDS|MINUTES|HOURS' | 'USING CRON <expr> <tz>' ] [ CONFIG = '<json>' ]
 *     [ OVERLAP_POLICY = … | ALLOW_OVERLAPPING_EXECUTION = TRUE|FALSE ] [ <parameter> = <value> … ]
 *     [ FINALIZE = <root> ] [ AFTER <task> [, …] ] [ WHEN <condition> ]
 *   AS <statement | CALL … | Snowflake Scripting block>
 *   CREATE [OR REPLACE] TASK <name> CLONE <task>
 *   ALTER TASK [IF EXISTS] <name> RESUME | SUSPEND | { ADD | REMOVE } AFTER <task>, … | SET … | UNSET …
 *     | SET FINALIZE = <root> | UNSET FINALIZE | MODIFY AS <body> | MODIFY WHEN <condition> | REMOVE WHEN
 *   EXECUTE TASK <name> [ USING CONFIG = '<json>' | RETRY LAST ]
 */
import { errors } from '../errors.ts';
import type { ObjectName } from '../names/identifiers.ts';
import type { AlterTaskStatement, CreateTaskStatement, ExecuteTaskStatement } from '../statements/statement.ts';
import type { Cursor, ParsedValue } from './cursor.ts';

/** Task properties (besides SCHEDULE, CONFIG, FINALIZE, AFTER, WHEN) accepted in CREATE and ALTER … SET. */
export const TASK_PROPERTIES = [
  'WAREHOUSE',
  'USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE',
  'SCHEDULE',
  'CONFIG',
  'OVERLAP_POLICY',
  'ALLOW_OVERLAPPING_EXECUTION',
  'USER_TASK_TIMEOUT_MS',
  'SUSPEND_TASK_AFTER_NUM_FAILURES',
  'TASK_AUTO_RETRY_ATTEMPTS',
  'USER_TASK_MINIMUM_TRIGGER_INTERVAL_IN_SECONDS',
  'TARGET_COMPLETION_INTERVAL',
  'SERVERLESS_TASK_MIN_STATEMENT_SIZE',
  'SERVERLESS_TASK_MAX_STATEMENT_SIZE',
  'ERROR_INTEGRATION',
  'SUCCESS_INTEGRATION',
  'LOG_LEVEL',
  'TRACE_LEVEL',
  'COMMENT',
  // Session parameters a task may set for its runs.
  'TIMEZONE',
  'QUERY_TAG',
  'STATEMENT_TIMEOUT_IN_SECONDS',
  'TIMESTAMP_INPUT_FORMAT',
  'DATE_INPUT_FORMAT',
  'AUTOCOMMIT',
  'SEARCH_PATH',
];

function readTaskProperties(c: Cursor, into: Record<string, ParsedValue>): void {
  for (;;) {
    const w = c.word();
    if (w === undefined || !TASK_PROPERTIES.includes(w)) return;
    c.next();
    c.acceptSymbol('EQ');
    into[w] = c.value();
    c.acceptSymbol('COMMA');
  }
}

function taskList(c: Cursor): ObjectName[] {
  const names = [c.objectName()];
  while (c.acceptSymbol('COMMA')) names.push(c.objectName());
  return names;
}

export function parseCreateTask(c: Cursor, head: { orReplace: boolean }): CreateTaskStatement {
  const ifNotExists = c.accept('IF', 'NOT', 'EXISTS');
  if (ifNotExists && head.orReplace) throw errors.syntaxMessage('OR REPLACE and IF NOT EXISTS are incompatible.');
  const stmt: CreateTaskStatement = { kind: 'create_task', name: c.objectName(), orReplace: head.orReplace, ifNotExists, properties: {}, after: [], body: '' };
  if (c.accept('CLONE')) {
    stmt.clone = c.objectName();
    c.expectEnd();
    return stmt;
  }
  for (;;) {
    if (c.atAny(...TASK_PROPERTIES)) readTaskProperties(c, stmt.properties);
    else if (c.accept('FINALIZE')) {
      c.acceptSymbol('EQ');
      stmt.finalize = c.objectName();
    } else if (c.accept('AFTER')) stmt.after = taskList(c);
    else if (c.accept('WHEN')) stmt.when = whenText(c);
    else if (c.at('WITH', 'TAG') || c.at('TAG') || c.at('WITH', 'CONTACT')) throw errors.unsupported('tags and contacts on tasks');
    else if (c.accept('EXECUTE', 'AS', 'USER')) throw errors.unsupported('EXECUTE AS USER on tasks');
    else break;
  }
  c.expect('AS');
  stmt.body = c.rest();
  return stmt;
}

/** The WHEN condition's text: up to AS (the task body follows). */
function whenText(c: Cursor): string {
  const first = c.peek();
  if (!first) throw c.unexpected();
  let depth = 0;
  let last = first;
  while (!c.atEnd()) {
    const t = c.peek()!;
    if (depth === 0 && c.word() === 'AS') break;
    if (t.type === 'L_PAREN') depth += 1;
    if (t.type === 'R_PAREN') depth -= 1;
    last = t;
    c.next();
  }
  return c.sql.slice(first.start, last.end);
}

export function parseAlterTask(c: Cursor): AlterTaskStatement {
  const ifExists = c.accept('IF', 'EXISTS');
  const name = c.objectName();
  const base = { kind: 'alter_task' as const, name, ifExists };
  let stmt: AlterTaskStatement;
  if (c.accept('RESUME')) stmt = { ...base, action: { kind: 'resume' } };
  else if (c.accept('SUSPEND')) stmt = { ...base, action: { kind: 'suspend' } };
  else if (c.accept('ADD', 'AFTER')) stmt = { ...base, action: { kind: 'add_after', tasks: taskList(c) } };
  else if (c.accept('REMOVE', 'AFTER')) stmt = { ...base, action: { kind: 'remove_after', tasks: taskList(c) } };
  else if (c.accept('REMOVE', 'WHEN')) stmt = { ...base, action: { kind: 'remove_when' } };
  else if (c.accept('MODIFY', 'AS')) return { ...base, action: { kind: 'modify_as', body: c.rest() } };
  else if (c.accept('MODIFY', 'WHEN')) return { ...base, action: { kind: 'modify_when', condition: c.rest() } };
  else if (c.accept('SET', 'FINALIZE')) {
    c.acceptSymbol('EQ');
    stmt = { ...base, action: { kind: 'set_finalize', root: c.objectName() } };
  } else if (c.accept('UNSET', 'FINALIZE')) stmt = { ...base, action: { kind: 'unset_finalize' } };
  else if (c.accept('SET')) {
    const props: Record<string, ParsedValue> = {};
    readTaskProperties(c, props);
    if (Object.keys(props).length === 0) throw c.unexpected();
    stmt = { ...base, action: { kind: 'set', properties: props } };
  } else if (c.accept('UNSET')) {
    const names: string[] = [];
    do {
      const w = c.word();
      if (w === undefined || !TASK_PROPERTIES.includes(w)) throw c.unexpected();
      names.push(w);
      c.next();
    } while (c.acceptSymbol('COMMA'));
    stmt = { ...base, action: { kind: 'unset', names } };
  } else if (c.accept('RENAME')) {
    throw errors.unsupported('ALTER TASK … RENAME (Snowflake does not rename tasks)');
  } else throw c.unexpected();
  c.expectEnd();
  return stmt;
}

/** After EXECUTE TASK. */
export function parseExecuteTask(c: Cursor): ExecuteTaskStatement {
  const name = c.objectName();
  const stmt: ExecuteTaskStatement = { kind: 'execute_task', name, retryLast: false };
  if (c.accept('RETRY', 'LAST')) stmt.retryLast = true;
  else if (c.accept('RETRY', 'GRAPH', 'RUN', 'GROUP')) throw errors.unsupported('EXECUTE TASK … RETRY GRAPH RUN GROUP');
  else if (c.accept('USING', 'CONFIG')) {
    c.acceptSymbol('EQ');
    stmt.config = c.string();
  }
  c.expectEnd();
  return stmt;
}

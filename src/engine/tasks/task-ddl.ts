/**
 * CREATE / ALTER / DROP TASK and EXECUTE TASK with Snowflake's graph rules (semantics §2.1, §2.4,
 * §2.5): tasks are created suspended; a child has predecessors and no schedule; every task of a graph
 * lives in one schema; changing a graph needs its root suspended; a finalizer finalizes one root.
 */
import { randomUUID } from 'node:crypto';
import {
  displayName,
  errors,
  parseExpressionAst,
  parseStatement,
  quoteIdentifier,
  type AlterTaskStatement,
  type CreateTaskStatement,
  type ExecuteTaskStatement,
  type ObjectName,
  type ParsedValue,
} from '../../sql/index.ts';
import type { CatalogChange, ObjectEntry } from '../../storage/index.ts';
import { ddlTransaction } from '../ddl/ddl-transaction.ts';
import { status, type ResultBody } from '../results/result-set.ts';
import type { ResolvedPath } from '../session/resolver.ts';
import type { Session } from '../session/session.ts';
import { parseSchedule } from './schedule.ts';
import { allTasks, graphOf, isRoot, rootOf, taskDef, type TaskDef } from './task-model.ts';

const OK = 'Statement executed successfully.';

export function taskByName(session: Session, name: ObjectName): { path: ResolvedPath; object: ObjectEntry } {
  return session.resolver.require(name, ['TASK'], 'Task', 'TASK');
}

/** Property values as stored: upper-case names, text values, checked. */
function taskProperties(props: Record<string, ParsedValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(props)) {
    const text = v.kind === 'boolean' ? v.text.toLowerCase() : v.text;
    switch (k) {
      case 'SCHEDULE':
        parseSchedule(text);
        break;
      case 'CONFIG':
        try {
          const parsed = JSON.parse(text) as unknown;
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        } catch {
          throw errors.invalidValue(`invalid value [${text}] for parameter 'CONFIG': it must be a JSON object`);
        }
        break;
      case 'OVERLAP_POLICY':
        if (!['NO_OVERLAP', 'ALLOW_CHILD_OVERLAP', 'ALLOW_ALL_OVERLAP'].includes(text.toUpperCase())) throw badValue(k, text);
        out[k] = text.toUpperCase();
        continue;
      case 'USER_TASK_TIMEOUT_MS':
        if (!isInt(text, 0, 604_800_000)) throw badValue(k, text);
        break;
      case 'SUSPEND_TASK_AFTER_NUM_FAILURES':
        if (!isInt(text, 0, 1_000_000)) throw badValue(k, text);
        break;
      case 'TASK_AUTO_RETRY_ATTEMPTS':
        if (!isInt(text, 0, 30)) throw badValue(k, text);
        break;
      case 'USER_TASK_MINIMUM_TRIGGER_INTERVAL_IN_SECONDS':
        if (!isInt(text, 10, 604_800)) throw badValue(k, text);
        break;
      case 'ALLOW_OVERLAPPING_EXECUTION':
        if (text !== 'true' && text !== 'false') throw badValue(k, text);
        break;
      case 'AUTOCOMMIT':
        if (text === 'false') throw errors.invalidValue('AUTOCOMMIT = FALSE is not supported for tasks.');
        break;
      case 'SEARCH_PATH':
        throw errors.unsupported('SEARCH_PATH on tasks (Snowflake does not support it either)');
      default:
        break;
    }
    out[k] = text;
  }
  if (out.WAREHOUSE !== undefined && out.USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE !== undefined) {
    throw errors.invalidOperation('WAREHOUSE and USER_TASK_MANAGED_INITIAL_WAREHOUSE_SIZE cannot both be set.');
  }
  return out;
}

function isInt(text: string, min: number, max: number): boolean {
  const n = Number(text);
  return Number.isInteger(n) && n >= min && n <= max;
}

function badValue(name: string, text: string) {
  return errors.invalidValue(`invalid value [${text}] for parameter '${name}'`);
}

/** The body must be a statement, a CALL or a block; the WHEN an expression. Checked at CREATE. */
function checkBody(body: string): void {
  parseStatement(body);
}

function checkWhen(condition: string): void {
  parseExpressionAst(condition);
}

/** Raises Snowflake's error unless the root of `task`'s graph is suspended. */
function requireSuspendedRoot(tasks: TaskDef[], task: TaskDef): void {
  const root = rootOf(tasks, task);
  if (root.started) {
    if (root.id === task.id && isRoot(task)) {
      throw errors.invalidOperation(`Unable to update task ${task.fullName} since it is not suspended. Suspend it with ALTER TASK … SUSPEND first.`);
    }
    throw errors.invalidOperation(`Unable to update graph with root task ${root.fullName} since that root task is not suspended.`);
  }
}

/** Predecessors named in AFTER: existing tasks of the same schema, no cycle through `selfId`. */
function resolvePredecessors(session: Session, path: ResolvedPath, names: ObjectName[], selfId: number | undefined): ObjectEntry[] {
  return names.map((n) => {
    const { path: p, object } = taskByName(session, n);
    if (p.schema.id !== path.schema.id) {
      throw errors.invalidOperation(`Task ${object.name} is in another schema: all tasks of a graph must be in the same schema.`);
    }
    if (selfId !== undefined && object.id === selfId) throw errors.invalidOperation(`Task ${object.name} cannot run after itself.`);
    return object;
  });
}

function checkNoCycle(tasks: TaskDef[], selfId: number, predecessors: number[]): void {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const stack = [...predecessors];
  const seen = new Set<number>();
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === selfId) throw errors.invalidOperation('The predecessors would make the task graph cyclic.');
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.after ?? []));
  }
}

export async function createTask(session: Session, stmt: CreateTaskStatement): Promise<ResultBody> {
  const path = session.resolver.path(stmt.name, 'CREATE TASK');
  const catalog = session.engine.catalog;
  const existing = catalog.findObject(path.schema.id, path.name, ['TASK']);
  if (existing && stmt.ifNotExists) return status(`${quoteIdentifier(path.name)} already exists, statement succeeded.`, 'CREATE');
  if (existing && !stmt.orReplace) throw errors.alreadyExists('Object', displayName([path.database.name, path.schema.name, path.name]));
  const tasks = allTasks(catalog);
  if (existing) requireSuspendedRoot(tasks, taskDef(catalog, existing));

  let properties: Record<string, string>;
  let body: string;
  let after: number[] = [];
  let finalize: number | undefined;
  if (stmt.clone) {
    const source = taskByName(session, stmt.clone).object;
    const { STATE: _s, TASK_UUID: _u, GRAPH_VERSION: _g, LAST_COMMITTED_ON: _c, LAST_SUSPENDED_ON: _l, LAST_SUSPENDED_REASON: _r, ...rest } = source.properties;
    properties = rest;
    body = source.definition ?? '';
    after = (rest.AFTER ?? '').split(',').filter((x) => x !== '').map(Number);
    finalize = rest.FINALIZE !== undefined ? Number(rest.FINALIZE) : undefined;
  } else {
    properties = taskProperties(stmt.properties);
    body = stmt.body;
    checkBody(body);
    if (stmt.when !== undefined) {
      checkWhen(stmt.when);
      properties.WHEN = stmt.when;
    }
    after = resolvePredecessors(session, path, stmt.after, existing?.id).map((o) => o.id);
    if (stmt.finalize) {
      const root = taskByName(session, stmt.finalize).object;
      const rootDef = taskDef(catalog, root);
      if (!isRoot(rootDef)) throw errors.invalidOperation(`Task ${root.name} is not a root task; only a root task can be finalized.`);
      const other = tasks.find((t) => t.finalizes === root.id && t.id !== existing?.id);
      if (other) throw errors.invalidOperation(`Root task ${root.name} already has the finalizer ${other.object.name}.`);
      if (rootDef.started) throw errors.invalidOperation(`Unable to update graph with root task ${rootDef.fullName} since that root task is not suspended.`);
      finalize = root.id;
    }
  }
  if (after.length > 0 || finalize !== undefined) {
    if (properties.SCHEDULE !== undefined) throw errors.invalidOperation('A child task or a finalizer cannot have a SCHEDULE; only the root task of a graph is scheduled.');
    if (properties.TASK_AUTO_RETRY_ATTEMPTS !== undefined) throw errors.invalidOperation('TASK_AUTO_RETRY_ATTEMPTS can only be set on a root task.');
    if (finalize !== undefined && after.length > 0) throw errors.invalidOperation('A finalizer task cannot have predecessors.');
    for (const p of after) {
      const pred = tasks.find((t) => t.id === p)!;
      if (pred.finalizes !== undefined) throw errors.invalidOperation(`Task ${pred.object.name} is a finalizer and cannot have children.`);
      requireSuspendedRoot(tasks, pred);
    }
  }
  if (existing && after.length > 0) checkNoCycle(tasks, existing.id, after);

  await ddlTransaction(session, async (change, now) => {
    const id = await change.nextId();
    if (existing) {
      await change.removeObject(existing.id);
      // Dependents keep their links to the replaced task.
      for (const t of tasks) {
        const afterIds = t.after.map((x) => (x === existing.id ? id : x));
        const fin = t.finalizes === existing.id ? id : t.finalizes;
        if (t.id !== existing.id && (afterIds.join() !== t.after.join() || fin !== t.finalizes)) {
          await putTask(change, t.object, { AFTER: afterIds.join(','), ...(fin !== undefined ? { FINALIZE: String(fin) } : {}) }, now);
        }
      }
    }
    await change.putObject({
      id,
      schemaId: path.schema.id,
      name: path.name,
      kind: 'TASK',
      duckName: '',
      createdOn: now,
      lastAltered: now,
      owner: session.role,
      comment: properties.COMMENT ?? null,
      properties: {
        ...withoutComment(properties),
        ...(after.length > 0 ? { AFTER: after.join(',') } : {}),
        ...(finalize !== undefined ? { FINALIZE: String(finalize) } : {}),
        STATE: 'suspended',
        TASK_UUID: randomUUID(),
        GRAPH_VERSION: '0',
      },
      definition: body,
      columns: [],
      droppedOn: null,
      temporary: false,
    });
  });
  session.engine.tasks.changed();
  return status(`Task ${quoteIdentifier(path.name)} successfully created.`, 'CREATE');
}

function withoutComment(p: Record<string, string>): Record<string, string> {
  const { COMMENT: _c, ...rest } = p;
  return rest;
}

async function putTask(change: CatalogChange, o: ObjectEntry, props: Record<string, string | undefined>, now: Date, extra: Partial<ObjectEntry> = {}): Promise<void> {
  const properties = { ...o.properties };
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined || v === '') delete properties[k];
    else properties[k] = v;
  }
  await change.putObject({ ...o, ...extra, properties, lastAltered: now });
}

export async function alterTask(session: Session, stmt: AlterTaskStatement): Promise<ResultBody> {
  let found;
  try {
    found = taskByName(session, stmt.name);
  } catch (e) {
    if (stmt.ifExists) return status(OK, 'ALTER');
    throw e;
  }
  const { path, object } = found;
  const catalog = session.engine.catalog;
  const tasks = allTasks(catalog);
  const task = taskDef(catalog, object);
  const a = stmt.action;
  await ddlTransaction(session, async (change, now) => {
    const iso = now.toISOString();
    switch (a.kind) {
      case 'resume': {
        if (!isRoot(task)) requireSuspendedRoot(tasks, task);
        if (task.started) return;
        const modified = object.properties.MODIFIED !== 'false';
        const version = Number(object.properties.GRAPH_VERSION ?? '0') + (isRoot(task) && modified ? 1 : 0);
        await putTask(change, object, { STATE: 'started', LAST_COMMITTED_ON: iso, GRAPH_VERSION: String(version), MODIFIED: 'false', RESUMED_AT: String(now.getTime()) }, now);
        return;
      }
      case 'suspend':
        if (!isRoot(task)) requireSuspendedRoot(tasks, task);
        if (!task.started) return;
        await putTask(change, object, { STATE: 'suspended', LAST_SUSPENDED_ON: iso, LAST_SUSPENDED_REASON: 'USER_SUSPENDED' }, now);
        return;
      case 'add_after': {
        requireSuspendedRoot(tasks, task);
        if (task.schedule) throw errors.invalidOperation('A task with a SCHEDULE cannot have predecessors; unset the schedule first.');
        const preds = resolvePredecessors(session, path, a.tasks, object.id);
        for (const p of preds) requireSuspendedRoot(tasks, taskDef(catalog, p));
        const after = [...new Set([...task.after, ...preds.map((p) => p.id)])];
        checkNoCycle(tasks, object.id, after);
        await putTask(change, object, { AFTER: after.join(','), MODIFIED: 'true' }, now);
        await markGraphModified(change, tasks, task, now);
        return;
      }
      case 'remove_after': {
        requireSuspendedRoot(tasks, task);
        const remove = new Set(resolvePredecessors(session, path, a.tasks, object.id).map((p) => p.id));
        const after = task.after.filter((x) => !remove.has(x));
        await markGraphModified(change, tasks, task, now);
        // Removing every predecessor makes the task a standalone (suspended) root.
        await putTask(change, object, { AFTER: after.join(','), MODIFIED: 'true', ...(after.length === 0 ? { STATE: 'suspended', LAST_SUSPENDED_REASON: 'CHILD_BECAME_ROOT' } : {}) }, now);
        return;
      }
      case 'set': {
        const props = taskProperties(a.properties);
        const onlyComment = Object.keys(props).every((k) => k === 'COMMENT');
        if (!onlyComment) requireSuspendedRoot(tasks, task);
        if (props.SCHEDULE !== undefined && !isRoot(task)) throw errors.invalidOperation('A child task or a finalizer cannot have a SCHEDULE; only the root task of a graph is scheduled.');
        if (props.TASK_AUTO_RETRY_ATTEMPTS !== undefined && !isRoot(task)) throw errors.invalidOperation('TASK_AUTO_RETRY_ATTEMPTS can only be set on a root task.');
        const { COMMENT, ...rest } = props;
        await putTask(change, object, { ...rest, ...(onlyComment ? {} : { MODIFIED: 'true' }) }, now, COMMENT !== undefined ? { comment: COMMENT } : {});
        if (!onlyComment) await markGraphModified(change, tasks, task, now);
        return;
      }
      case 'unset': {
        const onlyComment = a.names.every((k) => k === 'COMMENT');
        if (!onlyComment) requireSuspendedRoot(tasks, task);
        const props: Record<string, undefined> = {};
        for (const n of a.names) if (n !== 'COMMENT') props[n] = undefined;
        await putTask(change, object, { ...props, ...(onlyComment ? {} : { MODIFIED: 'true' }) }, now, a.names.includes('COMMENT') ? { comment: null } : {});
        return;
      }
      case 'set_finalize': {
        requireSuspendedRoot(tasks, task);
        const root = taskByName(session, a.root).object;
        const rootDef = taskDef(catalog, root);
        if (!isRoot(rootDef)) throw errors.invalidOperation(`Task ${root.name} is not a root task; only a root task can be finalized.`);
        if (rootDef.started) throw errors.invalidOperation(`Unable to update graph with root task ${rootDef.fullName} since that root task is not suspended.`);
        if (task.after.length > 0 || task.schedule) throw errors.invalidOperation('A finalizer task cannot have predecessors or a schedule.');
        const other = tasks.find((t) => t.finalizes === root.id && t.id !== object.id);
        if (other) throw errors.invalidOperation(`Root task ${root.name} already has the finalizer ${other.object.name}.`);
        await putTask(change, object, { FINALIZE: String(root.id), MODIFIED: 'true' }, now);
        await putTask(change, root, { MODIFIED: 'true' }, now);
        return;
      }
      case 'unset_finalize':
        requireSuspendedRoot(tasks, task);
        await putTask(change, object, { FINALIZE: undefined, MODIFIED: 'true', STATE: 'suspended', LAST_SUSPENDED_REASON: 'FINALIZER_BECAME_ROOT' }, now);
        return;
      case 'modify_as':
        requireSuspendedRoot(tasks, task);
        checkBody(a.body);
        await putTask(change, object, { MODIFIED: 'true' }, now, { definition: a.body });
        await markGraphModified(change, tasks, task, now);
        return;
      case 'modify_when':
        requireSuspendedRoot(tasks, task);
        checkWhen(a.condition);
        await putTask(change, object, { WHEN: a.condition, MODIFIED: 'true' }, now);
        await markGraphModified(change, tasks, task, now);
        return;
      case 'remove_when':
        requireSuspendedRoot(tasks, task);
        await putTask(change, object, { WHEN: undefined, MODIFIED: 'true' }, now);
        await markGraphModified(change, tasks, task, now);
        return;
    }
  });
  session.engine.tasks.changed();
  return status(OK, 'ALTER');
}

/** A changed task changes its graph: the root's next resume or EXECUTE freezes a new version. */
async function markGraphModified(change: CatalogChange, tasks: TaskDef[], task: TaskDef, now: Date): Promise<void> {
  const root = rootOf(tasks, task);
  if (root.id !== task.id) await putTask(change, root.object, { MODIFIED: 'true' }, now);
}

/** DROP TASK severs the task's links: children without predecessors become standalone roots. */
export async function dropTaskLinks(session: Session, change: CatalogChange, task: ObjectEntry, now: Date): Promise<void> {
  const catalog = session.engine.catalog;
  for (const t of allTasks(catalog)) {
    if (t.after.includes(task.id)) {
      const after = t.after.filter((x) => x !== task.id);
      await putTask(change, t.object, { AFTER: after.join(','), ...(after.length === 0 ? { STATE: 'suspended', LAST_SUSPENDED_REASON: 'CHILD_BECAME_ROOT' } : {}) }, now);
    }
    if (t.finalizes === task.id) {
      await putTask(change, t.object, { FINALIZE: undefined, STATE: 'suspended', LAST_SUSPENDED_REASON: 'FINALIZER_BECAME_ROOT' }, now);
    }
  }
}

export async function executeTask(session: Session, stmt: ExecuteTaskStatement): Promise<ResultBody> {
  const { object } = taskByName(session, stmt.name);
  const catalog = session.engine.catalog;
  const task = taskDef(catalog, object);
  if (!isRoot(task)) throw errors.invalidOperation(`Task ${task.fullName} is not a root task; EXECUTE TASK runs standalone and root tasks only.`);
  if (stmt.config !== undefined) {
    try {
      JSON.parse(stmt.config);
    } catch {
      throw errors.invalidValue(`invalid value [${stmt.config}] for USING CONFIG: it must be a JSON object`);
    }
  }
  if (stmt.retryLast) await session.engine.tasks.retryLast(task);
  else await session.engine.tasks.execute(task, stmt.config);
  return status(`Task ${quoteIdentifier(object.name)} is scheduled to run immediately.`, 'EXECUTE');
}

/** SYSTEM$TASK_DEPENDENTS_ENABLE: resumes a task and all its dependents. */
export async function enableDependents(session: Session, name: ObjectName): Promise<void> {
  const { object } = taskByName(session, name);
  const catalog = session.engine.catalog;
  const tasks = allTasks(catalog);
  const start = taskDef(catalog, object);
  const { ordered, finalizer } = graphOf(tasks, start);
  const members = [...ordered, ...(finalizer ? [finalizer] : [])];
  await ddlTransaction(session, async (change, now) => {
    for (const t of members) {
      if (t.started) continue;
      const modified = t.object.properties.MODIFIED !== 'false';
      const version = Number(t.object.properties.GRAPH_VERSION ?? '0') + (isRoot(t) && modified ? 1 : 0);
      await putTask(change, t.object, { STATE: 'started', LAST_COMMITTED_ON: now.toISOString(), GRAPH_VERSION: String(version), MODIFIED: 'false', RESUMED_AT: String(now.getTime()) }, now);
    }
  });
  session.engine.tasks.changed();
}

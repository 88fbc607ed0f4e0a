/**
 * Stored procedures in Snowflake Scripting: CREATE / DROP / CALL, SHOW PROCEDURES and DESCRIBE
 * PROCEDURE. A procedure is a catalog object (kind PROCEDURE) whose identity is its name and argument
 * types (overloads may share a name). CALL evaluates the arguments, runs the body in a fresh variable
 * frame holding them, and answers with one column named after the procedure — or the table of
 * RETURNS TABLE(…).
 */
import {
  displayName,
  errors,
  formatType,
  parseScriptBlock,
  parseStatement,
  quoteIdentifier,
  T,
  type CallStatement,
  type CreateProcedureStatement,
  type DescribeStatement,
  type DropProcedureStatement,
  type SfType,
  type ShowStatement,
  type VariableValue,
} from '../../sql/index.ts';
import type { ObjectEntry } from '../../storage/index.ts';
import { ddlTransaction } from '../ddl/ddl-transaction.ts';
import { objectsIn, ts } from '../metadata/show.ts';
import { applyShowFilters } from '../metadata/show-filters.ts';
import { status, table, type ResultBody } from '../results/result-set.ts';
import type { ResolvedPath } from '../session/resolver.ts';
import type { Session } from '../session/session.ts';
import { coerce, Frame } from '../scripting/frames.ts';
import { evaluateExpression, Interpreter } from '../scripting/interpreter.ts';
import { outcomeBody } from '../scripting/script-statements.ts';

interface StoredArgument {
  name: string;
  type: SfType;
  defaultSql?: string;
}

function argumentsOf(o: ObjectEntry): StoredArgument[] {
  return JSON.parse(o.properties.ARGUMENTS ?? '[]') as StoredArgument[];
}

/** `NAME(NUMBER, VARCHAR)`: how Snowflake shows a procedure's signature. */
function signature(name: string, types: SfType[]): string {
  return `${name}(${types.map((t) => (t.kind === 'VARCHAR' ? 'VARCHAR' : t.kind)).join(', ')})`;
}

function procedures(session: Session, path: ResolvedPath): ObjectEntry[] {
  return session.engine.catalog.objectsOf(path.schema.id).filter((o) => o.kind === 'PROCEDURE' && o.name === path.name);
}

function sameTypes(a: SfType[], b: SfType[]): boolean {
  return a.length === b.length && a.every((t, i) => t.kind === b[i].kind || (isNumeric(t) && isNumeric(b[i])));
}

function isNumeric(t: SfType): boolean {
  return t.kind === 'NUMBER' || t.kind === 'FLOAT';
}

export async function createProcedure(session: Session, stmt: CreateProcedureStatement, text: string): Promise<ResultBody> {
  const path = session.resolver.path(stmt.name, 'CREATE PROCEDURE');
  // Check the body now: a syntax error belongs to CREATE, not to the first CALL.
  parseBody(stmt.body);
  const types = stmt.args.map((a) => a.type);
  const existing = procedures(session, path).find((o) => sameTypes(argumentsOf(o).map((a) => a.type), types));
  const sig = signature(path.name, types);
  if (existing && stmt.ifNotExists) return status(`${quoteIdentifier(path.name)} already exists, statement succeeded.`, 'CREATE');
  if (existing && !stmt.orReplace) throw errors.alreadyExists('Object', displayName([path.database.name, path.schema.name, path.name]));
  await ddlTransaction(session, async (change, now) => {
    if (existing) await change.removeObject(existing.id);
    await change.putObject({
      id: await change.nextId(),
      schemaId: path.schema.id,
      name: path.name,
      kind: 'PROCEDURE',
      duckName: '',
      createdOn: now,
      lastAltered: now,
      owner: session.role,
      comment: stmt.properties.COMMENT?.text ?? null,
      properties: {
        ARGUMENTS: JSON.stringify(stmt.args),
        RETURNS: JSON.stringify(stmt.returns),
        NOT_NULL: String(stmt.notNull),
        EXECUTE_AS: stmt.executeAs,
        SECURE: String(stmt.secure),
        SIGNATURE: sig,
        LANGUAGE: 'SQL',
      },
      definition: stmt.body,
      columns: [],
      droppedOn: null,
      temporary: false,
    });
  });
  void text;
  return status(`Function ${quoteIdentifier(path.name)} successfully created.`, 'CREATE');
}

export async function dropProcedure(session: Session, stmt: DropProcedureStatement): Promise<ResultBody> {
  let path: ResolvedPath;
  try {
    path = session.resolver.path(stmt.name, 'DROP PROCEDURE');
  } catch (e) {
    if (stmt.ifExists) return status('Drop statement executed successfully (procedure already dropped).', 'DROP');
    throw e;
  }
  const found = procedures(session, path).find((o) => sameTypes(argumentsOf(o).map((a) => a.type), stmt.argTypes));
  if (!found) {
    if (stmt.ifExists) return status(`Drop statement executed successfully (${quoteIdentifier(path.name)} already dropped).`, 'DROP');
    throw errors.doesNotExist('Procedure', `${displayName([path.database.name, path.schema.name])}.${signature(path.name, stmt.argTypes)}`);
  }
  await ddlTransaction(session, (change) => change.removeObject(found.id));
  return status(`${quoteIdentifier(path.name)} successfully dropped.`, 'DROP');
}

/** A body is a Snowflake Scripting block, or one SQL statement (run as the block's only step). */
function parseBody(body: string) {
  const parsed = parseStatement(body).statement;
  if (parsed.kind === 'script') return parsed.block;
  return parseScriptBlock(`BEGIN ${body}; END`);
}

export async function callProcedure(session: Session, stmt: CallStatement): Promise<ResultBody> {
  if (stmt.name.schema === undefined && stmt.name.name.startsWith('SYSTEM$')) {
    // CALL SYSTEM$SET_RETURN_VALUE('x') and friends: system functions, called as a statement.
    const { queryId: _q, ...body } = await session.execute(`SELECT ${stmt.name.name}(${stmt.args.map((a) => a.sql).join(', ')}) AS ${quoteIdentifier(stmt.name.name)}`);
    return { ...body, statementType: 'CALL' };
  }
  const path = session.resolver.path(stmt.name, 'CALL');
  const candidates = procedures(session, path);
  const positional = stmt.args.filter((a) => a.name === undefined).length;
  const named = new Map(stmt.args.filter((a) => a.name !== undefined).map((a) => [a.name!, a.sql]));
  const fits = (o: ObjectEntry) => {
    const args = argumentsOf(o);
    if (positional + named.size > args.length) return false;
    return args.every((a, i) => i < positional || named.has(a.name) || a.defaultSql !== undefined);
  };
  const proc = candidates.find(fits);
  if (!proc) {
    if (candidates.length === 0) throw errors.doesNotExist('Procedure', displayName([path.database.name, path.schema.name, path.name]));
    throw errors.invalidArgument(path.name, `no overload of ${path.name} takes these ${stmt.args.length} argument(s)`);
  }
  // Arguments are evaluated in the caller's context (its variables), then bound in a fresh frame.
  const frame = new Frame(undefined);
  const args = argumentsOf(proc);
  for (let i = 0; i < args.length; i += 1) {
    const a = args[i];
    const sql = i < positional ? stmt.args.filter((x) => x.name === undefined)[i].sql : (named.get(a.name) ?? a.defaultSql!);
    const value: VariableValue = await evaluateExpression(session, sql);
    frame.declare(a.name, { kind: 'scalar', type: a.type, value: coerce(value, a.type) });
  }
  const returns = JSON.parse(proc.properties.RETURNS ?? '{}') as { type?: SfType; table?: unknown };
  const callerFrame = session.scriptFrame;
  session.scriptFrame = undefined;
  let outcome;
  try {
    outcome = await new Interpreter(session, frame).run(parseBody(proc.definition ?? ''));
  } finally {
    session.scriptFrame = callerFrame;
  }
  if (returns.table !== undefined) {
    if (!outcome.table) throw errors.invalidOperation(`Procedure ${path.name} must RETURN TABLE(…).`);
    return { ...outcomeBody(outcome, path.name), statementType: 'CALL' };
  }
  const value = outcome.value ? coerce(outcome.value, returns.type) : { type: returns.type ?? T.varchar(), value: null };
  if (value.value === null && proc.properties.NOT_NULL === 'true') {
    throw errors.userError('100075', '22000', `NULL result in a non-nullable column (procedure ${path.name} is declared RETURNS … NOT NULL).`);
  }
  return { ...outcomeBody({ value }, path.name), statementType: 'CALL' };
}

const STR = T.varchar();
const TS = T.timestampLtz();

export function showProcedures(session: Session, stmt: ShowStatement): ResultBody {
  const found = applyShowFilters(objectsIn(session, stmt, ['PROCEDURE']), (l) => l.object.name, stmt);
  return table(
    [
      ['created_on', TS],
      ['name', STR],
      ['schema_name', STR],
      ['is_builtin', STR],
      ['is_aggregate', STR],
      ['is_ansi', STR],
      ['min_num_arguments', T.number()],
      ['max_num_arguments', T.number()],
      ['arguments', STR],
      ['description', STR],
      ['catalog_name', STR],
      ['is_table_function', STR],
      ['valid_for_clustering', STR],
      ['is_secure', STR],
      ['secrets', STR],
      ['external_access_integrations', STR],
    ],
    found.map(({ database, schema, object: o }) => {
      const args = argumentsOf(o);
      const returns = JSON.parse(o.properties.RETURNS ?? '{}') as { type?: SfType; table?: unknown };
      return [
        ts(session, o.createdOn),
        o.name,
        schema.name,
        'N',
        'N',
        'N',
        String(args.filter((a) => a.defaultSql === undefined).length),
        String(args.length),
        `${o.properties.SIGNATURE ?? o.name} RETURN ${returns.type ? formatType(returns.type) : 'TABLE'}`,
        o.comment ?? 'user-defined procedure',
        database.name,
        returns.table !== undefined ? 'Y' : 'N',
        'N',
        o.properties.SECURE === 'true' ? 'Y' : 'N',
        null,
        null,
      ];
    }),
    'SHOW',
  );
}

export function describeProcedure(session: Session, stmt: DescribeStatement): ResultBody {
  const path = session.resolver.path(stmt.name, 'DESCRIBE PROCEDURE');
  const o = procedures(session, path).find((p) => sameTypes(argumentsOf(p).map((a) => a.type), stmt.argTypes ?? []));
  if (!o) throw errors.doesNotExist('Procedure', `${displayName([path.database.name, path.schema.name])}.${signature(path.name, stmt.argTypes ?? [])}`);
  const returns = JSON.parse(o.properties.RETURNS ?? '{}') as { type?: SfType; table?: { name: string; type: SfType }[] };
  const rows = [
    ['signature', `(${argumentsOf(o).map((a) => `${a.name} ${formatType(a.type)}`).join(', ')})`],
    ['returns', returns.type ? formatType(returns.type) : `TABLE (${(returns.table ?? []).map((c) => `${c.name} ${formatType(c.type)}`).join(', ')})`],
    ['language', 'SQL'],
    ['null handling', 'CALLED ON NULL INPUT'],
    ['volatility', 'VOLATILE'],
    ['execute as', o.properties.EXECUTE_AS ?? 'OWNER'],
    ['body', o.definition ?? ''],
  ];
  return table([['property', STR], ['value', STR]], rows, 'DESCRIBE');
}

/**
 * The engine's side of binding and translating dynamic-table queries: the catalog lookup the binder
 * uses (names resolve where they are written; views are inlined; streams, temporary tables and
 * system views are refused), and the translate context that turns placeholder relations into
 * versioned macro calls and temporary tables.
 */
import {
  bindQuery,
  displayName,
  errors,
  filtersRowsOnTime,
  instantsSql,
  parsePlaceholder,
  usesTime,
  type BindLookup,
  type BoundQuery,
  type Moment,
  type ResolvedRelation,
  type SfType,
  type TableFunctionArg,
  type TranslateContext,
} from '../../sql/index.ts';
import { macroName, physicalSchema, type SchemaEntry } from '../../storage/index.ts';
import { contextAt, viewQuery } from '../ddl/physical.ts';
import type { Engine } from '../engine.ts';
import { INFORMATION_SCHEMA, SNOWFLAKE_DATABASE } from '../metadata/system-views.ts';
import { Resolver } from '../session/resolver.ts';
import type { Session } from '../session/session.ts';
import { isDynamic } from './dt-model.ts';

/** Binds a dynamic table's query as written in `schema`. */
export function bindDynamicQuery(engine: Engine, query: string, schema: SchemaEntry): BoundQuery {
  const catalog = engine.catalog;
  const db = catalog.databaseOf(schema);
  const lookup: BindLookup = {
    lookup(parts, context) {
      const name = Resolver.nameOf(parts);
      const schemaName = name.schema ?? context.schema;
      const dbName = name.database ?? context.database;
      if (schemaName === INFORMATION_SCHEMA || dbName === SNOWFLAKE_DATABASE) {
        throw errors.unsupported('system views in a dynamic table definition');
      }
      const resolver = new Resolver(catalog, { database: context.database, schema: context.schema, tempObjects: new Map() });
      const { path, object } = resolver.require(name, ['TABLE', 'VIEW', 'STREAM'], 'Object', 'CREATE DYNAMIC TABLE');
      const full = displayName([path.database.name, path.schema.name, object.name]);
      if (object.kind === 'STREAM') throw errors.invalidOperation(`Dynamic tables cannot read streams ('${full}'); read its table instead.`);
      if (object.kind === 'VIEW') {
        return { kind: 'view', id: object.id, displayName: full, query: viewQuery(object), context: { database: path.database.name, schema: path.schema.name }, columns: object.columns.map((c) => c.name) };
      }
      return { kind: 'input', id: object.id, displayName: full, dynamic: isDynamic(object), columns: object.columns.map((c) => ({ name: c.name, type: c.type })) };
    },
  };
  return bindQuery(query, lookup, { database: db.name, schema: schema.name });
}

/**
 * Snowflake refuses a dynamic table on a view on a dynamic table unless the view is read across a
 * refresh boundary (a project that relied on it here would fail to deploy) — at creation, and at each
 * refresh, as a view it reads may have been replaced since to read one.
 */
export function refuseViewsOnDynamic(bound: BoundQuery, full: string): void {
  const onView = bound.viewsOnDynamic[0];
  if (!onView) return;
  throw errors.invalidOperation(
    `Dynamic table '${full}' cannot read the view '${onView.view}', which reads the dynamic table '${onView.table}'. ` +
      `Read the view as DYNAMIC_TABLE_REFRESH_BOUNDARY(${onView.view}) to keep it in a separate pipeline, or read the dynamic table directly.`,
  );
}

const boundQueries = new WeakMap<Engine, Map<number, { catalogVersion: number; query: string; schemaId: number; bound: BoundQuery }>>();

/**
 * bindDynamicQuery for a refresh: the parse and binding (1–7 ms) are kept per table until the
 * catalog changes — names resolve the same way until then. The bound query is only read.
 */
export function boundDynamicQuery(engine: Engine, dtId: number, query: string, schema: SchemaEntry): BoundQuery {
  let cache = boundQueries.get(engine);
  if (!cache) boundQueries.set(engine, (cache = new Map()));
  const hit = cache.get(dtId);
  if (hit && hit.catalogVersion === engine.catalog.version && hit.query === query && hit.schemaId === schema.id) return hit.bound;
  const bound = bindDynamicQuery(engine, query, schema);
  cache.set(dtId, { catalogVersion: engine.catalog.version, query, schemaId: schema.id, bound });
  return bound;
}

/** How each placeholder of a generated query reads: input versions and the temporary tables made. */
export interface RelationPlan {
  /** Versions the inputs are read at: before (OLD) and now (NEW). */
  oldVersions: Map<number, number>;
  newVersions: Map<number, number>;
  /** Column names of derived tables' change tables, by block id. */
  derivedColumns: Map<number, string[]>;
  /** Their Snowflake types where known (aggregate state relations). */
  derivedTypes: Map<number, (SfType | undefined)[]>;
}

/** Temporary table names for an input's changes and a derived table's changes. */
export const inputChangesTable = (id: number, image: 'dold' | 'dnew'): string => `_bkl_i${id}_${image}`;
export const derivedTable = (n: number, what: 'dold' | 'dnew' | 'empty'): string => `_bkl_d${n}_${what}`;

/** The DuckDB session variable an incremental refresh reads an input's version before (OLD) or now (NEW) from. */
export const versionVariable = (id: number, moment: 'OLD' | 'NEW'): string => `__backlot_v${id}_${moment.toLowerCase()}`;

/**
 * Sets the version variables of every input of `bound` as `plan` reads them (see dynamicContext's
 * `versionVariables`).
 */
export function versionVariablesSql(session: Session, bound: BoundQuery, plan: RelationPlan): string {
  const latest = session.engine.writes.latest;
  return [...bound.inputs.keys()]
    .flatMap((id) => [
      `SET VARIABLE ${versionVariable(id, 'OLD')} = ${plan.oldVersions.get(id) ?? 0}`,
      `SET VARIABLE ${versionVariable(id, 'NEW')} = ${plan.newVersions.get(id) ?? latest}`,
    ])
    .join('; ');
}

/**
 * A translate context for a dynamic table's generated queries: names resolve like the table's own
 * schema would (for functions), placeholders per `plan`; everything a definition may not use fails.
 * With `versionVariables`, an input read as before (OLD) or now (NEW) reads its version from a session
 * variable (versionVariablesSql sets them), so the translation does not depend on the versions and is
 * kept from one refresh to the next; otherwise the versions are written into the query.
 */
export function dynamicContext(session: Session, schema: SchemaEntry, bound: BoundQuery, plan: RelationPlan, versionVariables = false): TranslateContext {
  const engine = session.engine;
  const base = contextAt(session, engine.catalog, schema);
  const refuse = (what: string) => () => {
    throw errors.unsupported(`${what} in a dynamic table definition`);
  };
  const relation = (parts: string[]): ResolvedRelation => {
    const p = parts.length === 1 ? parsePlaceholder(parts[0]) : undefined;
    if (!p) throw errors.internal(`unbound relation ${parts.join('.')} in a dynamic table query`);
    if (p.kind === 'D') {
      const cols = plan.derivedColumns.get(p.n);
      if (!cols || p.role === undefined || p.role === 'OLD' || p.role === 'NEW') throw errors.internal(`no changes for derived table ${p.n}`);
      const what = p.role === 'DOLD' ? 'dold' : p.role === 'DNEW' ? 'dnew' : 'empty';
      const types = plan.derivedTypes.get(p.n);
      return { duckSchema: 'temp', duckName: derivedTable(p.n, what), columns: cols.map((name, i) => ({ name, type: types?.[i] as never })), kind: 'TABLE', displayName: `derived table ${p.n}` };
    }
    const input = bound.inputs.get(p.n);
    const object = engine.catalog.objects.get(p.n);
    if (!input || !object || object.droppedOn !== null) throw errors.doesNotExist('Table', input?.displayName ?? String(p.n));
    const columns = object.columns.map((c) => ({ name: c.name, type: c.type }));
    const rel: ResolvedRelation = { duckSchema: physicalSchema(object), duckName: object.duckName, columns, kind: 'TABLE', displayName: input.displayName };
    const at = (version: TableFunctionArg): ResolvedRelation => ({ ...rel, tableFunction: { macro: `${physicalSchema(object)}.${macroName(object.id, 'AT')}`, args: [version] } });
    switch (p.role) {
      case undefined:
      case 'NEW':
        return at(versionVariables ? { variable: versionVariable(p.n, 'NEW') } : (plan.newVersions.get(p.n) ?? engine.writes.latest));
      case 'OLD':
        return at(versionVariables ? { variable: versionVariable(p.n, 'OLD') } : (plan.oldVersions.get(p.n) ?? 0));
      case 'EMPTY':
        return at(-1);
      case 'DOLD':
      case 'DNEW':
        return { ...rel, duckSchema: 'temp', duckName: inputChangesTable(p.n, p.role === 'DOLD' ? 'dold' : 'dnew') };
    }
  };
  return {
    ...base,
    resolveRelation: relation,
    resolveTarget: refuse('DML'),
    timeTravel: refuse('AT | BEFORE'),
    changes: refuse('CHANGES'),
    tableFunction: () => undefined,
    systemFunction: () => undefined,
    streamHasData: refuse('SYSTEM$STREAM_HAS_DATA'),
    variable: () => undefined,
    scriptVariable: undefined,
    lastQueryId: () => undefined,
    resultScan: refuse('RESULT_SCAN'),
  };
}

/** How a definition uses the current time (time-filters.ts): at all, and in a filter of its rows. */
interface TimeUse {
  uses: boolean;
  filtersRows: boolean;
}
const timeUses = new WeakMap<BoundQuery, TimeUse>();

/** Worked out once per binding: refreshes ask on every run. */
export function timeUse(bound: BoundQuery): TimeUse {
  let use = timeUses.get(bound);
  if (!use) timeUses.set(bound, (use = { uses: usesTime(bound.ast), filtersRows: filtersRowsOnTime(bound.ast) }));
  return use;
}

/**
 * Sets, on the connection that computes a dynamic table, the instants its CURRENT_TIMESTAMP and
 * friends stand for (a data timestamp, and the previous refresh's): nothing for a definition that
 * does not read the time.
 */
export async function setInstants(session: Session, bound: BoundQuery, times: Record<Moment, number>): Promise<void> {
  if (timeUse(bound).uses) await session.conn.run(instantsSql(times));
}


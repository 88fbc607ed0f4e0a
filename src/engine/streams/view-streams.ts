/**
 * Streams on views (semantics §1.6): the view's rows at the stream's offset and at the read version,
 * each tagged with the identity of the table rows it comes from, compared row by row with the same
 * net rules as table streams. The view body is translated with every table read at the wanted
 * version (its ROWS macro, which exposes the row id); the comparison runs as a temporary macro the
 * statement calls.
 */
import { displayName, errors, T, translateViewRows, type ResolvedRelation, type TranslateContext } from '../../sql/index.ts';
import { macroName, METADATA_COLUMNS, physicalSchema, rowDiffSql, type ObjectEntry } from '../../storage/index.ts';
import { contextAt, viewQuery } from '../ddl/physical.ts';
import { Resolver, type ResolvedPath } from '../session/resolver.ts';
import type { Session } from '../session/session.ts';

/** A translate context for a view body that reads each table as of `version`, with its row id. */
function versionedContext(session: Session, view: ObjectEntry, version: number, seen: ObjectEntry[]): TranslateContext {
  const catalog = session.engine.catalog;
  const schema = catalog.schemas.get(view.schemaId)!;
  const base = contextAt(session, catalog, schema);
  const db = catalog.databases.get(schema.databaseId)!;
  const resolver = new Resolver(catalog, { database: db.name, schema: schema.name, tempObjects: new Map() });
  return {
    ...base,
    resolveRelation: (parts) => {
      const { path, object } = resolver.require(Resolver.nameOf(parts), ['TABLE', 'VIEW', 'STREAM'], 'Object', 'SELECT');
      if (object.kind !== 'TABLE') {
        throw errors.unsupported(`streams on views that read ${object.kind === 'VIEW' ? 'other views' : 'streams'} (${object.name})`);
      }
      seen.push(object);
      const rel = resolver.relationOf(path, object);
      return { ...rel, tableFunction: { macro: `${physicalSchema(object)}.${macroName(object.id, 'ROWS')}`, args: [version] } };
    },
  };
}

/** The tables a view reads, checking the view has a shape streams support. Throws otherwise. */
export function viewBaseTables(session: Session, view: ObjectEntry): ObjectEntry[] {
  const seen: ObjectEntry[] = [];
  translateViewRows(viewQuery(view), versionedContext(session, view, 0, seen));
  const unique = new Map(seen.map((o) => [o.id, o]));
  return [...unique.values()];
}

/** The change set of a view between two versions, as a relation (columns + METADATA$ columns). */
export function viewChangeSet(session: Session, stream: ObjectEntry, view: ObjectEntry, viewPath: ResolvedPath, from: number, to: number): ResolvedRelation {
  const before = translateViewRows(viewQuery(view), versionedContext(session, view, from, [])).sql;
  const after = translateViewRows(viewQuery(view), versionedContext(session, view, to, [])).sql;
  const columns = view.columns.map((c) => c.name);
  const macro = `_backlot_view_stream_${stream.id}`;
  const body = rowDiffSql(before, after, columns);
  return {
    duckSchema: 'temp',
    duckName: macro,
    columns: [
      ...view.columns.map((c) => ({ name: c.name, type: c.type })),
      { name: METADATA_COLUMNS[0], type: T.varchar() },
      { name: METADATA_COLUMNS[1], type: T.boolean() },
      { name: METADATA_COLUMNS[2], type: T.varchar() },
    ],
    kind: 'STREAM',
    displayName: displayName([viewPath.database.name, viewPath.schema.name, view.name]),
    tableFunction: { macro: `temp.${macro}`, args: [] },
    prepare: () => session.conn.run(`CREATE OR REPLACE TEMP MACRO ${macro}() AS TABLE ${body}`),
  };
}


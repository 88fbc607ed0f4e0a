/**
 * Named internal stages and file formats as schema objects: CREATE / ALTER / SHOW / DESCRIBE (DROP
 * goes through the generic DROP; a dropped stage's files go with it). A stage keeps its FILE_FORMAT
 * (a named format or inline options) and COPY_OPTIONS as JSON properties; a file format keeps its
 * explicitly given options (defaults are filled in when read).
 */
import {
  displayName,
  errors,
  objectNameFromParts,
  parseNameString,
  quoteIdentifier,
  T,
  type AlterFileFormatStatement,
  type AlterStageStatement,
  type CreateFileFormatStatement,
  type CreateStageStatement,
  type FileFormatSpec,
  type ObjectName,
  type Properties,
  type ShowStatement,
} from '../../sql/index.ts';
import type { ObjectEntry } from '../../storage/index.ts';
import { ddlTransaction } from '../ddl/ddl-transaction.ts';
import { objectsIn, ts } from '../metadata/show.ts';
import { applyShowFilters } from '../metadata/show-filters.ts';
import { status, table, type ResultBody } from '../results/result-set.ts';
import type { ResolvedPath } from '../session/resolver.ts';
import type { Session } from '../session/session.ts';
import { describeRows, formatFromJson, formatFromProperties, formatJson, formatOptionsJson, type FileFormat } from './file-format.ts';
import { copyOptionsFromProperties, copyOptionsJson, describeCopyOptions } from './copy-options.ts';

const STR = T.varchar();
const TS = T.timestampLtz();

/** A stage's FILE_FORMAT as stored: a named format (resolved when used) or inline options. */
export interface StageFormat {
  formatName?: string;
  format?: FileFormat;
}

/** FILE_FORMAT = (…) → what a stage or COPY keeps: the format name is checked to exist now. */
export function stageFormatOf(session: Session, spec: FileFormatSpec): StageFormat {
  if (spec.formatName) {
    const { path } = findFileFormat(session, spec.formatName, 'FILE_FORMAT');
    return { formatName: displayName([path.database.name, path.schema.name, path.name]) };
  }
  return { format: formatFromProperties(spec.options) };
}

export function findFileFormat(session: Session, name: ObjectName, operation: string): { path: ResolvedPath; format: FileFormat } {
  const { path, object } = session.resolver.require(name, ['FILE FORMAT'], 'File format', operation);
  return { path, format: formatFromJson(object.properties.FORMAT)! };
}

function fullName(session: Session, name: ObjectName, operation: string): { schemaId: number; name: string; full: string } {
  const path = session.resolver.path(name, operation);
  return { schemaId: path.schema.id, name: path.name, full: displayName([path.database.name, path.schema.name, path.name]) };
}

async function createObject(
  session: Session,
  kind: 'STAGE' | 'FILE FORMAT',
  stmt: { name: ObjectName; orReplace: boolean; ifNotExists: boolean; temporary: boolean; comment?: string },
  properties: Record<string, string>,
): Promise<ResultBody> {
  const { schemaId, name, full } = fullName(session, stmt.name, `CREATE ${kind}`);
  // A temporary one belongs to this session (and hides a permanent one of the same name).
  const temporary = [...session.tempObjects.values()].find((t) => t.schemaId === schemaId && t.name === name && t.kind === kind);
  const existing = stmt.temporary ? temporary : (temporary ?? session.engine.catalog.findObject(schemaId, name, [kind]));
  if (existing && stmt.ifNotExists) return status(`${quoteIdentifier(name)} already exists, statement succeeded.`, 'CREATE');
  if (existing && !stmt.orReplace) throw errors.alreadyExists('Object', full);
  await ddlTransaction(session, async (change, now) => {
    if (existing?.temporary) session.tempObjects.delete(existing.id);
    else if (existing) await change.removeObject(existing.id);
    const entry = {
      id: await change.nextId(),
      schemaId,
      name,
      kind,
      duckName: '',
      createdOn: now,
      lastAltered: now,
      owner: session.role,
      comment: stmt.comment ?? null,
      properties,
      definition: null,
      droppedOn: null,
      temporary: stmt.temporary,
      columns: [],
    } as ObjectEntry;
    if (stmt.temporary) session.tempObjects.set(entry.id, entry);
    else await change.putObject(entry);
  });
  // A replaced stage's files go with it (the new stage starts empty, as in Snowflake).
  if (existing && kind === 'STAGE') session.engine.stageFiles.drop('named', String(existing.id));
  return status(`${kind === 'STAGE' ? 'Stage area' : 'File format'} ${name} successfully created.`, 'CREATE');
}

export async function createStage(session: Session, stmt: CreateStageStatement): Promise<ResultBody> {
  const properties: Record<string, string> = {};
  if (stmt.fileFormat) properties.FILE_FORMAT = JSON.stringify(stageFormatOf(session, stmt.fileFormat));
  if (Object.keys(stmt.copyOptions).length > 0) properties.COPY_OPTIONS = copyOptionsJson(copyOptionsFromProperties(stmt.copyOptions));
  return createObject(session, 'STAGE', stmt, properties);
}

export async function createFileFormat(session: Session, stmt: CreateFileFormatStatement): Promise<ResultBody> {
  return createObject(session, 'FILE FORMAT', stmt, { FORMAT: formatJson(formatFromProperties(stmt.options)) });
}

async function alterObject(
  session: Session,
  kind: 'STAGE' | 'FILE FORMAT',
  name: ObjectName,
  ifExists: boolean,
  update: (o: ObjectEntry) => Partial<ObjectEntry> | { rename: ObjectName },
): Promise<ResultBody> {
  const label = kind === 'STAGE' ? 'Stage' : 'File format';
  const path = session.resolver.path(name, `ALTER ${kind}`);
  const o = session.resolver.find(path, [kind]);
  if (!o) {
    if (ifExists) return status('Statement executed successfully.', 'ALTER');
    throw errors.doesNotExist(label, displayName([path.database.name, path.schema.name, path.name]));
  }
  const u = update(o);
  if (o.temporary) {
    // A session's own object: changed in the session, never in the catalog.
    const now = session.engine.clock.now();
    if ('rename' in u) {
      const target = fullName(session, u.rename, `ALTER ${kind}`);
      if (session.resolver.find(session.resolver.path(u.rename, `ALTER ${kind}`), [kind, 'TABLE', 'VIEW'])) throw errors.alreadyExists('Object', target.full);
      session.tempObjects.set(o.id, { ...o, schemaId: target.schemaId, name: target.name, lastAltered: now });
    } else {
      session.tempObjects.set(o.id, { ...o, ...u, lastAltered: now });
    }
    return status('Statement executed successfully.', 'ALTER');
  }
  await ddlTransaction(session, async (change, now) => {
    if ('rename' in u) {
      const target = fullName(session, u.rename, `ALTER ${kind}`);
      if (session.engine.catalog.findObject(target.schemaId, target.name, [kind, 'TABLE', 'VIEW'])) throw errors.alreadyExists('Object', target.full);
      await change.putObject({ ...o, schemaId: target.schemaId, name: target.name, lastAltered: now });
    } else {
      await change.putObject({ ...o, ...u, lastAltered: now });
    }
  });
  return status('Statement executed successfully.', 'ALTER');
}

export async function alterStage(session: Session, stmt: AlterStageStatement): Promise<ResultBody> {
  const a = stmt.action;
  return alterObject(session, 'STAGE', stmt.name, stmt.ifExists, (o) => {
    if (a.kind === 'rename') return { rename: a.to };
    if (a.kind === 'unset_comment') return { comment: null };
    const properties = { ...o.properties };
    if (a.fileFormat) properties.FILE_FORMAT = JSON.stringify(stageFormatOf(session, a.fileFormat));
    if (a.copyOptions) properties.COPY_OPTIONS = copyOptionsJson(copyOptionsFromProperties(a.copyOptions, copyOptionsFromJsonOf(o)));
    return { properties, ...(a.comment !== undefined ? { comment: a.comment } : {}) };
  });
}

export async function alterFileFormat(session: Session, stmt: AlterFileFormatStatement): Promise<ResultBody> {
  const a = stmt.action;
  return alterObject(session, 'FILE FORMAT', stmt.name, stmt.ifExists, (o) => {
    if (a.kind === 'rename') return { rename: a.to };
    if (a.kind === 'unset_comment') return { comment: null };
    const format = formatFromProperties(a.options as Properties, formatFromJson(o.properties.FORMAT));
    return { properties: { ...o.properties, FORMAT: formatJson(format) }, ...(a.comment !== undefined ? { comment: a.comment } : {}) };
  });
}

function copyOptionsFromJsonOf(o: ObjectEntry) {
  return o.properties.COPY_OPTIONS ? (JSON.parse(o.properties.COPY_OPTIONS) as ReturnType<typeof copyOptionsFromProperties>) : undefined;
}

/** The stage's own FILE_FORMAT, with a named format resolved (it may have been dropped since). */
export function stageFormat(session: Session, stage: ObjectEntry | undefined): FileFormat | undefined {
  if (!stage?.properties.FILE_FORMAT) return undefined;
  const f = JSON.parse(stage.properties.FILE_FORMAT) as StageFormat;
  if (f.format) return f.format;
  if (f.formatName) return findFileFormat(session, objectNameFromParts(parseNameString(f.formatName)), 'COPY').format;
  return undefined;
}

// ---- SHOW / DESCRIBE ----

const STAGE_COLUMNS: [string, typeof STR][] = [
  ['created_on', TS],
  ['name', STR],
  ['database_name', STR],
  ['schema_name', STR],
  ['url', STR],
  ['has_credentials', STR],
  ['has_encryption_key', STR],
  ['owner', STR],
  ['comment', STR],
  ['region', STR],
  ['type', STR],
  ['cloud', STR],
  ['notification_channel', STR],
  ['storage_integration', STR],
  ['endpoint', STR],
  ['owner_role_type', STR],
  ['directory_enabled', STR],
];

export function showStages(session: Session, stmt: ShowStatement): ResultBody {
  const found = applyShowFilters(objectsIn(session, stmt, ['STAGE']), (l) => l.object.name, stmt);
  return table(
    STAGE_COLUMNS,
    found.map(({ database, schema, object: o }) => [
      ts(session, o.createdOn),
      o.name,
      database.name,
      schema.name,
      '',
      'N',
      'N',
      o.owner,
      o.comment ?? '',
      null,
      o.temporary ? 'INTERNAL TEMPORARY' : 'INTERNAL',
      null,
      null,
      null,
      null,
      'ROLE',
      'N',
    ]),
    'SHOW',
  );
}

export function showFileFormats(session: Session, stmt: ShowStatement): ResultBody {
  const found = applyShowFilters(objectsIn(session, stmt, ['FILE FORMAT']), (l) => l.object.name, stmt);
  return table(
    [
      ['created_on', TS],
      ['name', STR],
      ['database_name', STR],
      ['schema_name', STR],
      ['type', STR],
      ['owner', STR],
      ['comment', STR],
      ['format_options', STR],
      ['owner_role_type', STR],
    ],
    found.map(({ database, schema, object: o }) => {
      const f = formatFromJson(o.properties.FORMAT)!;
      return [ts(session, o.createdOn), o.name, database.name, schema.name, f.type, o.owner, o.comment ?? '', formatOptionsJson(f), 'ROLE'];
    }),
    'SHOW',
  );
}

export function describeFileFormat(session: Session, name: ObjectName): ResultBody {
  const { object } = session.resolver.require(name, ['FILE FORMAT'], 'File format', 'DESCRIBE FILE FORMAT');
  return table(
    [
      ['property', STR],
      ['property_type', STR],
      ['property_value', STR],
      ['property_default', STR],
    ],
    describeRows(formatFromJson(object.properties.FORMAT)!),
    'DESCRIBE',
  );
}

export function describeStage(session: Session, name: ObjectName): ResultBody {
  const { object } = session.resolver.require(name, ['STAGE'], 'Stage', 'DESCRIBE STAGE');
  const rows: (string | null)[][] = [];
  const stored = object.properties.FILE_FORMAT ? (JSON.parse(object.properties.FILE_FORMAT) as StageFormat) : {};
  if (stored.formatName) rows.push(['STAGE_FILE_FORMAT', 'FORMAT_NAME', 'String', stored.formatName, '']);
  else for (const [p, type, value, def] of describeRows(stored.format ?? { type: 'CSV', options: {} })) rows.push(['STAGE_FILE_FORMAT', p, type, value, def]);
  for (const [p, type, value, def] of describeCopyOptions(copyOptionsFromJsonOf(object))) rows.push(['STAGE_COPY_OPTIONS', p, type, value, def]);
  rows.push(['STAGE_LOCATION', 'URL', 'String', '', '']);
  rows.push(['DIRECTORY', 'ENABLE', 'Boolean', 'false', 'false']);
  return table(
    [
      ['parent_property', STR],
      ['property', STR],
      ['property_type', STR],
      ['property_value', STR],
      ['property_default', STR],
    ],
    rows,
    'DESCRIBE',
  );
}


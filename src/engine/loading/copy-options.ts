/**
 * COPY INTO <table>'s copy options (semantics §6.5) with Snowflake's defaults: a stage's
 * COPY_OPTIONS apply unless the statement gives its own.
 */
import { errors, type Properties } from '../../sql/index.ts';

/** ON_ERROR: what a file with bad rows does to the load. */
export type OnError =
  | { kind: 'ABORT_STATEMENT' }
  | { kind: 'CONTINUE' }
  /** Skip the file once it has `limit` error rows (SKIP_FILE: 1), or more than `percent` % of its rows. */
  | { kind: 'SKIP_FILE'; limit?: number; percent?: number };

export interface CopyOptions {
  ON_ERROR?: string;
  SIZE_LIMIT?: number;
  PURGE?: boolean;
  RETURN_FAILED_ONLY?: boolean;
  MATCH_BY_COLUMN_NAME?: 'CASE_SENSITIVE' | 'CASE_INSENSITIVE' | 'NONE';
  ENFORCE_LENGTH?: boolean;
  TRUNCATECOLUMNS?: boolean;
  FORCE?: boolean;
  LOAD_UNCERTAIN_FILES?: boolean;
  /** INCLUDE_METADATA = (column = METADATA$…, …): columns filled from the file, not by name. */
  INCLUDE_METADATA?: Record<string, MetadataColumn>;
}

export const METADATA_COLUMNS = ['METADATA$FILENAME', 'METADATA$FILE_ROW_NUMBER', 'METADATA$FILE_CONTENT_KEY', 'METADATA$FILE_LAST_MODIFIED', 'METADATA$START_SCAN_TIME'] as const;
export type MetadataColumn = (typeof METADATA_COLUMNS)[number];

const BOOLEANS = ['PURGE', 'RETURN_FAILED_ONLY', 'ENFORCE_LENGTH', 'TRUNCATECOLUMNS', 'FORCE', 'LOAD_UNCERTAIN_FILES'] as const;
const DEFAULTS: Record<string, string> = {
  ON_ERROR: 'ABORT_STATEMENT',
  SIZE_LIMIT: '',
  PURGE: 'false',
  RETURN_FAILED_ONLY: 'false',
  MATCH_BY_COLUMN_NAME: 'NONE',
  ENFORCE_LENGTH: 'true',
  TRUNCATECOLUMNS: 'false',
  FORCE: 'false',
  LOAD_UNCERTAIN_FILES: 'false',
};

export function copyOptionsFromProperties(props: Properties, base?: CopyOptions): CopyOptions {
  const out: CopyOptions = { ...(base ?? {}) };
  for (const [name, v] of Object.entries(props)) {
    const bad = () => errors.invalidValue(`invalid value [${v.text}] for parameter '${name}'`);
    if ((BOOLEANS as readonly string[]).includes(name)) {
      if (v.kind !== 'boolean' && !/^(true|false)$/i.test(v.text)) throw bad();
      out[name as (typeof BOOLEANS)[number]] = v.text.toUpperCase() === 'TRUE';
    } else if (name === 'ON_ERROR') {
      parseOnError(v.text);
      out.ON_ERROR = v.text.toUpperCase();
    } else if (name === 'SIZE_LIMIT') {
      if (v.kind !== 'number' || !/^\d+$/.test(v.text)) throw bad();
      out.SIZE_LIMIT = Number(v.text);
    } else if (name === 'MATCH_BY_COLUMN_NAME') {
      const w = v.text.toUpperCase();
      if (w !== 'CASE_SENSITIVE' && w !== 'CASE_INSENSITIVE' && w !== 'NONE') throw bad();
      out.MATCH_BY_COLUMN_NAME = w;
    } else if (name === 'INCLUDE_METADATA') {
      const items = v.items ?? [];
      if (v.kind !== 'list' || items.length === 0 || items.length % 3 !== 0) throw bad();
      const include: Record<string, MetadataColumn> = {};
      for (let i = 0; i < items.length; i += 3) {
        const meta = items[i + 2].text.toUpperCase();
        if (items[i + 1].text !== '=' || !(METADATA_COLUMNS as readonly string[]).includes(meta)) {
          throw errors.invalidValue(`invalid value [${items.slice(i, i + 3).map((x) => x.text).join(' ')}] for INCLUDE_METADATA: expected <column> = ${METADATA_COLUMNS.join(' | ')}`);
        }
        include[items[i].text] = meta as MetadataColumn;
      }
      out.INCLUDE_METADATA = include;
    } else if (name === 'FILE_PROCESSOR' || name === 'LOAD_MODE') {
      throw errors.unsupported(`COPY option ${name}`);
    } else {
      throw errors.invalidOperation(`invalid copy option '${name}'`);
    }
  }
  return out;
}

export function parseOnError(text: string): OnError {
  const t = text.toUpperCase();
  if (t === 'ABORT_STATEMENT') return { kind: 'ABORT_STATEMENT' };
  if (t === 'CONTINUE') return { kind: 'CONTINUE' };
  if (t === 'SKIP_FILE') return { kind: 'SKIP_FILE', limit: 1 };
  const n = /^SKIP_FILE_(\d+)(%?)$/.exec(t);
  if (n) return n[2] ? { kind: 'SKIP_FILE', percent: Number(n[1]) } : { kind: 'SKIP_FILE', limit: Math.max(1, Number(n[1])) };
  throw errors.invalidValue(`invalid value [${text}] for parameter 'ON_ERROR'`);
}

export function copyOptionsJson(o: CopyOptions): string {
  return JSON.stringify(o);
}

/** DESCRIBE STAGE's STAGE_COPY_OPTIONS rows. */
export function describeCopyOptions(o: CopyOptions | undefined): [string, string, string, string][] {
  return Object.entries(DEFAULTS).map(([name, def]) => {
    const v = (o as Record<string, unknown> | undefined)?.[name];
    const kind = (BOOLEANS as readonly string[]).includes(name) ? 'Boolean' : name === 'SIZE_LIMIT' ? 'Long' : 'String';
    return [name, kind, v === undefined ? def : String(v), def];
  });
}

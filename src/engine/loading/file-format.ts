/**
 * File formats (semantics §6.5): the options each type accepts with Snowflake's defaults, checked
 * when a format is written (CREATE FILE FORMAT, a stage's FILE_FORMAT, COPY's inline format) and
 * merged stage < named format < statement when a COPY runs.
 */
import { errors, type ParsedValue, type Properties } from '../../sql/index.ts';

export type FormatType = 'CSV' | 'JSON' | 'PARQUET';
export type OptionValue = string | number | boolean | string[];

/** An option's kind and default. */
interface OptionSpec {
  kind: 'string' | 'integer' | 'boolean' | 'list' | 'word';
  default: OptionValue;
  /** Allowed words (for `word` options; strings are also accepted). */
  words?: string[];
}

const COMPRESSIONS = ['AUTO', 'GZIP', 'BZ2', 'BROTLI', 'ZSTD', 'DEFLATE', 'RAW_DEFLATE', 'NONE'];
const common = {
  COMPRESSION: { kind: 'word', default: 'AUTO', words: COMPRESSIONS },
  FILE_EXTENSION: { kind: 'string', default: '' },
  DATE_FORMAT: { kind: 'string', default: 'AUTO' },
  TIME_FORMAT: { kind: 'string', default: 'AUTO' },
  TIMESTAMP_FORMAT: { kind: 'string', default: 'AUTO' },
  BINARY_FORMAT: { kind: 'word', default: 'HEX', words: ['HEX', 'BASE64', 'UTF8', 'UTF-8'] },
  TRIM_SPACE: { kind: 'boolean', default: false },
  REPLACE_INVALID_CHARACTERS: { kind: 'boolean', default: false },
  SKIP_BYTE_ORDER_MARK: { kind: 'boolean', default: true },
  MULTI_LINE: { kind: 'boolean', default: true },
} satisfies Record<string, OptionSpec>;

export const FORMAT_OPTIONS: Record<FormatType, Record<string, OptionSpec>> = {
  CSV: {
    ...common,
    RECORD_DELIMITER: { kind: 'string', default: '\n', words: ['NONE'] },
    FIELD_DELIMITER: { kind: 'string', default: ',', words: ['NONE'] },
    PARSE_HEADER: { kind: 'boolean', default: false },
    SKIP_HEADER: { kind: 'integer', default: 0 },
    SKIP_BLANK_LINES: { kind: 'boolean', default: false },
    ESCAPE: { kind: 'string', default: 'NONE', words: ['NONE'] },
    ESCAPE_UNENCLOSED_FIELD: { kind: 'string', default: '\\', words: ['NONE'] },
    FIELD_OPTIONALLY_ENCLOSED_BY: { kind: 'string', default: 'NONE', words: ['NONE'] },
    NULL_IF: { kind: 'list', default: ['\\N'] },
    ERROR_ON_COLUMN_COUNT_MISMATCH: { kind: 'boolean', default: true },
    EMPTY_FIELD_AS_NULL: { kind: 'boolean', default: true },
    ENCODING: { kind: 'string', default: 'UTF8', words: ['UTF8', 'UTF-8', 'ISO-8859-1', 'LATIN1', 'WINDOWS1252', 'UTF16', 'UTF-16'] },
  },
  JSON: {
    ...common,
    NULL_IF: { kind: 'list', default: [] },
    ENABLE_OCTAL: { kind: 'boolean', default: false },
    ALLOW_DUPLICATE: { kind: 'boolean', default: false },
    STRIP_OUTER_ARRAY: { kind: 'boolean', default: false },
    STRIP_NULL_VALUES: { kind: 'boolean', default: false },
    IGNORE_UTF8_ERRORS: { kind: 'boolean', default: false },
  },
  PARQUET: {
    COMPRESSION: { kind: 'word', default: 'AUTO', words: ['AUTO', 'SNAPPY', 'LZO', 'NONE'] },
    BINARY_AS_TEXT: { kind: 'boolean', default: true },
    USE_LOGICAL_TYPE: { kind: 'boolean', default: true },
    USE_VECTORIZED_SCANNER: { kind: 'boolean', default: false },
    TRIM_SPACE: { kind: 'boolean', default: false },
    REPLACE_INVALID_CHARACTERS: { kind: 'boolean', default: false },
    NULL_IF: { kind: 'list', default: [] },
  },
};

const UNSUPPORTED_TYPES = ['AVRO', 'ORC', 'XML', 'CUSTOM'];

/** A format as stored: its type and the options given explicitly (defaults are not stored). */
export interface FileFormat {
  type: FormatType;
  options: Record<string, OptionValue>;
}

export function formatType(text: string): FormatType {
  const t = text.toUpperCase();
  if (t === 'CSV' || t === 'JSON' || t === 'PARQUET') return t;
  if (UNSUPPORTED_TYPES.includes(t)) throw errors.unsupported(`file format TYPE = ${t} (CSV, JSON and PARQUET are supported)`);
  throw errors.invalidValue(`invalid value '${text}' for property 'TYPE'`);
}

/** Options as parsed (TYPE among them, upper-case names) → a checked format. */
export function formatFromProperties(props: Properties, base?: FileFormat): FileFormat {
  const type = props.TYPE ? formatType(props.TYPE.text) : (base?.type ?? 'CSV');
  // A new TYPE resets the options: they belong to the old type.
  const options: Record<string, OptionValue> = base && base.type === type ? { ...base.options } : {};
  for (const [name, v] of Object.entries(props)) {
    if (name === 'TYPE' || name === 'FORMAT_NAME') continue;
    options[name] = checkOption(type, name, v);
  }
  if (type === 'CSV' && options.PARSE_HEADER === true && Number(options.SKIP_HEADER ?? 0) > 0) {
    throw errors.invalidOperation('PARSE_HEADER and SKIP_HEADER cannot be used together.');
  }
  return { type, options };
}

function checkOption(type: FormatType, name: string, v: ParsedValue): OptionValue {
  const spec = FORMAT_OPTIONS[type][name];
  if (!spec) throw errors.invalidOperation(`Invalid file format option '${name}' for file format type ${type}.`);
  const bad = () => errors.invalidValue(`invalid value [${v.kind === 'list' ? `(${(v.items ?? []).map((i) => i.text).join(', ')})` : v.text}] for parameter '${name}'`);
  switch (spec.kind) {
    case 'boolean':
      if (v.kind === 'boolean') return v.text === 'TRUE';
      if (v.kind === 'string' && /^(true|false)$/i.test(v.text)) return v.text.toUpperCase() === 'TRUE';
      throw bad();
    case 'integer':
      if (v.kind === 'number' && /^\d+$/.test(v.text)) return Number(v.text);
      throw bad();
    case 'list':
      if (v.kind === 'list') return (v.items ?? []).map((i) => i.text);
      if (v.kind === 'string') return [v.text];
      throw bad();
    case 'word': {
      const w = v.text.toUpperCase();
      if ((v.kind === 'word' || v.kind === 'string') && (spec.words ?? []).includes(w)) return w;
      throw bad();
    }
    case 'string':
      if (v.kind === 'string') return v.text;
      if (v.kind === 'word' && (spec.words ?? []).includes(v.text.toUpperCase())) return v.text.toUpperCase();
      if (v.kind === 'number' && name === 'SKIP_HEADER') return Number(v.text);
      throw bad();
  }
}

/** One option's effective value. */
export function optionOf(f: FileFormat, name: string): OptionValue {
  return f.options[name] ?? FORMAT_OPTIONS[f.type][name]?.default ?? '';
}

/** The stored form (catalog properties hold JSON). */
export function formatJson(f: FileFormat): string {
  return JSON.stringify({ TYPE: f.type, ...f.options });
}

export function formatFromJson(text: string | undefined): FileFormat | undefined {
  if (!text) return undefined;
  const { TYPE, ...options } = JSON.parse(text) as Record<string, OptionValue>;
  return { type: TYPE as FormatType, options };
}

/** An option value the way SHOW/DESCRIBE print it. */
export function displayOption(v: OptionValue): string {
  if (Array.isArray(v)) return `[${v.map((x) => displayText(x)).join(', ')}]`;
  if (typeof v === 'boolean') return String(v);
  return displayText(String(v));
}

function displayText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
}

/** DESCRIBE FILE FORMAT / DESCRIBE STAGE rows: property, type, value, default. */
export function describeRows(f: FileFormat): [string, string, string, string][] {
  const rows: [string, string, string, string][] = [['TYPE', 'String', f.type, 'CSV']];
  for (const [name, spec] of Object.entries(FORMAT_OPTIONS[f.type])) {
    const kind = spec.kind === 'boolean' ? 'Boolean' : spec.kind === 'integer' ? 'Integer' : spec.kind === 'list' ? 'List' : 'String';
    rows.push([name, kind, displayOption(optionOf(f, name)), displayOption(spec.default)]);
  }
  return rows;
}

/** SHOW FILE FORMATS' format_options: every option as JSON, defaults included. */
export function formatOptionsJson(f: FileFormat): string {
  const out: Record<string, OptionValue> = { TYPE: f.type };
  for (const name of Object.keys(FORMAT_OPTIONS[f.type])) out[name] = optionOf(f, name);
  return JSON.stringify(out);
}

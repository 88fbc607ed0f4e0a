/**
 * User-facing errors in Snowflake's shape: a six-digit code, a SQL state and a message that names the
 * object. Every layer throws these for mistakes a user can make; invariant violations stay plain
 * `Error` and are reported as internal errors (code 000603) by the engine.
 */
export interface SourcePosition {
  /** 1-based line in the statement text. */
  line: number;
  /** 0-based character position in that line, as Snowflake reports it. */
  column: number;
}

export class SnowflakeError extends Error {
  readonly code: string;
  readonly sqlState: string;
  readonly position?: SourcePosition;

  constructor(code: string, sqlState: string, message: string, position?: SourcePosition) {
    super(message);
    this.name = 'SnowflakeError';
    this.code = code;
    this.sqlState = sqlState;
    this.position = position;
  }

  /** The text Snowflake's clients print: `002003 (42S02): SQL compilation error: ...`. */
  display(): string {
    return `${this.code} (${this.sqlState}): ${this.message}`;
  }
}

export function isSnowflakeError(e: unknown): e is SnowflakeError {
  return e instanceof SnowflakeError;
}

const COMPILATION = 'SQL compilation error:\n';

/** Object kinds as Snowflake names them in messages ("Table 'X' does not exist ..."). */
export type ObjectKindLabel =
  | 'Object'
  | 'Database'
  | 'Schema'
  | 'Table'
  | 'View'
  | 'Sequence'
  | 'Stream'
  | 'Task'
  | 'Stage'
  | 'Function'
  | 'Procedure'
  | 'File format'
  | 'Dynamic table'
  | 'Role'
  | 'User'
  | 'Warehouse';

/** Constructors for every error shape Backlot produces, so codes and texts live in one place. */
export const errors = {
  syntax(line: number, column: number, near: string): SnowflakeError {
    const what = near === '' ? 'end of input' : `'${near}'`;
    return new SnowflakeError(
      '001003',
      '42000',
      `${COMPILATION}syntax error line ${line} at position ${column} unexpected ${what}.`,
      { line, column },
    );
  },
  syntaxMessage(text: string, position?: SourcePosition): SnowflakeError {
    return new SnowflakeError('001003', '42000', `${COMPILATION}${text}`, position);
  },
  doesNotExist(kind: ObjectKindLabel, name: string): SnowflakeError {
    const state = kind === 'Database' || kind === 'Schema' ? '02000' : '42S02';
    return new SnowflakeError('002003', state, `${COMPILATION}${kind} '${name}' does not exist or not authorized.`);
  },
  alreadyExists(kind: ObjectKindLabel, name: string): SnowflakeError {
    return new SnowflakeError('002002', '42710', `${COMPILATION}${kind} '${name}' already exists.`);
  },
  invalidIdentifier(name: string, position?: SourcePosition): SnowflakeError {
    const where = position ? `error line ${position.line} at position ${position.column}\n` : '';
    return new SnowflakeError('000904', '42000', `${COMPILATION}${where}invalid identifier '${name}'`, position);
  },
  duplicateColumn(name: string): SnowflakeError {
    return new SnowflakeError('002025', '42S21', `${COMPILATION}duplicate column name '${name}'`);
  },
  noCurrentDatabase(operation: string): SnowflakeError {
    return new SnowflakeError(
      '090105',
      '22000',
      `Cannot perform ${operation}. This session does not have a current database. Call 'USE DATABASE', or use a qualified name.`,
    );
  },
  noCurrentSchema(operation: string): SnowflakeError {
    return new SnowflakeError(
      '090106',
      '22000',
      `Cannot perform ${operation}. This session does not have a current schema. Call 'USE SCHEMA', or use a qualified name.`,
    );
  },
  unsupported(construct: string, position?: SourcePosition): SnowflakeError {
    return new SnowflakeError('000002', '0A000', `unsupported: ${construct}`, position);
  },
  unknownFunction(name: string, position?: SourcePosition): SnowflakeError {
    return new SnowflakeError('002140', '42601', `${COMPILATION}Unknown function ${name}`, position);
  },
  wrongArgumentCount(call: string, given: number, expected: string): SnowflakeError {
    const which = given < Number.parseInt(expected, 10) ? 'not enough' : 'too many';
    return new SnowflakeError(
      '000938',
      '42601',
      `${COMPILATION}${which} arguments for function [${call}], expected ${expected}, got ${given}`,
    );
  },
  invalidArgument(functionName: string, detail: string): SnowflakeError {
    return new SnowflakeError('001044', '42P13', `${COMPILATION}Invalid argument types for function '${functionName}': ${detail}`);
  },
  invalidValue(detail: string): SnowflakeError {
    return new SnowflakeError('002211', '22023', `${COMPILATION}${detail}`);
  },
  numericNotRecognized(value: string): SnowflakeError {
    return new SnowflakeError('100038', '22018', `Numeric value '${value}' is not recognized`);
  },
  /** A number that does not fit the NUMBER(p, s) it is cast to or written into. */
  numericOutOfRange(value: string): SnowflakeError {
    return new SnowflakeError('100039', '22003', `Numeric value '${value}' is out of range`);
  },
  dateNotRecognized(value: string): SnowflakeError {
    return new SnowflakeError('100040', '22007', `Date '${value}' is not recognized`);
  },
  timestampNotRecognized(value: string): SnowflakeError {
    return new SnowflakeError('100035', '22007', `Timestamp '${value}' is not recognized`);
  },
  timeNotRecognized(value: string): SnowflakeError {
    return new SnowflakeError('100108', '22007', `Time '${value}' is not recognized`);
  },
  booleanNotRecognized(value: string): SnowflakeError {
    return new SnowflakeError('100037', '22018', `Boolean value '${value}' is not recognized`);
  },
  jsonParse(detail: string): SnowflakeError {
    return new SnowflakeError('100069', '22P02', `Error parsing JSON: ${detail}`);
  },
  divisionByZero(): SnowflakeError {
    return new SnowflakeError('100051', '22012', 'Division by zero');
  },
  numericOverflow(detail: string): SnowflakeError {
    return new SnowflakeError('100046', '22003', `Number out of representable range: ${detail}`);
  },
  stringTooLong(value: string, column?: string): SnowflakeError {
    const shown = value.length > 40 ? `${value.slice(0, 40)}...` : value;
    const col = column ? ` for column '${column}'` : '';
    return new SnowflakeError('100074', '22001', `String '${shown}' is too long and would be truncated${col}`);
  },
  nullInNotNullColumn(column: string): SnowflakeError {
    return new SnowflakeError('100072', '22000', `NULL result in a non-nullable column '${column}'`);
  },
  typeMismatch(detail: string): SnowflakeError {
    return new SnowflakeError('002023', '22000', `${COMPILATION}${detail}`);
  },
  castFailed(detail: string): SnowflakeError {
    return new SnowflakeError('100071', '22000', `Failed to cast variant value ${detail}`);
  },
  variableNotSet(name: string): SnowflakeError {
    return new SnowflakeError('002211', '02000', `${COMPILATION}Session variable '$${name}' does not exist`);
  },
  statementNotFound(queryId: string): SnowflakeError {
    return new SnowflakeError('000709', '02000', `Statement ${queryId} not found`);
  },
  /** MERGE (or UPDATE) would change one target row in several, conflicting ways. */
  duplicateRow(values: string): SnowflakeError {
    return new SnowflakeError('100090', '42P18', `Duplicate row detected during DML action\nRow Values: [${values}]`);
  },
  /** `:name` in a SQL statement outside a block, or naming no block variable. */
  bindVariableNotSet(name: string): SnowflakeError {
    return new SnowflakeError('002049', '42601', `${COMPILATION}Bind variable :${name} not set.`);
  },
  /** Reading a stream whose source table was dropped or replaced. */
  streamSourceDropped(table: string, stream: string): SnowflakeError {
    return new SnowflakeError('091901', '55000', `Base table '${table}' dropped, cannot read from stream '${stream}'.`);
  },
  /** Reading a stream whose offset fell out of its source's retention (semantics §1.7). */
  streamStale(stream: string, staleAfter: string): SnowflakeError {
    return new SnowflakeError(
      '091902',
      '55000',
      `Stream '${stream}' is stale: it was not consumed before ${staleAfter}, and the changes after its offset are no longer retained. Recreate it with CREATE OR REPLACE STREAM.`,
    );
  },
  /** AT | BEFORE or CHANGES outside the retention window or before the table existed. */
  timeTravelUnavailable(table: string): SnowflakeError {
    return new SnowflakeError(
      '000707',
      '02000',
      `Time travel data is not available for table ${table}. The requested time is either beyond the allowed time travel period or before the object creation time.`,
    );
  },
  /** A name found, but of another kind than the statement names (DROP TABLE on a dynamic table …). */
  wrongObjectType(name: string, found: string, expected: string): SnowflakeError {
    return new SnowflakeError('002203', '02000', `${COMPILATION}Object found is of type '${found}', not specified type '${expected}': '${name}'.`);
  },
  cannotDropNonEmpty(detail: string): SnowflakeError {
    return new SnowflakeError('002044', '42000', `${COMPILATION}${detail}`);
  },
  invalidOperation(detail: string): SnowflakeError {
    return new SnowflakeError('002029', '42601', `${COMPILATION}${detail}`);
  },
  internal(detail: string): SnowflakeError {
    return new SnowflakeError('000603', 'XX000', `SQL execution internal error:\nProcessing aborted due to error 300002:${detail}`);
  },
  userError(code: string, sqlState: string, message: string): SnowflakeError {
    return new SnowflakeError(code, sqlState, message);
  },
};

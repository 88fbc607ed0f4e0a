/**
 * The SQL layer: Snowflake SQL in, typed statements and DuckDB SQL out. Pure and synchronous.
 */
export { SnowflakeError, errors, isSnowflakeError, type SourcePosition, type ObjectKindLabel } from './errors.ts';
export { splitScript, isBlankSql, type ScriptStatement } from './script/split-script.ts';
export { parseStatement, parsePolyglotAst, parseExpressionAst, type ParsedStatement } from './statements/parse-statement.ts';
export type * from './statements/statement.ts';
export type * from './statements/script-block.ts';
export { parseScriptBlock } from './grammar/scripting.ts';
export type { VariableLookup, ParsedValue } from './grammar/cursor.ts';
export {
  foldIdentifier,
  quoteIdentifier,
  displayName,
  duckIdent,
  sqlString,
  parseNameString,
  objectNameFromParts,
  type ObjectName,
} from './names/identifiers.ts';
export {
  T,
  MAX_VARCHAR,
  MAX_BINARY,
  typeFromName,
  typeFromDuck,
  duckTypeOf,
  columnValueSql,
  formatType,
  informationSchemaTypeName,
  isSemiStructured,
  isTimestamp,
  type SfType,
  type SfTypeKind,
} from './types/snowflake-types.ts';
export type {
  TranslateContext,
  ResolvedRelation,
  ResolvedSequence,
  RelationColumn,
  SessionInfo,
  VariableValue,
  TranslationInfo,
  ResolvedTableFunction,
  TableFunctionArgument,
  TableFunctionArg,
  TableFunctionValue,
  ArgumentExpression,
  DmlTarget,
  TimeTravelPoint,
  StagedFilesRef,
  StreamRead,
} from './translate/context.ts';
export * from './translate/versioning.ts';
export {
  translateQuery,
  translatePreparedQuery,
  translateDml,
  translateExpression,
  translateHistoryPoint,
  type TranslatedQuery,
  type TranslatedDmlStatement,
  type TranslatedExpression,
} from './translate/translate.ts';
export { translateViewRows, VIEW_ROW, type ViewRows } from './translate/view-rows.ts';
export { macroDefinitions, tableMacroDefinitions, macrosVersion } from './functions/macros.ts';
export { catalogueNames } from './functions/catalogue.ts';
export { medianType } from './functions/aggregate-functions.ts';
export { tokenize, positionAt, type Token } from './lex/tokens.ts';
export * from './dynamic/index.ts';
export { formatModelToStrftime } from './functions/format-models.ts';
export { parseStageLocation } from './grammar/loading.ts';
export { copyTransformQuery } from './translate/copy-transform.ts';

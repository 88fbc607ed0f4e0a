/**
 * The engine layer's public surface: open a warehouse, start sessions, run statements.
 */
export { Engine, BACKLOT_VERSION, type EngineOptions } from './engine.ts';
export { Session, type SessionOptions, type StatementFailure, toFailure } from './session/session.ts';
export type { ResultSet, ResultBody, DmlStats } from './results/result-set.ts';
export type { ResultColumn, Value } from './results/values.ts';
export { ManualClock, systemClock, type Clock } from './clock.ts';
export { SnowflakeError, isSnowflakeError } from '../sql/index.ts';
export { conversionSql, conversionError } from './loading/readers.ts';
export { columnDefaultSql } from './ddl/physical.ts';
export { resolveStage } from './loading/stage-commands.ts';

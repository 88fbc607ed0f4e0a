/**
 * The function catalogue: every Snowflake function Backlot runs, by name. A function missing here is
 * not guessed at — it fails with `unsupported: function X` (or Snowflake's unknown-function error).
 */
import { AGGREGATE_FUNCTIONS } from './aggregate-functions.ts';
import { DATETIME_FUNCTIONS } from './datetime-functions.ts';
import { SCALAR_FUNCTIONS } from './scalar-functions.ts';
import { SEMISTRUCTURED_FUNCTIONS } from './semistructured-functions.ts';
import type { FunctionSpec } from './spec.ts';

const CATALOGUE: ReadonlyMap<string, FunctionSpec> = new Map(
  Object.entries({ ...SCALAR_FUNCTIONS, ...DATETIME_FUNCTIONS, ...SEMISTRUCTURED_FUNCTIONS, ...AGGREGATE_FUNCTIONS }),
);

/**
 * Functions Snowflake has that Backlot does not run yet, with the reason, so users get a precise
 * `unsupported:` error rather than "unknown function".
 */
const KNOWN_UNSUPPORTED: Record<string, string> = {
  CONDITIONAL_CHANGE_EVENT: 'window function CONDITIONAL_CHANGE_EVENT',
  RATIO_TO_REPORT: 'RATIO_TO_REPORT outside an OVER clause',
  HASH_AGG: 'function HASH_AGG',
  ST_POINT: 'geospatial functions',
  ST_DISTANCE: 'geospatial functions',
  TO_GEOGRAPHY: 'geospatial functions',
  VECTOR_COSINE_SIMILARITY: 'vector functions',
  ARRAY_INSERT: 'function ARRAY_INSERT',
  SOUNDEX: 'function SOUNDEX',
  ENCRYPT: 'encryption functions',
  DECRYPT: 'encryption functions',
};

export function lookupFunction(name: string): FunctionSpec | undefined {
  return CATALOGUE.get(name.toUpperCase());
}

export function unsupportedReason(name: string): string | undefined {
  return KNOWN_UNSUPPORTED[name.toUpperCase()];
}

/** Names in the catalogue (for SHOW FUNCTIONS and documentation). */
export function catalogueNames(): string[] {
  return [...CATALOGUE.keys()].sort();
}

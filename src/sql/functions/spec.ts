/**
 * The shape of a function-catalogue entry and the helpers entries are written with. An entry says how
 * many arguments a Snowflake function takes, what it returns (for type inference and implicit
 * VARIANT conversion), and how to write it in DuckDB — usually the name of a DuckDB function or an
 * `sf_*` macro, otherwise a small emitter.
 */
import { errors } from '../errors.ts';
import { T, type SfType } from '../types/snowflake-types.ts';
import { dataOf, identValue, mk, node, stringLiteral, type AstNode } from '../translate/ast.ts';
import type { SessionInfo } from '../translate/context.ts';
import { coerce } from '../translate/variant.ts';
import { resolveDatePart, type DatePart } from './date-parts.ts';

export interface CallInfo {
  /** Snowflake function name, upper case. */
  name: string;
  /** Translated arguments. */
  args: AstNode[];
  /** Inferred Snowflake types of the arguments (undefined when unknown). */
  types: (SfType | undefined)[];
  /** Arguments as written (untranslated), for date parts and literal options. */
  raw: AstNode[];
  distinct: boolean;
  orderBy: unknown[];
  filter: unknown;
  ignoreNulls: boolean | null;
  session: SessionInfo;
}

export type ReturnRule = SfType | ((c: CallInfo) => SfType | undefined);

export interface FunctionSpec {
  min: number;
  max: number;
  returns: ReturnRule;
  emit: (c: CallInfo) => AstNode;
  aggregate?: boolean;
  /** Window-only functions (ROW_NUMBER …) must have OVER. */
  windowOnly?: boolean;
  /** Argument positions that hold a date/time part keyword rather than an expression. */
  partArgs?: number[];
}

/** A call to a DuckDB function or macro with the given arguments. */
export function call(name: string, ...args: AstNode[]): AstNode {
  return mk.fn(name, args);
}

/** Entry whose DuckDB function has the same semantics (possibly another name). */
export function same(duckName: string, returns: ReturnRule, min = 1, max = min): FunctionSpec {
  return { min, max, returns, emit: (c) => call(duckName, ...c.args) };
}

/** Entry whose arguments are converted to the given kinds first (VARIANT → VARCHAR etc.). */
export function typed(duckName: string, kinds: SfType['kind'][], returns: ReturnRule, min = kinds.length, max = kinds.length): FunctionSpec {
  return { min, max, returns, emit: (c) => call(duckName, ...coerceArgs(c, kinds)) };
}

/** Converts each argument to the kind at its position (the last kind repeats). */
export function coerceArgs(c: CallInfo, kinds: SfType['kind'][]): AstNode[] {
  return c.args.map((a, i) => coerce(a, c.types[i], kinds[Math.min(i, kinds.length - 1)]));
}

export function argType(i: number): ReturnRule {
  return (c) => c.types[i];
}

/** The first argument type that is known, for COALESCE-like functions. */
export function firstKnownType(from = 0): ReturnRule {
  return (c) => c.types.slice(from).find((t) => t !== undefined);
}

/** An aggregate call that keeps DISTINCT, ORDER BY and FILTER of the original call. */
export function aggregateCall(c: CallInfo, duckName: string, args: AstNode[] = c.args, distinct = c.distinct): AstNode {
  return node('aggregate_function', {
    name: duckName,
    args,
    distinct,
    filter: c.filter ?? null,
    order_by: c.orderBy ?? [],
    ignore_nulls: c.ignoreNulls ?? null,
  });
}

export function sameAggregate(duckName: string, returns: ReturnRule, min = 1, max = min): FunctionSpec {
  return { min, max, returns, aggregate: true, emit: (c) => aggregateCall(c, duckName) };
}

/** Reads a date/time part written as a keyword (`day`), an identifier or a string literal. */
export function datePartArg(raw: AstNode | undefined, fnName: string): DatePart {
  if (!raw) throw errors.invalidArgument(fnName, 'missing date or time part');
  const s = stringLiteral(raw);
  if (s !== undefined) return resolveDatePart(s);
  const v = dataOf<{ this: string }>(raw, 'var');
  if (v) return resolveDatePart(v.this);
  const col = dataOf<{ name: { name: string; quoted: boolean }; table: unknown }>(raw, 'column');
  if (col && !col.table) return resolveDatePart(identValue(col.name) ?? '');
  const id = dataOf<{ name: string; quoted: boolean }>(raw, 'identifier');
  if (id) return resolveDatePart(id.name);
  throw errors.invalidArgument(fnName, 'the date or time part must be a keyword such as DAY or a string literal');
}

/** A literal argument's string value, or an error naming the function. */
export function literalStringArg(raw: AstNode | undefined, fnName: string, what: string): string {
  const s = raw === undefined ? undefined : stringLiteral(raw);
  if (s === undefined) throw errors.unsupported(`${fnName} with a non-constant ${what}`);
  return s;
}

export const NUM = T.number();
export const FLOAT = T.float();
export const STR = T.varchar();
export const BOOL = T.boolean();
export const DATE = T.date();
export const TIME = T.time();
export const NTZ = T.timestampNtz();
export const LTZ = T.timestampLtz();
export const VARIANT = T.variant();
export const ARRAY = T.array();
export const OBJECT = T.object();
export const BINARY = T.binary();

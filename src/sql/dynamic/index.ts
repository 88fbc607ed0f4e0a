/**
 * Dynamic tables in the SQL layer: binding a definition to its inputs, and the incremental planner's
 * analysis and generated queries (DESIGN §5). Pure: the engine supplies catalog lookups and runs SQL.
 */
export { bindQuery, inPipeline, prepareQuery, type BindLookup, type BoundObject, type BoundQuery, type BoundInput, type BoundReference, type NameContext } from './bind.ts';
export { analyze, filtersOnTime, astKey, keyPositions, isKeyed, Unsupported, type Block, type Item, type KeySpec, type SelectBlock, type UnionBlock, type ConstantBlock } from './analyze.ts';
export { deltaTerm, keyItems, nullExtension, renderSelect, stateQuery } from './render.ts';
export { derivedPlaceholder, inputPlaceholder, parsePlaceholder, type Placeholder, type Role } from './placeholders.ts';
export { inlineCtes } from './ctes.ts';
export { aggregatePlan, changeFromState, deltaSelect, outputFromState, stateColumns, type AggregatePlan, type AggregatePart } from './aggregates.ts';
export { filtersRowsOnTime, instantsSql, resolveTimes, TIME_FUNCTIONS, usesTime, type Moment } from './time-filters.ts';
export { immutablePredicate } from './immutable-where.ts';

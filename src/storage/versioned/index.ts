/**
 * Versioned tables (DESIGN §3): the physical layout, the commit log, and the writes that keep every
 * image of every row for Time Travel and change sets.
 */
export * from './layout.ts';
export * from './commit-log.ts';
export * from './apply.ts';
export * from './tables.ts';
export * from './diff.ts';

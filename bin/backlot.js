#!/usr/bin/env node
// Entry point for `backlot` / `npx backlot`: runs the TypeScript sources through tsx so a checkout
// needs no build step.
import v8 from 'node:v8';

// The SQL parser is a 22 MB WebAssembly module. V8's background tier-up compilation of it competes
// with DuckDB's worker threads for this machine's cores and made every statement several times
// slower; the baseline compiler alone is fast enough. Must be set before the module is compiled.
v8.setFlagsFromString('--liftoff-only');

const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));

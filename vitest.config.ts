import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // See bin/backlot.js: the parser's WebAssembly tier-up otherwise starves DuckDB on 2 cores.
    execArgv: ['--liftoff-only'],
  },
});

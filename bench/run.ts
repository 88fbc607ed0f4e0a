/**
 * `npm run bench`: runs the benchmarks and prints a table with the machine they ran on. Numbers are
 * recorded by hand in bench/RESULTS.md.
 */
import os from 'node:os';
import { benchStatements, type BenchRow } from './statements.ts';
import { benchVersioned } from './versioned.ts';
import { benchStreamsAndTasks } from './streams-tasks.ts';
import { benchDynamic } from './dynamic.ts';
import { benchIngest } from './ingest.ts';

// `npm run bench -- versioned` runs one group; no argument runs all.
const only = process.argv[2];
const rows: BenchRow[] = [];
if (!only || only === 'statements') rows.push(...(await benchStatements()));
if (!only || only === 'versioned') rows.push(...(await benchVersioned()));
if (!only || only === 'streams') rows.push(...(await benchStreamsAndTasks()));
if (!only || only === 'dynamic') rows.push(...(await benchDynamic()));
if (!only || only === 'ingest') rows.push(...(await benchIngest()));
console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`);
const width = Math.max(...rows.map((r) => r.name.length));
for (const r of rows) {
  console.log(`${r.name.padEnd(width)}  ${r.value.toFixed(r.value < 10 ? 2 : 1).padStart(8)} ${r.unit}${r.note ? `  (${r.note})` : ''}`);
}

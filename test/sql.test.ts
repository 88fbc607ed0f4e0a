/**
 * Runs every test/sql/**\/*.slt file as one test against a fresh warehouse.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSlt, runSlt } from './slt/slt.ts';

function sltFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sltFiles(p));
    else if (name.endsWith('.slt')) out.push(p);
  }
  return out;
}

const root = join(import.meta.dirname, 'sql');

describe('sqllogictest', () => {
  for (const file of sltFiles(root)) {
    const name = relative(root, file);
    it(name, async () => {
      const { failures, checked } = await runSlt(readSlt(file), name);
      expect(failures.map((f) => f.message).join('\n\n')).toBe('');
      expect(checked).toBeGreaterThan(0);
    });
  }
});

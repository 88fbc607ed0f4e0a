/**
 * The three output formats of `backlot sql`: `table` (SnowSQL-style boxes), `json` (one line per
 * statement) and `csv` (RFC 4180, a header per result).
 */
import type { ResultSet, SnowflakeError } from '../../engine/index.ts';
import { displayText, jsonToken } from './display.ts';

export type OutputFormat = 'table' | 'json' | 'csv';

export interface Printer {
  result(r: ResultSet, elapsedMs: number): string;
  error(e: SnowflakeError): { text: string; stream: 'stdout' | 'stderr' };
}

function width(s: string): number {
  let w = 0;
  for (const line of s.split('\n')) w = Math.max(w, [...line].length);
  return w;
}

const RIGHT_ALIGNED = new Set(['NUMBER', 'FLOAT']);

export const tablePrinter: Printer = {
  result(r, elapsedMs) {
    const header = r.columns.map((c) => c.name);
    const cells = r.rows.map((row) => row.map((v, i) => displayText(v, r.columns[i])));
    const widths = header.map((h, i) => Math.max(width(h), ...cells.map((row) => width(row[i]))));
    const border = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
    const line = (values: string[], align: boolean) =>
      `|${values
        .map((v, i) => {
          const pad = widths[i] - [...v].length;
          const right = align && RIGHT_ALIGNED.has(r.columns[i].type.kind) && v !== 'NULL';
          return ` ${right ? ' '.repeat(pad) + v : v + ' '.repeat(pad)} `;
        })
        .join('|')}|`;
    const out = [border, line(header, false), `|${widths.map((w) => '-'.repeat(w + 2)).join('+')}|`];
    for (const row of cells) {
      // Multi-line values (pretty JSON) keep the box by padding the other columns.
      const split = row.map((c) => c.split('\n'));
      const height = Math.max(...split.map((s) => s.length));
      for (let k = 0; k < height; k += 1) out.push(line(split.map((s) => s[k] ?? ''), true));
    }
    out.push(border);
    out.push(`${r.rows.length} Row(s) produced. Time Elapsed: ${(elapsedMs / 1000).toFixed(3)}s`);
    return out.join('\n');
  },
  error(e) {
    return { text: `${e.code} (${e.sqlState}): ${e.message}`, stream: 'stderr' };
  },
};

export const jsonPrinter: Printer = {
  result(r) {
    const columns = JSON.stringify(r.columns.map((c) => c.name));
    const rows = r.rows.map((row) => `[${row.map((v, i) => jsonToken(v, r.columns[i])).join(',')}]`).join(',');
    return `{"columns":${columns},"rows":[${rows}]}`;
  },
  error(e) {
    return { text: JSON.stringify({ error: { code: e.code, sqlState: e.sqlState, message: e.message } }), stream: 'stdout' };
  },
};

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvPrinter: Printer = {
  result(r) {
    const lines = [r.columns.map((c) => csvField(c.name)).join(',')];
    for (const row of r.rows) lines.push(row.map((v, i) => (v === null ? '' : csvField(displayText(v, r.columns[i])))).join(','));
    return lines.join('\n');
  },
  error(e) {
    return { text: `${e.code} (${e.sqlState}): ${e.message}`, stream: 'stderr' };
  },
};

export function printerFor(format: OutputFormat): Printer {
  return format === 'json' ? jsonPrinter : format === 'csv' ? csvPrinter : tablePrinter;
}

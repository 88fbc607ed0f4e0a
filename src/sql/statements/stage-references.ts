/**
 * Stage locations read in a FROM clause (`FROM @s/a.csv (FILE_FORMAT => 'f', PATTERN => '.*') t`),
 * taken out of the statement before polyglot parses it: @polyglot-sql/sdk 0.12.1 swallows the words
 * after a bare location into its path (`/a.csvtORDERBY1`) and garbles table stages with an option
 * list (`@%fans (…)` → `@NaNans`). Each location, with its option list, is cut out by token
 * positions (the characters adjacent to the `@`, then the balanced parentheses) and a placeholder
 * table name takes its place; the translator asks the engine for the files' rows under that name.
 */
import { errors } from '../errors.ts';
import { tokenize, type Token } from '../lex/tokens.ts';
import type { StagedFilesRef } from '../translate/context.ts';

const BEFORE_LOCATION = new Set(['FROM', 'JOIN', 'COMMA']);
const ENDS_LOCATION = new Set(['SEMICOLON', 'R_PAREN', 'COMMA']);

/** The placeholder for the n-th location (an unquoted name, so it folds to upper case). */
export function stageReferenceName(n: number): string {
  return `_BKL_STAGE_REF_${n}`;
}

export function extractStageReferences(sql: string): { sql: string; refs: StagedFilesRef[] } {
  if (!sql.includes('@')) return { sql, refs: [] };
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch {
    return { sql, refs: [] }; // the parser reports it
  }
  const refs: StagedFilesRef[] = [];
  const cuts: { start: number; end: number }[] = [];
  for (let i = 1; i < tokens.length; i += 1) {
    const t = tokens[i];
    if (!t.text.startsWith('@') || t.type === 'STRING' || !BEFORE_LOCATION.has(tokens[i - 1].type)) continue;
    let end = t.end;
    let j = i + 1;
    while (j < tokens.length && tokens[j].start === end && !ENDS_LOCATION.has(tokens[j].type)) end = tokens[j++].end;
    const ref: StagedFilesRef = { location: sql.slice(t.start, end) };
    if (tokens[j]?.type === 'L_PAREN') {
      j = options(sql, tokens, j, ref);
      end = tokens[j - 1].end;
    }
    cuts.push({ start: t.start, end });
    refs.push(ref);
    i = j - 1;
  }
  let out = sql;
  for (let k = cuts.length - 1; k >= 0; k -= 1) out = `${out.slice(0, cuts[k].start)}${stageReferenceName(k)}${out.slice(cuts[k].end)}`;
  return { sql: out, refs };
}

/** `( FILE_FORMAT => 'name' | name, PATTERN => 'regex' )` starting at tokens[open]; returns the index after `)`. */
function options(sql: string, tokens: Token[], open: number, ref: StagedFilesRef): number {
  let j = open + 1;
  const bad = () => errors.syntaxMessage(`A stage location's options are (FILE_FORMAT => '<name>', PATTERN => '<regex>'); got '${sql.slice(tokens[open].start, tokens[j]?.end ?? sql.length)}'.`);
  while (j < tokens.length && tokens[j].type !== 'R_PAREN') {
    const key = tokens[j].text.toUpperCase();
    if (tokens[j + 1]?.type !== 'F_ARROW') throw bad();
    j += 2;
    const start = tokens[j];
    if (!start) throw bad();
    let end = start.end;
    j += 1;
    // A name may be qualified: db.schema.format.
    while (start.type !== 'STRING' && tokens[j]?.type === 'DOT' && tokens[j + 1]) {
      end = tokens[j + 1].end;
      j += 2;
    }
    const value = start.type === 'STRING' ? start.text : sql.slice(start.start, end);
    if (key === 'FILE_FORMAT') ref.fileFormat = value;
    else if (key === 'PATTERN' && start.type === 'STRING') ref.pattern = value;
    else throw bad();
    if (tokens[j]?.type === 'COMMA') j += 1;
  }
  if (tokens[j]?.type !== 'R_PAREN') throw bad();
  return j + 1;
}

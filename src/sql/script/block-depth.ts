/**
 * Snowflake Scripting blocks inside a script: `BEGIN … END;`, `DECLARE … BEGIN … END;`, and the
 * same after `AS` in CREATE TASK / PROCEDURE. Their inner statements end with semicolons too, so the
 * splitter must know when a block is open. Given the script's lexical items (words, semicolons and
 * other symbols, outside quotes and comments), this decides which semicolons end statements.
 *
 * Openers and closers: BEGIN (a block; `BEGIN;` and `BEGIN TRANSACTION | WORK | NAME` are
 * transaction control), IF followed by `(`, CASE, FOR <var> IN, WHILE, REPEAT (not the REPEAT()
 * function), and LOOP as a statement (not the body keyword of FOR / WHILE); each closes with
 * END [IF | CASE | FOR | WHILE | REPEAT | LOOP]. In a DECLARE section only BEGIN and CASE count.
 */
export interface LexItem {
  kind: 'word' | 'semicolon' | 'symbol';
  /** The word (upper case) or the symbol character. */
  text: string;
  start: number;
  end: number;
}

/** Indexes (into `items`) of the semicolons that end statements. */
export function statementEnds(items: LexItem[]): Set<number> {
  const ends = new Set<number>();
  let depth = 0;
  let first = true; // next word is the first of a statement
  let prevWord: string | undefined;
  let declaring = false; // inside DECLARE … (before its BEGIN)
  let header = false; // FOR / WHILE header before DO | LOOP
  const at = (i: number) => items[i];
  const wordAt = (i: number) => (at(i)?.kind === 'word' ? at(i).text : undefined);
  for (let i = 0; i < items.length; i += 1) {
    const it = items[i];
    if (it.kind === 'semicolon') {
      if (depth === 0) {
        ends.add(i);
        first = true;
        prevWord = undefined;
      }
      header = false;
      continue;
    }
    if (it.kind !== 'word') continue;
    const w = it.text;
    const next = at(i + 1);
    const isFirst = first;
    first = false;
    const prev = prevWord;
    prevWord = w;
    if (depth === 0) {
      if (!(isFirst || prev === 'AS')) continue;
      if (w === 'DECLARE') {
        depth = 1;
        declaring = true;
      } else if (w === 'BEGIN' && opensBlock(next)) {
        depth = 1;
      }
      continue;
    }
    if (w === 'END') {
      depth -= 1;
      // END IF | CASE | FOR | WHILE | REPEAT | LOOP: the second word is part of the closer.
      if (['IF', 'CASE', 'FOR', 'WHILE', 'REPEAT', 'LOOP'].includes(wordAt(i + 1) ?? '')) i += 1;
      continue;
    }
    if (declaring) {
      if (w === 'BEGIN') declaring = false;
      else if (w === 'CASE') depth += 1;
      continue;
    }
    switch (w) {
      case 'BEGIN':
        if (opensBlock(next)) depth += 1;
        break;
      case 'DECLARE':
        depth += 1;
        declaring = true;
        break;
      case 'IF':
        if (next?.kind === 'symbol' && next.text === '(') depth += 1;
        break;
      case 'CASE':
        depth += 1;
        break;
      case 'FOR':
        if (wordAt(i + 1) !== undefined && wordAt(i + 2) === 'IN') {
          depth += 1;
          header = true;
        }
        break;
      case 'WHILE':
        depth += 1;
        header = true;
        break;
      case 'REPEAT':
        if (!(next?.kind === 'symbol' && next.text === '(')) depth += 1;
        break;
      case 'DO':
        header = false;
        break;
      case 'LOOP':
        if (header) header = false;
        else depth += 1;
        break;
      default:
        break;
    }
  }
  return ends;
}

/** BEGIN opens a block unless it is transaction control: `BEGIN;`, `BEGIN TRANSACTION | WORK | NAME`. */
function opensBlock(next: LexItem | undefined): boolean {
  if (next === undefined || next.kind === 'semicolon') return false;
  return !(next.kind === 'word' && ['TRANSACTION', 'WORK', 'NAME'].includes(next.text));
}

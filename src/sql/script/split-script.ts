/**
 * Splits a SQL script into statements the way SnowSQL does: on semicolons outside string literals
 * ('…' with '' and backslash escapes), quoted identifiers ("…"), comments (--, //, /* … *\/) and
 * dollar-quoted bodies ($$…$$), and inside Snowflake Scripting blocks (block-depth.ts). Splitting never fails: an unterminated literal simply runs to the end
 * of the script and the parser reports it for that statement alone.
 */
import { statementEnds, type LexItem } from './block-depth.ts';

export interface ScriptStatement {
  /** The statement text without the terminating semicolon, trimmed. */
  text: string;
  /** Offset of `text` in the script. */
  offset: number;
  /** 1-based line of the statement's first character in the script. */
  line: number;
}

/** True when the text holds nothing but whitespace and comments. */
export function isBlankSql(text: string): boolean {
  return stripLeadingTrivia(text, 0) >= text.length;
}

export function splitScript(script: string): ScriptStatement[] {
  const out: ScriptStatement[] = [];
  let counted = 0;
  let line = 1;
  const lineOf = (offset: number) => {
    for (; counted < offset; counted += 1) if (script.charCodeAt(counted) === 10) line += 1;
    return line;
  };
  let start = 0;
  const flush = (end: number) => {
    const raw = script.slice(start, end);
    const lead = stripLeadingTrivia(raw, 0);
    if (lead < raw.length) {
      const text = raw.slice(lead).trimEnd();
      const offset = start + lead;
      out.push({ text, offset, line: lineOf(offset) });
    }
  };
  const items = lexItems(script);
  const ends = statementEnds(items);
  items.forEach((it, i) => {
    if (!ends.has(i)) return;
    flush(it.start);
    start = it.end;
  });
  flush(script.length);
  return out;
}

/** Words, semicolons and other symbols outside literals, quoted identifiers and comments. */
function lexItems(script: string): LexItem[] {
  const items: LexItem[] = [];
  const n = script.length;
  let i = 0;
  while (i < n) {
    const c = script[i];
    if (c === "'") {
      i = skipSingleQuoted(script, i);
    } else if (c === '"') {
      i = skipDoubleQuoted(script, i);
    } else if (c === '$' && script[i + 1] === '$') {
      const close = script.indexOf('$$', i + 2);
      i = close < 0 ? n : close + 2;
    } else if ((c === '-' && script[i + 1] === '-') || (c === '/' && script[i + 1] === '/')) {
      const nl = script.indexOf('\n', i);
      i = nl < 0 ? n : nl + 1;
    } else if (c === '/' && script[i + 1] === '*') {
      const close = script.indexOf('*/', i + 2);
      i = close < 0 ? n : close + 2;
    } else if (c === ';') {
      items.push({ kind: 'semicolon', text: ';', start: i, end: i + 1 });
      i += 1;
    } else if (isWordStart(c)) {
      let j = i + 1;
      while (j < n && isWordPart(script[j])) j += 1;
      items.push({ kind: 'word', text: script.slice(i, j).toUpperCase(), start: i, end: j });
      i = j;
    } else if (/\s/.test(c)) {
      i += 1;
    } else {
      items.push({ kind: 'symbol', text: c, start: i, end: i + 1 });
      i += 1;
    }
  }
  return items;
}

function isWordStart(c: string): boolean {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c === '_';
}

function isWordPart(c: string): boolean {
  return isWordStart(c) || (c >= '0' && c <= '9') || c === '$';
}

function skipSingleQuoted(s: string, i: number): number {
  let j = i + 1;
  while (j < s.length) {
    const c = s[j];
    if (c === '\\') {
      j += 2;
    } else if (c === "'") {
      if (s[j + 1] === "'") j += 2;
      else return j + 1;
    } else {
      j += 1;
    }
  }
  return s.length;
}

function skipDoubleQuoted(s: string, i: number): number {
  let j = i + 1;
  while (j < s.length) {
    if (s[j] === '"') {
      if (s[j + 1] === '"') j += 2;
      else return j + 1;
    } else {
      j += 1;
    }
  }
  return s.length;
}

/** Index of the first character after leading whitespace and comments. */
export function stripLeadingTrivia(s: string, from: number): number {
  let i = from;
  for (;;) {
    while (i < s.length && /\s/.test(s[i])) i += 1;
    if ((s[i] === '-' && s[i + 1] === '-') || (s[i] === '/' && s[i + 1] === '/')) {
      const nl = s.indexOf('\n', i);
      i = nl < 0 ? s.length : nl + 1;
    } else if (s[i] === '/' && s[i + 1] === '*') {
      const close = s.indexOf('*/', i + 2);
      i = close < 0 ? s.length : close + 2;
    } else {
      return i;
    }
  }
}

/**
 * Splits a SQL script into statements the way SnowSQL does: on semicolons outside string literals
 * ('…' with '' and backslash escapes), quoted identifiers ("…"), comments (--, //, /* … *\/) and
 * dollar-quoted bodies ($$…$$). Splitting never fails: an unterminated literal simply runs to the end
 * of the script and the parser reports it for that statement alone.
 */
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
  let start = 0;
  let i = 0;
  const n = script.length;
  let counted = 0;
  let line = 1;
  const lineOf = (offset: number) => {
    for (; counted < offset; counted += 1) if (script.charCodeAt(counted) === 10) line += 1;
    return line;
  };
  const flush = (end: number) => {
    const raw = script.slice(start, end);
    const lead = stripLeadingTrivia(raw, 0);
    if (lead < raw.length) {
      const text = raw.slice(lead).trimEnd();
      const offset = start + lead;
      out.push({ text, offset, line: lineOf(offset) });
    }
  };
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
      flush(i);
      i += 1;
      start = i;
    } else {
      i += 1;
    }
  }
  flush(n);
  return out;
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

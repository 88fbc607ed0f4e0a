/**
 * Source text of the outermost select list's items. Snowflake names an unaliased result column by
 * the expression as written, upper-cased (`select count(*)` → `COUNT(*)`); the syntax tree no longer
 * has that text, so it is recovered from the tokens.
 */
import { tokenize, type Token } from '../lex/tokens.ts';

const CLAUSE_END = new Set([
  'FROM',
  'WHERE',
  'GROUP',
  'HAVING',
  'QUALIFY',
  'ORDER',
  'LIMIT',
  'UNION',
  'EXCEPT',
  'MINUS',
  'INTERSECT',
  'WINDOW',
  'FETCH',
  'OFFSET',
  'INTO',
]);

export function selectItemTexts(sql: string): string[] | undefined {
  let tokens: Token[];
  try {
    tokens = tokenize(sql);
  } catch {
    return undefined;
  }
  const depths: number[] = [];
  let depth = 0;
  const opens = new Set(['L_PAREN', 'L_BRACKET', 'L_BRACE']);
  const closes = new Set(['R_PAREN', 'R_BRACKET', 'R_BRACE']);
  for (const t of tokens) {
    if (closes.has(t.type)) depth -= 1;
    depths.push(depth);
    if (opens.has(t.type)) depth += 1;
  }
  let start = -1;
  let best = Infinity;
  tokens.forEach((t, i) => {
    if (t.text.toUpperCase() === 'SELECT' && t.type !== 'STRING' && t.type !== 'QUOTED_IDENTIFIER' && depths[i] < best) {
      best = depths[i];
      start = i;
    }
  });
  if (start < 0) return undefined;
  const d = depths[start];
  let i = start + 1;
  const upper = (k: number) => (tokens[k] && tokens[k].type !== 'STRING' && tokens[k].type !== 'QUOTED_IDENTIFIER' ? tokens[k].text.toUpperCase() : '');
  if (upper(i) === 'DISTINCT' || upper(i) === 'ALL') i += 1;
  if (upper(i) === 'TOP') i += 2;
  const items: string[] = [];
  let itemStart = i;
  for (; i <= tokens.length; i += 1) {
    const t = tokens[i];
    const clause = CLAUSE_END.has(upper(i)) && !((upper(i) === 'GROUP' || upper(i) === 'ORDER') && upper(i + 1) !== 'BY');
    const end = !t || depths[i] < d || (depths[i] === d && (t.type === 'COMMA' || t.type === 'SEMICOLON' || clause));
    if (end) {
      if (i > itemStart) items.push(sql.slice(tokens[itemStart].start, tokens[i - 1].end));
      if (!t || t.type !== 'COMMA' || depths[i] !== d) break;
      itemStart = i + 1;
    }
  }
  return items;
}

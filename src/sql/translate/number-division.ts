/**
 * NUMBER / NUMBER as Snowflake computes it: exactly, rounded half away from zero to the quotient's
 * scale, max(s, min(s + 6, 12)). DuckDB divides DECIMALs as DOUBLEs, which keeps about 15 significant
 * digits, so `12345678901.23 / 7` would come out wrong in its last digits at scale 8.
 *
 * The quotient is computed on the operands' unscaled integers (HUGEINT, up to 38 digits):
 * `A · 10^k / B` with `k = S - s_a + s_b`, rounded, then scaled back by a DECIMAL multiplication. When
 * an operand is too large for that to fit, the division falls back to DOUBLE as before.
 */
import { T, type SfType } from '../types/snowflake-types.ts';
import { mk, type AstNode } from './ast.ts';

/** The scale of a NUMBER quotient whose dividend has scale `s`. */
export function quotientScale(s: number): number {
  return Math.max(s, Math.min(s + 6, 12));
}

/** Digits an unscaled operand may have for `2 · |A| · 10^k` to stay within a HUGEINT (~1.7e38). */
const HUGEINT_DIGITS = 37;

/** `left / right` for NUMBER operands of types `l` and `r`: NUMBER(38, S); a zero divisor is an error. */
export function numberQuotient(left: AstNode, right: AstNode, l: { scale: number }, r: { scale: number }): { node: AstNode; type: SfType } {
  const scale = quotientScale(l.scale);
  const type = T.number(38, scale);
  const k = scale - l.scale + r.scale;
  // |a| < 10^la keeps both a · 10^s_a within a DECIMAL(38, s_a) and 2 · A · 10^k within a HUGEINT;
  // |b| < 10^lb keeps b · 10^s_b within a DECIMAL(38, s_b).
  const la = Math.min(38 - 2 * l.scale, HUGEINT_DIGITS - k - l.scale);
  const lb = 38 - 2 * r.scale;
  const pow = (n: number) => mk.cast(mk.string(`1${'0'.repeat(n)}`), 'HUGEINT');
  const args = [left, right, pow(l.scale), pow(r.scale), pow(Math.max(k, 0)), mk.number(`1e${scale}`), mk.number(`1e${Math.max(la, 0)}`), mk.number(`1e${Math.max(lb, 0)}`)];
  const exact = la > 0 && lb > 0 ? args : [...args.slice(0, 6), mk.number(0), mk.number(0)];
  const units = mk.fn('sf_div_units', exact);
  // The unscaled quotient back to scale S: an exact DECIMAL multiplication by 10^-S.
  const unit = mk.cast(mk.string(`0.${'0'.repeat(scale - 1)}1`), `DECIMAL(${scale + 1},${scale})`);
  return { node: mk.cast(mk.binary('mul', mk.cast(units, 'DECIMAL(38,0)'), unit), `DECIMAL(38,${scale})`), type };
}

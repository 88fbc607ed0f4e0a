/**
 * NUMBER / NUMBER as Snowflake computes it: exactly, rounded half away from zero to the quotient's
 * scale, max(s, min(s + 6, 12)). DuckDB divides DECIMALs as DOUBLEs, which keeps about 15 significant
 * digits, so `12345678901.23 / 7` would come out wrong in its last digits at scale 8.
 *
 * The quotient is computed on the operands' unscaled integers: `A · 10^k / B` with
 * `k = S - s_a + s_b`, rounded, then scaled back by a DECIMAL multiplication — on BIGINTs while the
 * operands are small enough (the common case), on HUGEINTs up to 38 digits, and as DOUBLEs beyond, as
 * before. Exactness costs time: `node --liftoff-only --import tsx bench/probes/number-division.ts`.
 */
import { T, type SfType } from '../types/snowflake-types.ts';
import { mk, type AstNode } from './ast.ts';

/** The scale of a NUMBER quotient whose dividend has scale `s`. */
export function quotientScale(s: number): number {
  return Math.max(s, Math.min(s + 6, 12));
}

/** Digits an unscaled operand may have for `2 · |A| · 10^k` to stay within a BIGINT, a HUGEINT. */
const BIGINT_DIGITS = 18;
const HUGEINT_DIGITS = 37;
/** Digits of an integer a DOUBLE holds exactly, with room for a multiplication's rounding. */
const DOUBLE_DIGITS = 15;

/** `left / right` for NUMBER operands of types `l` and `r`: NUMBER(38, S); a zero divisor is an error. */
export function numberQuotient(left: AstNode, right: AstNode, l: { scale: number }, r: { scale: number }): { node: AstNode; type: SfType } {
  const scale = quotientScale(l.scale);
  const type = T.number(38, scale);
  const k = scale - l.scale + r.scale;
  // |a| < 10^la keeps 2 · A · 10^k within the integer type (A = a · 10^s_a, at most `digits` digits
  // plus the factor 2), and a · 10^s_a within a DECIMAL(38, s_a); |b| < 10^lb does the same for b.
  const limits = (digits: number) => [Math.min(38 - 2 * l.scale, digits - k - l.scale), Math.min(38 - 2 * r.scale, digits - r.scale)].map((x) => Math.max(x, 0));
  // On BIGINTs the unscaled integers are read as round(a · 10^s) through a DOUBLE, exact below
  // 10^15 (< 2^52): DuckDB's DECIMAL arithmetic would go through HUGEINTs, about 60x slower.
  const [la1, lb1] = limits(BIGINT_DIGITS).map((x, i) => Math.min(x, Math.max(DOUBLE_DIGITS - (i === 0 ? l.scale : r.scale), 0)));
  const [la2, lb2] = limits(HUGEINT_DIGITS);
  const small = (n: number) => (n <= 17 ? mk.number(`1${'0'.repeat(n)}`) : mk.number(0));
  const huge = (n: number) => (n <= 37 ? mk.cast(mk.string(`1${'0'.repeat(n)}`), 'HUGEINT') : mk.number(0));
  const limit = (n: number) => mk.number(n > 0 ? `1e${n}` : '0');
  // The quotient's unit, 10^-S: multiplying the unscaled quotient by it is exact.
  const unit = mk.cast(mk.string(`0.${'0'.repeat(scale - 1)}1`), `DECIMAL(${scale + 1},${scale})`);
  const quotient = mk.fn('sf_div_scaled', [
    left,
    right,
    mk.number(`1e${l.scale}`),
    mk.number(`1e${r.scale}`),
    small(k),
    huge(l.scale),
    huge(r.scale),
    huge(k),
    mk.number(`1e${scale}`),
    limit(k <= 17 ? la1 : 0),
    limit(k <= 17 ? lb1 : 0),
    limit(k <= 37 ? la2 : 0),
    limit(k <= 37 ? lb2 : 0),
    unit,
  ]);
  return { node: mk.cast(quotient, `DECIMAL(38,${scale})`), type };
}

/**
 * Variables of Snowflake Scripting blocks: one frame per block (and per loop), looked up from the
 * innermost outwards. Scalars carry a Snowflake type; FOR loops bind row records; cursors,
 * RESULTSETs and declared exceptions live in the same name space.
 */
import { T, type SfType, type VariableValue } from '../../sql/index.ts';
import type { ResultSet } from '../results/result-set.ts';

export type Slot =
  | { kind: 'scalar'; type?: SfType; value: VariableValue }
  | { kind: 'row'; fields: Map<string, VariableValue> }
  | { kind: 'cursor'; query: string; rows?: ResultSet; position?: number }
  | { kind: 'resultset'; result?: ResultSet }
  | { kind: 'exception'; code: number; message: string };

export class Frame {
  private readonly slots = new Map<string, Slot>();

  constructor(readonly parent: Frame | undefined) {}

  declare(name: string, slot: Slot): void {
    this.slots.set(name.toUpperCase(), slot);
  }

  lookup(name: string): Slot | undefined {
    const key = name.toUpperCase();
    for (let f: Frame | undefined = this; f; f = f.parent) {
      const s = f.slots.get(key);
      if (s) return s;
    }
    return undefined;
  }

  /** The outermost frame (procedure arguments, SQLROWCOUNT and friends). */
  root(): Frame {
    let f: Frame = this;
    while (f.parent) f = f.parent;
    return f;
  }

  /** Sets a scalar in this frame (declaring it when absent). */
  set(name: string, value: VariableValue): void {
    this.slots.set(name.toUpperCase(), { kind: 'scalar', value });
  }

  /** What the translator sees: a scalar's value, or a field of a row variable. */
  value(name: string, field?: string): VariableValue | undefined {
    const slot = this.lookup(name);
    if (!slot) return undefined;
    if (field !== undefined) return slot.kind === 'row' ? slot.fields.get(field.toUpperCase()) : undefined;
    return slot.kind === 'scalar' ? slot.value : undefined;
  }
}

/**
 * A value assigned to a variable declared with a type takes that type (NUMBER text stays text;
 * the SQL translator casts literals by type). Untyped variables take the value's type.
 */
export function coerce(v: VariableValue, type: SfType | undefined): VariableValue {
  if (!type) return v;
  if (v.value === null) return { type, value: null };
  if (type.kind === 'NUMBER' || type.kind === 'FLOAT') return { type, value: typeof v.value === 'boolean' ? (v.value ? '1' : '0') : String(v.value) };
  if (type.kind === 'BOOLEAN') return { type, value: v.value === true || v.value === 'true' || v.value === 'TRUE' };
  if (type.kind === 'VARCHAR') return { type: T.varchar(), value: String(v.value) };
  return { type, value: v.value };
}

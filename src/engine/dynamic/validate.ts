/**
 * Checking, at CREATE, that a query the planner accepts really compiles into SQL DuckDB runs: the
 * whole incremental refresh is prepared once over empty change sets with every table built empty
 * (`WHERE false`), so every generated query is bound by DuckDB at no cost. A failure makes AUTO
 * choose FULL (with the reason) and INCREMENTAL fail, instead of the first refresh failing.
 */
import { filtersOnTime, SnowflakeError, Unsupported, type Block, type BoundQuery } from '../../sql/index.ts';
import type { ObjectEntry, SchemaEntry } from '../../storage/index.ts';
import type { Session } from '../session/session.ts';
import type { DynamicTableDef } from './dt-model.ts';
import { IncrementalRun } from './incremental.ts';
import { prepareIncremental } from './refresh.ts';

export async function validateIncremental(session: Session, schema: SchemaEntry, bound: BoundQuery, block: Block, columns: ObjectEntry['columns']): Promise<void> {
  const latest = session.engine.writes.latest;
  const versions = new Map([...bound.inputs.keys()].map((id) => [id, latest]));
  // With time filters, as if time had moved since a previous refresh: the flip terms compile too.
  const now = session.engine.clock.now().getTime();
  const times = filtersOnTime(block) ? { OLD: now - 1000, NEW: now } : undefined;
  const run = new IncrementalRun(session, schema, bound, new Set(bound.inputs.keys()), versions, versions, true, times);
  // A stand-in for the table being created: its columns, reading nothing.
  const object = { id: -1, columns, temporary: false } as unknown as ObjectEntry;
  const dt = { fullName: 'validation' } as DynamicTableDef;
  try {
    await run.prepareInputs();
    await prepareIncremental(run, block, dt, object, { dtId: -1, validFor: async () => false });
  } catch (e) {
    if (e instanceof Unsupported) throw e;
    const message = e instanceof SnowflakeError ? e.message.split('\n').pop() : e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new Unsupported(`the incremental plan does not compile (${message})`);
  } finally {
    await run.dispose();
  }
}

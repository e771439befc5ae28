import type { Table } from 'apache-arrow';
import type { SegmentModel } from '../model/model.js';
import type { EventResult } from './events.js';
import { adjustedRandIndexOf, normalizedMutualInfoOf, type Contingency } from './stability.js';
import type { StoredPeriod } from './store.js';

/** A numeric column as float64 (typed-array copies: a mapping function per row is ~10× slower). */
export function numbers(table: Table, column: string): Float64Array | undefined {
  const c = table.getChild(column);
  if (!c) return undefined;
  const values = c.toArray() as ArrayLike<number | bigint>;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    const out = new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = Number(values[i]);
    return out;
  }
  return values instanceof Float64Array ? values : new Float64Array(values as ArrayLike<number>);
}

/** This period, as the stability figures read it. */
export interface CurrentSide {
  asOf: string;
  segments: Table;
  model: SegmentModel;
  features: string[];
  sameSpace: boolean;
  customers: number;
  events: EventResult;
  /** PSI of each feature against the previous period (psi-bins.ts). */
  psi: Record<string, number>;
}

/** The previous period. */
export type PreviousSide = StoredPeriod;

/**
 * What the period's passes counted (period-passes.ts): the contingency table of raw segments on
 * the shared customers, the flips, and each published key's customers in both periods.
 */
export interface Tallies {
  contingency: Contingency;
  shared: number;
  gone: number;
  flipsRaw: number;
  flipsPublished: number;
  sizes: Map<number, number>;
  previousSizes: Map<number, number>;
}

/** stability.json's figures from the passes' tallies and the features' PSI. */
export function stabilityFigures(
  cur: CurrentSide,
  prev: PreviousSide,
  tallies: Tallies,
): Record<string, unknown> {
  const { contingency, shared, flipsRaw, flipsPublished, sizes, previousSizes } = tallies;
  const t = prev.model.tracking;
  const ev = cur.events;
  const dims = cur.model.centres[0]?.length ?? 0;
  const segments = [...ev.keys].map((key, c) => {
    const at = t.keys.indexOf(key);
    let drift: number | null = null;
    if (at >= 0 && cur.sameSpace) {
      let s = 0;
      for (let j = 0; j < dims; j++)
        s += (cur.model.centres[c][j] - prev.model.centres[at][j]) ** 2;
      drift = Math.sqrt(s);
    }
    const size = sizes.get(key) ?? 0;
    const before = at >= 0 ? (previousSizes.get(key) ?? 0) : 0;
    return {
      key,
      name: ev.names[c],
      size,
      previous_size: before,
      size_change: size - before,
      centre_drift: drift,
    };
  });
  return {
    as_of: cur.asOf,
    previous_as_of: prev.asOf,
    customers: cur.customers,
    shared_customers: shared,
    new_customers: cur.customers - shared,
    gone_customers: tallies.gone,
    adjusted_rand_index: adjustedRandIndexOf(contingency),
    normalized_mutual_info: normalizedMutualInfoOf(contingency),
    flip_rate_raw: shared > 0 ? flipsRaw / shared : 0,
    flip_rate_published: shared > 0 ? flipsPublished / shared : 0,
    events: Object.fromEntries(
      ['survived', 'split', 'absorbed', 'disappeared', 'emerged'].map((e) => [
        e,
        ev.events.filter((r) => r.event === e).length,
      ]),
    ),
    segments,
    psi: cur.psi,
  };
}

import type { Table } from 'apache-arrow';
import type { SegmentModel } from '../model/model.js';
import type { EventResult } from './events.js';
import {
  adjustedRandIndexOf,
  ContingencyBuilder,
  LabelNumbering,
  normalizedMutualInfoOf,
  populationStabilityIndex,
} from './stability.js';
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
  /** Raw and published stable key per customer (rows of `segments`). */
  raw: Int32Array;
  published: Int32Array;
  events: EventResult;
}

/** The previous period, with each current customer's row in it (−1: new customer). */
export interface PreviousSide extends StoredPeriod {
  row: Int32Array;
  raw: Int32Array;
  published: Int32Array;
}

/** Customers per key (keys ≥ 0, small): a dense count. */
function sizesByKey(keys: Int32Array): Map<number, number> {
  let max = -1;
  for (let i = 0; i < keys.length; i++) if (keys[i] > max) max = keys[i];
  const counts = new Float64Array(max + 1);
  for (let i = 0; i < keys.length; i++) counts[keys[i]]++;
  const out = new Map<number, number>();
  for (let k = 0; k <= max; k++) if (counts[k] > 0) out.set(k, counts[k]);
  return out;
}

/**
 * stability.json's figures, in one pass over the shared customers (the contingency table of raw
 * segments for ARI and NMI, both flip rates, who is gone) plus one pass per size count and per
 * PSI feature: no per-customer objects, no sort.
 */
export function stabilityFigures(cur: CurrentSide, prev: PreviousSide): Record<string, unknown> {
  const { row, raw: prevRaw, published: prevPublished } = prev;
  const { raw, published } = cur;
  const table = new ContingencyBuilder(LabelNumbering.of(prevRaw), LabelNumbering.of(raw));
  const present = new Uint8Array(prevPublished.length);
  let shared = 0;
  let flipsRaw = 0;
  let flipsPublished = 0;
  for (let i = 0; i < row.length; i++) {
    const r = row[i];
    if (r < 0) continue;
    shared++;
    present[r] = 1;
    const a = prevRaw[r];
    const b = raw[i];
    table.add(a, b);
    if (a !== b) flipsRaw++;
    if (prevPublished[r] !== published[i]) flipsPublished++;
  }
  let stillPresent = 0;
  for (let r = 0; r < present.length; r++) stillPresent += present[r];
  const contingency = table.table();
  const t = prev.model.tracking;
  const ev = cur.events;
  const sizes = sizesByKey(published);
  const previousSizes = sizesByKey(prevPublished);
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
  const psi: Record<string, number> = {};
  for (const f of cur.features) {
    const x = numbers(prev.customers, f);
    const y = numbers(cur.segments, f);
    if (x && y) psi[f] = populationStabilityIndex(x, y);
  }
  return {
    as_of: cur.asOf,
    previous_as_of: prev.asOf,
    customers: raw.length,
    shared_customers: shared,
    new_customers: raw.length - shared,
    gone_customers: present.length - stillPresent,
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
    psi,
  };
}

import { overlapShare, type Overlap } from './overlap.js';

/**
 * MONIC transitions (Spiliopoulou et al., 2006) between the previous period's segments and this
 * period's clusters. overlap(a, b) is the share of a's still-present customers that are now in b.
 * - survived: a is matched to b (Hungarian matching) and overlap(a, b) ≥ survival; b keeps a's
 *   stable key and name.
 * - split: a did not survive, at least two clusters b have overlap(a, b) ≥ split and together
 *   they hold ≥ survival of a; each such b that is not a survivor is a child recording a as parent.
 * - absorbed: a did not survive nor split, and some b holds overlap(a, b) ≥ survival (b being the
 *   survivor of another segment, or new).
 * - disappeared: none of the above.
 * - emerged: a cluster that is neither a survivor nor a split child.
 * Keys are never reused: new clusters take `nextKey`, `nextKey + 1`, … in cluster order.
 */
export type TrackEvent = 'survived' | 'split' | 'absorbed' | 'disappeared' | 'emerged';

export interface Thresholds {
  survival: number;
  split: number;
}

export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = { survival: 0.7, split: 0.3 };

export interface EventRow {
  event: TrackEvent;
  /** Previous segment's stable key, −1 for emerged. */
  fromKey: number;
  fromName: string;
  /** This period's segment key, −1 for disappeared. */
  toKey: number;
  toName: string;
  /** overlap(a, b), NaN where there is no pair. */
  overlap: number;
}

export interface EventResult {
  /** Stable key per new cluster (index = this period's cluster). */
  keys: Int32Array;
  names: string[];
  /** Parent's stable key for a split child, −1 otherwise. */
  parents: Int32Array;
  events: EventRow[];
  nextKey: number;
}

/** `name`, or `name 2`, `name 3`, … : the first not already in `taken`. */
export function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  for (let i = 2; ; i++) if (!taken.has(`${name} ${i}`)) return `${name} ${i}`;
}

export function trackEvents(
  prevKeys: Int32Array,
  prevNames: readonly string[],
  overlap: Overlap,
  match: Int32Array,
  proposedNames: readonly string[],
  nextKey: number,
  thresholds: Thresholds = DEFAULT_THRESHOLDS,
): EventResult {
  const { kPrev, kNew } = overlap;
  const keys = new Int32Array(kNew).fill(-1);
  const names: string[] = new Array<string>(kNew).fill('');
  const parents = new Int32Array(kNew).fill(-1);
  const survivorOf = new Int32Array(kPrev).fill(-1);
  for (let b = 0; b < kNew; b++) {
    const a = match[b];
    if (a >= 0 && overlapShare(overlap, a, b) >= thresholds.survival) {
      survivorOf[a] = b;
      keys[b] = prevKeys[a];
      names[b] = prevNames[a];
    }
  }
  const taken = new Set(names.filter((_, b) => keys[b] >= 0));
  const assign = (b: number): void => {
    if (keys[b] >= 0) return;
    keys[b] = nextKey++;
    names[b] = uniqueName(proposedNames[b], taken);
    taken.add(names[b]);
  };
  const pending: { a: number; event: TrackEvent; targets: number[] }[] = [];
  for (let a = 0; a < kPrev; a++) {
    if (survivorOf[a] >= 0) {
      pending.push({ a, event: 'survived', targets: [survivorOf[a]] });
      continue;
    }
    const parts: number[] = [];
    let held = 0;
    let best = -1;
    for (let b = 0; b < kNew; b++) {
      const o = overlapShare(overlap, a, b);
      if (o >= thresholds.split) {
        parts.push(b);
        held += o;
      }
      if (o >= thresholds.survival && (best < 0 || o > overlapShare(overlap, a, best))) best = b;
    }
    if (parts.length >= 2 && held >= thresholds.survival) {
      for (const b of parts) if (keys[b] < 0 && parents[b] < 0) parents[b] = prevKeys[a];
      pending.push({ a, event: 'split', targets: parts });
    } else if (best >= 0) pending.push({ a, event: 'absorbed', targets: [best] });
    else pending.push({ a, event: 'disappeared', targets: [] });
  }
  for (let b = 0; b < kNew; b++) assign(b);
  const events: EventRow[] = [];
  for (const { a, event, targets } of pending) {
    if (targets.length === 0)
      events.push({
        event,
        fromKey: prevKeys[a],
        fromName: prevNames[a],
        toKey: -1,
        toName: '',
        overlap: NaN,
      });
    for (const b of targets)
      events.push({
        event,
        fromKey: prevKeys[a],
        fromName: prevNames[a],
        toKey: keys[b],
        toName: names[b],
        overlap: overlapShare(overlap, a, b),
      });
  }
  for (let b = 0; b < kNew; b++)
    if (parents[b] < 0 && !pending.some((p) => p.event === 'survived' && p.targets[0] === b))
      events.push({
        event: 'emerged',
        fromKey: -1,
        fromName: '',
        toKey: keys[b],
        toName: names[b],
        overlap: NaN,
      });
  return { keys, names, parents, events, nextKey };
}

/** Stable keys and names of a first period: 0…k−1, names made unique. */
export function firstPeriod(proposedNames: readonly string[]): EventResult {
  const taken = new Set<string>();
  const names = proposedNames.map((n) => {
    const u = uniqueName(n, taken);
    taken.add(u);
    return u;
  });
  const keys = Int32Array.from(names, (_, i) => i);
  const events: EventRow[] = names.map((toName, b) => ({
    event: 'emerged' as const,
    fromKey: -1,
    fromName: '',
    toKey: b,
    toName,
    overlap: NaN,
  }));
  return {
    keys,
    names,
    parents: new Int32Array(names.length).fill(-1),
    events,
    nextKey: names.length,
  };
}

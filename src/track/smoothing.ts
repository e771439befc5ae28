/**
 * The smoothing rule (`confirmPeriods` N ≥ 1): a customer's published segment changes only after N
 * consecutive periods in the same new raw segment. A new customer is published in its raw segment
 * at once; a customer whose published segment is no longer live (it disappeared, split or was
 * absorbed) moves to its raw segment at once. Columnar: one entry per current customer.
 */
export interface PublishedState {
  published: Int32Array;
  /** The raw segment a customer is waiting to move to, −1 when none. */
  pending: Int32Array;
  pendingPeriods: Int32Array;
}

export function smooth(
  raw: Int32Array,
  prevRow: Int32Array,
  prev: PublishedState | undefined,
  liveKeys: ReadonlySet<number>,
  confirmPeriods: number,
): PublishedState {
  if (!Number.isInteger(confirmPeriods) || confirmPeriods < 1)
    throw new RangeError(`confirmPeriods=${confirmPeriods}; expected an integer ≥ 1`);
  const n = raw.length;
  // Liveness by lookup array (keys are small and ≥ 0): a Set lookup per customer cost more.
  let maxKey = -1;
  for (const key of liveKeys) if (key > maxKey) maxKey = key;
  const dense = maxKey < 1 << 24;
  const live = new Uint8Array(dense ? maxKey + 1 : 0);
  if (dense) for (const key of liveKeys) if (key >= 0) live[key] = 1;
  const isLive = (key: number): boolean =>
    dense ? key >= 0 && key <= maxKey && live[key] === 1 : liveKeys.has(key);
  const published = new Int32Array(n);
  const pending = new Int32Array(n).fill(-1);
  const pendingPeriods = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = prev ? prevRow[i] : -1;
    const was = r >= 0 && prev ? prev.published[r] : -1;
    if (r < 0 || !isLive(was) || raw[i] === was) {
      published[i] = r >= 0 && raw[i] === was ? was : raw[i];
      continue;
    }
    const periods = prev && prev.pending[r] === raw[i] ? prev.pendingPeriods[r] + 1 : 1;
    if (periods >= confirmPeriods) published[i] = raw[i];
    else {
      published[i] = was;
      pending[i] = raw[i];
      pendingPeriods[i] = periods;
    }
  }
  return { published, pending, pendingPeriods };
}

/**
 * The arithmetic of bench/shard-overhead.ts, kept apart so that a test can check it by hand:
 * per-iteration times from fits of two lengths, and the paper projection of a sharded k-means
 * iteration on many GPUs from the device's floors and the coordination overhead measured here.
 */

/** A fit's wall time and the iterations it ran. */
export interface TimedFit {
  wallMs: number;
  iterations: number;
}

/**
 * Milliseconds per iteration as the difference of two fits that differ only in their iteration
 * count: everything paid once (start-up, reading, sampling, seeding, loading shards, the final
 * labels pass) cancels, and what is left is the cost of one more Lloyd pass and its merge.
 */
export function marginalMsPerIteration(short: TimedFit, long: TimedFit): number {
  const extra = long.iterations - short.iterations;
  if (extra <= 0) {
    throw new Error(
      `the long fit ran ${long.iterations} iterations and the short one ${short.iterations}: nothing to difference (did a fit converge early?)`,
    );
  }
  return (long.wallMs - short.wallMs) / extra;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** What the projection assumes; every number is printed with the result. */
export interface ProjectionAssumptions {
  /** Rows of the whole dataset (2e9). */
  rows: number;
  /** Clustering features per row, float32 on the device: a row is 4·dims bytes. */
  dims: number;
  /** GPUs, one shard each (16). */
  shards: number;
  /** The device's read floor, TB/s (H200: 4.8, its HBM3e bandwidth). */
  readTBps: number;
  /** The device's fp32 rate without tensor cores, TFLOP/s (H200 SXM: 67). */
  fp32Tflops: number;
  /** A pass's time over its floor, max(read floor, compute floor): 2 is the device check's bar. */
  floorRatio: number;
  /** GPU memory, bytes (H200: 141 GB), to say whether a shard stays resident. */
  deviceBytes: number;
  /** The Redis host's network, Gb/s: the statistics of every shard and the centres cross it. */
  linkGbps: number;
  /** Network round trips a BullMQ pass adds on the critical path beyond loopback, and their time. */
  networkMs: number;
  /** Per-node read rate of the shard volume, GB/s: the one-time load of a shard. */
  volumeGBps: number;
}

export const H200_16: ProjectionAssumptions = {
  rows: 2e9,
  dims: 16,
  shards: 16,
  readTBps: 4.8,
  fp32Tflops: 67,
  floorRatio: 2,
  deviceBytes: 141e9,
  linkGbps: 10,
  networkMs: 1,
  volumeGBps: 2,
};

export interface Projection {
  k: number;
  rowsPerShard: number;
  rowBytes: number;
  shardBytes: number;
  resident: boolean;
  /** One read of the shard's rows at the read floor. */
  readFloorMs: number;
  /** 2·rows·K·D flops (the distances' products) at the fp32 rate. */
  computeFloorMs: number;
  /** floorRatio × max(read floor, compute floor). */
  passMs: number;
  /** Statistics one shard returns each iteration (K×D sums, K counts, inertia; float64). */
  statsBytesPerShard: number;
  /** The centres sent to every shard each iteration (K×D, float64). */
  centreBytes: number;
  /** Every shard's statistics and centres through the Redis host's link. */
  transferMs: number;
  /** The coordination overhead measured on loopback here, per iteration. */
  measuredOverheadMs: number;
  /** measured overhead + transfer + the network allowance. */
  overheadMs: number;
  /** passMs + overheadMs: the shards run their passes at the same time. */
  iterationMs: number;
  /** The shard read once from its volume when the worker starts. */
  loadSeconds: number;
}

export function project(
  a: ProjectionAssumptions,
  k: number,
  measuredOverheadMs: number,
): Projection {
  const rowsPerShard = Math.ceil(a.rows / a.shards);
  const rowBytes = 4 * a.dims;
  const shardBytes = rowsPerShard * rowBytes;
  const readFloorMs = (shardBytes / (a.readTBps * 1e12)) * 1e3;
  const computeFloorMs = ((2 * rowsPerShard * k * a.dims) / (a.fp32Tflops * 1e12)) * 1e3;
  const passMs = a.floorRatio * Math.max(readFloorMs, computeFloorMs);
  const statsBytesPerShard = (k * a.dims + k + 1) * 8;
  const centreBytes = k * a.dims * 8;
  const transferMs =
    ((a.shards * (statsBytesPerShard + centreBytes) * 8) / (a.linkGbps * 1e9)) * 1e3;
  const overheadMs = measuredOverheadMs + transferMs + a.networkMs;
  return {
    k,
    rowsPerShard,
    rowBytes,
    shardBytes,
    resident: shardBytes <= a.deviceBytes,
    readFloorMs,
    computeFloorMs,
    passMs,
    statsBytesPerShard,
    centreBytes,
    transferMs,
    measuredOverheadMs,
    overheadMs,
    iterationMs: passMs + overheadMs,
    loadSeconds: shardBytes / (a.volumeGBps * 1e9),
  };
}

/** The projection as text, with its assumptions. */
export function projectionText(a: ProjectionAssumptions, projections: Projection[]): string {
  const lines = [
    `Paper projection: ${a.rows.toExponential(1)} rows × ${a.dims} float32 features (${4 * a.dims} bytes a row) on ${a.shards} GPUs, one shard each`,
    `assumed: read floor ${a.readTBps} TB/s, fp32 ${a.fp32Tflops} TFLOP/s, a pass at ${a.floorRatio}× max(read floor, compute floor), ` +
      `Redis link ${a.linkGbps} Gb/s, ${a.networkMs} ms of network round trips per iteration beyond loopback, shard volume ${a.volumeGBps} GB/s a node`,
  ];
  for (const p of projections) {
    lines.push(
      `K=${p.k}: shard ${(p.rowsPerShard / 1e6).toFixed(0)}M rows = ${(p.shardBytes / 1e9).toFixed(1)} GB (${p.resident ? 'GPU resident' : 'NOT resident: out of core'}), ` +
        `read floor ${p.readFloorMs.toFixed(2)} ms, compute floor ${p.computeFloorMs.toFixed(2)} ms → pass ${p.passMs.toFixed(2)} ms; ` +
        `overhead ${p.overheadMs.toFixed(2)} ms (measured ${p.measuredOverheadMs.toFixed(2)} + transfer ${p.transferMs.toFixed(2)} + network ${(p.overheadMs - p.measuredOverheadMs - p.transferMs).toFixed(2)}) → ` +
        `${p.iterationMs.toFixed(2)} ms an iteration (${(100 * (p.overheadMs / p.iterationMs)).toFixed(0)}% coordination); shard load ${p.loadSeconds.toFixed(1)} s once`,
    );
  }
  return lines.join('\n');
}

import type { LloydSummary } from '../backend.js';
import {
  BOUNDED_MAX_FAILING,
  boundedSummary,
  centreGeometry,
  predictedFailing,
  sumOfSquares,
  type BoundState,
  type CentreGeometry,
} from './bounded-state.js';
import type { CpuDataset } from './cpu-dataset.js';
import { boundedLloydKernelSource } from './kernel-source.js';
import type { BlockJob } from './run-block.js';
import { wasmBoundedSpec } from './wasm-specs.js';
import { yinyangKernelSource } from './yinyang-source.js';
import {
  addDrift,
  groupCentres,
  groupCount,
  predictedYinyangShare,
  type YinyangState,
} from './yinyang-groups.js';

/**
 * The Lloyd steps that skip work with bounds, between the CPU backend's full passes (which leave
 * the bounds, cpu-backend.ts): from yinyangMinK centres Yinyang steps (group bounds,
 * yinyang-kernel.ts), below it Hamerly's (one lower bound per row, kernel-source.ts). Both give
 * the full pass's labels, changed count and counts; the sums and counts are kept up to date by the
 * rows that move (bounded-state.ts, boundedSummary). Each is taken only where a sample predicts
 * that it pays; else the caller runs a full pass.
 */
export type BoundedKind = 'hamerly' | 'yinyang';

export async function boundedLloydStep(
  ds: CpuDataset,
  b: BoundState,
  centres: Float32Array,
  yinyang: { minK: number; maxShare: number },
  run: (job: BlockJob) => Promise<Float64Array[]>,
): Promise<{ summary: LloydSummary; kind: BoundedKind } | undefined> {
  const { k } = b;
  const d = ds.dims;
  const g = centreGeometry(centres, b.centres, k, d);
  let partials: Float64Array[];
  let kind: BoundedKind;
  if (k >= yinyang.minK) {
    const y = yinyangState(ds, b);
    addDrift(y, g.shift);
    // Else a full pass follows, which starts the running sums again (cpu-backend.ts).
    if (predictedYinyangShare(ds.labels, b.upper, b.lower, y, g.half) > yinyang.maxShare)
      return undefined;
    partials = await run(yinyangJob(ds, b, y, centres, g));
    y.fresh = false;
    kind = 'yinyang';
  } else {
    if (predictedFailing(ds.labels, b, g) > BOUNDED_MAX_FAILING) return undefined;
    partials = await run({
      call: 'bounded',
      kernel: boundedLloydKernelSource(k, d),
      k,
      C: centres,
      labels: ds.labels,
      U: b.upper,
      Lo: b.lower,
      ...g,
      accLength: k * d + k + 2,
      // Bounded steps follow SIMD full passes only (useWasm).
      wasmBounded: ds.kmem ? await wasmBoundedSpec(k, d) : undefined,
    });
    kind = 'hamerly';
  }
  ds.sumSquares ??= sumOfSquares(ds.matrix);
  return { summary: boundedSummary(b, partials, centres, d, ds.sumSquares), kind };
}

/** The dataset's Yinyang state for this K: made (groups and bounds) on the first use in a fit. */
function yinyangState(ds: CpuDataset, b: BoundState): YinyangState {
  if (ds.yinyang?.k !== b.k) {
    const groups = groupCentres(b.centres, b.k, ds.dims, groupCount(b.k, ds.dims));
    const bytes = Math.max(4, ds.rows * groups.t * 4);
    ds.yinyang = {
      k: b.k,
      groups,
      G: new Float32Array(new SharedArrayBuffer(bytes), 0, ds.rows * groups.t),
      fresh: true,
      cumC: new Float64Array(b.k),
      cumG: new Float64Array(groups.t),
      cumMax: 0,
    };
  }
  return ds.yinyang;
}

function yinyangJob(
  ds: CpuDataset,
  b: BoundState,
  y: YinyangState,
  centres: Float32Array,
  g: CentreGeometry,
): BlockJob {
  return {
    call: 'yinyang',
    kernel: yinyangKernelSource(b.k, ds.dims),
    args: {
      k: b.k,
      t: y.groups.t,
      C: Float64Array.from(centres),
      labels: ds.labels,
      U: b.upper,
      Lo: b.lower,
      G: y.G,
      fresh: y.fresh,
      groupOf: y.groups.groupOf,
      groupStart: y.groups.groupStart,
      members: y.groups.members,
      cumC: y.cumC,
      cumG: y.cumG,
      cumMax: y.cumMax,
      half: g.half,
    },
    accLength: b.k * ds.dims + b.k + 2,
  };
}

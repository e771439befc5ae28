/**
 * The CPU kernels' signatures: the generated JavaScript kernels (kernel-source.ts), their plain
 * TypeScript twins (generic-kernels.ts) and the WebAssembly drivers (wasm-*-driver.ts) all take
 * these arguments, so that a job can run on any of them. Each works on rows [i0, i1) of a
 * column-major float32 matrix X of n rows; see kernel-source.ts for each contract.
 */
export type LloydKernel = (
  X: Float32Array,
  n: number,
  i0: number,
  i1: number,
  C: Float32Array,
  labels: Int32Array,
  sqd: Float32Array | null,
  acc: Float64Array | null,
  ub: Float32Array | null,
  lb: Float32Array | null,
) => unknown;

export type BoundedKernel = (
  X: Float32Array,
  n: number,
  i0: number,
  i1: number,
  C: Float32Array,
  labels: Int32Array,
  U: Float32Array,
  Lo: Float32Array,
  shift: Float64Array,
  far: number,
  nextFar: number,
  farthest: number,
  half: Float64Array,
  acc: Float64Array,
) => unknown;

export type SeedMinDistKernel = (
  X: Float32Array,
  n: number,
  i0: number,
  i1: number,
  C: Float32Array,
  count: number,
  minDist: Float32Array,
  reset: boolean,
  blockSums: Float64Array,
  blockRows: number,
) => unknown;

export type SeedPotentialsKernel = (
  X: Float32Array,
  n: number,
  i0: number,
  i1: number,
  cands: Float32Array,
  L: number,
  minDist: Float32Array,
  out: Float64Array,
) => unknown;

export type GmmKernel = (
  X: Float32Array,
  n: number,
  i0: number,
  i1: number,
  M: Float32Array,
  P: Float32Array,
  B: Float32Array,
  acc: Float64Array | null,
  labels: Int32Array | null,
  maxProb: Float32Array | null,
  probs: Float32Array | null,
  out: Float64Array,
) => unknown;

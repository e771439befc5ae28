/**
 * The dataset of bench/algorithms-vs-sklearn.ts: Gaussian blobs with a little uniform noise,
 * written once per size as a raw float32 file, column-major (feature by feature, as gpuseg's
 * matrices are held), which the gpuseg side and bench/sklearn_algorithms.py both read.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { allocateMatrix, type DataMatrix } from '../src/data/matrix.js';
import { Rng } from '../src/util/rng.js';

export interface BlobSpec {
  rows: number;
  dims: number;
  /** Blobs (the bench clusters into as many). */
  blobs: number;
  /** Share of the rows drawn uniformly over the box instead of from a blob. */
  noise: number;
  seed: number;
}

/** Half the side of the box the blob centres are drawn in. */
const CENTRE_BOX = 10;
/** Half the side of the box noise rows are drawn in (a little wider than the centres'). */
const NOISE_BOX = 15;

/**
 * `blobs` centres uniform in [−10, 10]^D, each row from blob i mod blobs with σ 1 per axis (so
 * blobs have equal rows), or with probability `noise` uniform in [−15, 15]^D.
 */
export function blobMatrix(spec: BlobSpec): DataMatrix {
  const { rows: n, dims: d } = spec;
  const rng = new Rng(spec.seed);
  const centres = Array.from({ length: spec.blobs }, () =>
    Array.from({ length: d }, () => (rng.nextDouble() * 2 - 1) * CENTRE_BOX),
  );
  const gauss = (): number =>
    Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
  const m = allocateMatrix(
    n,
    Array.from({ length: d }, (_, f) => `f${f}`),
  );
  for (let i = 0; i < n; i++) {
    const noise = rng.nextDouble() < spec.noise;
    const centre = centres[i % spec.blobs];
    for (let f = 0; f < d; f++)
      m.data[f * n + i] = noise ? (rng.nextDouble() * 2 - 1) * NOISE_BOX : centre[f] + gauss();
  }
  return m;
}

/** Writes the matrix's float32 values, column-major, with no header. */
export function writeMatrix(path: string, m: DataMatrix): void {
  writeFileSync(path, m.data.subarray(0, m.rows * m.dims));
}

/** Reads a file written by writeMatrix back into a matrix of `rows` × `dims`. */
export function readMatrix(path: string, rows: number, dims: number): DataMatrix {
  const bytes = readFileSync(path);
  if (bytes.byteLength !== rows * dims * 4)
    throw new Error(`${path}: ${bytes.byteLength} bytes, expected ${rows} × ${dims} float32`);
  const m = allocateMatrix(
    rows,
    Array.from({ length: dims }, (_, f) => `f${f}`),
  );
  m.data.set(new Float32Array(bytes.buffer, bytes.byteOffset, rows * dims));
  return m;
}

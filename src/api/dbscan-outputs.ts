import { Float32, Int32, makeData, makeVector, Table, type Utf8, type Vector } from 'apache-arrow';
import type { Profiles } from '../segment/profile.js';
import { NOISE_SEGMENT, NOISE_SEGMENT_NAME } from '../model/dbscan-model.js';
import { rowNumbers } from './assignments.js';
import { segmentNameColumn } from './describe.js';

/**
 * The outputs of a DBSCAN fit or predict, where noise rows are segment −1 ("Unusual") with a null
 * distance — the documented exception to segment ids 0 … k − 1 (README, DBSCAN).
 */

/** Labels with noise moved to segment k, for code that counts segments 0 … k (profiles, names). */
export function noiseAsLastSegment(labels: Int32Array, k: number): Int32Array {
  return Int32Array.from(labels, (l) => (l < 0 ? k : l));
}

/** Profiles computed with noise as segment k: that segment becomes −1, "Unusual". */
export function markNoiseProfile(profiles: Profiles, k: number): void {
  const noise = profiles.segments[k];
  if (noise) {
    noise.segment = NOISE_SEGMENT;
    noise.name = NOISE_SEGMENT_NAME;
  }
}

/** Names of the clusters and, last, of the noise (for segment_name columns built from noiseAsLastSegment). */
export function namesWithNoise(names: readonly string[] | undefined, k: number): string[] {
  return [...(names ?? Array.from({ length: k }, (_, c) => `Segment ${c}`)), NOISE_SEGMENT_NAME];
}

/**
 * id (or row), segment_id (−1 for noise), segment_name, distance (Euclidean, to the cluster's
 * mean in the clustering space; null for noise). A chunk of a file numbers its rows from
 * `rowNumbering.first` (their type chosen by the file's total) and shares one name `dictionary`.
 */
export function densityTable(
  input: Table,
  idColumn: string | undefined,
  labels: Int32Array,
  distances: Float32Array,
  names: readonly string[],
  rowNumbering = { first: 0, total: labels.length },
  dictionary?: Vector<Utf8>,
): Table {
  const n = labels.length;
  const k = names.length - 1;
  const columns: Record<string, Vector> = {};
  if (idColumn !== undefined) columns[idColumn] = input.getChild(idColumn)!;
  else columns.row = rowNumbers(rowNumbering.first, n, rowNumbering.total);
  columns.segment_id = makeVector({ type: new Int32(), data: labels });
  columns.segment_name = segmentNameColumn(noiseAsLastSegment(labels, k), names, dictionary);
  const valid = new Uint8Array(Math.ceil(n / 8));
  let nulls = 0;
  for (let i = 0; i < n; i++)
    if (labels[i] >= 0) valid[i >> 3] |= 1 << (i & 7);
    else nulls++;
  columns.distance = makeVector(
    makeData({
      type: new Float32(),
      length: n,
      nullCount: nulls,
      nullBitmap: nulls > 0 ? valid : undefined,
      data: distances,
    }),
  );
  return new Table(columns);
}

/** Each cluster's mean (k×d, float64 sums) and each member's distance to it (NaN for noise). */
export function clusterMeans(
  data: Float32Array,
  rows: number,
  dims: number,
  labels: Int32Array,
  k: number,
): { centres: Float32Array; distances: Float32Array } {
  const sums = new Float64Array(k * dims);
  const counts = new Float64Array(k);
  for (let i = 0; i < rows; i++) {
    const c = labels[i];
    if (c < 0) continue;
    counts[c]++;
    for (let f = 0; f < dims; f++) sums[c * dims + f] += data[f * rows + i];
  }
  const centres = Float32Array.from(sums, (s, j) => s / counts[Math.floor(j / dims)]);
  const distances = new Float32Array(rows);
  for (let i = 0; i < rows; i++) {
    const c = labels[i];
    if (c < 0) {
      distances[i] = NaN;
      continue;
    }
    let s = 0;
    for (let f = 0; f < dims; f++) s += (data[f * rows + i] - centres[c * dims + f]) ** 2;
    distances[i] = Math.sqrt(s);
  }
  return { centres, distances };
}

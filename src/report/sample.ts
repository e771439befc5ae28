import type { Table } from 'apache-arrow';
import { readsDirectly, type NumericValues } from '../data/column-pieces.js';
import { chunkToFloat64 } from '../data/to-matrix.js';
import type { DataMatrix } from '../data/matrix.js';
import { symmetricEigen } from '../prep/eigen.js';
import { applyPreprocessing, type Preprocessing } from '../prep/preprocess.js';
import { poolIndex, type RowPool } from '../segment/row-pool.js';
import {
  REPORT_SAMPLE_ROWS,
  SAMPLE_POOL_ROWS,
  sampleRows,
  type RowLabels,
  type SampledRows,
} from './sample-rows.js';

export {
  REPORT_SAMPLE_ROWS,
  rowLabels,
  sampleQuotas,
  sampleRows,
  stratifiedRows,
  type RowLabels,
} from './sample-rows.js';

/**
 * The rows a report draws per-customer pictures from (box plots, the projection, the R×F grid): a
 * stratified sample of at most `REPORT_SAMPLE_ROWS` rows, every segment represented, the rest in
 * proportion to size (sample-rows.ts: chosen from a bounded pool of labels, never a pass over the
 * rows). Each row carries a weight (the customers it stands for) so that estimates over the whole
 * population stay unbiased. Column values are read for the sampled rows alone.
 */
export interface ReportSample extends SampledRows {
  /** Values in original units, by column (NaN where missing). */
  values: Map<string, Float64Array>;
  /** Sampled rows in the clustering space, row-major (rows × dims). */
  clustering: Float64Array;
  dims: number;
}

/**
 * The values of `column` at the given rows (ascending), as float64; nulls are NaN. Walks the
 * column's chunks once, reading only the sampled rows: values as they are where a chunk can be
 * read so (column-pieces.ts), else a one-row slice converted as the profiles convert it.
 */
export function gatherColumn(table: Table, column: string, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  const one = new Float64Array(1);
  let s = 0;
  let start = 0;
  for (const chunk of table.getChild(column)!.data) {
    const end = start + chunk.length;
    if (s < rows.length && rows[s] < end) {
      const direct = readsDirectly(chunk) ? (chunk.values as NumericValues) : undefined;
      for (; s < rows.length && rows[s] < end; s++) {
        const at = rows[s] - start;
        out[s] = direct ? direct[at] : chunkToFloat64(chunk.slice(at, 1), column, one)[0];
      }
    }
    start = end;
  }
  return out;
}

/** Labels read from the pool at its rows, elsewhere (a small segment's scan) from `labels`. */
function pooledLabels(labels: RowLabels, poolLabels: Int32Array): RowLabels {
  const n = labels.length;
  const p = poolLabels.length;
  return {
    length: n,
    at: (row) => {
      const t = poolIndex(row, n, p);
      return t >= 0 ? poolLabels[t] : labels.at(row);
    },
  };
}

/** gatherColumn, the pool rows' values (at[i]: row i's place in the pool) taken from the pool. */
function pooledColumn(
  table: Table,
  column: string,
  rows: Int32Array,
  at: Int32Array,
  poolValues: Float64Array,
): Float64Array {
  const out = new Float64Array(rows.length);
  const elsewhere: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (at[i] >= 0) out[i] = poolValues[at[i]];
    else elsewhere.push(i);
  }
  if (elsewhere.length > 0) {
    const read = gatherColumn(
      table,
      column,
      Int32Array.from(elsewhere, (i) => rows[i]),
    );
    elsewhere.forEach((i, j) => (out[i] = read[j]));
  }
  return out;
}

/** Builds the sample: columns in original units, and the features through the model's preprocessing. */
export function buildSample(
  table: Table,
  labels: RowLabels,
  sizes: readonly number[],
  columns: readonly string[],
  features: readonly string[],
  prep: Preprocessing | null,
  pool?: RowPool,
): ReportSample {
  // The profiles' pool (segment/row-pool.ts), where it holds this table's pool rows.
  const poolSize = Math.min(labels.length, SAMPLE_POOL_ROWS);
  const kept = pool?.poolLabels.length === poolSize ? pool : undefined;
  const picked = kept
    ? sampleRows(
        pooledLabels(labels, kept.poolLabels),
        sizes,
        REPORT_SAMPLE_ROWS,
        SAMPLE_POOL_ROWS,
        kept.poolLabels,
      )
    : sampleRows(labels, sizes);
  // Where each sampled row is in the pool (−1: not a pool row), found once for every column.
  const at = kept && Int32Array.from(picked.rows, (row) => poolIndex(row, labels.length, poolSize));
  const values = new Map<string, Float64Array>();
  for (const c of new Set([...columns, ...features])) {
    const inPool = kept?.values.get(c);
    values.set(
      c,
      inPool && at
        ? pooledColumn(table, c, picked.rows, at, inPool)
        : gatherColumn(table, c, picked.rows),
    );
  }
  const n = picked.rows.length;
  const data = new Float32Array(n * features.length);
  features.forEach((f, j) => data.set(values.get(f)!, j * n));
  const matrix: DataMatrix = { rows: n, dims: features.length, features, data };
  const plain = (rows: number, names: readonly string[]): DataMatrix => ({
    rows,
    dims: names.length,
    features: names,
    data: new Float32Array(rows * names.length),
  });
  const space = prep ? applyPreprocessing(prep, matrix, plain) : matrix;
  const dims = space.dims;
  const clustering = new Float64Array(n * dims);
  for (let j = 0; j < dims; j++)
    for (let i = 0; i < n; i++) clustering[i * dims + j] = space.data[j * n + i];
  return { ...picked, values, clustering, dims };
}

export interface Projection {
  /** Sampled rows on the first two principal components of the sample. */
  x: Float64Array;
  y: Float64Array;
  /** Centres on the same axes. */
  centres: [number, number][];
  /** Share of the sample's variance along each axis. */
  explained: [number, number];
}

/** A 2-D PCA projection of the sample (clustering space) and the centres; one axis when dims = 1. */
export function projectSample(sample: ReportSample, centres: readonly number[][]): Projection {
  const { dims, clustering } = sample;
  const n = sample.rows.length;
  const mean = new Float64Array(dims);
  for (let i = 0; i < n; i++) for (let j = 0; j < dims; j++) mean[j] += clustering[i * dims + j];
  for (let j = 0; j < dims; j++) mean[j] /= Math.max(n, 1);
  const cov = new Float64Array(dims * dims);
  for (let i = 0; i < n; i++)
    for (let a = 0; a < dims; a++) {
      const da = clustering[i * dims + a] - mean[a];
      for (let b = a; b < dims; b++) cov[a * dims + b] += da * (clustering[i * dims + b] - mean[b]);
    }
  for (let a = 0; a < dims; a++)
    for (let b = a; b < dims; b++) cov[b * dims + a] = cov[a * dims + b] /= Math.max(n - 1, 1);
  const { values, vectors } = symmetricEigen(cov, dims);
  const total = values.reduce((s, v) => s + Math.max(v, 0), 0);
  const axis = (p: number, row: ArrayLike<number>, at: number): number => {
    if (p >= dims) return 0;
    let s = 0;
    for (let j = 0; j < dims; j++) s += (row[at + j] - mean[j]) * vectors[p * dims + j];
    return s;
  };
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = axis(0, clustering, i * dims);
    y[i] = axis(1, clustering, i * dims);
  }
  const share = (p: number): number => (p < dims && total > 0 ? Math.max(values[p], 0) / total : 0);
  return {
    x,
    y,
    centres: centres.map((c) => [axis(0, c, 0), axis(1, c, 0)]),
    explained: [share(0), share(1)],
  };
}

/** Euclidean distances between centres (clustering space), K×K. */
export function centreDistances(centres: readonly number[][]): number[][] {
  return centres.map((a) => centres.map((b) => Math.hypot(...a.map((v, j) => v - b[j]))));
}

/**
 * Sampled rows whose label is not their nearest centre, leaving out near ties (float32 rounding
 * can decide those either way): a k-means model and segments from the same run have none.
 */
export function rowsNearerAnotherCentre(
  sample: ReportSample,
  centres: readonly number[][],
): number {
  const { dims, clustering } = sample;
  let wrong = 0;
  sample.labels.forEach((label, i) => {
    const d = centres.map((c) => {
      let s = 0;
      for (let j = 0; j < dims; j++) s += (clustering[i * dims + j] - c[j]) ** 2;
      return s;
    });
    const best = Math.min(...d);
    if (d[label] > best + 1e-3 * (1 + best)) wrong++;
  });
  return wrong;
}

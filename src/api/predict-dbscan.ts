import type { Table } from 'apache-arrow';
import { sortRows } from '../algo/sorted-rows.js';
import { allocateMatrix, type DataMatrix } from '../data/matrix.js';
import type { DbscanModel } from '../model/dbscan-model.js';
import { openChunkWriter } from '../io/batch-writer.js';
import type { OutputSet } from '../util/atomic-write.js';
import { densityTable, namesWithNoise } from './dbscan-outputs.js';
import { segmentNameDictionary } from './describe.js';
import type { FileChunks } from './file-chunks.js';

/**
 * predict for a DBSCAN model, the usual DBSCAN-predict rule: a new row joins the cluster of its
 * nearest core row within eps (float64 distance, ties to the earlier core row), else it is noise
 * (−1, "Unusual", null distance). A training row therefore gets its fit label back when it is a
 * core row; a border row gets its nearest core row's cluster, which may differ from the fit's
 * rule (the first cluster to reach it) when it borders two clusters. Computed on the host: the
 * core rows are sorted along their widest axis and each row is compared with those within eps on
 * that axis.
 */
export function predictDbscanRows(
  matrix: DataMatrix,
  model: DbscanModel,
): { labels: Int32Array; distances: Float32Array } {
  return dbscanScorer(model, matrix.features)(matrix);
}

/**
 * predictDbscanRows for many blocks of rows (a file's chunks): the core rows sorted once. Each
 * row's answer depends on that row alone, so blocks give what the whole table gives.
 */
export function dbscanScorer(
  model: DbscanModel,
  features: readonly string[],
): (matrix: DataMatrix) => { labels: Int32Array; distances: Float32Array } {
  const cores = allocateMatrix(model.corePoints.length, [...features]);
  const nc = cores.rows;
  model.corePoints.forEach((p, i) => p.forEach((v, f) => (cores.data[f * nc + i] = v)));
  const sorted = sortRows(cores);
  const axis = sorted.axis;
  const eps2 = model.eps * model.eps;
  const reach = model.eps * (1 + 1e-9);
  const C = sorted.matrix.data;
  return (matrix) => {
    const n = matrix.rows;
    const d = matrix.dims;
    const labels = new Int32Array(n).fill(-1);
    const distances = new Float32Array(n).fill(Number.NaN);
    const X = matrix.data;
    for (let i = 0; i < n; i++) {
      const v = X[axis * n + i];
      let best = -1;
      let bestD2 = Infinity;
      for (let r = lowerBound(sorted.axisValues, v - reach); r < nc; r++) {
        if (sorted.axisValues[r] > v + reach) break;
        // Partial sums of squares only grow (in float64 too), so a core row is dropped once its
        // sum passes the best one so far (or eps²): the same row wins, ties included.
        const limit = bestD2 < eps2 ? bestD2 : eps2;
        let s = 0;
        for (let f = 0; f < d && s <= limit; f++) {
          const diff = X[f * n + i] - C[f * nc + r];
          s += diff * diff;
        }
        if (s > limit) continue;
        const original = sorted.perm[r];
        if (s <= eps2 && (s < bestD2 || (s === bestD2 && original < sorted.perm[best])))
          [best, bestD2] = [r, s];
      }
      if (best < 0) continue;
      const c = model.coreLabels[sorted.perm[best]];
      labels[i] = c;
      let s = 0;
      for (let f = 0; f < d; f++) s += (X[f * n + i] - model.centres[c][f]) ** 2;
      distances[i] = Math.sqrt(s);
    }
    return { labels, distances };
  };
}

function lowerBound(values: Float32Array, v: number): number {
  let a = 0;
  let b = values.length;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if (values[mid] < v) a = mid + 1;
    else b = mid;
  }
  return a;
}

/** The assignments table of a DBSCAN predict. */
export function predictDbscanTable(
  table: Table,
  id: string | undefined,
  labels: Int32Array,
  distances: Float32Array,
  model: DbscanModel,
): Table {
  return densityTable(table, id, labels, distances, namesWithNoise(model.segmentNames, model.k));
}

/**
 * predict out of core for a DBSCAN model: the file's chunks scored in order on this thread (the
 * rule is the host's, as in memory; no backend is opened) and, with `output`, written as they go,
 * with the columns of predict in memory (row numbers counted over the whole file, one
 * segment_name dictionary for every chunk). Returns the rows per cluster and the noise rows.
 */
export async function predictDbscanChunks(
  chunks: FileChunks,
  model: DbscanModel,
  id: string | undefined,
  rows: number,
  output: { path: string; outputs: OutputSet | undefined } | undefined,
): Promise<{ sizes: number[]; noise: number; chunks: number }> {
  const sizes = new Array<number>(model.k).fill(0);
  let noise = 0;
  const names = namesWithNoise(model.segmentNames, model.k);
  const dictionary = segmentNameDictionary(names);
  let score: ReturnType<typeof dbscanScorer> | undefined;
  const writer = output && openChunkWriter(output.path, { option: 'output' }, output.outputs);
  try {
    await chunks.hostPass(async (matrix, table, firstRow) => {
      score ??= dbscanScorer(model, matrix.features);
      const { labels, distances } = score(matrix);
      for (const l of labels)
        if (l < 0) noise++;
        else sizes[l]++;
      await writer?.write(
        densityTable(
          table,
          id,
          labels,
          distances,
          names,
          { first: firstRow, total: rows },
          dictionary,
        ),
      );
    });
    await writer?.commit();
  } catch (error) {
    writer?.abort();
    throw error;
  }
  return { sizes, noise, chunks: chunks.chunksPerPass };
}

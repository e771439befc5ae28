import type { Table } from 'apache-arrow';
import { coreRows, type CoreRows } from '../algo/dbscan-cores.js';
import {
  backendCores,
  backendDbscanLabels,
  backendPays,
  hostDbscanLabels,
  type BackendCores,
  type DbscanPredictStats,
} from '../algo/dbscan-predict.js';
import type { Backend } from '../backend/backend.js';
import type { DataMatrix } from '../data/matrix.js';
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
 * rule (the first cluster to reach it) when it borders two clusters. The labels are those of the
 * direct search (algo/dbscan-cores.ts) on every path: the host's search over the core rows within
 * eps on a sorted axis, or backend assignment passes against the core rows with the rows they
 * cannot settle decided by that search (algo/dbscan-predict.ts, which picks the path).
 */
export async function predictDbscanRows(
  matrix: DataMatrix,
  model: DbscanModel,
  open: () => Promise<Backend>,
): Promise<{ labels: Int32Array; distances: Float32Array; ran: DbscanRan }> {
  const predictor = new DbscanPredictor(model, matrix.features, open);
  try {
    return { ...(await predictor.score(matrix)), ran: predictor.ran };
  } finally {
    await predictor.dispose();
  }
}

/** Where a DBSCAN predict ran: a backend's kind and device, or "cpu", "host" when it opened none. */
export interface DbscanRan {
  backend: Backend['kind'];
  device: string;
}

/**
 * predictDbscanRows for many blocks of rows (a file's chunks): the core rows prepared once, the
 * backend opened (`open`) when a block first takes the backend path. Each row's answer depends
 * on that row alone, so blocks give what the whole table gives, whichever path each takes.
 */
export class DbscanPredictor {
  private readonly cores: CoreRows;
  private prepared: BackendCores | undefined;
  private backend: Backend | undefined;
  readonly stats: DbscanPredictStats = { certified: 0, direct: 0 };

  constructor(
    private readonly model: DbscanModel,
    features: readonly string[],
    private readonly open: () => Promise<Backend>,
  ) {
    this.cores = coreRows(model.corePoints, model.coreLabels, features, model.eps);
  }

  get ran(): DbscanRan {
    const b = this.backend;
    return b ? { backend: b.kind, device: b.deviceName } : { backend: 'cpu', device: 'host' };
  }

  async score(matrix: DataMatrix): Promise<{ labels: Int32Array; distances: Float32Array }> {
    let labels: Int32Array;
    // Until a backend is open its kind is unknown: the CPU's costs decide (the cautious ones).
    if (backendPays(this.cores, matrix, this.backend?.kind ?? 'cpu')) {
      this.backend ??= await this.open();
      this.prepared ??= backendCores(this.cores);
      labels = await backendDbscanLabels(this.backend, matrix, this.prepared, this.stats);
    } else {
      labels = hostDbscanLabels(this.cores, matrix);
      this.stats.direct += matrix.rows;
    }
    return { labels, distances: centreDistances(matrix, labels, this.model.centres) };
  }

  async dispose(): Promise<void> {
    await this.backend?.dispose();
  }
}

/**
 * The direct search alone, on this thread (what the faster paths are tested against):
 * predictDbscanRows's labels and distances, synchronously.
 */
export function dbscanScorer(
  model: DbscanModel,
  features: readonly string[],
): (matrix: DataMatrix) => { labels: Int32Array; distances: Float32Array } {
  const cores = coreRows(model.corePoints, model.coreLabels, features, model.eps);
  return (matrix) => {
    const labels = hostDbscanLabels(cores, matrix);
    return { labels, distances: centreDistances(matrix, labels, model.centres) };
  };
}

/** Each labelled row's Euclidean distance to its cluster's mean (float64, then float32); NaN for noise. */
function centreDistances(
  matrix: DataMatrix,
  labels: Int32Array,
  centres: readonly (readonly number[])[],
): Float32Array {
  const { rows: n, dims: d, data: X } = matrix;
  const distances = new Float32Array(n).fill(Number.NaN);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    if (c < 0) continue;
    let s = 0;
    for (let f = 0; f < d; f++) s += (X[f * n + i] - centres[c][f]) ** 2;
    distances[i] = Math.sqrt(s);
  }
  return distances;
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
 * predict out of core for a DBSCAN model: the file's chunks read and prepared in order on this
 * thread, each scored by a DbscanPredictor (on the backend `open` gives where its passes pay)
 * and, with `output`, written as they go, with the columns of predict in memory (row numbers
 * counted over the whole file, one segment_name dictionary for every chunk). Returns the rows per
 * cluster, the noise rows and where it ran.
 */
export async function predictDbscanChunks(
  chunks: FileChunks,
  model: DbscanModel,
  id: string | undefined,
  rows: number,
  output: { path: string; outputs: OutputSet | undefined } | undefined,
  open: () => Promise<Backend>,
): Promise<{ sizes: number[]; noise: number; chunks: number } & DbscanRan> {
  const sizes = new Array<number>(model.k).fill(0);
  let noise = 0;
  const names = namesWithNoise(model.segmentNames, model.k);
  const dictionary = segmentNameDictionary(names);
  let predictor: DbscanPredictor | undefined;
  const writer = output && openChunkWriter(output.path, { option: 'output' }, output.outputs);
  try {
    await chunks.hostPass(async (matrix, table, firstRow) => {
      predictor ??= new DbscanPredictor(model, matrix.features, open);
      const { labels, distances } = await predictor.score(matrix);
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
    const ran = predictor?.ran ?? { backend: 'cpu', device: 'host' };
    return { sizes, noise, chunks: chunks.chunksPerPass, ...ran };
  } catch (error) {
    writer?.abort();
    throw error;
  } finally {
    await predictor?.dispose();
  }
}

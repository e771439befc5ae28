import type { Vector } from 'apache-arrow';
import { kernelParams } from '../algo/gmm-math.js';
import type { Assignment, Backend, DatasetHandle, GmmAssignment } from '../backend/backend.js';
import { openBackend } from '../backend/select.js';
import { openChunkSource } from '../io/batch-reader.js';
import { checkChunkOutputPath, openChunkWriter, type ChunkWriter } from '../io/batch-writer.js';
import {
  checkModelArgument,
  resolveModel,
  modelMixture,
  type SegmentModel,
} from '../model/model.js';
import { assignToModel } from './model-assign.js';
import type { OutputSet } from '../util/atomic-write.js';
import { assignmentsTable, mixtureTable } from './assignments.js';
import { segmentNameColumn, segmentNameDictionary } from './describe.js';
import { keyedColumns, modelKeys } from './tracked-keys.js';
import { FilePasses } from './file-passes.js';
import { FileChunks } from './file-chunks.js';
import { predictDbscanChunks } from './predict-dbscan.js';
import {
  OUT_OF_CORE_PARAMETERS,
  PREDICT_PARAMETERS,
  parameter,
  resolveParameters,
  type ParameterOptions,
} from './parameters.js';
import { modelColumns, type PredictOptions } from './predict.js';
import { noticeCollector } from './notices.js';
import { rejectCategoricalOutOfCore } from './categorical-data.js';
import { subSegmentOutput } from './sub-segment-assign.js';
import { checkOptionsArgument, checkStringArgument } from '../util/arguments.js';

const PREDICT_OUT_OF_CORE_PARAMETERS = [
  ...PREDICT_PARAMETERS,
  parameter(OUT_OF_CORE_PARAMETERS, 'chunkRows'),
] as const;

/** predict's options and the table's `chunkRows` (rows per chunk). */
export interface PredictOutOfCoreOptions
  extends PredictOptions, ParameterOptions<typeof PREDICT_OUT_OF_CORE_PARAMETERS> {
  /** Per-row output (.arrows, .arrow or .csv), written chunk by chunk; none when omitted. */
  output?: string;
  /** With `output`: the set whose commit renames it into place (with other outputs). */
  outputs?: OutputSet;
}

export interface PredictOutOfCoreResult {
  rows: number;
  /** Rows per segment. */
  sizes: number[];
  /** A DBSCAN model: the rows near no core row (segment −1, "Unusual"), not in `sizes`. */
  noise?: number;
  backend: string;
  device: string;
  chunks: number;
  notices: string[];
}

/**
 * A chunk's segments under a model that is not a mixture: birch by its nearest subcluster
 * centroid (as predict in memory), the others through assignToModel.
 */
async function scoreChunk(
  backend: Backend,
  handle: DatasetHandle,
  model: Exclude<SegmentModel, { algorithm: 'gmm' }>,
): Promise<Assignment> {
  if (model.algorithm !== 'birch') return assignToModel(backend, handle, model);
  const a = await backend.assign(
    handle,
    Float32Array.from(model.subclusterCentres.flat()),
    model.subclusterCentres.length,
  );
  return { ...a, labels: a.labels.map((s) => model.subclusterLabels[s]) };
}

/**
 * Scores a file larger than memory with a saved model, chunk by chunk in one pass: the output
 * rows are written as they are assigned (the same columns as predict), and nothing per row is
 * kept. Bad values stop the run with the row's number in the file and no output left behind.
 * A DBSCAN model's chunks are scored as predict scores them (predict-dbscan.ts).
 */
export async function predictOutOfCore(
  path: string,
  modelOrPath: SegmentModel | string,
  options: PredictOutOfCoreOptions = {},
): Promise<PredictOutOfCoreResult> {
  checkStringArgument(path, 'path');
  checkModelArgument(modelOrPath);
  checkOptionsArgument(options);
  const { notices, notice } = noticeCollector(options.onNotice);
  const {
    backend: backendChoice,
    id: idOption,
    chunkRows,
  } = resolveParameters(PREDICT_OUT_OF_CORE_PARAMETERS, options);
  if (options.output !== undefined) checkChunkOutputPath(options.output, { option: 'output' });
  const model = resolveModel(modelOrPath);
  const keys = modelKeys(model, typeof modelOrPath === 'string' ? modelOrPath : 'model');
  rejectCategoricalOutOfCore(
    model.algorithm,
    model.categorical?.columns.map((c) => c.name),
  );
  const source = await openChunkSource(path, chunkRows);
  const { id, allowMissing } = modelColumns(
    source.schema.fields.map((f) => f.name),
    model,
    idOption,
  );
  if (model.algorithm === 'dbscan') {
    const chunks = new FileChunks(
      source,
      { id, features: model.features },
      model.preprocessing,
      allowMissing,
    );
    const output =
      options.output === undefined ? undefined : { path: options.output, outputs: options.outputs };
    // A backend is opened only where chunks take the backend path (predict-dbscan.ts).
    const open = () => openBackend(backendChoice, notice);
    const scored = await predictDbscanChunks(chunks, model, id, source.rows, output, open);
    return { rows: source.rows, ...scored, notices };
  }
  const k = model.k;
  const sizes = new Array<number>(k).fill(0);
  const dictionary = model.segmentNames ? segmentNameDictionary(model.segmentNames) : undefined;
  const named = (labels: Int32Array): Record<string, Vector> => ({
    ...(model.segmentNames
      ? { segment_name: segmentNameColumn(labels, model.segmentNames, dictionary) }
      : {}),
    ...(keys ? keyedColumns(labels, keys).columns : {}),
  });
  /** segment_id as published: the stable keys of a --history model (tracked-keys.ts). */
  const published = (labels: Int32Array): Int32Array =>
    keys ? keyedColumns(labels, keys).segmentId : labels;
  const backend = await openBackend(backendChoice, notice);
  let writer: ChunkWriter | undefined;
  try {
    writer =
      options.output !== undefined
        ? openChunkWriter(options.output, { option: 'output' }, options.outputs)
        : undefined;
    const passes = new FilePasses(
      source,
      backend,
      { id, features: model.features },
      model.preprocessing,
      allowMissing,
    );
    const total = source.rows;
    // Micro-segments: the child levels assigned while the chunk is attached, as predict in memory.
    const subLevels = async (
      h: DatasetHandle,
      labels: Int32Array,
    ): Promise<Record<string, Vector>> =>
      model.subSegments ? subSegmentOutput(backend, h, labels, model.subSegments) : {};
    const count = (labels: Int32Array): void => {
      for (const l of labels) sizes[l]++;
    };
    if (model.algorithm === 'gmm') {
      const params = kernelParams(modelMixture(model), model.regCovar);
      const probabilities = options.probabilities === true;
      await passes.each(
        async (h) => {
          const a = await backend.gmmAssign(h, params, { probabilities });
          return { a, sub: await subLevels(h, a.labels) };
        },
        async ({ a, sub }: { a: GmmAssignment; sub: Record<string, Vector> }, table, firstRow) => {
          count(a.labels);
          await writer?.write(
            mixtureTable(
              table,
              id,
              published(a.labels),
              a.probability,
              a.probabilities,
              k,
              { ...named(a.labels), ...sub },
              { first: firstRow, total },
            ),
          );
        },
      );
    } else {
      await passes.each(
        async (h) => {
          const a = await scoreChunk(backend, h, model);
          return { a, sub: await subLevels(h, a.labels) };
        },
        async ({ a, sub }: { a: Assignment; sub: Record<string, Vector> }, table, firstRow) => {
          count(a.labels);
          await writer?.write(
            assignmentsTable(
              table,
              id,
              published(a.labels),
              a.sqDistances,
              { ...named(a.labels), ...sub },
              undefined,
              { first: firstRow, total },
            ),
          );
        },
      );
    }
    await writer?.commit();
    return {
      rows: total,
      sizes,
      backend: backend.kind,
      device: backend.deviceName,
      chunks: passes.chunksPerPass,
      notices,
    };
  } catch (error) {
    writer?.abort();
    throw error;
  } finally {
    await backend.dispose();
  }
}

import { inFlight, type RunOptions } from './lifecycle.js';
import type { Table, Vector } from 'apache-arrow';
import { openBackend } from '../backend/select.js';
import { InputError } from '../errors.js';
import { kernelParams } from '../algo/gmm-math.js';
import {
  checkModelArgument,
  resolveModel,
  modelMixture,
  type SegmentModel,
} from '../model/model.js';
import { scoringSpace } from './predict-categorical.js';
import { assignToModel } from './model-assign.js';
import { subSegmentOutput } from './sub-segment-assign.js';
import { applyPreprocessing } from '../prep/preprocess.js';
import { assignmentsTable, mixtureTable } from './assignments.js';
import { segmentNameColumn } from './describe.js';
import { checkTableInput, featureMatrix, loadInput, type TableInput } from './input.js';
import { PREDICT_PARAMETERS, resolveParameters, type ParameterOptions } from './parameters.js';
import { noticeCollector, type NoticeListener } from './notices.js';
import { predictDbscanRows, predictDbscanTable } from './predict-dbscan.js';
import { keyedColumns, modelKeys } from './tracked-keys.js';

/**
 * predict's options: `backend` and `id` (default: the model's id column when the input has it,
 * else guessed) are the parameter table's.
 */
export interface PredictOptions extends RunOptions, ParameterOptions<typeof PREDICT_PARAMETERS> {
  /** gmm models: also return (and output as p_0 … p_{k−1}) every segment's probability. */
  probabilities?: boolean;
  /** Called with each notice's text (options named as the API does) and the notice (`messageFor('flag')`: the CLI's flags). */
  onNotice?: NoticeListener;
}

export interface PredictResult {
  /**
   * Each row's segment index, 0 … k−1. With a --history period's model, `assignments` publishes
   * the segments' stable keys as segment_id (and segment_key, raw_segment_key) instead.
   */
  labels: Int32Array;
  /** k-means models: distance to the assigned centre, in the clustering space. */
  distances: Float32Array | undefined;
  /** gmm models: probability of the assigned segment (and of every segment, component-major, when asked). */
  probability: Float32Array | undefined;
  probabilities: Float32Array | undefined;
  assignments: Table;
  backend: string;
  device: string;
  rows: number;
  notices: string[];
}

/** Assigns rows to the segments of a saved model (an object, or a model.json path). */
export async function predict(
  input: TableInput,
  modelOrPath: SegmentModel | string,
  options: PredictOptions = {},
): Promise<PredictResult> {
  checkTableInput(input);
  checkModelArgument(modelOrPath);
  return inFlight(options, () => predictRun(input, modelOrPath, options));
}

async function predictRun(
  input: TableInput,
  modelOrPath: SegmentModel | string,
  options: PredictOptions,
): Promise<PredictResult> {
  const { notices, notice } = noticeCollector(options.onNotice);
  const {
    backend: backendChoice,
    id: idOption,
    thousands,
  } = resolveParameters(PREDICT_PARAMETERS, options);
  const model = resolveModel(modelOrPath);
  const keys = modelKeys(model, typeof modelOrPath === 'string' ? modelOrPath : 'model');
  const table = await loadInput(input, {
    id: idOption ?? model.idColumn ?? undefined,
    thousands,
  });
  const { id, allowMissing } = modelColumns(
    table.schema.fields.map((f) => f.name),
    model,
    idOption,
  );
  const prep = model.preprocessing;
  const { roles, matrix: raw } = featureMatrix(
    table,
    { id, features: model.features },
    { allowMissing },
  );
  const numeric = prep ? applyPreprocessing(prep, raw) : raw;
  if (model.algorithm === 'dbscan') {
    // A backend is opened only where the rows take the backend path (predict-dbscan.ts).
    const open = () => openBackend(backendChoice, notice, options);
    const { labels, distances, ran } = await predictDbscanRows(numeric, model, open);
    return {
      ...ran,
      rows: numeric.rows,
      notices,
      labels,
      distances,
      probability: undefined,
      probabilities: undefined,
      assignments: predictDbscanTable(table, roles.id, labels, distances, model),
    };
  }
  const scoring = model.algorithm === 'gmm' ? undefined : scoringSpace(table, model, numeric);
  const matrix = scoring?.matrix ?? numeric;
  const backend = await openBackend(backendChoice, notice, options);
  try {
    const handle = await backend.attach(matrix);
    const named: Record<string, Vector> = {};
    const common = {
      backend: backend.kind,
      device: backend.deviceName,
      rows: matrix.rows,
      notices,
    };
    if (model.algorithm === 'gmm') {
      const a = await backend.gmmAssign(handle, kernelParams(modelMixture(model), model.regCovar), {
        probabilities: options.probabilities === true,
      });
      if (model.segmentNames) named.segment_name = segmentNameColumn(a.labels, model.segmentNames);
      const keyed = keys && keyedColumns(a.labels, keys);
      if (keyed) Object.assign(named, keyed.columns);
      if (model.subSegments)
        Object.assign(named, await subSegmentOutput(backend, handle, a.labels, model.subSegments));
      await backend.detach(handle);
      return {
        ...common,
        labels: a.labels,
        distances: undefined,
        probability: a.probability,
        probabilities: a.probabilities,
        assignments: mixtureTable(
          table,
          roles.id,
          keyed ? keyed.segmentId : a.labels,
          a.probability,
          a.probabilities,
          model.k,
          named,
        ),
      };
    }
    // birch: the nearest subcluster centroid, then its segment (scikit-learn's Birch.predict).
    const birch = model.algorithm === 'birch' ? model : undefined;
    const scored = birch
      ? await backend.assign(
          handle,
          Float32Array.from(birch.subclusterCentres.flat()),
          birch.subclusterCentres.length,
        )
      : model.algorithm === 'kprototypes'
        ? await backend.assign(handle, scoring!.centres, model.k)
        : await assignToModel(backend, handle, model);
    const { sqDistances } = scored;
    const labels = birch ? scored.labels.map((s) => birch.subclusterLabels[s]) : scored.labels;
    // k-prototypes: the distance column is √(Huang's cost).
    if (scoring!.sqScale !== 1)
      for (let i = 0; i < sqDistances.length; i++) sqDistances[i] *= scoring!.sqScale;
    if (model.segmentNames) named.segment_name = segmentNameColumn(labels, model.segmentNames);
    const keyed = keys && keyedColumns(labels, keys);
    if (keyed) Object.assign(named, keyed.columns);
    if (model.subSegments)
      Object.assign(named, await subSegmentOutput(backend, handle, labels, model.subSegments));
    await backend.detach(handle);
    return {
      ...common,
      labels,
      distances: Float32Array.from(sqDistances, Math.sqrt),
      probability: undefined,
      probabilities: undefined,
      assignments: assignmentsTable(
        table,
        roles.id,
        keyed ? keyed.segmentId : labels,
        sqDistances,
        named,
      ),
    };
  } finally {
    await backend.dispose();
  }
}

/**
 * Which columns of an input a model reads: its features (all must be there, by name), the id
 * (asked for, else the model's when the input has it), and whether missing values will be imputed.
 */
export function modelColumns(
  columns: readonly string[],
  model: SegmentModel,
  idOption: string | undefined,
): { id: string | undefined; allowMissing: boolean } {
  const names = new Set(columns);
  const missing = model.features.filter((f) => !names.has(f));
  if (missing.length > 0) {
    throw new InputError(
      `the input lacks the model's feature column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}; the model was fitted on ${model.features.join(', ')}`,
    );
  }
  const id =
    idOption ?? (model.idColumn !== null && names.has(model.idColumn) ? model.idColumn : undefined);
  const prep = model.preprocessing;
  return { id, allowMissing: prep?.impute != null && prep.impute.strategy !== 'none' };
}

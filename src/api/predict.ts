import type { Table } from 'apache-arrow';
import { openBackend, type BackendChoice } from '../backend/select.js';
import { InputError } from '../errors.js';
import { loadModel, modelCentres, type KMeansModel } from '../model/model.js';
import { applyPreprocessing } from '../prep/preprocess.js';
import { assignmentsTable } from './assignments.js';
import { segmentNameColumn } from './describe.js';
import { featureMatrix, loadInput, type TableInput } from './input.js';
import { COMMON_PARAMETERS, checkParameter, parameter } from './parameters.js';

export interface PredictOptions {
  backend?: BackendChoice;
  /** The id column (default: the model's, when the input has it, else guessed). */
  id?: string;
  onNotice?: (message: string) => void;
}

export interface PredictResult {
  labels: Int32Array;
  distances: Float32Array;
  assignments: Table;
  backend: string;
  device: string;
  rows: number;
  notices: string[];
}

/** Assigns rows to the segments of a saved model (an object, or a model.json path). */
export async function predict(input: TableInput, modelOrPath: KMeansModel | string, options: PredictOptions = {}): Promise<PredictResult> {
  const notices: string[] = [];
  const notice = (message: string): void => {
    notices.push(message);
    options.onNotice?.(message);
  };
  const backendChoice = checkParameter(parameter(COMMON_PARAMETERS, 'backend'), options.backend ?? 'auto') as BackendChoice;
  const model = typeof modelOrPath === 'string' ? loadModel(modelOrPath) : modelOrPath;
  const table = await loadInput(input);
  const names = new Set(table.schema.fields.map((f) => f.name));
  const missing = model.features.filter((f) => !names.has(f));
  if (missing.length > 0) {
    throw new InputError(`the input lacks the model's feature column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')}; the model was fitted on ${model.features.join(', ')}`);
  }
  const id = options.id ?? (model.idColumn !== null && names.has(model.idColumn) ? model.idColumn : undefined);
  const prep = model.preprocessing;
  const allowMissing = prep?.impute != null && prep.impute.strategy !== 'none';
  const { roles, matrix: raw } = featureMatrix(table, { id, features: model.features }, { allowMissing });
  const matrix = prep ? applyPreprocessing(prep, raw) : raw;
  const backend = await openBackend(backendChoice, notice);
  try {
    const handle = await backend.attach(matrix);
    const { labels, sqDistances } = await backend.assign(handle, modelCentres(model), model.k);
    await backend.detach(handle);
    const distances = new Float32Array(sqDistances.length);
    for (let i = 0; i < distances.length; i++) distances[i] = Math.sqrt(sqDistances[i]);
    return {
      labels,
      distances,
      assignments: assignmentsTable(table, roles.id, labels, sqDistances, model.segmentNames ? { segment_name: segmentNameColumn(labels, model.segmentNames) } : {}),
      backend: backend.kind,
      device: backend.deviceName,
      rows: matrix.rows,
      notices,
    };
  } finally {
    await backend.dispose();
  }
}

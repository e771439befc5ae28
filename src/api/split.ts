import type { Table } from 'apache-arrow';
import { kernelParams } from '../algo/gmm-math.js';
import { runKMeans } from '../algo/kmeans.js';
import type { Backend, DatasetHandle } from '../backend/backend.js';
import { openBackend } from '../backend/select.js';
import { meanFeatureVariance } from '../data/matrix.js';
import { gatherRows } from '../data/row-subset.js';
import { tableColumnsFloat64 } from '../data/to-matrix.js';
import { InputError, UsageError } from '../errors.js';
import {
  checkModelArgument,
  modelMixture,
  resolveModel,
  type SegmentModel,
} from '../model/model.js';
import { checkOptionsArgument } from '../util/arguments.js';
import type { SubSegmentLevel } from '../model/sub-segments.js';
import { applyPreprocessing } from '../prep/preprocess.js';
import { findRfmColumns } from '../segment/personas.js';
import { subSegmentNames } from '../segment/sub-names.js';
import { ownAssignmentsTable } from './assignments.js';
import { segmentNameColumn } from './describe.js';
import { checkTableInput, featureMatrix, loadInput, type TableInput } from './input.js';
import { inFlight, type RunOptions } from './lifecycle.js';
import { assignToModel } from './model-assign.js';
import { noticeCollector, type NoticeListener } from './notices.js';
import { resolveParameters, SPLIT_PARAMETERS } from './parameters.js';
import { modelColumns } from './predict.js';
import { subSegmentColumns } from './sub-segment-assign.js';

export interface SplitOptions extends RunOptions {
  /** The segment to re-segment: its name (the model's segment names) or its id. */
  segment: string | number;
  /** Sub-segments (≥ 1, ≤ the segment's rows). */
  k: number;
  seed?: number;
  backend?: 'auto' | 'gpu' | 'cpu';
  id?: string;
  thousands?: 'none' | ',' | '.' | 'space';
  /** Called with each notice's text (options named as the API does) and the notice (`messageFor('flag')`: the CLI's flags). */
  onNotice?: NoticeListener;
}

export interface SplitResult {
  /** The model with the new child level (replacing an earlier one of the same segment). */
  model: SegmentModel;
  level: SubSegmentLevel;
  /** Every input row: id, segment_id, segment_name, sub_segment_id, sub_segment_name (null outside the segment), distance. */
  assignments: Table;
  /** Rows in each sub-segment. */
  sizes: number[];
  /** The column the sub-segment names rank by. */
  rankedBy: string;
  notices: string[];
}

/**
 * Micro-segments: assigns the input's rows to the model's segments, re-segments the rows of one
 * segment with k-means (k-means++, in the model's clustering space) and names the sub-segments
 * after the parent ('At Risk – High Value', src/segment/sub-names.ts). The model gains the child
 * level, so predict assigns both levels.
 */
export async function splitSegment(
  input: TableInput,
  modelOrPath: SegmentModel | string,
  options: SplitOptions,
): Promise<SplitResult> {
  return inFlight(options, () => splitRun(input, modelOrPath, options));
}

async function splitRun(
  input: TableInput,
  modelOrPath: SegmentModel | string,
  options: SplitOptions,
): Promise<SplitResult> {
  checkTableInput(input);
  checkModelArgument(modelOrPath);
  checkOptionsArgument(options);
  const { notices, notice } = noticeCollector(options.onNotice);
  const {
    k,
    seed,
    backend: backendChoice,
    id: idOption,
    thousands,
  } = resolveParameters(SPLIT_PARAMETERS, options);
  if (k === undefined) throw new UsageError((opt) => `${opt('k')}: required, an integer ≥ 1`);
  const model = resolveModel(modelOrPath);
  const segment = resolveSegment(model, options.segment);
  const parentName = model.segmentNames?.[segment] ?? `Segment ${segment}`;
  const table = await loadInput(input, { id: idOption ?? model.idColumn ?? undefined, thousands });
  const { id, allowMissing } = modelColumns(
    table.schema.fields.map((f) => f.name),
    model,
    idOption,
  );
  const { roles, matrix: raw } = featureMatrix(
    table,
    { id, features: model.features },
    { allowMissing },
  );
  const matrix = model.preprocessing ? applyPreprocessing(model.preprocessing, raw) : raw;
  const backend = await openBackend(backendChoice, notice, options);
  try {
    const handle = await backend.attach(matrix);
    const labels = await segmentLabels(backend, handle, model);
    const rows: number[] = [];
    labels.forEach((l, i) => l === segment && rows.push(i));
    if (k > rows.length)
      throw new InputError(
        (opt) =>
          `${opt('k')} ${k} exceeds the ${rows.length} rows of segment '${parentName}' in this input; lower ${opt('k')}`,
      );
    const part = await backend.attach(gatherRows(matrix, Int32Array.from(rows)));
    const fitted = await runKMeans(
      backend,
      part,
      { k, init: 'k-means++', nInit: 1, maxIter: 300, tol: 1e-4, seed },
      meanFeatureVariance(part.matrix),
    );
    await backend.detach(part);
    const d = matrix.dims;
    const centres = Array.from({ length: k }, (_, c) =>
      Array.from(fitted.centres.subarray(c * d, (c + 1) * d)),
    );
    const columns = [...roles.features, ...roles.profile];
    const ranking = rankingColumns(table, columns, rows, fitted.labels, k);
    const monetary = findRfmColumns(table.schema.fields.map((f) => f.name))?.monetary;
    const { names, rankedBy } = subSegmentNames(parentName, ranking, monetary);
    const level: SubSegmentLevel = { segment, k, centres, names };
    const next: SegmentModel = {
      ...model,
      subSegments: [...(model.subSegments ?? []).filter((l) => l.segment !== segment), level],
    };
    const sub = new Int32Array(labels.length).fill(-1);
    rows.forEach((r, i) => (sub[r] = fitted.labels[i]));
    const sqDistances = new Float32Array(labels.length);
    rows.forEach((r, i) => (sqDistances[r] = fitted.sqDistances[i]));
    const others = (await assignToModelOrZero(backend, handle, model, labels)).sqDistances;
    labels.forEach((l, i) => l !== segment && (sqDistances[i] = others[i]));
    await backend.detach(handle);
    const extra = {
      ...(model.segmentNames
        ? { segment_name: segmentNameColumn(labels, model.segmentNames) }
        : {}),
      ...subSegmentColumns(labels, sub, [level]),
    };
    const sizes = new Array<number>(k).fill(0);
    for (const l of fitted.labels) sizes[l]++;
    return {
      model: next,
      level,
      assignments: ownAssignmentsTable(table, roles.id, labels, sqDistances, extra),
      sizes,
      rankedBy,
      notices,
    };
  } finally {
    await backend.dispose();
  }
}

/** The segment asked for, by name or id; an unknown one is an error listing the names. */
function resolveSegment(model: SegmentModel, asked: string | number): number {
  const names = model.segmentNames;
  if (typeof asked === 'string' && names?.includes(asked)) return names.indexOf(asked);
  const id = typeof asked === 'number' ? asked : /^\d+$/.test(asked.trim()) ? Number(asked) : NaN;
  if (Number.isInteger(id) && id >= 0 && id < model.k) return id;
  const known = names
    ? `its segments are ${names.map((n) => `'${n}'`).join(', ')} (or ids 0..${model.k - 1})`
    : `its segments are ids 0..${model.k - 1} (the model has no names)`;
  throw new InputError((opt) => `${opt('segment')}: no segment '${asked}' in the model; ${known}`);
}

/** Each row's segment under the model (a mixture's most probable component). */
async function segmentLabels(
  backend: Backend,
  handle: DatasetHandle,
  model: SegmentModel,
): Promise<Int32Array> {
  if (model.algorithm === 'gmm')
    return (
      await backend.gmmAssign(handle, kernelParams(modelMixture(model), model.regCovar), {
        probabilities: false,
      })
    ).labels;
  return (await assignToModel(backend, handle, model)).labels;
}

/** Distances to the parent segment's centre (mixtures: to the component mean). */
async function assignToModelOrZero(
  backend: Backend,
  handle: DatasetHandle,
  model: SegmentModel,
  labels: Int32Array,
): Promise<{ sqDistances: Float32Array }> {
  if (model.algorithm !== 'gmm') return assignToModel(backend, handle, model);
  const { rows: n, dims: d, data } = handle.matrix;
  const sq = new Float32Array(n);
  const c = model.centres;
  for (let j = 0; j < d; j++)
    for (let i = 0; i < n; i++) sq[i] += (data[j * n + i] - c[labels[i]][j]) ** 2;
  return { sqDistances: sq };
}

/** Per column, the sub-segments' means and the spread over the segment's rows (input units). */
function rankingColumns(
  table: Table,
  columns: readonly string[],
  rows: readonly number[],
  sub: Int32Array,
  k: number,
) {
  return tableColumnsFloat64(table, columns).map((values, c) => {
    const sums = new Array<number>(k).fill(0);
    const counts = new Array<number>(k).fill(0);
    let mean = 0;
    rows.forEach((r, i) => {
      sums[sub[i]] += values[r];
      counts[sub[i]]++;
      mean += values[r];
    });
    mean /= rows.length;
    let variance = 0;
    for (const r of rows) variance += (values[r] - mean) ** 2;
    return {
      name: columns[c],
      means: sums.map((s, j) => (counts[j] > 0 ? s / counts[j] : mean)),
      spread: Math.sqrt(variance / rows.length),
    };
  });
}

import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Int32, makeVector, Table, type Vector } from 'apache-arrow';
import type { ThousandsSeparator } from '../data/column-types.js';
import { columnKind } from '../data/column-types.js';
import { resolveRoles } from '../data/schema.js';
import { InputError, subjectName, UsageError, type Subject } from '../errors.js';
import { checkModel, loadModel, type SegmentModel } from '../model/model.js';
import { checkCurrency } from '../report/format.js';
import { readHistoryView } from '../report/history-data.js';
import { prepareCharts } from '../report/echarts.js';
import { renderReport } from '../report/page.js';
import { buildSample, rowLabels, rowsNearerAnotherCentre } from '../report/sample.js';
import { rowPoolOf } from '../segment/row-pool.js';
import { parseSelection, type SelectionSummary } from '../report/selection.js';
import type { Profiles } from '../segment/profile.js';
import type { TrackingState } from '../track/store.js';
import { NOISE_SEGMENT } from '../model/dbscan-model.js';
import { markNoiseProfile, noiseAsLastSegment } from './dbscan-outputs.js';
import { describeSegments, type NamingOptions } from './describe.js';
import type { FitResult } from './fit.js';
import { checkTableInput, loadInput, type TableInput } from './input.js';
import { checkOutputPath } from './outputs.js';
import { joinSegments } from './profile-segments.js';
import type { SelectResult } from './select.js';
import {
  argumentError,
  checkObjectArgument,
  checkOptionsArgument,
  checkStringArgument,
} from '../util/arguments.js';

/**
 * The HTML report (issue 14): one self-contained page of segment cards and charts, from a model,
 * the segments it gave and the table that was clustered. Charts come from the profiles (exact,
 * from per-segment sums) and from a stratified sample of at most 5,000 customers; nothing reads
 * every row once per chart.
 */

/** Options common to both ways of making a report. */
export interface ReportCommonOptions {
  /** A choice of k to chart: `gpuseg select --output`'s JSON file, its parsed object, or selectK's result. */
  selection?: string | SelectResult | Record<string, unknown>;
  /** ISO 4217 code for money (revenue, monetary): 'GBP' gives £5,149; default plain numbers. */
  currency?: string;
  /** Revenue column when the table has no `monetary` column (a feature or profile column). */
  revenue?: string;
  /** The page's title. */
  title?: string;
  /** A --history store: adds sizes over time, the last period's migration and stability. */
  history?: string;
}

export interface ReportOptions extends ReportCommonOptions, NamingOptions {
  /** The model (or its file) the segments came from. */
  model: SegmentModel | string;
  /** The segments: fit/segment/predict output (segment_id; joined by the id column, else by row). */
  segments: TableInput;
  /** Profile-only columns; default: every other numeric column but the id and the output columns. */
  profile?: string[];
  id?: string;
  thousands?: ThousandsSeparator | 'none';
}

/** Columns of gpuseg's outputs that are no customer attribute. */
const OUTPUT_COLUMN = /^(segment_id|segment_name|distance|probability|p_\d+)$/;

/** The report of a model, its segments and the clustered table, as an HTML string. */
export async function report(input: TableInput, options: ReportOptions): Promise<string> {
  checkTableInput(input);
  checkObjectArgument(options, 'options');
  checkCurrency(options.currency);
  const model =
    typeof options.model === 'string' ? loadModel(options.model) : checkModel(options.model);
  const modelName: Subject =
    typeof options.model === 'string' ? { option: 'model', value: options.model } : 'the model';
  const read = { id: options.id, thousands: options.thousands };
  const table = await loadInput(input, read);
  const what: Subject =
    typeof options.segments === 'string'
      ? { option: 'segments', value: options.segments }
      : 'the segments';
  const tracking = (model as { tracking?: TrackingState }).tracking;
  const loaded = await loadInput(options.segments, read);
  // --history outputs publish stable keys; the model's clusters are this period's raw segments.
  const segs = tracking ? rawSegments(loaded, tracking, what) : loaded;
  for (const f of model.features)
    if (!table.getChild(f))
      throw new InputError(
        (opt) =>
          `the input has no column '${f}', which ${subjectName(modelName, opt)} clusters on (features: ${model.features.join(', ')}); give the table that was clustered`,
      );
  const id = resolveRoles(table, { id: options.id, features: model.features, profile: [] }).id;
  const profile =
    options.profile ??
    table.schema.fields
      .filter(
        (f) =>
          f.name !== id &&
          !model.features.includes(f.name) &&
          !OUTPUT_COLUMN.test(f.name) &&
          columnKind(f.type) === 'numeric',
      )
      .map((f) => f.name);
  const roles = resolveRoles(table, { id: options.id, features: model.features, profile });
  const joined = joinSegments(table, segs, roles.id, what);
  if (joined.k > model.k)
    throw new InputError(
      (opt) =>
        `${subjectName(what, opt)} has segment_id ${joined.k - 1} but ${subjectName(modelName, opt)} has k=${model.k} (ids 0..${model.k - 1}): the model and the segments come from different runs`,
    );
  // DBSCAN's noise is segment −1 (README, DBSCAN); no other model gives a negative id.
  const lowest = model.algorithm === 'dbscan' ? NOISE_SEGMENT : 0;
  if (joined.labels.some((l) => l < lowest))
    throw new InputError(
      (opt) =>
        `${subjectName(what, opt)} has a segment_id below ${lowest}: not gpuseg segments${model.algorithm === 'dbscan' ? '' : ` of a ${model.algorithm} model`}`,
    );
  const noise = joined.labels.some((l) => l < 0);
  if (joined.names) joined.names = joined.names.slice(0, model.k);
  if (tracking) joined.names = tracking.names;
  else if (joined.names && model.segmentNames) {
    const sizes = new Array<number>(model.k).fill(0);
    for (const l of joined.labels) if (l >= 0) sizes[l]++;
    const differ = joined.names.findIndex(
      (n, c) =>
        sizes[c] > 0 && model.segmentNames![c] !== undefined && n !== model.segmentNames![c],
    );
    if (differ >= 0) {
      const [theirs, ours] = [joined.names[differ], model.segmentNames[differ]];
      throw new InputError(
        (opt) =>
          `${subjectName(what, opt)} names segment ${differ} '${theirs}' but ${subjectName(modelName, opt)} names it '${ours}': the model and the segments come from different runs`,
      );
    }
  }
  const described = describeSegments(
    table,
    roles,
    noise ? noiseAsLastSegment(joined.labels, model.k) : joined.labels,
    noise ? model.k + 1 : model.k,
    {
      names: options.names ?? joined.names ?? model.segmentNames,
      personas: options.personas,
    },
  ).profiles;
  if (noise) markNoiseProfile(described, model.k);
  const profiles = tracking
    ? {
        ...described,
        segments: described.segments.map((s) => ({ ...s, segment: tracking.keys[s.segment] })),
      }
    : described;
  return reportFrom(table, joined.labels, model, profiles, options, {
    asOf: tracking?.asOf,
    source: typeof input === 'string' ? basename(input) : 'an Arrow table',
    modelName,
    what,
  });
}

/** A UsageError unless `value` looks like fit's result (what fitReport needs of it). */
function checkFitResult(value: unknown): void {
  const r = value as Partial<FitResult> | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    !(r.labels instanceof Int32Array) ||
    !r.data ||
    !r.model
  )
    throw argumentError('result', "a fit's result", value);
}

export interface FitReportOptions extends ReportCommonOptions {
  /** The data as the summary names it (default: 'the input'). */
  source?: string;
  /** The as-of date of RFM features. */
  asOf?: string;
}

/** The report of a fit just made (fit's or segment's result), as an HTML string. */
export async function fitReport(
  result: FitResult,
  options: FitReportOptions = {},
): Promise<string> {
  checkFitResult(result);
  checkOptionsArgument(options);
  checkCurrency(options.currency);
  return reportFrom(result.data.table, result.labels, result.model, result.profiles, options, {
    source: options.source ?? 'the input',
    seconds: result.stats.seconds,
    asOf: options.asOf,
  });
}

async function reportFrom(
  table: Table,
  labels: Int32Array,
  model: SegmentModel,
  profiles: Profiles,
  options: ReportCommonOptions,
  context: {
    source: string;
    seconds?: number;
    asOf?: string;
    modelName?: Subject;
    what?: Subject;
  },
): Promise<string> {
  const columns = profiles.population.map((c) => c.column);
  let revenue: string | undefined;
  if (options.revenue !== undefined) {
    if (!columns.includes(options.revenue))
      throw new UsageError(
        (opt) =>
          `${opt('revenue')}: column '${options.revenue}' is not among the profiled columns (${columns.join(', ')}); name a numeric column of the input${context.what ? '' : ` and add it to ${opt('profile')}`}`,
      );
    revenue = options.revenue;
  } else if (columns.includes('monetary')) revenue = 'monetary';
  const selection = readSelection(options.selection);
  // The charts index segments by position, 0 … (profiles − 1): DBSCAN's noise (−1) is the last.
  // Sizes are the profiles' (every row counted once, by the fit); labels are read for a bounded
  // pool of rows only, so that the report's time does not grow with the rows.
  const sample = buildSample(
    table,
    rowLabels(labels, model.algorithm === 'dbscan' ? model.k : undefined),
    profiles.segments.map((s) => s.size),
    columns,
    model.features,
    model.preprocessing,
    rowPoolOf(profiles, table, labels),
  );
  const segmentsName = context.what;
  if (segmentsName && model.algorithm === 'kmeans') {
    // Segments of another k-means run of the same k: their rows sit nearer other centres.
    const wrong = rowsNearerAnotherCentre(sample, model.centres);
    if (wrong > Math.max(1, 0.01 * sample.rows.length))
      throw new InputError(
        (opt) =>
          `${subjectName(segmentsName, opt)} do not match ${subjectName(context.modelName ?? 'the model', opt)}: ${wrong} of ${sample.rows.length} sampled customers are nearer another centre than their segment's; the model and the segments come from different runs`,
      );
  }
  const kChoice = selection
    ? model.k === selection.recommended
      ? `the recommended k of a selection over k = ${selection.rows[0].k}..${selection.rows[selection.rows.length - 1].k}`
      : `given (the selection over k = ${selection.rows[0].k}..${selection.rows[selection.rows.length - 1].k} recommended ${selection.recommended})`
    : 'given';
  return renderReport({
    title: options.title ?? `Customer segments: ${context.source}`,
    source: context.source,
    model,
    profiles,
    sample,
    selection,
    kChoice,
    asOf: context.asOf,
    seconds: context.seconds,
    currency: options.currency?.toUpperCase(),
    revenue,
    history:
      options.history === undefined ? undefined : readHistoryView(options.history, context.asOf),
  });
}

/**
 * The segments of a --history run as the model's clusters: `segment_id` is the published key, so
 * the clusters come from `raw_segment_key` through the model's keys.
 */
function rawSegments(segs: Table, tracking: TrackingState, what: Subject): Table {
  const raw = segs.getChild('raw_segment_key');
  if (!raw)
    throw new InputError(
      (opt) =>
        `${subjectName(what, opt)} has no raw_segment_key column, but the model is a ${opt('history')} period's: give that run's output`,
    );
  const index = new Map(tracking.keys.map((key, c) => [key, c]));
  const labels = new Int32Array(segs.numRows);
  for (let i = 0; i < segs.numRows; i++) {
    const c = index.get(Number(raw.get(i)));
    if (c === undefined)
      throw new InputError(
        (opt) =>
          `${subjectName(what, opt)} has raw_segment_key ${String(raw.get(i))}, which the model's period (${tracking.asOf}) does not have: the model and the segments come from different runs`,
      );
    labels[i] = c;
  }
  const columns: Record<string, Vector> = {};
  for (const f of segs.schema.fields)
    columns[f.name] =
      f.name === 'segment_id'
        ? makeVector({ type: new Int32(), data: labels })
        : segs.getChild(f.name)!;
  return new Table(columns);
}

function readSelection(selection: ReportCommonOptions['selection']): SelectionSummary | undefined {
  if (selection === undefined) return undefined;
  if (typeof selection !== 'string') return parseSelection(selection, 'the selection');
  let text: string;
  try {
    text = readFileSync(selection, 'utf8');
  } catch (error) {
    throw new InputError((opt) => `${opt('selection')} '${selection}': file not found`, {
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new InputError(
      (opt) => `${opt('selection')} '${selection}': not valid JSON (${(error as Error).message})`,
      {
        cause: error,
      },
    );
  }
  return parseSelection(value, { option: 'selection', value: selection });
}

/**
 * Loads the chart renderer (ECharts) and warms it up, so that a report made later costs only its
 * own charts. Optional: `report`/`fitReport` load it when it is not ready. Start it next to a fit
 * that will be reported (the CLI's `--report` does), not awaited; it never rejects.
 */
export function prepareReport(): Promise<void> {
  return prepareCharts();
}

/** Checks a report path before any work: .html or .htm, in a folder that exists. */
export function checkReportPath(path: string | undefined, flag: Subject): void {
  if (path !== undefined) checkStringArgument(path, 'path');
  if (path === undefined) return;
  if (!/\.html?$/i.test(path))
    throw new UsageError((opt) => `${subjectName(flag, opt)} '${path}': use .html`);
  checkOutputPath(path, flag, false);
}

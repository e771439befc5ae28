/**
 * gpuseg's public API: what a Node pipeline imports, and all the CLI (src/cli) uses.
 *
 *   import { fit, predict } from 'gpuseg';
 *   const { model, assignments, stats } = await fit(table, { k: 5 });
 *
 * Functions throw GpusegError subclasses (UsageError, InputError, DeviceError, EnvironmentError,
 * InternalError) and never exit the process or install global handlers.
 *
 * A light facade (issue 15): importing it loads the errors, the parameter tables, the constants
 * and a few small helpers; each other function loads its module on its first call (lazy/exports.ts),
 * so that a host pays for apache-arrow, the algorithms and the backends only when it uses them.
 */
import type * as Assignments from './api/assignments.js';
import type * as Bench from './bench/bench.js';
import type * as BatchWriter from './io/batch-writer.js';
import type * as Customers from './synth/customers.js';
import type * as Cut from './api/cut.js';
import type * as Describe from './api/describe.js';
import type * as Devices from './api/devices.js';
import type * as Fit from './api/fit.js';
import type * as FitHistory from './api/fit-history.js';
import type * as FitOutOfCore from './api/fit-out-of-core.js';
import type * as Lifecycle from './api/lifecycle.js';
import type * as Metrics from './api/metrics.js';
import type * as Model from './model/model.js';
import type * as Outputs from './api/outputs.js';
import type * as Personas from './segment/personas.js';
import type * as Predict from './api/predict.js';
import type * as PredictOutOfCore from './api/predict-out-of-core.js';
import type * as Profile from './segment/profile.js';
import type * as ProfileSegments from './api/profile-segments.js';
import type * as ReadTable from './io/read-table.js';
import type * as Report from './api/report.js';
import type * as Rfm from './segment/rfm.js';
import type * as Segment from './api/segment.js';
import type * as Select from './api/select.js';
import type * as Sharded from './api/sharded.js';
import type * as Split from './api/split.js';
import type * as Transitions from './api/transitions.js';
import type * as WriteTable from './io/write-table.js';
import { asyncExport, LazyModule, syncExport } from './lazy/exports.js';

const assignments = new LazyModule<typeof Assignments>('api/assignments.js');
const bench = new LazyModule<typeof Bench>('bench/bench.js');
const batchWriter = new LazyModule<typeof BatchWriter>('io/batch-writer.js');
const customers = new LazyModule<typeof Customers>('synth/customers.js');
const cut = new LazyModule<typeof Cut>('api/cut.js');
const describe = new LazyModule<typeof Describe>('api/describe.js');
const devices = new LazyModule<typeof Devices>('api/devices.js');
const fitModule = new LazyModule<typeof Fit>('api/fit.js');
const fitHistory = new LazyModule<typeof FitHistory>('api/fit-history.js');
const fitOutOfCoreModule = new LazyModule<typeof FitOutOfCore>('api/fit-out-of-core.js');
const lifecycle = new LazyModule<typeof Lifecycle>('api/lifecycle.js');
const metrics = new LazyModule<typeof Metrics>('api/metrics.js');
const model = new LazyModule<typeof Model>('model/model.js');
const outputs = new LazyModule<typeof Outputs>('api/outputs.js');
const personas = new LazyModule<typeof Personas>('segment/personas.js');
const predictModule = new LazyModule<typeof Predict>('api/predict.js');
const predictOutOfCoreModule = new LazyModule<typeof PredictOutOfCore>(
  'api/predict-out-of-core.js',
);
const profile = new LazyModule<typeof Profile>('segment/profile.js');
const profileSegmentsModule = new LazyModule<typeof ProfileSegments>('api/profile-segments.js');
const readTableModule = new LazyModule<typeof ReadTable>('io/read-table.js');
const reportModule = new LazyModule<typeof Report>('api/report.js');
const rfmModule = new LazyModule<typeof Rfm>('segment/rfm.js');
const segmentModule = new LazyModule<typeof Segment>('api/segment.js');
const select = new LazyModule<typeof Select>('api/select.js');
const sharded = new LazyModule<typeof Sharded>('api/sharded.js');
const split = new LazyModule<typeof Split>('api/split.js');
const transitionsModule = new LazyModule<typeof Transitions>('api/transitions.js');
const writeTableModule = new LazyModule<typeof WriteTable>('io/write-table.js');

// Fitting, predicting and what builds on them.
export const fit: typeof Fit.fit = asyncExport(fitModule, 'fit');
export type {
  Algorithm,
  FitOptions,
  FitResult,
  FitStats,
  GmmFitResult,
  KMeansFitResult,
  OtherFitResult,
} from './api/fit.js';
export type { FitResultCommon } from './api/fit-result.js';
export const fitOutOfCore: typeof FitOutOfCore.fitOutOfCore = asyncExport(
  fitOutOfCoreModule,
  'fitOutOfCore',
);
export type { OutOfCoreOptions, OutOfCoreResult } from './api/fit-out-of-core.js';
export const fitSharded: typeof Sharded.fitSharded = asyncExport(sharded, 'fitSharded');
export const serveShard: typeof Sharded.serveShard = asyncExport(sharded, 'serveShard');
export type {
  ShardedFitOptions,
  ShardedFitResult,
  ShardWorkerOptions,
  ShardWorkerResult,
} from './api/sharded.js';
export const predict: typeof Predict.predict = asyncExport(predictModule, 'predict');
export type { PredictOptions, PredictResult } from './api/predict.js';
export const cutModel: typeof Cut.cutModel = syncExport(cut, 'cutModel');
export const splitSegment: typeof Split.splitSegment = asyncExport(split, 'splitSegment');
export type { SplitOptions, SplitResult } from './api/split.js';
export type { SubSegmentLevel } from './model/sub-segments.js';
export const predictOutOfCore: typeof PredictOutOfCore.predictOutOfCore = asyncExport(
  predictOutOfCoreModule,
  'predictOutOfCore',
);
export type { PredictOutOfCoreOptions, PredictOutOfCoreResult } from './api/predict-out-of-core.js';
export { chooseOutOfCore } from './api/out-of-core-choice.js';
export type { Notice, NoticeListener } from './api/notices.js';

// Output files.
export const checkDistinctFiles: typeof Outputs.checkDistinctFiles = syncExport(
  outputs,
  'checkDistinctFiles',
);
export const checkOutputPath: typeof Outputs.checkOutputPath = syncExport(
  outputs,
  'checkOutputPath',
);
export const checkProfilePath: typeof Outputs.checkProfilePath = syncExport(
  outputs,
  'checkProfilePath',
);
export const writeProfiles: typeof Outputs.writeProfiles = syncExport(outputs, 'writeProfiles');
export const writeTextFile: typeof Outputs.writeTextFile = syncExport(outputs, 'writeTextFile');
export type { NamedFile } from './api/outputs.js';
export const profileSegments: typeof ProfileSegments.profileSegments = asyncExport(
  profileSegmentsModule,
  'profileSegments',
);
export type { ProfileSegmentsOptions } from './api/profile-segments.js';
export const assignmentsTable: typeof Assignments.assignmentsTable = syncExport(
  assignments,
  'assignmentsTable',
);

// Reports, segments over time, choosing k, naming.
export const report: typeof Report.report = asyncExport(reportModule, 'report');
export const fitReport: typeof Report.fitReport = asyncExport(reportModule, 'fitReport');
export const prepareReport: typeof Report.prepareReport = asyncExport(
  reportModule,
  'prepareReport',
);
export const checkReportPath: typeof Report.checkReportPath = syncExport(
  reportModule,
  'checkReportPath',
);
export type { ReportOptions, FitReportOptions, ReportCommonOptions } from './api/report.js';
export const segment: typeof Segment.segment = asyncExport(segmentModule, 'segment');
export type { SegmentOptions, SegmentResult } from './api/segment.js';
export type { HistoryOptions, HistoryResult } from './api/history.js';
export const fitWithHistory: typeof FitHistory.fitWithHistory = asyncExport(
  fitHistory,
  'fitWithHistory',
);
export const transitions: typeof Transitions.transitions = syncExport(
  transitionsModule,
  'transitions',
);
export const transitionsCsv: typeof Transitions.transitionsCsv = syncExport(
  transitionsModule,
  'transitionsCsv',
);
export const transitionsText: typeof Transitions.transitionsText = syncExport(
  transitionsModule,
  'transitionsText',
);
export type { TransitionsOptions, TransitionsResult } from './api/transitions.js';
export const selectK: typeof Select.selectK = asyncExport(select, 'selectK');
export const parseKRange: typeof Select.parseKRange = syncExport(select, 'parseKRange');
export type { SelectOptions, SelectResult, SelectRow } from './api/select.js';
export const describeSegments: typeof Describe.describeSegments = syncExport(
  describe,
  'describeSegments',
);
export type { NamingOptions } from './api/describe.js';
export type { DataOptions, PreparedData } from './api/prepare.js';
export const rfm: typeof Rfm.rfm = asyncExport(rfmModule, 'rfm');
export type { RfmOptions, RfmResult } from './segment/rfm.js';

// Profiles and personas.
export const computeProfiles: typeof Profile.computeProfiles = syncExport(
  profile,
  'computeProfiles',
);
export const profilesCsv: typeof Profile.profilesCsv = syncExport(profile, 'profilesCsv');
export const profilesJson: typeof Profile.profilesJson = syncExport(profile, 'profilesJson');
export const profilesText: typeof Profile.profilesText = syncExport(profile, 'profilesText');
export type {
  ColumnProfile,
  ColumnRole,
  ProfileColumn,
  Profiles,
  SegmentProfile,
} from './segment/profile.js';
export { PERSONA_RULES } from './segment/persona-rules.js';
export const personaNames: typeof Personas.personaNames = syncExport(personas, 'personaNames');
export type { RfmColumns } from './segment/personas.js';
export type { PrepOptions, Preprocessing } from './prep/preprocess.js';

// Quality metrics.
export const silhouetteScores: typeof Metrics.silhouetteScores = syncExport(
  metrics,
  'silhouetteScores',
);
export const calinskiHarabasz: typeof Metrics.calinskiHarabasz = syncExport(
  metrics,
  'calinskiHarabasz',
);
export const daviesBouldin: typeof Metrics.daviesBouldin = syncExport(metrics, 'daviesBouldin');
export type { SilhouetteMethod } from './eval/metrics.js';
export type { DataMatrix } from './data/matrix.js';
export type { ColumnRoles } from './data/schema.js';
export type { TableInput } from './api/input.js';

// Parameters: tables and checks (light, loaded with the facade).
export {
  COMMON_PARAMETERS,
  KMEANS_PARAMETERS,
  GMM_PARAMETERS,
  KPROTOTYPES_PARAMETERS,
  DBSCAN_PARAMETERS,
  BIRCH_PARAMETERS,
  OUT_OF_CORE_PARAMETERS,
  PREP_PARAMETERS,
  PREDICT_PARAMETERS,
  SELECT_PARAMETERS,
  SEGMENT_PARAMETERS,
  HISTORY_PARAMETERS,
  HIERARCHY_PARAMETERS,
  CUT_PARAMETERS,
  SPLIT_PARAMETERS,
  checkParameter,
  parameter,
  type ParameterOptions,
  type ParameterSpec,
} from './api/parameters.js';

// Devices, tables and files.
export const listDevices: typeof Devices.listDevices = asyncExport(devices, 'listDevices');
export type { DeviceList } from './api/devices.js';
export const readTable: typeof ReadTable.readTable = asyncExport(readTableModule, 'readTable');
export type { CsvReadOptions } from './io/csv-read.js';
export type { ExcludedColumn, ThousandsSeparator } from './data/column-types.js';
export const writeTable: typeof WriteTable.writeTable = syncExport(writeTableModule, 'writeTable');
export {
  OutputSet,
  checkOutputFolder,
  recordWrittenOutputs,
  removePendingTemporaryFiles,
  writtenOutputs,
} from './util/atomic-write.js';
export const checkChunkOutputPath: typeof BatchWriter.checkChunkOutputPath = syncExport(
  batchWriter,
  'checkChunkOutputPath',
);

// Models.
export const loadModel: typeof Model.loadModel = syncExport(model, 'loadModel');
export const saveModel: typeof Model.saveModel = syncExport(model, 'saveModel');
export const parseModel: typeof Model.parseModel = syncExport(model, 'parseModel');
export const checkModel: typeof Model.checkModel = syncExport(model, 'checkModel');
export { MODEL_VERSION } from './model/model-version.js';
export type { KMeansModel, GmmModel, KPrototypesModel, SegmentModel } from './model/model.js';
export type { BisectingModel, WardModel } from './model/hierarchy-model.js';
export type { BisectingNode } from './algo/bisecting-tree.js';
export type { WardDendrogram, WardGroup } from './algo/ward-dendrogram.js';
export type { IterationStat } from './algo/kmeans.js';
export type { GmmIterationStat } from './algo/gmm.js';
export type { CovarianceType } from './algo/gmm-math.js';
export type { BackendChoice } from './backend/select.js';

// Lifecycle.
export const dispose: typeof Lifecycle.dispose = asyncExport(lifecycle, 'dispose');
export const closeSharedGpu: typeof Lifecycle.closeSharedGpu = asyncExport(
  lifecycle,
  'closeSharedGpu',
);
export const shutdownCpuWorkers: typeof Lifecycle.shutdownCpuWorkers = asyncExport(
  lifecycle,
  'shutdownCpuWorkers',
);
export type { RunOptions } from './api/lifecycle.js';

// Synthetic data and benchmarks.
export { PERSONAS as SYNTHETIC_PERSONAS } from './synth/personas.js';
export const writeCustomers: typeof Customers.writeCustomers = asyncExport(
  customers,
  'writeCustomers',
);
export const benchTable: typeof Bench.benchTable = syncExport(bench, 'benchTable');
export const parseCount: typeof Bench.parseCount = syncExport(bench, 'parseCount');
export const runBench: typeof Bench.runBench = asyncExport(bench, 'runBench');
export type { BenchOptions, BenchResult } from './bench/bench.js';

// Errors and the version (light, loaded with the facade).
export {
  GpusegError,
  UsageError,
  InputError,
  DeviceError,
  EnvironmentError,
  InternalError,
  AbortedError,
  EXIT_CODES,
  debugEnabled,
  asGpusegError,
  oneLine,
  type ErrorKind,
} from './errors.js';
export { GPUSEG_VERSION } from './version.js';

/**
 * gpuseg's public API: what a Node pipeline imports, and all the CLI (src/cli) uses.
 *
 *   import { fit, predict } from 'gpuseg';
 *   const { model, assignments, stats } = await fit(table, { k: 5 });
 *
 * Functions throw GpusegError subclasses (UsageError, InputError, DeviceError, EnvironmentError,
 * InternalError) and never exit the process or install global handlers.
 */
export {
  fit,
  type Algorithm,
  type FitOptions,
  type FitResult,
  type FitStats,
  type GmmFitResult,
  type KMeansFitResult,
  type OtherFitResult,
} from './api/fit.js';
export type { FitResultCommon } from './api/fit-result.js';
export {
  fitOutOfCore,
  type OutOfCoreOptions,
  type OutOfCoreResult,
} from './api/fit-out-of-core.js';
export { predict, type PredictOptions, type PredictResult } from './api/predict.js';
export { cutModel } from './api/cut.js';
export { splitSegment, type SplitOptions, type SplitResult } from './api/split.js';
export type { SubSegmentLevel } from './model/sub-segments.js';
export {
  predictOutOfCore,
  type PredictOutOfCoreOptions,
  type PredictOutOfCoreResult,
} from './api/predict-out-of-core.js';
export { chooseOutOfCore } from './api/out-of-core-choice.js';
export {
  checkDistinctFiles,
  checkOutputPath,
  checkProfilePath,
  writeProfiles,
  writeTextFile,
  type NamedFile,
} from './api/outputs.js';
export { profileSegments, type ProfileSegmentsOptions } from './api/profile-segments.js';
export { assignmentsTable } from './api/assignments.js';
export {
  report,
  fitReport,
  checkReportPath,
  type ReportOptions,
  type FitReportOptions,
  type ReportCommonOptions,
} from './api/report.js';
export { segment, type SegmentOptions, type SegmentResult } from './api/segment.js';
export { type HistoryOptions, type HistoryResult } from './api/history.js';
export { fitWithHistory } from './api/fit-history.js';
export {
  transitions,
  transitionsCsv,
  transitionsText,
  type TransitionsOptions,
  type TransitionsResult,
} from './api/transitions.js';
export {
  selectK,
  parseKRange,
  type SelectOptions,
  type SelectResult,
  type SelectRow,
} from './api/select.js';
export { describeSegments, type NamingOptions } from './api/describe.js';
export type { DataOptions, PreparedData } from './api/prepare.js';
export { rfm, type RfmOptions, type RfmResult } from './segment/rfm.js';
export {
  computeProfiles,
  profilesCsv,
  profilesJson,
  profilesText,
  type ColumnProfile,
  type ColumnRole,
  type ProfileColumn,
  type Profiles,
  type SegmentProfile,
} from './segment/profile.js';
export { PERSONA_RULES, personaNames, type RfmColumns } from './segment/personas.js';
export type { PrepOptions, Preprocessing } from './prep/preprocess.js';
export { silhouetteScores, calinskiHarabasz, daviesBouldin } from './api/metrics.js';
export type { SilhouetteMethod } from './eval/metrics.js';
export type { DataMatrix } from './data/matrix.js';
export type { ColumnRoles } from './data/schema.js';
export type { TableInput } from './api/input.js';
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
export { listDevices, type DeviceList } from './api/devices.js';
export { readTable } from './io/read-table.js';
export type { CsvReadOptions } from './io/csv-read.js';
export type { ExcludedColumn, ThousandsSeparator } from './data/column-types.js';
export { writeTable } from './io/write-table.js';
export {
  OutputSet,
  checkOutputFolder,
  recordWrittenOutputs,
  removePendingTemporaryFiles,
  writtenOutputs,
} from './util/atomic-write.js';
export {
  loadModel,
  saveModel,
  parseModel,
  checkModel,
  MODEL_VERSION,
  type KMeansModel,
  type GmmModel,
  type KPrototypesModel,
  type SegmentModel,
} from './model/model.js';
export type { BisectingModel, WardModel } from './model/hierarchy-model.js';
export type { BisectingNode } from './algo/bisecting-tree.js';
export type { WardDendrogram, WardGroup } from './algo/ward-dendrogram.js';
export type { IterationStat } from './algo/kmeans.js';
export type { GmmIterationStat } from './algo/gmm.js';
export type { CovarianceType } from './algo/gmm-math.js';
export type { BackendChoice } from './backend/select.js';
export { dispose, closeSharedGpu, shutdownCpuWorkers, type RunOptions } from './api/lifecycle.js';
export { checkChunkOutputPath } from './io/batch-writer.js';
export { PERSONAS as SYNTHETIC_PERSONAS, writeCustomers } from './synth/customers.js';
export {
  benchTable,
  parseCount,
  runBench,
  type BenchOptions,
  type BenchResult,
} from './bench/bench.js';
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

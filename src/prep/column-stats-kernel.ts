/**
 * The column-statistics kernel lives with the matrices it reads (data/column-stats-kernel.ts:
 * data is below prep); re-exported here for prep's callers.
 */
export {
  forgetColumnStats,
  kernelColumnStats,
  loadColumnStatsKernel,
  matrixColumnStats,
} from '../data/column-stats-kernel.js';

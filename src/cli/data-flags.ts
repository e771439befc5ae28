import type { DataOptions } from '../api/prepare.js';

/**
 * The data and preprocessing flags, as commander hands them over: already parsed and checked by
 * the parameter table (src/cli/options.ts), under the API's option names.
 */
export type DataFlags = DataOptions;

/** The API's data options among a command's flags. */
export function dataOptions(flags: DataFlags): DataOptions {
  const { features, id, profile, impute, imputeValue, log, clip, clipFactor, scale, pca } = flags;
  return { features, id, profile, impute, imputeValue, log, clip, clipFactor, scale, pca };
}

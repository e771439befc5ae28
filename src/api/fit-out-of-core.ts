import { InputError } from '../errors.js';
import { openChunkSource } from '../io/batch-reader.js';
import type { OutputSet } from '../util/atomic-write.js';
import { checkChunkOutputPath } from '../io/batch-writer.js';
import type { FitOptions } from './fit.js';
import { FilePasses } from './file-passes.js';
import { fitBirchOutOfCore } from './fit-birch-out-of-core.js';
import { openSpill } from './out-of-core-runs.js';
import { scanFile } from './scan-file.js';
import type { OUT_OF_CORE_PARAMETERS, ParameterOptions } from './parameters.js';
import { checkObjectArgument, checkStringArgument } from '../util/arguments.js';

/**
 * fit's options, and the table's out-of-core ones: `chunkRows`, rows per chunk handed to the
 * backend (record batches and row groups are joined up to it), and `sampleRows`, rows of the
 * uniform sample kept in memory.
 */
export interface OutOfCoreOptions
  extends FitOptions, ParameterOptions<typeof OUT_OF_CORE_PARAMETERS> {
  /** Per-row output (.arrows, .arrow or .csv), written chunk by chunk; none when omitted. */
  output?: string;
  /** With `output`: the set whose commit renames it into place (with the model and profiles). */
  outputs?: OutputSet;
  /**
   * Where the Lloyd passes keep the prepared float32 chunks after the first one read them
   * (N·D·4 bytes, removed at the end): a folder, true for the system's temporary folder
   * (default), or false to read and convert the input on every pass.
   */
  spill?: boolean | string;
}

import { checkPassFitOptions, fitOverPasses, type OutOfCoreResult } from './fit-over-passes.js';

export type { OutOfCoreResult };

/**
 * k-means or a Gaussian mixture on a file larger than memory: the rows are read chunk by chunk
 * on every pass and never held together. What stays in memory: one chunk being prepared and one being clustered, a uniform
 * sample of `sampleRows` rows, and K×D numbers. The passes, in order:
 * 1. validation of every row (the same errors as in memory, with row numbers in the file), the row
 *    count, and the sample — the preprocessing (imputation values, quantiles, scales, PCA) is
 *    fitted on the sample, which is the whole table while it has at most `sampleRows` rows;
 * 2. seeding (a mixture: its initialisation) on the sample; then one pass per Lloyd (EM)
 *    iteration; the first also writes the prepared float32 chunks to a spill file that the next
 *    ones read back (`spill`);
 * 3. a profile pass (exact sizes and means; medians from the sample) that also names the segments;
 * 4. with `output`, a pass that writes each chunk's rows as it goes.
 * With the sample equal to the table, the result is the in-memory fit's (same centres, labels).
 * BIRCH streams the file through its CF-tree once instead (fit-birch-out-of-core.ts); the other
 * algorithms that need their rows in memory are refused up front (fit-over-passes.ts).
 */
export async function fitOutOfCore(
  path: string,
  options: OutOfCoreOptions,
): Promise<OutOfCoreResult> {
  checkStringArgument(path, 'path');
  checkObjectArgument(options, 'options');
  if (options.algorithm === 'birch') return fitBirchOutOfCore(path, options);
  const { settings, dataOptions, chunkRows, sampleRows, notices, notice } = checkPassFitOptions(
    options,
    'outOfCore',
  );
  if (options.output !== undefined) checkChunkOutputPath(options.output, { option: 'output' });
  const { k, seed } = settings;
  const source = await openChunkSource(path, chunkRows);
  const scanned = await scanFile(source, dataOptions, sampleRows, seed, notice);
  const { rows, roles } = scanned;
  if (k > rows) throw new InputError((opt) => `k=${k} exceeds rows=${rows}; lower ${opt('k')}`);
  const allowMissing = dataOptions.impute !== 'none';
  return fitOverPasses(
    scanned,
    { settings, dataOptions, chunkRows, options, notice, notices },
    async (prep, backend) => {
      const spill = openSpill(options.spill ?? true, rows, prep?.outputs.length ?? 0, notice);
      return new FilePasses(source, backend, roles, prep, allowMissing, spill, notice);
    },
  );
}

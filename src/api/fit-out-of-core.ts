import { Table } from 'apache-arrow';
import { MatrixArena } from '../data/matrix.js';
import { RowReservoir } from '../data/row-sample.js';
import { resolveRoles } from '../data/schema.js';
import { excludedNotice, type ExcludedColumn } from '../data/column-types.js';
import { InputError } from '../errors.js';
import { openChunkSource } from '../io/batch-reader.js';
import type { OutputSet } from '../util/atomic-write.js';
import { checkChunkOutputPath } from '../io/batch-writer.js';
import type { FitOptions } from './fit.js';
import { FilePasses } from './file-passes.js';
import { featureMatrix } from './input.js';
import { countMissing, openSpill } from './out-of-core-runs.js';
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
 */
export async function fitOutOfCore(
  path: string,
  options: OutOfCoreOptions,
): Promise<OutOfCoreResult> {
  checkStringArgument(path, 'path');
  checkObjectArgument(options, 'options');
  const { settings, dataOptions, chunkRows, sampleRows, notices, notice } = checkPassFitOptions(
    options,
    'outOfCore',
  );
  if (options.output !== undefined) checkChunkOutputPath(options.output, { option: 'output' });
  const { k, seed } = settings;

  const source = await openChunkSource(path, chunkRows);
  const roles = resolveRoles(new Table(source.schema), {
    id: dataOptions.id,
    features: dataOptions.features,
    profile: dataOptions.profile,
  });
  const allowMissing = dataOptions.impute !== 'none';
  const profileColumns = [
    ...roles.features.map((name) => ({ name, role: 'feature' as const })),
    ...roles.profile.map((name) => ({ name, role: 'profile' as const })),
  ];

  // Pass 1: validate, count, sample.
  const reservoir = new RowReservoir(
    profileColumns.map((c) => c.name),
    sampleRows,
    seed,
  );
  const missing = new Map<string, number>();
  const validation = new MatrixArena();
  // Text columns that look numeric show in their cells, not the schema: judged on the first chunk.
  let excludedColumns: ExcludedColumn[] = [];
  for await (const { table, firstRow } of source.chunks()) {
    if (firstRow === 0) {
      excludedColumns =
        resolveRoles(table, {
          id: dataOptions.id,
          features: dataOptions.features,
          profile: dataOptions.profile,
        }).excluded ?? [];
      excludedColumns.map(excludedNotice).forEach(notice);
    }
    const { matrix } = featureMatrix(table, roles, {
      allowMissing,
      firstRow,
      allocate: (r, f) => validation.take(r, f),
    });
    if (allowMissing) countMissing(matrix, missing);
    reservoir.add(table);
  }
  const rows = reservoir.rowsSeen;
  if (rows === 0) throw new InputError('the input has zero rows');
  if (k > rows) throw new InputError((opt) => `k=${k} exceeds rows=${rows}; lower ${opt('k')}`);
  const sampleTable = reservoir.table();
  return fitOverPasses(
    { roles, rows, sampleTable, missing, excludedColumns, scanPasses: 1 },
    { settings, dataOptions, chunkRows, options, notice, notices },
    async (prep, backend) => {
      const spill = openSpill(options.spill ?? true, rows, prep?.outputs.length ?? 0, notice);
      return new FilePasses(source, backend, roles, prep, allowMissing, spill, notice);
    },
  );
}

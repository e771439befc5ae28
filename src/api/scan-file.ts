import { Table } from 'apache-arrow';
import { MatrixArena } from '../data/matrix.js';
import { RowReservoir } from '../data/row-sample.js';
import { resolveRoles } from '../data/schema.js';
import { excludedNotice, type ExcludedColumn } from '../data/column-types.js';
import { InputError } from '../errors.js';
import type { ChunkSource } from '../io/batch-reader.js';
import type { ScannedInput } from './fit-over-passes.js';
import { featureMatrix } from './input.js';
import type { NoticeSink } from './notices.js';
import { countMissing } from './out-of-core-runs.js';
import type { checkDataOptions } from './prepare.js';

/**
 * Pass 1 over a file: every row validated (the same errors as in memory, with row numbers in the
 * file), the rows counted, missing values counted, and a uniform sample of `sampleRows` rows kept
 * (every row, in order, while there are at most that many).
 */
export async function scanFile(
  source: ChunkSource,
  dataOptions: ReturnType<typeof checkDataOptions>,
  sampleRows: number,
  seed: number,
  notice: NoticeSink,
): Promise<ScannedInput> {
  const roles = resolveRoles(new Table(source.schema), {
    id: dataOptions.id,
    features: dataOptions.features,
    profile: dataOptions.profile,
  });
  const allowMissing = dataOptions.impute !== 'none';
  const profileColumns = [...roles.features, ...roles.profile];
  const reservoir = new RowReservoir(profileColumns, sampleRows, seed);
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
  return { roles, rows, sampleTable: reservoir.table(), missing, excludedColumns, scanPasses: 1 };
}

import type { Table } from 'apache-arrow';
import { resolveRoles } from '../data/schema.js';
import { InputError, subjectName, type Subject } from '../errors.js';
import type { Profiles } from '../segment/profile.js';
import { describeSegments, type NamingOptions } from './describe.js';
import { checkTableInput, loadInput, type TableInput } from './input.js';
import {
  COMMON_PARAMETERS,
  parameter,
  resolveParameters,
  type ParameterOptions,
} from './parameters.js';
import { argumentError, checkOptionsArgument, isTableLike } from '../util/arguments.js';

/** The columns `profileSegments` profiles: the table's `features`, `profile` and `id` options. */
const PROFILE_PARAMETERS = [
  parameter(COMMON_PARAMETERS, 'features'),
  parameter(COMMON_PARAMETERS, 'profile'),
  parameter(COMMON_PARAMETERS, 'id'),
  parameter(COMMON_PARAMETERS, 'thousands'),
] as const;

export interface ProfileSegmentsOptions
  extends NamingOptions, ParameterOptions<typeof PROFILE_PARAMETERS> {}

/**
 * Profiles of a table segmented earlier: `segments` (the output of fit, segment or predict: a
 * segment_id column, and segment_name when named) is joined to `input` by the id column when both
 * have it, else row by row. Names: `names`, else the segments' own, else personas.
 */
export async function profileSegments(
  input: TableInput,
  segments: TableInput,
  options: ProfileSegmentsOptions = {},
): Promise<{ profiles: Profiles; names: string[] | undefined }> {
  checkTableInput(input);
  if (typeof segments !== 'string' && !isTableLike(segments))
    throw argumentError('segments', 'an apache-arrow Table or a file path', segments);
  checkOptionsArgument(options);
  const columns = resolveParameters(PROFILE_PARAMETERS, options);
  // Both files read with the id column kept exact (long ids) and the same number format.
  const read = { id: columns.id, thousands: columns.thousands };
  const table = await loadInput(input, read);
  const segs = await loadInput(segments, read);
  const roles = resolveRoles(table, columns);
  const what: Subject =
    typeof segments === 'string' ? { option: 'segments', value: segments } : 'the segments table';
  const { labels, k, names } = joinSegments(table, segs, roles.id, what);
  return describeSegments(table, roles, labels, k, {
    names: options.names ?? names,
    personas: options.personas,
  });
}

/**
 * The segment of each row of `table`, from a segments table (fit/segment/predict output: a
 * segment_id column, and segment_name when named) joined by the `id` column when both have it,
 * else row by row; `what` names the segments in errors. k is the largest segment id + 1.
 */
export function joinSegments(
  table: Table,
  segs: Table,
  id: string | undefined,
  what: Subject,
): { labels: Int32Array; k: number; names: string[] | undefined } {
  const labelsColumn = segs.getChild('segment_id');
  if (!labelsColumn)
    throw new InputError((opt) => `${subjectName(what, opt)} has no segment_id column`);
  const labels = new Int32Array(table.numRows);
  const idColumn = id !== undefined && segs.getChild(id) ? id : undefined;
  if (idColumn) {
    const byId = new Map<string, number>();
    const ids = segs.getChild(idColumn)!;
    const firstRow = new Map<string, number>();
    for (let i = 0; i < segs.numRows; i++) {
      const key = String(ids.get(i));
      const seen = firstRow.get(key);
      if (seen !== undefined)
        throw new InputError(
          (opt) =>
            `${opt('segments')}: ${idColumn} ${key} appears twice (rows ${seen} and ${i}), so its segment is ambiguous; give each id one row`,
        );
      firstRow.set(key, i);
      byId.set(key, Number(labelsColumn.get(i)));
    }
    const mine = table.getChild(idColumn)!;
    for (let i = 0; i < table.numRows; i++) {
      const l = byId.get(String(mine.get(i)));
      if (l === undefined)
        throw new InputError(
          (opt) =>
            `${opt('segments')}: ${idColumn} ${String(mine.get(i))} (row ${i}) has no segment`,
        );
      labels[i] = l;
    }
  } else {
    if (segs.numRows !== table.numRows)
      throw new InputError(
        (opt) =>
          `${opt('segments')} has ${segs.numRows} rows, the input ${table.numRows}, and no shared id column to match them`,
      );
    for (let i = 0; i < table.numRows; i++) labels[i] = Number(labelsColumn.get(i));
  }
  // A loop, not Math.max(...labels): spreading a million labels overflows the call stack.
  let k = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i] >= k) k = labels[i] + 1;
  const nameColumn = segs.getChild('segment_name');
  let names: string[] | undefined;
  if (nameColumn) {
    names = Array.from({ length: k }, (_, c) => `Segment ${c}`);
    for (let i = 0; i < segs.numRows; i++)
      names[Number(labelsColumn.get(i))] = String(nameColumn.get(i));
  }
  return { labels, k, names };
}

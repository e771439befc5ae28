import type { Table, Vector } from 'apache-arrow';
import type { ChunkedPasses } from '../algo/kmeans-out-of-core.js';
import type { Backend, DatasetHandle, GmmPassParams, GmmSummary } from '../backend/backend.js';
import type { ProfileColumn } from '../segment/profile.js';
import type { OutputSet } from '../util/atomic-write.js';
import { ownAssignmentsTable, mixtureTable } from './assignments.js';
import { segmentNameColumn, segmentNameDictionary } from './describe.js';

/**
 * Every pass a fit over data read in passes makes, whoever provides them: the file read chunk by
 * chunk (FilePasses), or shards held by workers (the sharded fit's ShardPasses). Each pass merges
 * its pieces' summaries in a fixed order (chunks in file order, shards in shard order) in float64,
 * so two providers whose pieces hold the same rows give the same numbers, bit for bit.
 */
export interface FitPasses extends ChunkedPasses {
  gmmPass(params: GmmPassParams): Promise<GmmSummary>;
  /**
   * Assigns every row by `final` and hands each piece's profile statistics (ProfileAccumulator's
   * `summary()`, with `request`'s columns and shifts) and its score, in piece order, to `use`.
   */
  profilePass(
    final: FinalModel,
    request: ProfileRequest,
    use: (summary: Float64Array, score: number) => void,
  ): Promise<void>;
  /** Writes every row's segment (see OutputRequest). */
  outputPass(final: FinalModel, request: OutputRequest): Promise<void>;
  /** Passes made so far. */
  readonly passes: number;
  /** Pieces (chunks, shards) per pass. */
  readonly chunksPerPass: number;
  /** Whether the iteration passes read prepared float32 chunks back from a spill. */
  readonly spilled: boolean;
  /** Releases what the passes hold (a spill file, queue connections). */
  close(): void | Promise<void>;
}

/** The fitted model as the assignment passes evaluate it. */
export type FinalModel =
  | { kind: 'kmeans'; k: number; centres: Float32Array }
  | { kind: 'gmm'; k: number; params: GmmPassParams; probabilities: boolean };

export interface ProfileRequest {
  k: number;
  columns: ProfileColumn[];
  /** One shift per column (profileShifts of the sample), the same for every piece. */
  shifts: Float64Array;
}

export interface OutputRequest {
  /** Where the rows go: the file (FilePasses), or the prefix of the shards' files (ShardPasses). */
  output: string;
  outputs?: OutputSet;
  /** The id column, if any (else a `row` column numbers the rows in the whole table). */
  id: string | undefined;
  names: string[] | undefined;
  /** Rows in the whole table. */
  rows: number;
}

/** One piece's assignment: labels, its part of the score (Σ squared distances, or Σ log p), its output rows. */
export interface ChunkAssignment {
  labels: Int32Array;
  score: number;
  /** k-means: each row's squared distance (a score continued row by row over many pieces). */
  sqDistances?: Float32Array;
  rows: (
    table: Table,
    id: string | undefined,
    named: Record<string, Vector>,
    numbering: { first: number; total: number },
  ) => Table;
}

/** The assignment of one attached piece of rows by `final`. */
export function chunkAssigner(
  backend: Backend,
  final: FinalModel,
): (handle: DatasetHandle) => Promise<ChunkAssignment> {
  if (final.kind === 'kmeans')
    return async (handle) => {
      const a = await backend.assign(handle, final.centres, final.k);
      let score = 0;
      for (let i = 0; i < a.sqDistances.length; i++) score += a.sqDistances[i];
      return {
        labels: a.labels,
        score,
        sqDistances: a.sqDistances,
        rows: (table, id, named, numbering) =>
          ownAssignmentsTable(table, id, a.labels, a.sqDistances, named, undefined, numbering),
      };
    };
  return async (handle) => {
    const a = await backend.gmmAssign(handle, final.params, {
      probabilities: final.probabilities,
    });
    return {
      labels: a.labels,
      score: a.logLikelihood,
      rows: (table, id, named, numbering) =>
        mixtureTable(
          table,
          id,
          a.labels,
          a.probability,
          a.probabilities,
          final.k,
          named,
          numbering,
        ),
    };
  };
}

/**
 * The assignment of one attached piece of rows by a BIRCH tree's leaf subclusters (`centres`,
 * row-major float32): each row takes its nearest centroid's segment (`labels`) and its squared
 * distance to that centroid, as the in-memory fit and predict do. (Not a FinalModel: the sharded
 * fit, which ships those to workers, does not fit BIRCH.)
 */
export function birchAssigner(
  backend: Backend,
  centres: Float32Array,
  labels: Int32Array,
): (handle: DatasetHandle) => Promise<ChunkAssignment> {
  return async (handle) => {
    const a = await backend.assign(handle, centres, labels.length);
    const segments = Int32Array.from(a.labels, (s) => labels[s]);
    let score = 0;
    for (let i = 0; i < a.sqDistances.length; i++) score += a.sqDistances[i];
    return {
      labels: segments,
      score,
      rows: (table, id, named, numbering) =>
        ownAssignmentsTable(table, id, segments, a.sqDistances, named, undefined, numbering),
    };
  };
}

/** A piece's output rows, with the segment names when there are any. */
export function outputRows(
  assignment: ChunkAssignment,
  table: Table,
  request: OutputRequest,
  firstRow: number,
  dictionary = request.names ? segmentNameDictionary(request.names) : undefined,
): Table {
  const named: Record<string, Vector> = request.names
    ? { segment_name: segmentNameColumn(assignment.labels, request.names, dictionary) }
    : {};
  return assignment.rows(table, request.id, named, { first: firstRow, total: request.rows });
}

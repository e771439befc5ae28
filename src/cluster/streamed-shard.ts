import { Table } from 'apache-arrow';
import type {
  Backend,
  DatasetHandle,
  GmmPassParams,
  GmmSummary,
  LloydSummary,
} from '../backend/backend.js';
import { withAttached } from '../backend/with-attached.js';
import { partialBlockRows } from '../backend/select.js';
import { MatrixArena, type DataMatrix } from '../data/matrix.js';
import { resolveRoles } from '../data/schema.js';
import { tableColumnsFloat64 } from '../data/to-matrix.js';
import { InternalError } from '../errors.js';
import { openChunkSource, type ChunkSource } from '../io/batch-reader.js';
import { openChunkWriter } from '../io/batch-writer.js';
import { applyPreprocessing, type Preprocessing } from '../prep/preprocess.js';
import type { ProfileAccumulator } from '../segment/profile.js';
import { segmentNameDictionary } from '../api/describe.js';
import { chunkAssigner, outputRows, type FinalModel } from '../api/fit-passes.js';
import { featureMatrix } from '../api/input.js';
import { countMissing } from '../api/out-of-core-runs.js';
import { addGmmPart, addLloydPart, emptyGmmTotal, emptyLloydTotal } from '../api/pass-totals.js';
import { OutputSet } from '../util/atomic-write.js';
import type { ShardPassSource } from './shard-answer.js';
import type { PassRequest, RunSetup, ScanAnswer } from './payload.js';

/** Rows of one piece of a pass: prepared, with their table when the pass needs it. */
interface Piece {
  matrix: DataMatrix;
  table: Table | undefined;
  /** Row number of its first row in the shard. */
  firstRow: number;
}

/**
 * A shard served out of core: read chunk by chunk (of `chunkRows` rows, as fitOutOfCore reads a
 * file) on every pass, never held whole. So that the statistics are the resident shard's bits,
 * the prepared rows are cut into pieces at the backend's partial-block boundaries (counted from
 * the shard's first row; partialBlockRows) and each piece's statistics are added in order from
 * zero with pass-totals.ts — the additions the backend makes over a resident shard's blocks. The
 * k-means score is continued row by row, as one assignment of the whole shard sums it. A backend
 * without such blocks (the GPU) gets the chunks as they are read.
 */
export class StreamedShard implements ShardPassSource<RunSetup> {
  private setups: { run: string; setup: RunSetup } | undefined;
  private readonly raw = new MatrixArena();
  private readonly projected = new MatrixArena();
  /** The pieces cut across chunks (kernel memory, reused: a piece is done before the next). */
  private readonly blocks = new MatrixArena();

  private constructor(
    readonly path: string,
    private readonly source: ChunkSource,
    private readonly backend: Backend,
  ) {}

  static async open(path: string, backend: Backend, chunkRows: number): Promise<StreamedShard> {
    return new StreamedShard(path, await openChunkSource(path, chunkRows), backend);
  }

  get rows(): number {
    return this.source.rows;
  }

  async prepare(run: string, setup: () => Promise<RunSetup>): Promise<RunSetup> {
    if (this.setups?.run !== run) this.setups = { run, setup: await setup() };
    return this.setups.setup;
  }

  async lloyd(s: RunSetup, centres: Float32Array, k: number): Promise<LloydSummary> {
    const total = emptyLloydTotal(k, centres.length / k);
    for await (const piece of this.pieces(s, false))
      addLloydPart(
        total,
        await this.attached(piece.matrix, (h) =>
          this.backend.lloydStep(h, centres, k, { storeLabels: false }),
        ),
      );
    return total;
  }

  async gmm(s: RunSetup, params: GmmPassParams): Promise<GmmSummary> {
    let total: GmmSummary | undefined;
    for await (const piece of this.pieces(s, false)) {
      const part = await this.attached(piece.matrix, (h) => this.backend.gmmStep(h, params));
      // From zero, as the backend's own sum of its blocks starts.
      total = addGmmPart(total ?? emptyGmmTotal(part), part);
    }
    return total!;
  }

  async profile(s: RunSetup, final: FinalModel, profile: ProfileAccumulator): Promise<number> {
    const assign = chunkAssigner(this.backend, final);
    let score = 0;
    for await (const piece of this.pieces(s, true)) {
      const a = await this.attached(piece.matrix, assign);
      profile.add(piece.table!, a.labels);
      if (a.sqDistances) for (const v of a.sqDistances) score += v;
      else score += a.score;
    }
    return score;
  }

  async write(
    s: RunSetup,
    final: FinalModel,
    request: Extract<PassRequest, { kind: 'write' }>,
  ): Promise<number> {
    const assign = chunkAssigner(this.backend, final);
    const outputs = new OutputSet({ output: request.output });
    // Written to a temporary file beside the output and renamed into place.
    const writer = openChunkWriter(request.output, { option: 'output' }, outputs);
    const dictionary = request.names ? segmentNameDictionary(request.names) : undefined;
    const numbering = { output: request.output, id: request.id, names: request.names };
    try {
      for await (const piece of this.pieces(s, true)) {
        const a = await this.attached(piece.matrix, assign);
        const rows = { ...numbering, rows: request.rows };
        const first = request.firstRow + piece.firstRow;
        await writer.write(outputRows(a, piece.table!, rows, first, dictionary));
      }
      await writer.commit();
    } catch (error) {
      writer.abort();
      throw error;
    }
    outputs.commit();
    return this.rows;
  }

  /** The scan of fitOutOfCore's first pass over this shard (excluded columns judged on its first chunk). */
  async scan(request: Extract<PassRequest, { kind: 'scan' }>): Promise<ScanAnswer> {
    const roles = resolveRoles(new Table(this.source.schema), request.request);
    let excluded: ScanAnswer['excluded'] = [];
    const missing = new Map<string, number>();
    let rows = 0;
    for await (const { table, firstRow } of this.source.chunks()) {
      if (firstRow === 0) excluded = resolveRoles(table, request.request).excluded ?? [];
      const { matrix } = featureMatrix(table, roles, {
        allowMissing: request.allowMissing,
        firstRow,
        allocate: (r, f) => this.raw.take(r, f),
      });
      if (request.allowMissing) countMissing(matrix, missing);
      rows += table.numRows;
    }
    return {
      rows,
      roles: { id: roles.id, features: roles.features, profile: roles.profile },
      excluded,
      missing: [...missing.entries()],
    };
  }

  /** Float64 values of `columns` at the given (increasing) row numbers, read chunk by chunk. */
  async sample(rows: Float64Array, columns: string[]): Promise<Float64Array[]> {
    const out = columns.map(() => new Float64Array(rows.length));
    let at = 0;
    for await (const { table, firstRow } of this.source.chunks()) {
      if (at === rows.length) break;
      const end = firstRow + table.numRows;
      if (rows[at] >= end) continue;
      const values = tableColumnsFloat64(table, columns);
      for (; at < rows.length && rows[at] < end; at++)
        values.forEach((col, j) => (out[j][at] = col[rows[at] - firstRow]));
    }
    return out;
  }

  /**
   * The shard's rows prepared for the run, in pieces of exactly partialBlockRows (the last one
   * shorter), copied across chunk boundaries where needed; or the chunks as read.
   */
  private async *pieces(setup: RunSetup, withTable: boolean): AsyncGenerator<Piece> {
    const unit = partialBlockRows(this.backend);
    let open: { piece: Piece; filled: number; tables: Table[] } | undefined;
    let start = 0;
    for await (const { table, firstRow } of this.source.chunks()) {
      const { matrix: raw } = featureMatrix(table, setup.roles, {
        allowMissing: setup.allowMissing,
        firstRow,
        allocate: (r, f) => this.raw.take(r, f),
      });
      const m = applyPreprocessing(setup.prep as Preprocessing, raw, (r, f) =>
        this.projected.take(r, f),
      );
      const n = table.numRows;
      if (unit === undefined || (open === undefined && n === unit && firstRow === start)) {
        yield { matrix: m, table, firstRow };
        start += n;
        continue;
      }
      for (let i = 0; i < n;) {
        if (open === undefined) {
          const rows = Math.min(unit, this.rows - start);
          const piece = {
            matrix: this.blocks.take(rows, m.features),
            table: undefined,
            firstRow: start,
          };
          open = { piece, filled: 0, tables: [] };
        }
        const { matrix } = open.piece;
        const take = Math.min(n - i, matrix.rows - open.filled);
        for (let j = 0; j < m.dims; j++)
          matrix.data.set(
            m.data.subarray(j * n + i, j * n + i + take),
            j * matrix.rows + open.filled,
          );
        if (withTable) open.tables.push(table.slice(i, i + take));
        open.filled += take;
        i += take;
        if (open.filled === matrix.rows) {
          const table = withTable ? new Table(open.tables.flatMap((t) => t.batches)) : undefined;
          yield { ...open.piece, table };
          start += matrix.rows;
          open = undefined;
        }
      }
    }
    if (open !== undefined || start !== this.rows)
      throw new InternalError(`shard '${this.path}': read ${start} rows of ${this.rows}`);
  }

  private attached<T>(matrix: DataMatrix, work: (handle: DatasetHandle) => Promise<T>): Promise<T> {
    return withAttached(this.backend, matrix, work);
  }

  async dispose(): Promise<void> {
    this.setups = undefined;
  }
}

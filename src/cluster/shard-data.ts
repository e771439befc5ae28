import { Float64, makeVector, Table, type Vector } from 'apache-arrow';
import type {
  Backend,
  DatasetHandle,
  GmmPassParams,
  GmmSummary,
  LloydSummary,
} from '../backend/backend.js';
import { resolveRoles } from '../data/schema.js';
import { tableColumnsFloat64 } from '../data/to-matrix.js';
import { readTable } from '../io/read-table.js';
import { writeTable } from '../io/write-table.js';
import { applyPreprocessing, type Preprocessing } from '../prep/preprocess.js';
import type { ProfileAccumulator } from '../segment/profile.js';
import { chunkAssigner, outputRows, type FinalModel } from '../api/fit-passes.js';
import { featureMatrix } from '../api/input.js';
import { countMissing } from '../api/out-of-core-runs.js';
import { OutputSet } from '../util/atomic-write.js';
import type { ShardPassSource } from './shard-answer.js';
import { joined, unpackF64, type PassRequest, type RunSetup, type ScanAnswer } from './payload.js';

/**
 * One shard on its worker: the table read once, and per run its prepared float32 matrix attached
 * to the backend (GPU-resident on a GPU), which every pass of the run reuses. Each pass computes
 * exactly what the out-of-core fit computes for one chunk holding these rows (the same backend
 * calls on the same float32 matrix), so merged in shard order the sums are the out-of-core sums.
 */
export class ShardData implements ShardPassSource<DatasetHandle> {
  private prepared: { run: string; handle: DatasetHandle } | undefined;

  private constructor(
    readonly path: string,
    readonly table: Table,
    private readonly backend: Backend,
  ) {}

  static async load(path: string, backend: Backend): Promise<ShardData> {
    return new ShardData(path, await readTable(path), backend);
  }

  get rows(): number {
    return this.table.numRows;
  }

  /** The validation and count of the out-of-core fit's first pass, on this shard's rows. */
  async scan(request: Extract<PassRequest, { kind: 'scan' }>): Promise<ScanAnswer> {
    // Roles from the schema alone, excluded columns judged on the cells (as fitOutOfCore does).
    const roles = resolveRoles(new Table(this.table.schema), request.request);
    const excluded = resolveRoles(this.table, request.request).excluded ?? [];
    const { matrix } = featureMatrix(this.table, roles, { allowMissing: request.allowMissing });
    const missing = new Map<string, number>();
    if (request.allowMissing) countMissing(matrix, missing);
    return {
      rows: this.table.numRows,
      roles: { id: roles.id, features: roles.features, profile: roles.profile },
      excluded,
      missing: [...missing.entries()],
    };
  }

  /** Float64 values of `columns` at the given (increasing) row numbers of this shard. */
  async sample(rows: Float64Array, columns: string[]): Promise<Float64Array[]> {
    return tableColumnsFloat64(this.table, columns).map((col) =>
      Float64Array.from(rows, (r) => col[r]),
    );
  }

  async prepare(run: string, setup: () => Promise<RunSetup>): Promise<DatasetHandle> {
    if (this.prepared?.run === run) return this.prepared.handle;
    if (this.prepared) await this.backend.detach(this.prepared.handle);
    this.prepared = undefined;
    const s = await setup();
    const { matrix } = featureMatrix(this.table, s.roles, { allowMissing: s.allowMissing });
    const prepared = applyPreprocessing(s.prep as Preprocessing, matrix);
    this.prepared = { run, handle: await this.backend.attach(prepared) };
    return this.prepared.handle;
  }

  lloyd(handle: DatasetHandle, centres: Float32Array, k: number): Promise<LloydSummary> {
    return this.backend.lloydStep(handle, centres, k, { storeLabels: false });
  }

  gmm(handle: DatasetHandle, params: GmmPassParams): Promise<GmmSummary> {
    return this.backend.gmmStep(handle, params);
  }

  async profile(
    handle: DatasetHandle,
    final: FinalModel,
    profile: ProfileAccumulator,
  ): Promise<number> {
    const a = await chunkAssigner(this.backend, final)(handle);
    profile.add(this.table, a.labels);
    return a.score;
  }

  async write(
    handle: DatasetHandle,
    final: FinalModel,
    request: Extract<PassRequest, { kind: 'write' }>,
  ): Promise<number> {
    const a = await chunkAssigner(this.backend, final)(handle);
    const rows = outputRows(
      a,
      this.table,
      { output: request.output, id: request.id, names: request.names, rows: request.rows },
      request.firstRow,
    );
    // Written to a temporary file beside the output and renamed into place.
    const outputs = new OutputSet({ output: request.output });
    writeTable(request.output, rows, { option: 'output' }, outputs);
    outputs.commit();
    return rows.numRows;
  }

  async dispose(): Promise<void> {
    if (this.prepared) await this.backend.detach(this.prepared.handle);
    this.prepared = undefined;
  }
}

/** The sample table from the shards' answers (columns concatenated in shard order). */
export function sampleTable(columns: string[], answers: string[][]): Table {
  const vectors: Record<string, Vector> = {};
  columns.forEach((name, j) => {
    const data = joined(...answers.map((a) => unpackF64(a[j])));
    vectors[name] = makeVector({ type: new Float64(), data });
  });
  return new Table(vectors);
}

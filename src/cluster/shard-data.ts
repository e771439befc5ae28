import { Float64, makeVector, Table, type Vector } from 'apache-arrow';
import type { Backend, DatasetHandle } from '../backend/backend.js';
import { resolveRoles } from '../data/schema.js';
import { tableColumnsFloat64 } from '../data/to-matrix.js';
import { readTable } from '../io/read-table.js';
import { writeTable } from '../io/write-table.js';
import { applyPreprocessing, type Preprocessing } from '../prep/preprocess.js';
import { ProfileAccumulator } from '../segment/profile.js';
import { chunkAssigner, outputRows } from '../api/fit-passes.js';
import { featureMatrix } from '../api/input.js';
import { countMissing } from '../api/out-of-core-runs.js';
import { OutputSet } from '../util/atomic-write.js';
import {
  pack,
  unpackF32,
  unpackF64,
  unpackFinal,
  unpackGmm,
  type PassAnswer,
  type PassRequest,
  type RunSetup,
} from './payload.js';

/** A shard as its worker serves it: resident (ShardData) or read on every pass (StreamedShard). */
export interface ShardServer {
  readonly rows: number;
  /**
   * The pass `request` of run `run`; `setup` reads the run's preparation (kept in Redis) when the
   * shard is not yet prepared for that run.
   */
  answer(run: string, request: PassRequest, setup: () => Promise<RunSetup>): Promise<PassAnswer>;
  dispose(): Promise<void>;
}

/**
 * One shard on its worker: the table read once, and per run its prepared float32 matrix attached
 * to the backend (GPU-resident on a GPU), which every pass of the run reuses. Each pass computes
 * exactly what the out-of-core fit computes for one chunk holding these rows (the same backend
 * calls on the same float32 matrix), so merged in shard order the sums are the out-of-core sums.
 */
export class ShardData implements ShardServer {
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

  /**
   * The pass `request` of run `run`; `setup` reads the run's preparation (kept in Redis) when the
   * shard is not yet prepared for that run.
   */
  async answer(
    run: string,
    request: PassRequest,
    setup: () => Promise<RunSetup>,
  ): Promise<PassAnswer> {
    switch (request.kind) {
      case 'scan':
        return { kind: 'scan', scan: this.scan(request) };
      case 'sample':
        return { kind: 'sample', columns: this.sample(request.rows, request.columns) };
      case 'close':
        return { kind: 'close' };
      default:
        break;
    }
    const handle = await this.preparedFor(run, setup);
    const { backend } = this;
    switch (request.kind) {
      case 'lloyd': {
        const s = await backend.lloydStep(handle, unpackF32(request.centres), request.k, {
          storeLabels: false,
        });
        return { kind: 'lloyd', stats: pack(joined([s.inertia], s.counts, s.sums)) };
      }
      case 'gmm': {
        const s = await backend.gmmStep(handle, unpackGmm(request.params));
        return {
          kind: 'gmm',
          stats: pack(joined([s.logLikelihood], s.nk, s.sd, s.sdd)),
        };
      }
      case 'profile': {
        const a = await chunkAssigner(backend, unpackFinal(request.final))(handle);
        const part = new ProfileAccumulator(request.k, request.columns, unpackF64(request.shifts));
        part.add(this.table, a.labels);
        return { kind: 'profile', stats: pack(joined([a.score], part.summary())) };
      }
      case 'write': {
        const a = await chunkAssigner(backend, unpackFinal(request.final))(handle);
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
        return { kind: 'write', output: request.output, rows: rows.numRows };
      }
    }
  }

  /** The validation and count of the out-of-core fit's first pass, on this shard's rows. */
  private scan(request: Extract<PassRequest, { kind: 'scan' }>) {
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
  private sample(packedRows: string, columns: string[]): string[] {
    const rows = unpackF64(packedRows);
    return tableColumnsFloat64(this.table, columns).map((col) =>
      pack(Float64Array.from(rows, (r) => col[r])),
    );
  }

  private async preparedFor(run: string, setup: () => Promise<RunSetup>): Promise<DatasetHandle> {
    if (this.prepared?.run === run) return this.prepared.handle;
    if (this.prepared) await this.backend.detach(this.prepared.handle);
    this.prepared = undefined;
    const s = await setup();
    const { matrix } = featureMatrix(this.table, s.roles, { allowMissing: s.allowMissing });
    const prepared = applyPreprocessing(s.prep as Preprocessing, matrix);
    this.prepared = { run, handle: await this.backend.attach(prepared) };
    return this.prepared.handle;
  }

  async dispose(): Promise<void> {
    if (this.prepared) await this.backend.detach(this.prepared.handle);
    this.prepared = undefined;
  }
}

/** Scalars and arrays one after the other, in one Float64Array. */
export function joined(...parts: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The sample table from the shards' answers (columns concatenated in shard order). */
export function sampleTable(columns: string[], answers: string[][]): Table {
  const vectors: Record<string, Vector> = {};
  columns.forEach((name, j) => {
    const parts = answers.map((a) => unpackF64(a[j]));
    const data = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      data.set(p, at);
      at += p.length;
    }
    vectors[name] = makeVector({ type: new Float64(), data });
  });
  return new Table(vectors);
}

import type { GmmPassParams, GmmSummary, LloydSummary } from '../backend/backend.js';
import type { FinalModel } from '../api/fit-passes.js';
import { ProfileAccumulator } from '../segment/profile.js';
import {
  joined,
  pack,
  unpackF32,
  unpackF64,
  unpackFinal,
  unpackGmm,
  type PassAnswer,
  type PassRequest,
  type RunSetup,
  type ScanAnswer,
} from './payload.js';

type Request<K extends PassRequest['kind']> = Extract<PassRequest, { kind: K }>;

/**
 * A shard's rows as its worker serves them, resident (ShardData) or read on every pass
 * (StreamedShard): what each kind of pass computes over them, unpacked. `P` is the shard prepared
 * for one run (its attached matrix, or the run's setup), which the statistic passes take.
 */
export interface ShardPassSource<P> {
  readonly rows: number;
  /** The validation and count of the out-of-core fit's first pass, on this shard's rows. */
  scan(request: Request<'scan'>): Promise<ScanAnswer>;
  /** Float64 values of `columns` at the given (increasing) row numbers of this shard. */
  sample(rows: Float64Array, columns: string[]): Promise<Float64Array[]>;
  /** The shard prepared for run `run`; `setup` reads the run's preparation (kept in Redis). */
  prepare(run: string, setup: () => Promise<RunSetup>): Promise<P>;
  lloyd(prepared: P, centres: Float32Array, k: number): Promise<LloydSummary>;
  gmm(prepared: P, params: GmmPassParams): Promise<GmmSummary>;
  /** Every row assigned by `final` and added to `profile`; the rows' score. */
  profile(prepared: P, final: FinalModel, profile: ProfileAccumulator): Promise<number>;
  /** Every row's assignment by `final` written to `request.output`; the rows written. */
  write(prepared: P, final: FinalModel, request: Request<'write'>): Promise<number>;
  dispose(): Promise<void>;
}

/**
 * The pass `request` of run `run` answered by `shard`: the one dispatch of the pass kinds a worker
 * serves, packed as payload.ts lays the answers out. Scan, sample and close need no preparation.
 */
export async function answerPass<P>(
  shard: ShardPassSource<P>,
  run: string,
  request: PassRequest,
  setup: () => Promise<RunSetup>,
): Promise<PassAnswer> {
  switch (request.kind) {
    case 'scan':
      return { kind: 'scan', scan: await shard.scan(request) };
    case 'sample': {
      const columns = await shard.sample(unpackF64(request.rows), request.columns);
      return { kind: 'sample', columns: columns.map((values) => pack(values)) };
    }
    case 'close':
      return { kind: 'close' };
    default:
      break;
  }
  const prepared = await shard.prepare(run, setup);
  switch (request.kind) {
    case 'lloyd': {
      const s = await shard.lloyd(prepared, unpackF32(request.centres), request.k);
      return { kind: 'lloyd', stats: pack(joined([s.inertia], s.counts, s.sums)) };
    }
    case 'gmm': {
      const s = await shard.gmm(prepared, unpackGmm(request.params));
      return { kind: 'gmm', stats: pack(joined([s.logLikelihood], s.nk, s.sd, s.sdd)) };
    }
    case 'profile': {
      const final = unpackFinal(request.final);
      const profile = new ProfileAccumulator(request.k, request.columns, unpackF64(request.shifts));
      const score = await shard.profile(prepared, final, profile);
      return { kind: 'profile', stats: pack(joined([score], profile.summary())) };
    }
    case 'write': {
      const rows = await shard.write(prepared, unpackFinal(request.final), request);
      return { kind: 'write', output: request.output, rows };
    }
  }
}

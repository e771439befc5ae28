import type { GmmPassParams } from '../backend/backend.js';
import type { FinalModel } from '../api/fit-passes.js';
import type { ProfileColumn } from '../segment/profile.js';
import type { ExcludedColumn } from '../data/column-types.js';

/**
 * What travels between the coordinator and the workers, through BullMQ's JSON job data and return
 * values. Numbers that must come back bit for bit travel as typed arrays in base64 (never as JSON
 * numbers, which lose NaN and ±Infinity); K×D centres out, Float64 statistics back.
 */

type Typed = Float64Array | Float32Array | Int32Array;

export function pack(a: Typed): string {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
}

function bytes(text: string, size: number): ArrayBuffer {
  const b = Buffer.from(text, 'base64');
  if (b.length % size !== 0) throw new Error(`payload of ${b.length} bytes is not ${size}-aligned`);
  const out = new ArrayBuffer(b.length);
  new Uint8Array(out).set(b);
  return out;
}

/** Scalars and arrays one after the other (the statistics answers): util/joined.ts. */
export { joined } from '../util/joined.js';

export const unpackF64 = (text: string): Float64Array => new Float64Array(bytes(text, 8));
export const unpackF32 = (text: string): Float32Array => new Float32Array(bytes(text, 4));

/** The columns a run clusters and profiles, as the scan resolves them (data/schema.ts). */
export interface RoleRequestData {
  id?: string;
  features?: string[];
  profile?: string[];
}

/** A run's preparation of the shards, kept in Redis (runKey 'setup'): read by any worker that joins. */
export interface RunSetup {
  roles: { id: string | undefined; features: string[]; profile: string[] };
  allowMissing: boolean;
  /** Preprocessing as in the model (JSON). */
  prep: unknown;
}

export type PackedFinal =
  | { kind: 'kmeans'; k: number; centres: string }
  | { kind: 'gmm'; k: number; params: PackedGmmParams; probabilities: boolean };

export interface PackedGmmParams {
  form: 'diag' | 'full';
  k: number;
  means: string;
  precChol: string;
  bias: string;
}

export function packGmm(p: GmmPassParams): PackedGmmParams {
  return {
    form: p.form,
    k: p.k,
    means: pack(p.means),
    precChol: pack(p.precChol),
    bias: pack(p.bias),
  };
}

export function unpackGmm(p: PackedGmmParams): GmmPassParams {
  return {
    form: p.form,
    k: p.k,
    means: unpackF32(p.means),
    precChol: unpackF32(p.precChol),
    bias: unpackF32(p.bias),
  };
}

export function packFinal(f: FinalModel): PackedFinal {
  return f.kind === 'kmeans'
    ? { kind: 'kmeans', k: f.k, centres: pack(f.centres) }
    : { kind: 'gmm', k: f.k, params: packGmm(f.params), probabilities: f.probabilities };
}

export function unpackFinal(f: PackedFinal): FinalModel {
  return f.kind === 'kmeans'
    ? { kind: 'kmeans', k: f.k, centres: unpackF32(f.centres) }
    : { kind: 'gmm', k: f.k, params: unpackGmm(f.params), probabilities: f.probabilities };
}

/** One shard's part of a pass (a child job's data); `run` and `shard` are in every one. */
export type PassRequest =
  | { kind: 'scan'; request: RoleRequestData; allowMissing: boolean }
  | { kind: 'sample'; rows: string; columns: string[] }
  | { kind: 'lloyd'; k: number; centres: string }
  | { kind: 'gmm'; params: PackedGmmParams }
  | {
      kind: 'profile';
      final: PackedFinal;
      k: number;
      columns: ProfileColumn[];
      shifts: string;
    }
  | {
      kind: 'write';
      final: PackedFinal;
      output: string;
      id: string | undefined;
      names: string[] | undefined;
      firstRow: number;
      rows: number;
    }
  | { kind: 'close' };

export type PassJobData = PassRequest & { run: string; shard: number };

export interface ScanAnswer {
  rows: number;
  roles: RunSetup['roles'];
  excluded: ExcludedColumn[];
  missing: [string, number][];
}

/** A shard's answer (a child job's return value); a foreseen failure travels as `error`. */
export type PassAnswer =
  | { kind: 'scan'; scan: ScanAnswer }
  /** Float64 columns of the sampled rows, one per requested column. */
  | { kind: 'sample'; columns: string[] }
  /** [inertia, counts (K), sums (K×D)]. */
  | { kind: 'lloyd'; stats: string }
  /** [logLikelihood, nk (K), sd, sdd]. */
  | { kind: 'gmm'; stats: string }
  /** [score, ProfileAccumulator summary]. */
  | { kind: 'profile'; stats: string }
  | { kind: 'write'; output: string; rows: number }
  | { kind: 'close' }
  | { kind: 'error'; error: { kind: string; message: string; code: string } };

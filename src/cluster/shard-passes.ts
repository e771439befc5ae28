import type { GmmPassParams, GmmSummary, LloydSummary } from '../backend/backend.js';
import type { FinalModel, FitPasses, OutputRequest, ProfileRequest } from '../api/fit-passes.js';
import { addGmmPart, addLloydPart, emptyLloydTotal } from '../api/pass-totals.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import {
  pack,
  packFinal,
  packGmm,
  unpackF64,
  type PassAnswer,
  type PassRequest,
} from './payload.js';

/** One shard as the coordinator knows it. */
export interface ShardInfo {
  path: string;
  rows: number;
  /** Its first row's number in the whole table (the shards concatenated in order). */
  firstRow: number;
}

/** Where a sharded fit's outputs go: OUT.shard-N.arrow per shard and OUT.manifest.json. */
export function shardOutputPaths(
  output: string,
  shards: number,
): { shards: string[]; manifest: string } {
  const prefix = output.replace(/\.arrow$/, '');
  return {
    shards: Array.from({ length: shards }, (_, i) => `${prefix}.shard-${i}.arrow`),
    manifest: `${prefix}.manifest.json`,
  };
}

/**
 * The passes of a sharded fit: each a request per shard, answered by the shard's worker, the
 * answers merged here in shard order and in float64 exactly as FilePasses merges chunks.
 */
export class ShardPasses implements FitPasses {
  passes = 0;
  readonly spilled = false;

  constructor(
    private readonly shards: readonly ShardInfo[],
    private readonly runId: string,
    private readonly send: (requests: PassRequest[]) => Promise<PassAnswer[]>,
  ) {}

  get chunksPerPass(): number {
    return this.shards.length;
  }

  private async pass(request: (i: number) => PassRequest): Promise<PassAnswer[]> {
    this.passes++;
    return this.send(this.shards.map((_, i) => request(i)));
  }

  async lloydPass(centres: Float32Array, k: number): Promise<LloydSummary> {
    const d = centres.length / k;
    const total = emptyLloydTotal(k, d);
    const packed = pack(centres);
    for (const answer of await this.pass(() => ({ kind: 'lloyd', k, centres: packed }))) {
      const s = unpackF64((answer as Extract<PassAnswer, { kind: 'lloyd' }>).stats);
      // [inertia, counts, sums]
      addLloydPart(total, {
        inertia: s[0],
        counts: s.subarray(1, 1 + k),
        sums: s.subarray(1 + k, 1 + k + k * d),
      });
    }
    return total;
  }

  async gmmPass(params: GmmPassParams): Promise<GmmSummary> {
    const packed = packGmm(params);
    const { k } = params;
    const d = params.means.length / k;
    const sddSize = params.form === 'diag' ? k * d : (k * d * (d + 1)) / 2;
    let total: GmmSummary | undefined;
    for (const answer of await this.pass(() => ({ kind: 'gmm', params: packed }))) {
      const s = unpackF64((answer as Extract<PassAnswer, { kind: 'gmm' }>).stats);
      // [logLikelihood, nk, sd, sdd]
      total = addGmmPart(total, {
        logLikelihood: s[0],
        nk: s.subarray(1, 1 + k),
        sd: s.subarray(1 + k, 1 + k + k * d),
        sdd: s.subarray(1 + k + k * d, 1 + k + k * d + sddSize),
      });
    }
    return total!;
  }

  async profilePass(
    final: FinalModel,
    request: ProfileRequest,
    use: (summary: Float64Array, score: number) => void,
  ): Promise<void> {
    const packed = packFinal(final);
    const shifts = pack(request.shifts);
    const answers = await this.pass(() => ({
      kind: 'profile',
      final: packed,
      k: request.k,
      columns: request.columns,
      shifts,
    }));
    for (const answer of answers) {
      const s = unpackF64((answer as Extract<PassAnswer, { kind: 'profile' }>).stats);
      use(s.subarray(1), s[0]);
    }
  }

  /** Each worker writes its shard's rows (temporary file, then rename); the manifest comes last. */
  async outputPass(final: FinalModel, request: OutputRequest): Promise<void> {
    const packed = packFinal(final);
    const paths = shardOutputPaths(request.output, this.shards.length);
    await this.pass((i) => ({
      kind: 'write',
      final: packed,
      output: paths.shards[i],
      id: request.id,
      names: request.names,
      firstRow: this.shards[i].firstRow,
      rows: request.rows,
    }));
    const manifest = {
      format: 'gpuseg-sharded-output',
      version: 1,
      run_id: this.runId,
      rows: request.rows,
      k: final.k,
      algorithm: final.kind,
      shards: this.shards.map((s, i) => ({
        index: i,
        input: s.path,
        output: paths.shards[i],
        rows: s.rows,
        first_row: s.firstRow,
      })),
    };
    writeFileAtomic(paths.manifest, [JSON.stringify(manifest, null, 2) + '\n'], request.outputs);
  }

  close(): void {
    // The workers are told the run is over by the fit (fitSharded), which also saw the scan.
  }
}

import type { GmmSummary, LloydSummary } from '../backend/backend.js';

/**
 * A pass's statistics added up over its parts (a file's chunks, a sharded fit's shards), in the
 * order the parts are given, in float64. Both pass providers add with these, so a sharded fit
 * whose shards are the out-of-core fit's chunks gets the same bits (issue 20).
 */

/** An empty Lloyd total for k centres of d dimensions (`changed` is not tracked across parts). */
export function emptyLloydTotal(k: number, d: number): LloydSummary {
  return { sums: new Float64Array(k * d), counts: new Float64Array(k), inertia: 0, changed: -1 };
}

/** Adds one part's sums, counts and inertia to `total`. */
export function addLloydPart(
  total: LloydSummary,
  part: Pick<LloydSummary, 'sums' | 'counts' | 'inertia'>,
): void {
  for (let i = 0; i < total.sums.length; i++) total.sums[i] += part.sums[i];
  for (let c = 0; c < total.counts.length; c++) total.counts[c] += part.counts[c];
  total.inertia += part.inertia;
}

/**
 * An EM total of zeros shaped like `part`: a total added up from zero, as the CPU backend adds its
 * own blocks, where the bits must equal one pass over all the parts' rows (a shard read in pieces).
 */
export function emptyGmmTotal(part: GmmSummary): GmmSummary {
  return {
    nk: new Float64Array(part.nk.length),
    sd: new Float64Array(part.sd.length),
    sdd: new Float64Array(part.sdd.length),
    logLikelihood: 0,
  };
}

/** `total` with one EM part added; the first part (no total yet) is copied. */
export function addGmmPart(total: GmmSummary | undefined, part: GmmSummary): GmmSummary {
  if (!total)
    return {
      nk: part.nk.slice(),
      sd: part.sd.slice(),
      sdd: part.sdd.slice(),
      logLikelihood: part.logLikelihood,
    };
  for (let i = 0; i < total.nk.length; i++) total.nk[i] += part.nk[i];
  for (let i = 0; i < total.sd.length; i++) total.sd[i] += part.sd[i];
  for (let i = 0; i < total.sdd.length; i++) total.sdd[i] += part.sdd[i];
  total.logLikelihood += part.logLikelihood;
  return total;
}

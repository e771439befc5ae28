/**
 * Timing GPU work apart from its round trip. A submission's wall time is the work plus a fixed
 * cost — submit, error scopes, the completion callback, a readback — that a kernel of a
 * fraction of a millisecond cannot hide: the first read floor timed one sweep per submission and
 * reported 901 GB/s (0.71 ms for 640 MB) on an H200 whose copies run at ~4.3 TB/s. So the work is
 * repeated R times inside one submission and timed at R and at 1: (t(R) − t(1)) / (R − 1) is the
 * work alone, t(1) minus that the fixed cost. Wall clock on the host, so it works on every
 * adapter (no 'timestamp-query', which Dawn may also quantise).
 */

/** What marginalCost measured. */
export interface MarginalTiming {
  /** The work once, without the submission's fixed cost, ms. */
  msPerRepetition: number;
  /** A submission of the work once, less msPerRepetition: the fixed cost, ms. */
  fixedMs: number;
  /** R: repetitions of the work in the submission set against a single one. */
  repetitions: number;
  /** Submissions timed, and repetitions of the work encoded in them, all told. */
  submissions: number;
  encoded: number;
}

export interface MarginalOptions {
  /** Grow R (from 4, ×4 at a time) until t(R) − t(1) reaches this, ms ... */
  targetMs: number;
  /** ... or R reaches this (at least 2). */
  maxRepetitions: number;
  /** Each of t(1) and t(R) is the least of this many submissions (1 where t(1) ≥ targetMs). */
  trials: number;
}

/**
 * The marginal cost of one repetition of some GPU work. `run(r)` encodes the work r times in one
 * submission, waits for it to complete and returns the wall time, ms.
 */
export async function marginalCost(
  run: (repetitions: number) => Promise<number>,
  o: MarginalOptions,
): Promise<MarginalTiming> {
  let submissions = 0;
  let encoded = 0;
  const timed = async (r: number): Promise<number> => {
    submissions++;
    encoded += r;
    return run(r);
  };
  const least = async (r: number, trials: number): Promise<number> => {
    let best = Infinity;
    for (let t = 0; t < trials; t++) best = Math.min(best, await timed(r));
    return best;
  };
  await timed(1); // a warm-up, not timed: it compiles the programs on first use
  const first = await timed(1);
  // Work longer than the target dwarfs the clock's noise: one trial of each, R = 2.
  const trials = first >= o.targetMs ? 1 : o.trials;
  const once = Math.min(first, await least(1, trials - 1));
  let repetitions = trials === 1 ? 2 : Math.min(4, o.maxRepetitions);
  let many = await least(repetitions, trials);
  while (many - once < o.targetMs && repetitions < o.maxRepetitions) {
    repetitions = Math.min(o.maxRepetitions, repetitions * 4);
    many = await least(repetitions, trials);
  }
  // Noise can make t(R) − t(1) ≤ 0 for work far below the clock's resolution: a floor of 1 µs.
  const msPerRepetition = Math.max(1e-3, (many - once) / (repetitions - 1));
  return {
    msPerRepetition,
    fixedMs: Math.max(0, once - msPerRepetition),
    repetitions,
    submissions,
    encoded,
  };
}

/** The median of `samples` runs of `run` (ms each). */
export async function medianMs(run: () => Promise<number>, samples: number): Promise<number> {
  const times: number[] = [];
  for (let s = 0; s < samples; s++) times.push(await run());
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  return times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
}

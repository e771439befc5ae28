/**
 * The early stopping of mini-batch k-means, scikit-learn's `MiniBatchKMeans._mini_batch_convergence`
 * (1.2.1) step for step:
 * - the first step is left out: its inertia is measured against the seeding centres, and
 *   averaging it in would make the average fall for ~3 / alpha steps as it forgets it;
 * - then an exponentially weighted average of the mean batch inertia (inertia / batch size), with
 *   alpha = min(1, 2 · batch size / (n + 1)), starting at the second step's value;
 * - stop when tolerance > 0 and the centres' squared movement Σ‖Δc‖² (summed over all centres, not
 *   averaged) is ≤ tolerance (scikit-learn's tol × mean feature variance);
 * - else stop after `maxNoImprovement` steps in a row whose average is not below the lowest yet.
 * test/minibatch-stopping.test.ts replays scikit-learn's own method on the same sequences.
 */
export class MiniBatchStopping {
  private readonly alpha: number;
  private steps = 0;
  private ewa: number | undefined;
  private ewaMin: number | undefined;
  private noImprovement = 0;

  constructor(
    rows: number,
    private readonly batchSize: number,
    private readonly tolerance: number,
    private readonly maxNoImprovement: number,
  ) {
    this.alpha = Math.min(1, (batchSize * 2) / (rows + 1));
  }

  /** After each step: its batch inertia (a sum over the batch) and Σ‖Δc‖²; true to stop. */
  shouldStop(batchInertia: number, shift: number): boolean {
    const mean = batchInertia / this.batchSize;
    if (++this.steps === 1) return false;
    this.ewa = this.ewa === undefined ? mean : this.ewa * (1 - this.alpha) + mean * this.alpha;
    if (this.tolerance > 0 && shift <= this.tolerance) return true;
    if (this.ewaMin === undefined || this.ewa < this.ewaMin) {
      this.noImprovement = 0;
      this.ewaMin = this.ewa;
    } else this.noImprovement++;
    return this.noImprovement >= this.maxNoImprovement;
  }
}

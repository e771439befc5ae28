/**
 * Each segment's mean of the rows, summed in float64 in row order, whether the rows come at once
 * (the in-memory BIRCH fit) or chunk by chunk in file order (out of core): the same additions in
 * the same order, so the same centres bit for bit. A segment no row reached has NaN for a mean.
 */
export class SegmentMeans {
  private readonly sums: Float64Array;
  private readonly counts: Float64Array;

  constructor(
    readonly k: number,
    readonly dims: number,
  ) {
    this.sums = new Float64Array(k * dims);
    this.counts = new Float64Array(k);
  }

  /** Adds a column-major float32 block of `rows` rows and their segments (−1: none). */
  add(data: Float32Array, rows: number, labels: Int32Array): void {
    const d = this.dims;
    for (let i = 0; i < rows; i++) {
      const c = labels[i];
      if (c < 0) continue;
      this.counts[c]++;
      for (let f = 0; f < d; f++) this.sums[c * d + f] += data[f * rows + i];
    }
  }

  /** The means, k×d row-major, rounded to float32 as the model stores centres. */
  centres(): Float32Array {
    const d = this.dims;
    return Float32Array.from(this.sums, (s, j) => s / this.counts[Math.floor(j / d)]);
  }
}

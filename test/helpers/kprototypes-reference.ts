/**
 * k-prototypes written out plainly in float64 (Huang 1998, batch updates), as the tests' reference:
 * rows of numeric values and category indices, cost Σ (x − μ)² + γ·mismatches, assignment to the
 * cheapest prototype (lowest index on ties), means of numeric values and modes of categories (the
 * most frequent, lowest index on ties); an empty cluster keeps its prototype. It stops when no
 * label changes.
 */
export interface MixedRows {
  numeric: number[][];
  categorical: number[][];
}

export interface Prototypes {
  means: number[][];
  modes: number[][];
}

export function mixedCost(
  x: number[],
  c: number[],
  mean: number[],
  mode: number[],
  gamma: number,
): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += (x[j] - mean[j]) ** 2;
  for (let m = 0; m < c.length; m++) if (c[m] !== mode[m]) s += gamma;
  return s;
}

export function referenceKPrototypes(
  data: MixedRows,
  start: Prototypes,
  sizes: number[],
  gamma: number,
  maxIter = 100,
): Prototypes & { labels: number[]; cost: number; iterations: number } {
  const n = data.numeric.length;
  const k = start.means.length;
  let { means, modes } = start;
  let labels = new Array<number>(n).fill(-1);
  let iterations = 0;
  for (; iterations < maxIter;) {
    iterations++;
    const next = data.numeric.map((x, i) => {
      let best = 0;
      let bestCost = Infinity;
      for (let c = 0; c < k; c++) {
        const cost = mixedCost(x, data.categorical[i], means[c], modes[c], gamma);
        if (cost < bestCost) [best, bestCost] = [c, cost];
      }
      return best;
    });
    const changed = next.some((l, i) => l !== labels[i]);
    labels = next;
    ({ means, modes } = update(data, labels, { means, modes }, sizes));
    if (!changed) break;
  }
  let cost = 0;
  data.numeric.forEach((x, i) => {
    cost += mixedCost(x, data.categorical[i], means[labels[i]], modes[labels[i]], gamma);
  });
  return { means, modes, labels, cost, iterations };
}

function update(data: MixedRows, labels: number[], old: Prototypes, sizes: number[]): Prototypes {
  return {
    means: old.means.map((mean, c) => {
      const rows = data.numeric.filter((_, i) => labels[i] === c);
      if (rows.length === 0) return mean;
      return mean.map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
    }),
    modes: old.modes.map((mode, c) => {
      const rows = data.categorical.filter((_, i) => labels[i] === c);
      if (rows.length === 0) return mode;
      return sizes.map((size, m) => {
        const counts = new Array<number>(size).fill(0);
        for (const r of rows) counts[r[m]]++;
        let best = 0;
        for (let l = 1; l < size; l++) if (counts[l] > counts[best]) best = l;
        return best;
      });
    }),
  };
}

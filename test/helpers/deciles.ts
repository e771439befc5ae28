/**
 * The PSI's decile edges computed directly from sorted finite values (the oracle of the PSI tests):
 * the values at n·q/10, q = 1…9, each kept only if above the one before.
 */
export function decileEdges(sorted: ArrayLike<number>): number[] {
  const n = sorted.length;
  const edges: number[] = [];
  if (n > 0)
    for (let q = 1; q < 10; q++) {
      const v = sorted[Math.min(n - 1, Math.floor((q * n) / 10))];
      if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
    }
  return edges;
}

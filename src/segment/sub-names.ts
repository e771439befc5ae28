/**
 * Names of the sub-segments of one segment, extending the parent's: the sub-segments are ranked
 * by their mean of one column — the monetary column when the table has gpuseg's RFM columns
 * ('Value'), else the column whose sub-segment means differ most in units of its spread over the
 * parent's rows — and named High/Low (k = 2), High/Mid/Low (k = 3), or Tier 1…k (highest first):
 * 'At Risk – High Value', 'Segment 2 – Low Fresh'.
 */
export interface RankingColumn {
  name: string;
  /** Mean of the column in each sub-segment. */
  means: number[];
  /** Its standard deviation over the parent segment's rows (0: constant). */
  spread: number;
}

export function subSegmentNames(
  parent: string,
  columns: readonly RankingColumn[],
  monetary: string | undefined,
): { names: string[]; rankedBy: string } {
  const chosen =
    columns.find((c) => c.name === monetary) ??
    columns.reduce((best, c) => (separation(c) > separation(best) ? c : best));
  const k = chosen.means.length;
  const word = chosen.name === monetary ? 'Value' : chosen.name;
  const order = chosen.means.map((_, i) => i).sort((a, b) => chosen.means[b] - chosen.means[a]);
  const tiers =
    k === 2
      ? ['High', 'Low']
      : k === 3
        ? ['High', 'Mid', 'Low']
        : order.map((_, r) => `Tier ${r + 1}`);
  const names = new Array<string>(k);
  order.forEach((sub, rank) =>
    k <= 3
      ? (names[sub] = `${parent} – ${tiers[rank]} ${word}`)
      : (names[sub] = `${parent} – ${word} ${tiers[rank]}`),
  );
  if (k === 1) names[0] = `${parent} – All`;
  return { names, rankedBy: chosen.name };
}

/** How far apart the sub-segments' means are, in the column's spread over the parent. */
function separation(c: RankingColumn): number {
  if (!(c.spread > 0)) return 0;
  return (Math.max(...c.means) - Math.min(...c.means)) / c.spread;
}

import type { Assignment, BackendKind, LloydSummary } from '../../src/backend/backend.js';
import type { DataMatrix } from '../../src/data/matrix.js';
import { refLloyd, relativeError } from './reference.js';

/**
 * The k-means conformance checks as a function: a float64 reference of a Lloyd step on tie-free
 * data, and `lloydFailures`, which compares what a backend returned with it and lists every
 * disagreement (empty when the backend conforms). The conformance suite asserts the list is empty;
 * the mutation tests feed it deliberately wrong results and assert it is not.
 *
 * What is exact and what is not. The data are float32 and every backend merges its partial sums in
 * float64 on the host (DESIGN.md). The CPU backend adds the rows themselves in float64 too, in
 * whatever order its blocks take: whatever the order, that is within n·2⁻⁵³·Σ|x| of the exact sum
 * (below 1e-10·Σ|x| for n < 900,000 rows; in practice the float32 terms add exactly). A GPU adds
 * the rows of a tile in float32 first (shaders/lloyd.wgsl), so its sum element is within a few
 * float32 roundings of Σ|x|: measured ≤ 1.2e-7·Σ|x| on lavapipe, allowed 1e-6·Σ|x|. Each element
 * is compared against Σ|x| of its own terms, never against the largest sum of the step, and
 * `lloydReference` refuses a shape on which +1 could pass. Counts and labels are integers and
 * compared exactly, which needs every row's nearest centre to be unambiguous: `untie` moves the
 * rows that are near a tie into their cell before the reference is taken, so every row of every
 * shape is compared.
 */

/** Relative closeness (to the best distance) within which a row counts as a tie. */
export const TIE_MARGIN = 1e-4;
/** A sum element may differ from the reference by this times Σ|x| of its terms, by backend kind. */
export const SUM_TOLERANCE: Record<BackendKind, number> = { cpu: 1e-10, gpu: 1e-6 };
/** Relative tolerance of the inertia and of each squared distance. */
export const INERTIA_TOLERANCE = 1e-6;
export const DISTANCE_TOLERANCE = 1e-5;

export interface LloydReference {
  rows: number;
  dims: number;
  k: number;
  labels: Int32Array;
  sq: Float64Array;
  sums: Float64Array;
  counts: Float64Array;
  inertia: number;
  /** Σ|x| of the terms of each sum element: the scale of its rounding error. */
  absSums: Float64Array;
  /** Per backend kind and sum element, the largest difference accepted (all below 0.5). */
  sumTolerance: Record<BackendKind, Float64Array>;
}

function isTie(dist: Float64Array, best: number, margin: number): boolean {
  for (let c = 0; c < dist.length; c++)
    if (c !== best && Math.abs(dist[c] - dist[best]) <= margin * (1 + dist[best])) return true;
  return false;
}

function distances(m: DataMatrix, centres: Float32Array, k: number, i: number): Float64Array {
  const out = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < m.dims; j++) {
      const t = m.data[j * m.rows + i] - centres[c * m.dims + j];
      s += t * t;
    }
    out[c] = s;
  }
  return out;
}

/**
 * Makes every row's nearest centre unambiguous: a row whose two nearest centres are within
 * TIE_MARGIN of each other moves halfway towards the nearer (its Voronoi cell is convex, so it
 * stays there, now clear of the boundary). Returns how many rows moved. The data stay float32.
 */
export function untie(m: DataMatrix, centres: Float32Array, k: number): number {
  let moved = 0;
  for (let i = 0; i < m.rows; i++) {
    for (let attempt = 0; ; attempt++) {
      const dist = distances(m, centres, k, i);
      let best = 0;
      for (let c = 1; c < k; c++) if (dist[c] < dist[best]) best = c;
      if (!isTie(dist, best, TIE_MARGIN)) break;
      if (attempt === 20) throw new Error(`row ${i} stays at a tie`);
      if (attempt === 0) moved++;
      for (let j = 0; j < m.dims; j++) {
        const at = j * m.rows + i;
        m.data[at] = Math.fround((m.data[at] + centres[best * m.dims + j]) / 2);
      }
    }
  }
  return moved;
}

/** The float64 reference of one Lloyd step; throws when the data have a tie (call `untie` first). */
export function lloydReference(m: DataMatrix, centres: Float32Array, k: number): LloydReference {
  const ref = refLloyd(m, centres, k);
  if (ref.ties.size > 0)
    throw new Error(`${ref.ties.size} rows are at a tie (row ${[...ref.ties][0]}): untie first`);
  const absSums = new Float64Array(k * m.dims);
  for (let i = 0; i < m.rows; i++)
    for (let j = 0; j < m.dims; j++)
      absSums[ref.labels[i] * m.dims + j] += Math.abs(m.data[j * m.rows + i]);
  // An empty cluster's sums must be exactly 0 (Σ|x| = 0 there).
  const tolerance = (kind: BackendKind) => absSums.map((a) => SUM_TOLERANCE[kind] * a);
  const sumTolerance = { cpu: tolerance('cpu'), gpu: tolerance('gpu') };
  const loosest = Math.max(...sumTolerance.gpu);
  if (loosest >= 0.5)
    throw new Error(
      `a sum tolerance is ${loosest}: +1 on that element would pass; use fewer rows per cluster`,
    );
  return {
    rows: m.rows,
    dims: m.dims,
    k,
    labels: ref.labels,
    sq: ref.sq,
    sums: ref.sums,
    counts: ref.counts,
    inertia: ref.inertia,
    absSums,
    sumTolerance,
  };
}

/** What a backend returned: a Lloyd step's summary and/or an assignment, on the reference's centres. */
export interface LloydObserved {
  kind: BackendKind;
  summary?: LloydSummary;
  assignment?: Assignment;
}

const SHOWN = 3;

/** Every way `got` differs from the reference beyond rounding; empty when it conforms. */
export function lloydFailures(ref: LloydReference, got: LloydObserved): string[] {
  const failures: string[] = [];
  const report = (what: string, bad: string[]) => {
    if (bad.length > 0)
      failures.push(
        `${what}: ${bad.length} wrong (${bad.slice(0, SHOWN).join('; ')}${bad.length > SHOWN ? '; …' : ''})`,
      );
  };
  const { k, dims, rows } = ref;
  const tolerance = ref.sumTolerance[got.kind];
  if (got.summary) {
    const s = got.summary;
    if (s.sums.length !== k * dims || s.counts.length !== k)
      failures.push(
        `summary has ${s.sums.length} sums and ${s.counts.length} counts, expected ${k * dims} and ${k}`,
      );
    else {
      const counts: string[] = [];
      for (let c = 0; c < k; c++)
        if (s.counts[c] !== ref.counts[c])
          counts.push(`cluster ${c}: ${s.counts[c]} ≠ ${ref.counts[c]}`);
      report('counts', counts);
      const sums: string[] = [];
      for (let o = 0; o < k * dims; o++) {
        const diff = Math.abs(s.sums[o] - ref.sums[o]);
        // `!(diff <= tol)` also catches NaN.
        if (!(diff <= tolerance[o]))
          sums.push(
            `cluster ${Math.floor(o / dims)} feature ${o % dims}: ${s.sums[o]} vs ${ref.sums[o]} (off by ${diff}, tolerance ${tolerance[o].toExponential(2)})`,
          );
      }
      report('sums', sums);
    }
    const e = relativeError(s.inertia, ref.inertia);
    if (!(e < INERTIA_TOLERANCE))
      failures.push(`inertia ${s.inertia} vs ${ref.inertia} (relative error ${e})`);
  }
  if (got.assignment) {
    const { labels, sqDistances } = got.assignment;
    if (labels.length !== rows || sqDistances.length !== rows)
      failures.push(
        `assignment has ${labels.length} labels and ${sqDistances.length} distances, expected ${rows}`,
      );
    else {
      const wrong: string[] = [];
      const far: string[] = [];
      for (let i = 0; i < rows; i++) {
        if (labels[i] !== ref.labels[i]) wrong.push(`row ${i}: ${labels[i]} ≠ ${ref.labels[i]}`);
        if (!(Math.abs(sqDistances[i] - ref.sq[i]) <= DISTANCE_TOLERANCE * (1 + ref.sq[i])))
          far.push(`row ${i}: ${sqDistances[i]} vs ${ref.sq[i]}`);
      }
      report('labels', wrong);
      report('squared distances', far);
    }
  }
  return failures;
}

/** A copy of a summary: for mutating in tests without touching what the backend returned. */
export function copySummary(s: LloydSummary): LloydSummary {
  return { ...s, sums: s.sums.slice(), counts: s.counts.slice() };
}

/** A copy of an assignment. */
export function copyAssignment(a: Assignment): Assignment {
  return { labels: a.labels.slice(), sqDistances: a.sqDistances.slice() };
}

/**
 * The three mutations the suite must reject, applied to copies: +1 on the sum element with the
 * loosest tolerance, one count off by one, and one row moved to another cluster (its label in the
 * assignment and its contribution in the summary, as a kernel with a wrong comparison would do).
 */
export function lloydMutations(
  ref: LloydReference,
  m: DataMatrix,
  got: Required<LloydObserved>,
): { name: string; observed: LloydObserved }[] {
  const tolerance = ref.sumTolerance[got.kind];
  const loosest = tolerance.indexOf(Math.max(...tolerance));
  const plusOne = copySummary(got.summary);
  plusOne.sums[loosest] += 1;
  const countOff = copySummary(got.summary);
  countOff.counts[ref.labels[0]] -= 1;
  const out: { name: string; observed: LloydObserved }[] = [
    { name: `+1 on sum element ${loosest}`, observed: { kind: got.kind, summary: plusOne } },
    {
      name: `count of cluster ${ref.labels[0]} off by one`,
      observed: { kind: got.kind, summary: countOff },
    },
  ];
  if (ref.k > 1) {
    const row = ref.rows - 1;
    const from = ref.labels[row];
    const to = (from + 1) % ref.k;
    const moved = copySummary(got.summary);
    moved.counts[from] -= 1;
    moved.counts[to] += 1;
    for (let j = 0; j < ref.dims; j++) {
      const x = m.data[j * ref.rows + row];
      moved.sums[from * ref.dims + j] -= x;
      moved.sums[to * ref.dims + j] += x;
    }
    const relabelled = copyAssignment(got.assignment);
    relabelled.labels[row] = to;
    out.push(
      {
        name: `row ${row} in the summary of cluster ${to}`,
        observed: { kind: got.kind, summary: moved },
      },
      { name: `row ${row} labelled ${to}`, observed: { kind: got.kind, assignment: relabelled } },
    );
  }
  return out;
}

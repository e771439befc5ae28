import type { Backend, RadiusQuery } from '../backend/backend.js';
import { RADIUS_AMBIGUOUS, RADIUS_ROW_MASK } from '../backend/backend.js';
import type { DataMatrix } from '../data/matrix.js';
import { pairSquaredDistance } from '../data/pair-distance.js';
import { UsageError } from '../errors.js';
import { CoreGraph } from './dbscan-graph.js';
import { kDistanceKnee } from './kdistance.js';
import { gridRows, type GridRows } from './grid-rows.js';
import { sortRows } from './sorted-rows.js';

/**
 * DBSCAN (Ester et al. 1996; scikit-learn's DBSCAN, same labels): rows with at least min-samples
 * rows (themselves included) within eps are core rows; core rows within eps of each other form a
 * cluster; other rows within eps of a core row are border rows of the first such cluster
 * (dbscan-graph.ts); the rest is noise (label −1).
 *
 * The rows are sorted into a grid over their first principal axes (grid-rows.ts) and attached in
 * that order, so each row is compared only with the rows of its neighbouring cells: one window
 * per neighbouring cell column, the row's own cut in two at the row, each pass run once per
 * piece. Two backend passes: ε-neighbour counts of every row over all its pieces (the core
 * flags), then the neighbour lists of the pieces sorted before each row only, range by range,
 * into union-find on the host: every pair once (from its later row), half the distances of
 * listing all. Pairs the backend could not decide (float32 rounding of eps) are decided here in
 * float64.
 */
export interface DbscanSettings {
  eps: number | 'auto';
  minSamples: number;
  /** For the sample of `eps: 'auto'`. */
  seed: number;
}

export interface DbscanResult {
  /** Cluster of each input row, 0 … clusters − 1, or −1 for noise. */
  labels: Int32Array;
  /** 1 for core rows, in input order. */
  core: Uint8Array;
  clusters: number;
  noise: number;
  /** The eps used (the knee's when 'auto'). */
  eps: number;
  /** Neighbour pairs examined (Σ candidates), for the statistics. */
  pairs: number;
}

/** The most rows DBSCAN takes: its passes compare every row with its window, O(N²) at worst. */
export const DBSCAN_MAX_ROWS = { cpu: 200_000, gpu: 2_000_000 } as const;

/** The most ε-neighbour pairs (Σ over rows) before eps is refused as too large for the data. */
export const DBSCAN_MAX_PAIRS = 500_000_000;

/** Query rows per neighbour pass (bounds one GPU dispatch). */
const QUERY_ROWS = 65_536;
/** List entries per neighbour-list pass (bounds the memory of one pass: 64 MiB). */
const LIST_ENTRIES = 16 << 20;

export function checkDbscanRows(rows: number, kind: Backend['kind']): void {
  const most = DBSCAN_MAX_ROWS[kind];
  if (rows > most)
    throw new UsageError(
      (opt) =>
        `${opt('algorithm')} dbscan takes at most ${most.toLocaleString('en-US')} rows on the ${kind === 'gpu' ? 'GPU' : 'CPU'} (got ${rows.toLocaleString('en-US')}); use ${opt('algorithm')} kmeans (or ward) for more rows${kind === 'cpu' ? ', or a GPU (up to 2,000,000)' : ''}`,
    );
}

export async function runDbscan(
  backend: Backend,
  input: DataMatrix,
  settings: DbscanSettings,
): Promise<DbscanResult> {
  checkDbscanRows(input.rows, backend.kind);
  const n = input.rows;
  const m = settings.minSamples;
  const eps = settings.eps === 'auto' ? autoEps(input, m, settings.seed) : settings.eps;
  const grid = gridRows(input, eps);
  const handle = await backend.attach(grid.matrix);
  try {
    const pieces = windowPieces(grid);
    const query = (piece: WindowPiece, start: number, count: number): RadiusQuery => {
      const { lo, hi } = grid.window(piece.w, start, count);
      // The row's own cell: rows before it in one piece, the row and those after it in the other.
      if (piece.part === 'before') for (let r = 0; r < count; r++) hi[r] = start + r;
      if (piece.part === 'from') for (let r = 0; r < count; r++) lo[r] = start + r;
      return { start, count, eps, lo, hi };
    };
    // Pass 1, once per piece: neighbour counts, the core flags; the candidates of the pieces
    // before each row are the room of its list in pass 2.
    const sure = new Int32Array(n);
    const total = new Int32Array(n);
    const rooms: Int32Array[] = [];
    for (const piece of pieces) {
      const room = piece.listed ? new Int32Array(n) : null;
      if (room) rooms.push(room);
      for (let start = 0; start < n; start += QUERY_ROWS) {
        const count = Math.min(QUERY_ROWS, n - start);
        const c = await backend.radiusCount(handle, query(piece, start, count));
        for (let r = 0; r < count; r++) {
          sure[start + r] += c.sure[r];
          total[start + r] += c.candidates[r];
        }
        room?.set(c.candidates, start);
      }
    }
    let pairs = 0;
    for (let r = 0; r < n; r++) pairs += total[r];
    if (pairs > DBSCAN_MAX_PAIRS)
      throw new UsageError(
        (opt) =>
          `${opt('eps')} ${eps} puts ${Math.round(pairs / n)} rows within eps of each row on average (${pairs} pairs, at most ${DBSCAN_MAX_PAIRS}); lower ${opt('eps')}`,
      );
    const core = coreFlags(grid, sure, total, eps, m);
    // Pass 2, once per listed piece: each row's neighbours sorted before it (each pair once, from
    // its later row), range by range, into the graph.
    const graph = new CoreGraph(n);
    const eps2 = eps * eps;
    const data = grid.matrix.data;
    const listed = pieces.filter((piece) => piece.listed);
    for (const [p, piece] of listed.entries()) {
      const room = rooms[p];
      for (let start = 0; start < n;) {
        let end = start;
        let held = 0;
        while (
          end < n &&
          end - start < QUERY_ROWS &&
          (end === start || held + room[end] <= LIST_ENTRIES)
        )
          held += room[end++];
        const offsets = new Int32Array(end - start + 1);
        for (let r = start; r < end; r++) offsets[r - start + 1] = offsets[r - start] + room[r];
        const entries = await backend.radiusList(handle, query(piece, start, end - start), offsets);
        for (let r = start; r < end; r++) {
          for (let e = offsets[r - start], stop = offsets[r - start + 1]; e < stop; e++) {
            const entry = entries[e];
            const j = entry & RADIUS_ROW_MASK;
            if (!core[j] && !core[r]) continue;
            if (
              (entry & RADIUS_AMBIGUOUS) !== 0 &&
              !(pairSquaredDistance(data, n, input.dims, r, j) <= eps2)
            )
              continue;
            if (core[r] && core[j]) graph.join(r, j);
            else if (core[r]) graph.addBorder(j, r);
            else graph.addBorder(r, j);
          }
        }
        start = end;
      }
    }
    const { labels, clusters } = graph.labels(core, grid.perm);
    const coreInput = new Uint8Array(n);
    for (let r = 0; r < n; r++) coreInput[grid.perm[r]] = core[r];
    let noise = 0;
    for (let i = 0; i < n; i++) if (labels[i] < 0) noise++;
    return { labels, core: coreInput, clusters, noise, eps, pairs };
  } finally {
    await backend.detach(handle);
  }
}

/**
 * The windows of one pass each: the grid's window offsets, the row's own cell cut at the row. A
 * pair within eps is in the pieces before its later row and after its earlier row (the windows
 * are symmetric), so the lists of the pieces before each row (`listed`) hold every pair once.
 */
interface WindowPiece {
  w: number;
  part: 'all' | 'before' | 'from';
  listed: boolean;
}

function windowPieces(grid: GridRows): WindowPiece[] {
  const pieces: WindowPiece[] = [];
  for (let w = 0; w < grid.windows; w++) {
    const side = grid.side(w);
    if (side !== 0) pieces.push({ w, part: 'all', listed: side < 0 });
    else pieces.push({ w, part: 'before', listed: true }, { w, part: 'from', listed: false });
  }
  return pieces;
}

/**
 * Core flags in sorted order: at least m neighbours for sure, or fewer than m candidates; the
 * rows in between (ambiguous pairs decide) are counted again here in float64 over their windows.
 */
function coreFlags(
  grid: GridRows,
  sure: Int32Array,
  candidates: Int32Array,
  eps: number,
  m: number,
): Uint8Array {
  const { rows: n, dims: d, data } = grid.matrix;
  const core = new Uint8Array(n);
  const eps2 = eps * eps;
  for (let r = 0; r < n; r++) {
    if (sure[r] >= m) core[r] = 1;
    else if (candidates[r] >= m) {
      let count = 0;
      for (let w = 0; w < grid.windows; w++) {
        const { lo, hi } = grid.window(w, r, 1);
        for (let j = lo[0]; j < hi[0]; j++)
          if (pairSquaredDistance(data, n, d, r, j) <= eps2) count++;
      }
      core[r] = count >= m ? 1 : 0;
    }
  }
  return core;
}

function autoEps(input: DataMatrix, minSamples: number, seed: number): number {
  const eps = kDistanceKnee(sortRows(input), minSamples, seed);
  if (!(eps > 0))
    throw new UsageError(
      (opt) =>
        `${opt('eps')} auto: the k-distance curve (k = ${opt('minSamples')} ${minSamples}) is 0 at its knee (many duplicate rows); give ${opt('eps')} explicitly`,
    );
  return eps;
}

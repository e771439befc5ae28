import type { Backend, DatasetHandle, RadiusQuery } from '../backend/backend.js';
import { RADIUS_AMBIGUOUS, RADIUS_ROW_MASK } from '../backend/backend.js';
import { pairSquaredDistance } from '../data/pair-distance.js';
import { CoreGraph } from './dbscan-graph.js';
import type { GridRows } from './grid-rows.js';

/**
 * DBSCAN's ε-neighbour pairs from the backend, each pair once: from its later row in sorted
 * order. The windows are symmetric (a pair within eps lies in each row's windows), so a row's
 * neighbours before it are in its windows sorted before it and in its own cell's window cut at the
 * row; these pieces alone hold every pair once, half the rows of the full windows. Two passes:
 * counts of each piece (the room of its lists), then the lists, whose pairs count for both rows
 * (the core flags) and, once the flags are known, join core rows and attach border rows. Lists
 * are held for that second use up to `heldEntries`; the rest are listed again.
 */
export interface PairLimits {
  /** List entries per neighbour-list pass (bounds the memory of one pass). */
  listEntries: number;
  /** List entries held between counting and joining; more are listed again. */
  heldEntries: number;
}

/** 64 MiB per pass, 256 MiB held: 100k rows with ~600 neighbours each are listed once. */
export const PAIR_LIMITS: PairLimits = { listEntries: 16 << 20, heldEntries: 64 << 20 };

/** Query rows per neighbour pass (bounds one GPU dispatch). */
const QUERY_ROWS = 65_536;

/** One window offset of the grid, or its own cell's window cut before the row. */
interface Piece {
  w: number;
  own: boolean;
}

export interface PairRooms {
  pieces: Piece[];
  /** Candidates of each row in each piece: the room of its list. */
  rooms: Int32Array[];
  /** Σ over rows of the candidates within eps, the row itself included (both ends of a pair). */
  pairs: number;
}

export async function countPairs(
  backend: Backend,
  handle: DatasetHandle,
  grid: GridRows,
  eps: number,
): Promise<PairRooms> {
  const n = grid.matrix.rows;
  const pieces: Piece[] = [];
  for (let w = 0; w < grid.windows; w++)
    if (grid.side(w) <= 0) pieces.push({ w, own: grid.side(w) === 0 });
  const rooms = pieces.map(() => new Int32Array(n));
  let pairs = n;
  for (const [p, piece] of pieces.entries())
    for (let start = 0; start < n; start += QUERY_ROWS) {
      const count = Math.min(QUERY_ROWS, n - start);
      const c = await backend.radiusCount(handle, pieceQuery(grid, eps, piece, start, count));
      rooms[p].set(c.candidates, start);
      for (let r = 0; r < count; r++) pairs += 2 * c.candidates[r];
    }
  return { pieces, rooms, pairs };
}

/** The core flags (sorted order) and the graph of core rows and border rows. */
export async function pairGraph(
  backend: Backend,
  handle: DatasetHandle,
  grid: GridRows,
  eps: number,
  minSamples: number,
  { pieces, rooms }: PairRooms,
  limits: PairLimits,
): Promise<{ core: Uint8Array; graph: CoreGraph }> {
  const n = grid.matrix.rows;
  const ranges: ListRange[] = [];
  for (const [p, piece] of pieces.entries())
    for (let start = 0; start < n;) {
      let end = start;
      let held = 0;
      const room = rooms[p];
      while (
        end < n &&
        end - start < QUERY_ROWS &&
        (end === start || held + room[end] <= limits.listEntries)
      )
        held += room[end++];
      const offsets = new Int32Array(end - start + 1);
      for (let r = start; r < end; r++) offsets[r - start + 1] = offsets[r - start] + room[r];
      ranges.push({ piece, start, end, offsets, entries: null });
      start = end;
    }
  const list = async (range: ListRange): Promise<Int32Array> => {
    const { piece, start, end, offsets } = range;
    const query = pieceQuery(grid, eps, piece, start, end - start);
    return decide(grid, eps, range, await backend.radiusList(handle, query, offsets));
  };
  // Neighbours of each row (itself included) from the pairs: each pair counts for both rows.
  const counts = new Int32Array(n).fill(1);
  let held = 0;
  for (const range of ranges) {
    const entries = await list(range);
    for (let r = range.start; r < range.end; r++)
      for (let e = range.offsets[r - range.start]; e < range.offsets[r - range.start + 1]; e++)
        if (entries[e] >= 0) {
          counts[r]++;
          counts[entries[e]]++;
        }
    if (held + entries.length <= limits.heldEntries) {
      range.entries = entries;
      held += entries.length;
    }
  }
  const core = new Uint8Array(n);
  for (let r = 0; r < n; r++) core[r] = counts[r] >= minSamples ? 1 : 0;
  const graph = new CoreGraph(n);
  for (const range of ranges) {
    const entries = range.entries ?? (await list(range));
    range.entries = null;
    for (let r = range.start; r < range.end; r++)
      for (let e = range.offsets[r - range.start]; e < range.offsets[r - range.start + 1]; e++) {
        const j = entries[e];
        if (j < 0) continue;
        if (core[r] && core[j]) graph.join(r, j);
        else if (core[r]) graph.addBorder(j, r);
        else if (core[j]) graph.addBorder(r, j);
      }
  }
  return { core, graph };
}

interface ListRange {
  piece: Piece;
  start: number;
  end: number;
  offsets: Int32Array;
  /** The decided list while held. */
  entries: Int32Array | null;
}

/** The query of sorted rows [start, start + count) for one piece. */
function pieceQuery(
  grid: GridRows,
  eps: number,
  piece: Piece,
  start: number,
  count: number,
): RadiusQuery {
  const { lo, hi } = grid.window(piece.w, start, count);
  if (piece.own) for (let r = 0; r < count; r++) hi[r] = start + r;
  return { start, count, eps, lo, hi };
}

/**
 * The list with the ambiguous pairs (float32 rounding of eps) decided in float64: each entry the
 * neighbour's row, or −1 where it is not within eps.
 */
function decide(grid: GridRows, eps: number, range: ListRange, entries: Int32Array): Int32Array {
  const { rows: n, dims: d, data } = grid.matrix;
  const eps2 = eps * eps;
  for (let r = range.start; r < range.end; r++)
    for (let e = range.offsets[r - range.start]; e < range.offsets[r - range.start + 1]; e++) {
      const entry = entries[e];
      if ((entry & RADIUS_AMBIGUOUS) === 0) continue;
      const j = entry & RADIUS_ROW_MASK;
      entries[e] = pairSquaredDistance(data, n, d, r, j) <= eps2 ? j : -1;
    }
  return entries;
}

// radius_neighbours.wgsl — DBSCAN's ε-neighbours: for each query row, the rows of its window
// within eps, counted (list = 0) or listed (list = 1).
//
// Prepended by the dispatcher: const D: u32 (features); const WG: u32 (query rows a workgroup =
// threads); const TILE: u32 (window rows staged in workgroup memory at a time, TILE·D ≤ 4000).
//
// Buffers (IN/OUT):
//   X        IN   the whole dataset, column-major: feature f of row j at X[f * n + j]
//   lo, hi   IN   per query row r: its window [lo[r], hi[r]) of absolute row numbers
//   counts   OUT  list = 0: per query row, sure neighbours at r, candidates at count + r
//   offsets  IN   list = 1: query row r writes its neighbours from entries[offsets[r]]
//   entries  OUT  list = 1: neighbour rows in increasing order; bit 31 set when ambiguous
//
// Decision: d² = Σ_f (q_f − x_f)² in float32. d² ≤ lo2: a neighbour for sure; lo2 < d² ≤ hi2:
// ambiguous (within float32 rounding of eps², bounds from the host): the host decides it again in
// float64, as the CPU backend decides every pair, so both backends give the same neighbours.
// A workgroup walks the union of its rows' windows in tiles; each thread keeps to its own window.

struct Params {
  n: u32,      // rows in X
  start: u32,  // the first query row
  count: u32,  // query rows
  list: u32,   // 0: count, 1: list
  lo2: f32,    // below or at: a neighbour
  hi2: f32,    // above: not a neighbour
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> lo: array<u32>;
@group(0) @binding(2) var<storage, read> hi: array<u32>;
@group(0) @binding(3) var<storage, read_write> counts: array<u32>;
@group(0) @binding(4) var<storage, read> offsets: array<u32>;
@group(0) @binding(5) var<storage, read_write> entries: array<u32>;
@group(0) @binding(6) var<uniform> params: Params;

var<workgroup> tile: array<f32, TILE * D>;
var<workgroup> span: array<atomic<u32>, 2>;
var<workgroup> span_lo: u32;
var<workgroup> span_hi: u32;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let r = (wid.x + wid.y * 65535u) * WG + t;
  let valid = r < params.count;
  if (t == 0u) {
    atomicStore(&span[0], 0xffffffffu);
    atomicStore(&span[1], 0u);
  }
  workgroupBarrier();
  var q: array<f32, D>;
  var my_lo = 0u;
  var my_hi = 0u;
  if (valid) {
    my_lo = lo[r];
    my_hi = hi[r];
    if (my_lo < my_hi) {
      atomicMin(&span[0], my_lo);
      atomicMax(&span[1], my_hi);
    }
    let i = params.start + r;
    for (var f = 0u; f < D; f++) {
      q[f] = X[f * params.n + i];
    }
  }
  workgroupBarrier();
  if (t == 0u) {
    span_lo = atomicLoad(&span[0]);
    span_hi = atomicLoad(&span[1]);
  }
  let j_start = workgroupUniformLoad(&span_lo);
  let j_end = workgroupUniformLoad(&span_hi);

  var sure = 0u;
  var cand = 0u;
  var at = 0u;
  var room = 0u;
  if (valid && params.list == 1u) {
    at = offsets[r];
    room = offsets[r + 1u];
  }
  for (var base = j_start; base < j_end; base += TILE) {
    for (var e = t; e < TILE * D; e += WG) {
      let f = e / TILE;
      let j = base + e % TILE;
      var v = 0.0;
      if (j < j_end) {
        v = X[f * params.n + j];
      }
      tile[e] = v;
    }
    workgroupBarrier();
    if (valid) {
      let c_end = min(TILE, j_end - base);
      for (var c = 0u; c < c_end; c++) {
        let j = base + c;
        if (j < my_lo || j >= my_hi) {
          continue;
        }
        var s = 0.0;
        for (var f = 0u; f < D; f++) {
          let diff = q[f] - tile[f * TILE + c];
          s += diff * diff;
        }
        if (s <= params.hi2) {
          cand++;
          let ambiguous = s > params.lo2;
          if (!ambiguous) {
            sure++;
          }
          if (params.list == 1u && at < room) {
            entries[at] = j | select(0u, 0x80000000u, ambiguous);
            at++;
          }
        }
      }
    }
    workgroupBarrier();
  }
  if (valid && params.list == 0u) {
    counts[r] = sure;
    counts[params.count + r] = cand;
  }
}

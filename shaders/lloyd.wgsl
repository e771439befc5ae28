// lloyd.wgsl — assign each row to its nearest centre and accumulate per-cluster statistics
// (one k-means Lloyd step, or an assignment pass when ACCUMULATE is off).
//
// Prepended by the dispatcher (src/backend/gpu/lloyd-dispatch.ts), the compile-time shape:
//   const K: u32;   clusters             const D: u32;   features
//   const WG: u32;  rows per tile = threads per workgroup
//   const SLOTS: u32;  outputs owned per thread = ceil((K*D + K) / WG)
//   const MASK_K: u32;  K when accumulating through row masks (below), else 1
//
// Buffers (IN/OUT):
//   X          IN   column-major chunk: feature j of row i at X[j * n + i]
//   centres    IN   K×D row-major
//   labels     IN/OUT  previous label + 1 per row (0 = none, so a cleared buffer means 'no labels');
//                   the new label + 1 is stored
//   sq_dist    OUT  squared distance to the nearest centre (when WRITE_DIST)
//   partials   OUT  per workgroup, M = K*D + K + 2 outputs as (hi, lo) float pairs:
//                   [0, K*D) sums, [K*D, K*D+K) counts, K*D+K inertia, K*D+K+1 changed labels
//
// Each workgroup walks tiles of WG rows (tile = wid, wid + num_wg, ...). Per tile it computes the
// labels, then every thread adds, for each output it owns, the tile's rows in row order — a fixed
// order, so results are bit-for-bit reproducible (no atomics on floats, no order-dependent sums).
// With MASK_K = K the labels are also marked in per-cluster bit masks of the tile's rows
// (lib/mark_rows.wgsl: one atomicOr per row, or one subgroupOr per cluster and subgroup where the
// device has subgroups), so that the thread owning (cluster c, feature j) reads only c's rows:
// D reads of X per row in all instead of K·D + K, the same sums in the same order. Without masks
// (K too large for workgroup memory) it scans every row of the tile for each output.
// Tile sums join a per-thread (hi, lo) pair through an error-free TwoSum; the pairs are added
// across workgroups by reduce_partials.wgsl and merged in float64 on the host.

struct Params {
  n: u32,          // rows in this chunk
  num_tiles: u32,  // ceil(n / WG)
  num_wg: u32,     // workgroups dispatched (a 1-D grid)
  flags: u32,      // bit 0 ACCUMULATE, bit 1 WRITE_DIST
}

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> centres: array<f32>;
@group(0) @binding(2) var<storage, read_write> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> sq_dist: array<f32>;
@group(0) @binding(4) var<storage, read_write> partials: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

const NO_LABEL: u32 = 0xffffffffu;
const M: u32 = K * D + K + 2u;

var<workgroup> tile_label: array<u32, WG>;
var<workgroup> red_hi: array<f32, WG>;
var<workgroup> red_lo: array<f32, WG>;
var<workgroup> changed_count: atomic<u32>;
const WORDS: u32 = WG / 32u;
// Bit r % 32 of word c·WORDS + r / 32: row r of the tile has label c.
var<workgroup> row_masks: array<atomic<u32>, MASK_K * WORDS>;

// #include "lib/two_sum.wgsl"
// #include "lib/tree_reduce_pairs.wgsl"
// #include "lib/mark_rows.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let wg = wid.x;
  let num_wg = params.num_wg;
  let accumulate = (params.flags & 1u) != 0u;
  let write_dist = (params.flags & 2u) != 0u;
  let n = params.n;

  var acc_hi: array<f32, SLOTS>;
  var acc_lo: array<f32, SLOTS>;
  for (var s = 0u; s < SLOTS; s++) { acc_hi[s] = 0.0; acc_lo[s] = 0.0; }
  var inertia = vec2<f32>(0.0, 0.0);
  if (t == 0u) { atomicStore(&changed_count, 0u); }

  // Every workgroup runs the same number of loop trips so that barriers stay uniform.
  let trips = (params.num_tiles + num_wg - 1u) / num_wg;
  for (var trip = 0u; trip < trips; trip++) {
    let tile = wg + trip * num_wg;
    let row = tile * WG + t;
    if (MASK_K == K && accumulate) {
      for (var w = t; w < MASK_K * WORDS; w += WG) { atomicStore(&row_masks[w], 0u); }
      workgroupBarrier();
    }
    var best = NO_LABEL;
    if (tile < params.num_tiles && row < n) {
      var x: array<f32, D>;
      for (var j = 0u; j < D; j++) { x[j] = X[j * n + row]; }
      var best_d = 0.0;
      for (var c = 0u; c < K; c++) {
        var dist = 0.0;
        for (var j = 0u; j < D; j++) {
          let diff = x[j] - centres[c * D + j];
          dist = fma(diff, diff, dist);
        }
        if (c == 0u || dist < best_d) { best_d = dist; best = c; }
      }
      if (labels[row] != best + 1u) {
        atomicAdd(&changed_count, 1u);
        labels[row] = best + 1u;
      }
      if (write_dist) { sq_dist[row] = best_d; }
      inertia = two_sum(inertia.x, inertia.y, best_d, 0.0);
    }
    tile_label[t] = best;
    if (MASK_K == K && accumulate) { mark_rows(t, best); }
    workgroupBarrier();
    if (accumulate && tile < params.num_tiles) {
      let row0 = tile * WG;
      let rows = min(WG, n - row0);
      for (var s = 0u; s < SLOTS; s++) {
        let o = s * WG + t;
        if (o < K * D) {
          let c = o / D;
          let j = o % D;
          var tile_sum = 0.0;
          if (MASK_K == K) {
            let col = j * n + row0;
            for (var w = 0u; w < WORDS; w++) {
              var bits = atomicLoad(&row_masks[c * WORDS + w]);
              while (bits != 0u) {
                tile_sum += X[col + w * 32u + firstTrailingBit(bits)];
                bits &= bits - 1u;
              }
            }
          } else {
            for (var r = 0u; r < rows; r++) {
              tile_sum += select(0.0, X[j * n + row0 + r], tile_label[r] == c);
            }
          }
          let p = two_sum(acc_hi[s], acc_lo[s], tile_sum, 0.0);
          acc_hi[s] = p.x; acc_lo[s] = p.y;
        } else if (o < K * D + K) {
          let c = o - K * D;
          var count = 0u;
          if (MASK_K == K) {
            for (var w = 0u; w < WORDS; w++) { count += countOneBits(atomicLoad(&row_masks[c * WORDS + w])); }
          } else {
            for (var r = 0u; r < rows; r++) { count += select(0u, 1u, tile_label[r] == c); }
          }
          acc_hi[s] += f32(count); // exact: a workgroup sees far fewer than 2^24 rows
        }
      }
    }
    workgroupBarrier();
  }

  // This workgroup's inertia: a pairwise tree over the threads' pairs.
  red_hi[t] = inertia.x;
  red_lo[t] = inertia.y;
  tree_reduce_pairs(t);
  let base = wg * M;
  if (accumulate) {
    for (var s = 0u; s < SLOTS; s++) {
      let o = s * WG + t;
      if (o < K * D + K) {
        partials[(base + o) * 2u] = acc_hi[s];
        partials[(base + o) * 2u + 1u] = acc_lo[s];
      }
    }
  }
  if (t == 0u) {
    partials[(base + K * D + K) * 2u] = red_hi[0];
    partials[(base + K * D + K) * 2u + 1u] = red_lo[0];
    partials[(base + K * D + K + 1u) * 2u] = f32(atomicLoad(&changed_count));
    partials[(base + K * D + K + 1u) * 2u + 1u] = 0.0;
  }
}

// lloyd.wgsl — assign each row to its nearest centre and accumulate per-cluster statistics
// (one k-means Lloyd step, or an assignment pass when ACCUMULATE is off).
//
// Prepended by the dispatcher (src/backend/gpu/lloyd-dispatch.ts), the compile-time shape:
//   const K: u32;   clusters             const D: u32;   features
//   const WG: u32;  rows per tile = threads per workgroup
//   const SLOTS: u32;  outputs owned per thread = ceil((K*D + K) / WG)
//   const MASK_K: u32;  K when accumulating through row masks (below), else 1
//   const GEMM_CT: u32;  centres per workgroup-memory tile of the expanded form (below), 0 = direct
//   const REG_KD: u32;  K·D when each thread holds the centres in registers (few of them), else 0
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
//
// Labels: with GEMM_CT = 0, the direct form Σ (x − c)² per centre, centres read from the storage
// buffer — or, for few centres (REG_KD > 0, an option: it costs occupancy), copied once into each
// thread's registers when the workgroup starts, since a workgroup labels many tiles. With
// GEMM_CT > 0 (many centres), the expanded form ‖c‖² − 2·x·c against tiles of GEMM_CT centres
// staged in workgroup memory as vec4s: one dot4 per four features instead of a load, a
// subtraction and a multiply-add per feature, the centres read from memory once per workgroup and
// tile rather than once per row. The best and second-best scores are kept; where they are closer
// than the two forms' rounding could blur (TAU below), the row is decided again with the direct
// form over every centre, and the chosen centre's distance is always the direct one. So labels,
// distances and sums are those of the direct form, bit for bit (test/gpu-kernel-variants.test.ts).

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

const D4: u32 = (D + 3u) / 4u;
const CT: u32 = max(GEMM_CT, 1u);
var<workgroup> centre_tile: array<vec4<f32>, CT * D4>;
var<workgroup> centre_norm: array<f32, CT>;
// When the best two expanded-form scores differ by more than TAU·(‖x‖² + 2·max‖c‖²), the direct
// form orders the two centres the same way: the expanded form's rounding is at most
// (D + 1)·u·(‖x‖² + 2‖c‖²) per score and the direct form's (2D + 4)·u·(‖x‖² + 2‖c‖²) per
// distance (u = 2⁻²⁴, first order), (6D + 10)·u for a pair; (8D + 16)·u leaves a margin.
const TAU: f32 = f32(8u * D + 16u) * 5.9604645e-8;
const FAR: f32 = 3.0e38;

var<private> centre_regs: array<f32, max(REG_KD, 1u)>;

fn centre_value(c: u32, j: u32) -> f32 {
  if (REG_KD > 0u) { return centre_regs[c * D + j]; }
  return centres[c * D + j];
}

// Σ_j (x_j − c_j)² in float32, fused multiply-adds from the first feature: the one distance every
// path of this kernel reports.
fn direct_dist(x: ptr<function, array<f32, D>>, c: u32) -> f32 {
  var dist = 0.0;
  for (var j = 0u; j < D; j++) {
    let diff = (*x)[j] - centre_value(c, j);
    dist = fma(diff, diff, dist);
  }
  return dist;
}

struct Nearest {
  label: u32,
  dist: f32,
}

// The nearest centre by the direct form, lowest index on ties.
fn nearest_direct(x: ptr<function, array<f32, D>>) -> Nearest {
  var best = 0u;
  var best_d = 0.0;
  for (var c = 0u; c < K; c++) {
    let dist = direct_dist(x, c);
    if (c == 0u || dist < best_d) { best_d = dist; best = c; }
  }
  return Nearest(best, best_d);
}

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
  if (REG_KD > 0u) {
    for (var i = 0u; i < REG_KD; i++) { centre_regs[i] = centres[i]; }
  }

  // Every workgroup runs the same number of loop trips so that barriers stay uniform.
  let trips = (params.num_tiles + num_wg - 1u) / num_wg;
  for (var trip = 0u; trip < trips; trip++) {
    let tile = wg + trip * num_wg;
    let row = tile * WG + t;
    if (MASK_K == K && accumulate) {
      for (var w = t; w < MASK_K * WORDS; w += WG) { atomicStore(&row_masks[w], 0u); }
      workgroupBarrier();
    }
    let valid = tile < params.num_tiles && row < n;
    var x: array<f32, D>;
    if (valid) {
      for (var j = 0u; j < D; j++) { x[j] = X[j * n + row]; }
    }
    var best = NO_LABEL;
    var best_d = 0.0;
    if (GEMM_CT == 0u) {
      if (valid) {
        let r = nearest_direct(&x);
        best = r.label;
        best_d = r.dist;
      }
    } else {
      var x4: array<vec4<f32>, D4>;
      var xx = 0.0;
      for (var q = 0u; q < D4; q++) {
        var v = vec4<f32>(0.0);
        for (var i = 0u; i < 4u; i++) {
          let j = 4u * q + i;
          if (j < D) { v[i] = x[j]; }
        }
        x4[q] = v;
        xx += dot(v, v);
      }
      var b1 = FAR;
      var b2 = FAR;
      var bi = 0u;
      var max_norm = 0.0;
      for (var c0 = 0u; c0 < K; c0 += GEMM_CT) {
        workgroupBarrier(); // every thread is done with the previous tile
        for (var e = t; e < GEMM_CT * D4; e += WG) {
          let cc = c0 + e / D4;
          let q = e % D4;
          var v = vec4<f32>(0.0);
          for (var i = 0u; i < 4u; i++) {
            if (cc < K && 4u * q + i < D) { v[i] = centres[cc * D + 4u * q + i]; }
          }
          centre_tile[e] = v;
        }
        workgroupBarrier();
        for (var e = t; e < GEMM_CT; e += WG) {
          var s = 0.0;
          for (var q = 0u; q < D4; q++) { s += dot(centre_tile[e * D4 + q], centre_tile[e * D4 + q]); }
          centre_norm[e] = s;
        }
        workgroupBarrier();
        if (valid) {
          let count = min(GEMM_CT, K - c0);
          for (var i = 0u; i < count; i++) {
            var xc = 0.0;
            for (var q = 0u; q < D4; q++) { xc += dot(x4[q], centre_tile[i * D4 + q]); }
            let score = centre_norm[i] - 2.0 * xc;
            max_norm = max(max_norm, centre_norm[i]);
            if (score < b1) { b2 = b1; b1 = score; bi = c0 + i; } else if (score < b2) { b2 = score; }
          }
        }
      }
      if (valid) {
        if (b2 - b1 <= TAU * (xx + 2.0 * max_norm)) {
          let r = nearest_direct(&x);
          best = r.label;
          best_d = r.dist;
        } else {
          best = bi;
          best_d = direct_dist(&x, bi);
        }
      }
    }
    if (valid) {
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

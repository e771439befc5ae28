// seed_potentials.wgsl — k-means++ seeding: the potential each candidate centre would leave,
// Σ_i min(min_dist[i], ‖x_i − cand_l‖²), for L candidates in one pass over the rows.
//
// Prepended by the dispatcher: const D: u32; const L: u32 (candidates); const WG: u32.
//
// Buffers (IN/OUT):
//   X           IN   column-major chunk
//   candidates  IN   L×D row-major
//   min_dist    IN   per row, from seed_min_dist.wgsl
//   partials    OUT  per workgroup, L pairs (hi, lo); reduce_partials.wgsl adds them

struct Params {
  n: u32,
  num_tiles: u32,
  num_wg: u32,
  _pad: u32,
}

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> candidates: array<f32>;
@group(0) @binding(2) var<storage, read> min_dist: array<f32>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> red_hi: array<f32, WG>;
var<workgroup> red_lo: array<f32, WG>;

// #include "lib/two_sum.wgsl"
// #include "lib/tree_reduce_pairs.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let n = params.n;
  var acc: array<vec2<f32>, L>;
  for (var l = 0u; l < L; l++) { acc[l] = vec2<f32>(0.0, 0.0); }
  for (var tile = wid.x; tile < params.num_tiles; tile += params.num_wg) {
    let row = tile * WG + t;
    if (row < n) {
      var x: array<f32, D>;
      for (var j = 0u; j < D; j++) { x[j] = X[j * n + row]; }
      let m = min_dist[row];
      for (var l = 0u; l < L; l++) {
        var dist = 0.0;
        for (var j = 0u; j < D; j++) {
          let diff = x[j] - candidates[l * D + j];
          dist = fma(diff, diff, dist);
        }
        acc[l] = two_sum(acc[l].x, acc[l].y, min(m, dist), 0.0);
      }
    }
  }
  for (var l = 0u; l < L; l++) {
    red_hi[t] = acc[l].x;
    red_lo[t] = acc[l].y;
    tree_reduce_pairs(t);
    if (t == 0u) {
      partials[(wid.x * L + l) * 2u] = red_hi[0];
      partials[(wid.x * L + l) * 2u + 1u] = red_lo[0];
    }
    workgroupBarrier();
  }
}

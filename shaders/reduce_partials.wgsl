// reduce_partials.wgsl — add per-workgroup (hi, lo) partials into one (hi, lo) pair per output.
//
// Prepended by the dispatcher: const WG: u32 (threads per workgroup, a power of two).
//
// Buffers (IN/OUT):
//   partials  IN   [parts][m] pairs (hi, lo), as the accumulating kernels write them
//   out       OUT  pair for output o written at (out_base + o) * 2
//
// One workgroup per output: threads stride over the parts with an error-free TwoSum, then a
// pairwise tree joins them. The host adds hi + lo in float64.

struct Params {
  parts: u32,     // partial rows to add (workgroups of the producing kernel)
  m: u32,         // outputs per part
  out_base: u32,  // where this chunk's outputs start in `out`, in pairs
  num_wg_x: u32,  // workgroups along x (the grid may be 2-D)
}

@group(0) @binding(0) var<storage, read> partials: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> red_hi: array<f32, WG>;
var<workgroup> red_lo: array<f32, WG>;

// #include "lib/two_sum.wgsl"
// #include "lib/tree_reduce_pairs.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let o = wid.x + wid.y * params.num_wg_x;
  var acc = vec2<f32>(0.0, 0.0);
  if (o < params.m) {
    for (var p = t; p < params.parts; p += WG) {
      let at = (p * params.m + o) * 2u;
      acc = two_sum(acc.x, acc.y, partials[at], partials[at + 1u]);
    }
  }
  red_hi[t] = acc.x;
  red_lo[t] = acc.y;
  tree_reduce_pairs(t);
  if (t == 0u && o < params.m) {
    out[(params.out_base + o) * 2u] = red_hi[0];
    out[(params.out_base + o) * 2u + 1u] = red_lo[0];
  }
}

// tree_reduce_pairs — a pairwise tree over the workgroup's (hi, lo) pairs in red_hi / red_lo,
// leaving the sum in element 0. Needs, at module scope, const WG (a power of two) and
// var<workgroup> red_hi, red_lo: array<f32, WG>, and two_sum (lib/two_sum.wgsl). Call it from
// uniform control flow once every thread has stored its pair: it contains barriers.
fn tree_reduce_pairs(t: u32) {
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (t < stride) {
      let p = two_sum(red_hi[t], red_lo[t], red_hi[t + stride], red_lo[t + stride]);
      red_hi[t] = p.x;
      red_lo[t] = p.y;
    }
    workgroupBarrier();
  }
}

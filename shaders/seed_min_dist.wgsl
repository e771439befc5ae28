// seed_min_dist.wgsl — k-means++ / k-means‖ seeding: each row's squared distance to the nearest
// chosen centre, after adding `count` new centres.
//
// Prepended by the dispatcher: const D: u32 (features); const WG: u32 (rows per block = threads).
//
// Buffers (IN/OUT):
//   X           IN   column-major chunk, feature j of row i at X[j * n + i]
//   centres     IN   the centres just chosen, count×D
//   min_dist    IN/OUT  per row: min over the new centres of ‖x − c‖², and of the old min_dist
//                       unless reset
//   block_sums  OUT  Σ min_dist over each block of WG rows, at block_base + block
//
// Workgroups walk blocks (block = wid, wid + num_wg, ...); a block's sum is a pairwise tree in
// workgroup memory, so it does not depend on scheduling.

struct Params {
  n: u32,           // rows in this chunk
  num_blocks: u32,  // ceil(n / WG)
  num_wg: u32,      // workgroups dispatched (a 1-D grid)
  reset: u32,       // 1 for the first centre
  block_base: u32,  // index of this chunk's first block in block_sums
  count: u32,       // centres in `centres`
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> centres: array<f32>;
@group(0) @binding(2) var<storage, read_write> min_dist: array<f32>;
@group(0) @binding(3) var<storage, read_write> block_sums: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

var<workgroup> red: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let n = params.n;
  let trips = (params.num_blocks + params.num_wg - 1u) / params.num_wg;
  for (var trip = 0u; trip < trips; trip++) {
    let block = wid.x + trip * params.num_wg;
    let row = block * WG + t;
    var v = 0.0;
    if (block < params.num_blocks && row < n) {
      var x: array<f32, D>;
      for (var j = 0u; j < D; j++) { x[j] = X[j * n + row]; }
      var nearest = select(min_dist[row], 3.4e38, params.reset == 1u);
      for (var c = 0u; c < params.count; c++) {
        var dist = 0.0;
        for (var j = 0u; j < D; j++) {
          let diff = x[j] - centres[c * D + j];
          dist = fma(diff, diff, dist);
        }
        nearest = min(nearest, dist);
      }
      v = nearest;
      min_dist[row] = v;
    }
    red[t] = v;
    workgroupBarrier();
    for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
      if (t < stride) { red[t] = red[t] + red[t + stride]; }
      workgroupBarrier();
    }
    if (t == 0u && block < params.num_blocks) { block_sums[params.block_base + block] = red[0]; }
    workgroupBarrier();
  }
}

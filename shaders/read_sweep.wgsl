// read_sweep.wgsl — reads a buffer once, as a Lloyd pass reads X, to measure the device's
// achievable read bandwidth: the floor that `gpuseg bench` compares kernels against.
//
// Prepended by the dispatcher (src/backend/gpu/read-sweep-dispatch.ts): const WG: u32.
//
// Buffers (IN/OUT):
//   data  IN   n vec4<f32>
//   out   OUT  one value per workgroup (keeps the reads from being optimised away)

struct Params {
  n: u32,       // vec4 elements
  num_wg: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read> data: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

var<workgroup> red: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  var acc = vec4<f32>(0.0);
  for (var i = wid.x * WG + t; i < params.n; i += params.num_wg * WG) { acc += data[i]; }
  red[t] = acc.x + acc.y + acc.z + acc.w;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride = stride / 2u) {
    if (t < stride) { red[t] += red[t + stride]; }
    workgroupBarrier();
  }
  if (t == 0u) { out[wid.x] = red[0]; }
}

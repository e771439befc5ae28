// seed_sample.wgsl — k-means‖ oversampling: keep row i with probability min(1, factor · min_dist[i]),
// drawing u_i from a counter-based hash of (seed, global row), so the draw does not depend on
// scheduling and the CPU backend reproduces it (src/backend/cpu/kernel-source.ts, sampleHash).
//
// Prepended by the dispatcher: const WG: u32.
//
// Buffers (IN/OUT):
//   min_dist  IN   per row of this chunk
//   picked    OUT  global row indices of the kept rows, in no particular order (the host sorts)
//   counter   IN/OUT  atomic count of kept rows (may exceed `capacity`: the host then retries)

struct Params {
  n: u32,          // rows in this chunk
  row_base: u32,   // global index of this chunk's first row
  seed: u32,
  capacity: u32,   // slots in `picked`
  factor: f32,     // ℓ / φ
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read> min_dist: array<f32>;
@group(0) @binding(1) var<storage, read_write> picked: array<u32>;
@group(0) @binding(2) var<storage, read_write> counter: array<atomic<u32>>;
@group(0) @binding(3) var<uniform> params: Params;

// PCG output permutation (O'Neill 2014) of a 32-bit state.
fn pcg_hash(v: u32) -> u32 {
  let state = v * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = gid.x + gid.y * groups.x * WG;
  if (i >= params.n) { return; }
  let row = params.row_base + i;
  let u = f32(pcg_hash(pcg_hash(row) ^ params.seed) >> 8u) * (1.0 / 16777216.0);
  if (u < params.factor * min_dist[i]) {
    let slot = atomicAdd(&counter[0], 1u);
    if (slot < params.capacity) { picked[slot] = row; }
  }
}

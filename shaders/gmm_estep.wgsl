// gmm_estep.wgsl — Gaussian mixture E-step: responsibilities by log-sum-exp, and their sufficient
// statistics centred on each component's mean; or, in assignment mode, labels and probabilities.
//
// Prepended by the dispatcher (src/backend/gpu/gmm-dispatch.ts), the compile-time shape:
//   const K: u32; const D: u32; const WG: u32 (rows per tile = threads)
//   const FULL: u32;  1: full precision factors (full, tied); 0: per-dimension (diag, spherical)
//   const S: u32;     second-moment entries per component: D, or D(D+1)/2 (upper triangle by rows)
//   const SLOTS: u32; outputs owned per thread = ceil((K + K*D + K*S) / WG)
//   const XS: u32;    WG + 1 when the tile's rows are staged in workgroup memory (tile_x), else 0
//
// Buffers (IN/OUT):
//   X         IN   column-major chunk, feature j of row i at X[j * n + i]
//   means     IN   K×D
//   prec      IN   FULL: K×D×D upper-triangular P (Σ⁻¹ = P Pᵀ); else K×D values 1/σ
//   bias      IN   K: log w + log det P − D/2·log 2π
//   labels    OUT  most probable component (WRITE_ASSIGN)
//   max_prob  OUT  its probability (WRITE_ASSIGN)
//   probs     OUT  every responsibility, component-major: probs[c * n + i] (WRITE_PROBS)
//   partials  OUT  per workgroup, M = K + K*D + K*S + 1 (hi, lo) pairs:
//                  Nk, Σ r·d, Σ r·d·dᵀ (d = x − μ_k), Σ log p(x)
//
// As in lloyd.wgsl: each tile's responsibilities go to workgroup memory, each thread adds the
// tile's rows in row order for the outputs it owns (reproducible), tile sums join per-thread
// (hi, lo) pairs by TwoSum, and reduce_partials.wgsl adds the workgroups.
//
// The statistics read each row's features once per output that needs them: 2·K·D reads a row for
// diag (256 at K=8, D=16, against D = 16 values), K·D + 2·K·S for full (2,304), the threads of a
// warp reading different features of the same row — from X, up to D columns at once. With XS > 0
// the thread that evaluates a row also leaves its features in tile_x (rows padded to WG + 1, so
// threads reading features a, b, ... of one row hit different banks), and the statistics read them
// from there: X is read once per row, as by the Lloyd kernel. The same values in the same order,
// so the same bits (test/gpu-round-trips.test.ts, against stageGmmRows: false).

struct Params {
  n: u32,
  num_tiles: u32,
  num_wg: u32,
  flags: u32,  // bit 0 ACCUMULATE, bit 1 WRITE_ASSIGN, bit 2 WRITE_PROBS
}

@group(0) @binding(0) var<storage, read> X: array<f32>;
@group(0) @binding(1) var<storage, read> means: array<f32>;
@group(0) @binding(2) var<storage, read> prec: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> labels: array<u32>;
@group(0) @binding(5) var<storage, read_write> max_prob: array<f32>;
@group(0) @binding(6) var<storage, read_write> probs: array<f32>;
@group(0) @binding(7) var<storage, read_write> partials: array<f32>;
@group(0) @binding(8) var<uniform> params: Params;

const M: u32 = K + K * D + K * S + 1u;

var<workgroup> tile_resp: array<f32, WG * K>;
var<workgroup> red_hi: array<f32, WG>;
var<workgroup> red_lo: array<f32, WG>;
var<workgroup> tile_x: array<f32, max(D * XS, 1u)>;

// #include "lib/two_sum.wgsl"
// #include "lib/tree_reduce_pairs.wgsl"

// Feature j of the tile's row r (row0 + r of the chunk): staged, or from X.
fn tile_value(j: u32, row0: u32, r: u32, n: u32) -> f32 {
  if (XS > 0u) { return tile_x[j * XS + r]; }
  return X[j * n + row0 + r];
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) t: u32) {
  let n = params.n;
  let accumulate = (params.flags & 1u) != 0u;
  let write_assign = (params.flags & 2u) != 0u;
  let write_probs = (params.flags & 4u) != 0u;

  var acc_hi: array<f32, SLOTS>;
  var acc_lo: array<f32, SLOTS>;
  for (var s = 0u; s < SLOTS; s++) { acc_hi[s] = 0.0; acc_lo[s] = 0.0; }
  var ll = vec2<f32>(0.0, 0.0);

  // Which (component, a, b) each owned second-moment slot is, worked out once.
  var slot_a: array<u32, SLOTS>;
  var slot_b: array<u32, SLOTS>;
  for (var s = 0u; s < SLOTS; s++) {
    let o = s * WG + t;
    slot_a[s] = 0u;
    slot_b[s] = 0u;
    if (o >= K + K * D && o < M - 1u) {
      var rem = (o - K - K * D) % S;
      if (FULL == 1u) {
        var a = 0u;
        loop {
          if (rem < D - a) { break; }
          rem -= D - a;
          a++;
        }
        slot_a[s] = a;
        slot_b[s] = a + rem;
      } else {
        slot_a[s] = rem;
        slot_b[s] = rem;
      }
    }
  }

  let trips = (params.num_tiles + params.num_wg - 1u) / params.num_wg;
  for (var trip = 0u; trip < trips; trip++) {
    let tile = wid.x + trip * params.num_wg;
    let row = tile * WG + t;
    let valid = tile < params.num_tiles && row < n;
    if (valid) {
      var x: array<f32, D>;
      for (var j = 0u; j < D; j++) { x[j] = X[j * n + row]; }
      if (XS > 0u && accumulate) {
        for (var j = 0u; j < D; j++) { tile_x[j * XS + t] = x[j]; }
      }
      var lp: array<f32, K>;
      var mx = -3.4e38;
      for (var c = 0u; c < K; c++) {
        var maha = 0.0;
        if (FULL == 1u) {
          var dv: array<f32, D>;
          for (var j = 0u; j < D; j++) { dv[j] = x[j] - means[c * D + j]; }
          for (var b = 0u; b < D; b++) {
            var y = 0.0;
            for (var a = 0u; a <= b; a++) { y = fma(dv[a], prec[(c * D + a) * D + b], y); }
            maha = fma(y, y, maha);
          }
        } else {
          for (var j = 0u; j < D; j++) {
            let z = (x[j] - means[c * D + j]) * prec[c * D + j];
            maha = fma(z, z, maha);
          }
        }
        let v = bias[c] - 0.5 * maha;
        lp[c] = v;
        mx = max(mx, v);
      }
      var sum = 0.0;
      for (var c = 0u; c < K; c++) { sum += exp(lp[c] - mx); }
      let lse = mx + log(sum);
      ll = two_sum(ll.x, ll.y, lse, 0.0);
      var best = 0u;
      for (var c = 0u; c < K; c++) {
        let r = exp(lp[c] - lse);
        tile_resp[t * K + c] = r;
        if (lp[c] > lp[best]) { best = c; }
        if (write_probs) { probs[c * n + row] = r; }
      }
      if (write_assign) {
        labels[row] = best;
        max_prob[row] = exp(lp[best] - lse);
      }
    } else {
      for (var c = 0u; c < K; c++) { tile_resp[t * K + c] = 0.0; }
    }
    workgroupBarrier();
    if (accumulate && tile < params.num_tiles) {
      let row0 = tile * WG;
      let rows = min(WG, n - row0);
      for (var s = 0u; s < SLOTS; s++) {
        let o = s * WG + t;
        var tile_sum = 0.0;
        if (o < K) {
          for (var r = 0u; r < rows; r++) { tile_sum += tile_resp[r * K + o]; }
        } else if (o < K + K * D) {
          let c = (o - K) / D;
          let j = (o - K) % D;
          let mu = means[c * D + j];
          for (var r = 0u; r < rows; r++) { tile_sum += tile_resp[r * K + c] * (tile_value(j, row0, r, n) - mu); }
        } else if (o < M - 1u) {
          let c = (o - K - K * D) / S;
          let a = slot_a[s];
          let b = slot_b[s];
          let mu_a = means[c * D + a];
          let mu_b = means[c * D + b];
          for (var r = 0u; r < rows; r++) {
            tile_sum += tile_resp[r * K + c] * (tile_value(a, row0, r, n) - mu_a) * (tile_value(b, row0, r, n) - mu_b);
          }
        }
        let p = two_sum(acc_hi[s], acc_lo[s], tile_sum, 0.0);
        acc_hi[s] = p.x;
        acc_lo[s] = p.y;
      }
    }
    workgroupBarrier();
  }

  red_hi[t] = ll.x;
  red_lo[t] = ll.y;
  tree_reduce_pairs(t);
  let base = wid.x * M;
  if (accumulate) {
    for (var s = 0u; s < SLOTS; s++) {
      let o = s * WG + t;
      if (o < M - 1u) {
        partials[(base + o) * 2u] = acc_hi[s];
        partials[(base + o) * 2u + 1u] = acc_lo[s];
      }
    }
  }
  if (t == 0u) {
    partials[(base + M - 1u) * 2u] = red_hi[0];
    partials[(base + M - 1u) * 2u + 1u] = red_lo[0];
  }
}

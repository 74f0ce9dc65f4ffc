// train1d forward: residual r_m = c + Σ_i a_i·φ(w_i·x_m + b_i) − y_m for every training sample (φ = act, shaders/activation.wgsl).
// Why this shape: one invocation per sample; units are staged in tiles of 256 through workgroup memory
// (every invocation of the group reads the same unit), and per-tile partial sums keep the f32 error small.
// Bindings: 0 params (uniform, dynamic offset), 1 theta [w…, b…, a…, c] (N·3 + 1), 2 xs, 3 ys, 4 resid (out).

struct TrainParams {
  n: u32,          // units
  m: u32,          // samples
  lr: f32,         // learning rate
  beta1: f32,
  beta2: f32,
  eps: f32,
  bc1: f32,        // 1 − beta1^t for this step
  bc2: f32,        // 1 − beta2^t for this step
  chunks: u32,     // sample chunks of the gradient pass
  chunkSize: u32,  // samples per chunk (the last may be shorter)
}

// act, act_deriv and the ACT pipeline constant come from shaders/activation.wgsl, prepended by train1d.ts.

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> P: TrainParams;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> xs: array<f32>;
@group(0) @binding(3) var<storage, read> ys: array<f32>;
@group(0) @binding(4) var<storage, read_write> resid: array<f32>;

var<workgroup> tile: array<vec4<f32>, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = (wid.x + wid.y * nwg.x) * WG + lid;
  let n = P.n;
  let x = xs[min(s, P.m - 1u)];
  var total = 0.0;
  for (var base = 0u; base < n; base += WG) {
    let u = base + lid;
    if (u < n) {
      tile[lid] = vec4<f32>(theta[u], theta[n + u], theta[2u * n + u], 0.0);
    } else {
      tile[lid] = vec4<f32>(0.0);
    }
    workgroupBarrier();
    let count = min(WG, n - base);
    var part = 0.0;
    for (var t = 0u; t < count; t++) {
      let unit = tile[t];
      part = fma(unit.z, act(fma(unit.x, x, unit.y)), part);
    }
    total += part;
    workgroupBarrier();
  }
  if (s < P.m) {
    resid[s] = (theta[3u * n] + total) - ys[s];
  }
}

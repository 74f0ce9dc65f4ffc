// train1d gradient: per-chunk partial sums of ∂L/∂θ, L = (1/M)·Σ r_m², from the forward pass's slice sums.
// Why this shape: one invocation per unit (the extra invocation N is the output bias c) and one workgroup row
// per chunk of samples, staged through workgroup memory in tiles of 256 (every invocation reads the same
// sample). Few barriers, no atomics, a fixed summation order; the next forward pass adds the chunks for Adam. The
// residual r_m = c + (slice sums, in slice order) − y_m is formed as the samples are staged.
// Partial sums, pre-multiplied by a_j here (Adam then overwrites a_j, so it must not read it):
//   w_j: a_j·Σ r·φ'(z)·x   b_j: a_j·Σ r·φ'(z)   a_j: Σ r·φ(z)   c: Σ r   (z = w_j·x + b_j; ReLU: φ' = 1 where z > 0)
// Bindings: 0 params (uniform, dynamic offset), 1 stateIn (the live half [θ | m1 | m2], θ = its first 3N + 1
//           values), 2 xs, 3 ys, 4 fwd (the slice sums), 5 partial (out): chunk k's sums at partial[k·(3N + 1) + i],
//           laid out like θ, 6 stateOut (the other half; written with ADAM only).

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
  slices: u32,     // unit slices of the forward pass: its sums are fwd[slice·M + sample]
  sliceUnits: u32, // units per slice (a multiple of WG)
}

// act, act_deriv and the ACT pipeline constant come from shaders/activation.wgsl, prepended by train1d.ts.

const WG: u32 = 256u;
const PER_UNIT: u32 = 3u;
// With one chunk (pipeline constant): take the Adam step here (shaders/train_adam.wgsl, prepended), from stateIn into
// stateOut, instead of writing partial sums for the next forward pass to add.
override ADAM: bool = false;

@group(0) @binding(0) var<uniform> P: TrainParams;
@group(0) @binding(1) var<storage, read> stateIn: array<f32>;
@group(0) @binding(2) var<storage, read> xs: array<f32>;
@group(0) @binding(3) var<storage, read> ys: array<f32>;
@group(0) @binding(4) var<storage, read> fwd: array<f32>;
@group(0) @binding(5) var<storage, read_write> partial: array<f32>;
@group(0) @binding(6) var<storage, read_write> stateOut: array<f32>;

var<workgroup> tile: array<vec2<f32>, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>) {
  let n = P.n;
  let j = wid.x * WG + lid;
  let chunk = wid.y;
  var w = 0.0;
  var b = 0.0;
  if (j < n) {
    w = stateIn[j];
    b = stateIn[n + j];
  }
  let s0 = chunk * P.chunkSize;
  let s1 = min(s0 + P.chunkSize, P.m);
  var acc = vec3<f32>(0.0);
  for (var base = s0; base < s1; base += WG) {
    let s = base + lid;
    if (s < s1) {
      var r = stateIn[3u * n];
      for (var sl = 0u; sl < P.slices; sl++) {
        r += fwd[sl * P.m + s];
      }
      tile[lid] = vec2<f32>(xs[s], r - ys[s]);
    } else {
      tile[lid] = vec2<f32>(0.0);
    }
    workgroupBarrier();
    let count = min(WG, s1 - base);
    if (j < n) {
      for (var t = 0u; t < count; t++) {
        let xr = tile[t];
        let z = fma(w, xr.x, b);
        if (ACT == 0u) {
          if (z > 0.0) {
            acc += vec3<f32>(xr.y * z, xr.y * xr.x, xr.y);
          }
        } else {
          let d = xr.y * act_deriv(z);
          acc += vec3<f32>(xr.y * act(z), d * xr.x, d);
        }
      }
    } else if (j == n) {
      for (var t = 0u; t < count; t++) {
        acc.x += tile[t].y;
      }
    }
    workgroupBarrier();
  }
  if (ADAM) {
    if (j < n) {
      let a = stateIn[2u * n + j];
      _ = adam_apply(j, a * acc.y, true);
      _ = adam_apply(n + j, a * acc.z, true);
      _ = adam_apply(2u * n + j, acc.x, true);
    } else if (j == n) {
      _ = adam_apply(3u * n, acc.x, true);
    }
    return;
  }
  let stride = 3u * n + 1u;
  let o = chunk * stride;
  if (j < n) {
    let a = stateIn[2u * n + j];
    partial[o + j] = a * acc.y;
    partial[o + n + j] = a * acc.z;
    partial[o + 2u * n + j] = acc.x;
  } else if (j == n) {
    partial[o + 3u * n] = acc.x;
  }
}

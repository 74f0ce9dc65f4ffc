// train2d gradient: per-chunk partial sums of ∂L/∂θ, L = (1/M)·Σ r_m², from the forward pass's slice sums.
// Why this shape: one invocation per unit (the extra invocation N is the output bias c) and one workgroup row
// per chunk of samples, staged through workgroup memory in tiles of 256 (every invocation reads the same
// sample). Few barriers, no atomics, a fixed summation order; the next forward pass adds the chunks for Adam. The
// residual r_m = c + (slice sums, in slice order) − z_m is formed as the samples are staged.
// Partial sums, pre-multiplied by a_j here (Adam then overwrites a_j, so it must not read it), u = w_j·p + b_j:
//   w1_j: a_j·Σ r·φ'(u)·x   w2_j: a_j·Σ r·φ'(u)·y   b_j: a_j·Σ r·φ'(u)   a_j: Σ r·φ(u)   c: Σ r   (ReLU: φ' = 1 where u > 0)
// Bindings: 0 params (uniform, dynamic offset), 1 stateIn (the live half [θ | m1 | m2], θ = its first 4N + 1
//           values), 2 samples (x, y, z, 0), 3 fwd (the slice sums), 4 partial (out): chunk k's sums at
//           partial[k·(4N + 1) + i], laid out like θ, 5 stateOut (the other half; written with ADAM only).

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
const PER_UNIT: u32 = 4u;
// With one chunk (pipeline constant): take the Adam step here (shaders/train_adam.wgsl, prepended), from stateIn into
// stateOut, instead of writing partial sums for the next forward pass to add.
override ADAM: bool = false;

@group(0) @binding(0) var<uniform> P: TrainParams;
@group(0) @binding(1) var<storage, read> stateIn: array<f32>;
@group(0) @binding(2) var<storage, read> samples: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> fwd: array<f32>;
@group(0) @binding(4) var<storage, read_write> partial: array<f32>;
@group(0) @binding(5) var<storage, read_write> stateOut: array<f32>;

var<workgroup> tile: array<vec4<f32>, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>) {
  let n = P.n;
  let j = wid.x * WG + lid;
  let chunk = wid.y;
  var w1 = 0.0;
  var w2 = 0.0;
  var b = 0.0;
  if (j < n) {
    w1 = stateIn[2u * j];
    w2 = stateIn[2u * j + 1u];
    b = stateIn[2u * n + j];
  }
  let s0 = chunk * P.chunkSize;
  let s1 = min(s0 + P.chunkSize, P.m);
  var acc = vec4<f32>(0.0);
  for (var base = s0; base < s1; base += WG) {
    let s = base + lid;
    if (s < s1) {
      let p = samples[s];
      var r = stateIn[4u * n];
      for (var sl = 0u; sl < P.slices; sl++) {
        r += fwd[sl * P.m + s];
      }
      tile[lid] = vec4<f32>(p.x, p.y, r - p.z, 0.0);
    } else {
      tile[lid] = vec4<f32>(0.0);
    }
    workgroupBarrier();
    let count = min(WG, s1 - base);
    if (j < n) {
      for (var t = 0u; t < count; t++) {
        let xr = tile[t];
        let u = fma(w1, xr.x, fma(w2, xr.y, b));
        if (ACT == 0u) {
          if (u > 0.0) {
            acc += vec4<f32>(xr.z * u, xr.z * xr.x, xr.z * xr.y, xr.z);
          }
        } else {
          let d = xr.z * act_deriv(u);
          acc += vec4<f32>(xr.z * act(u), d * xr.x, d * xr.y, d);
        }
      }
    } else if (j == n) {
      for (var t = 0u; t < count; t++) {
        acc.x += tile[t].z;
      }
    }
    workgroupBarrier();
  }
  if (ADAM) {
    if (j < n) {
      let a = stateIn[3u * n + j];
      _ = adam_apply(2u * j, a * acc.y, true);
      _ = adam_apply(2u * j + 1u, a * acc.z, true);
      _ = adam_apply(2u * n + j, a * acc.w, true);
      _ = adam_apply(3u * n + j, acc.x, true);
    } else if (j == n) {
      _ = adam_apply(4u * n, acc.x, true);
    }
    return;
  }
  let stride = 4u * n + 1u;
  let o = chunk * stride;
  if (j < n) {
    let a = stateIn[3u * n + j];
    partial[o + 2u * j] = a * acc.y;
    partial[o + 2u * j + 1u] = a * acc.z;
    partial[o + 2u * n + j] = a * acc.w;
    partial[o + 3u * n + j] = acc.x;
  } else if (j == n) {
    partial[o + 4u * n] = acc.x;
  }
}

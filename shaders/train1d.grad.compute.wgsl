// train1d gradient: ∂L/∂θ of the mean squared error from the residuals, L = (1/M)·Σ r_m².
// Why this shape: one workgroup per unit (workgroup N is the output bias c) strides over the samples and
// tree-reduces its three sums in workgroup memory: O(N·M) work, no atomics, a fixed summation order.
// Unit j: ∂a_j = (2/M)·Σ r·max(0, z), ∂w_j = (2/M)·a_j·Σ_{z>0} r·x, ∂b_j = (2/M)·a_j·Σ_{z>0} r, z = w_j·x + b_j.
// Bindings: 0 params (uniform, dynamic offset), 1 theta, 2 xs, 3 resid, 4 grad (out, same layout as theta).

struct TrainParams {
  n: u32,        // units
  m: u32,        // samples
  lr: f32,       // learning rate
  beta1: f32,
  beta2: f32,
  eps: f32,
  bc1: f32,      // 1 − beta1^t for this step
  bc2: f32,      // 1 − beta2^t for this step
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> P: TrainParams;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> xs: array<f32>;
@group(0) @binding(3) var<storage, read> resid: array<f32>;
@group(0) @binding(4) var<storage, read_write> grad: array<f32>;

var<workgroup> sums: array<vec4<f32>, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  // Workgroup-uniform: every invocation of the group takes the same branch.
  let j = wid.x + wid.y * nwg.x;
  let n = P.n;
  if (j > n) {
    return;
  }
  let isBias = j == n;
  var w = 0.0;
  var b = 0.0;
  if (!isBias) {
    w = theta[j];
    b = theta[n + j];
  }
  var acc = vec3<f32>(0.0);
  for (var s = lid; s < P.m; s += WG) {
    let r = resid[s];
    if (isBias) {
      acc.x += r;
    } else {
      let x = xs[s];
      let z = fma(w, x, b);
      if (z > 0.0) {
        acc += vec3<f32>(r * z, r * x, r);
      }
    }
  }
  sums[lid] = vec4<f32>(acc, 0.0);
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half = half / 2u) {
    if (lid < half) {
      sums[lid] += sums[lid + half];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let total = sums[0];
    let scale = 2.0 / f32(P.m);
    if (isBias) {
      grad[3u * n] = scale * total.x;
    } else {
      let a = theta[2u * n + j];
      grad[j] = scale * a * total.y;
      grad[n + j] = scale * a * total.z;
      grad[2u * n + j] = scale * total.x;
    }
  }
}

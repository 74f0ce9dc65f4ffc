// Adam update of both GPU trainers: one invocation per parameter of theta (PER_UNIT·N + 1 values: in 1D
// [w…, b…, a…, c], in 2D [w (N×2)…, b…, a…, c]).
// Why: the moments live on the GPU beside the parameters, so a training step never leaves the device;
// the gradient is (2/M)·(sum of the gradient pass's chunk partials, in chunk order), and the bias
// corrections 1 − β^t come per step from the uniform (computed in float64 on the CPU).
// Bindings: 0 params (uniform, dynamic offset), 1 theta (in/out), 2 partial, 3 m1 (in/out), 4 m2 (in/out).

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

const WG: u32 = 256u;
// Parameters per unit, a pipeline constant (GpuTrainerSpec.perUnit): 3 in 1D, 4 in 2D.
override PER_UNIT: u32 = 3u;

@group(0) @binding(0) var<uniform> P: TrainParams;
@group(0) @binding(1) var<storage, read_write> theta: array<f32>;
@group(0) @binding(2) var<storage, read> partial: array<f32>;
@group(0) @binding(3) var<storage, read_write> m1: array<f32>;
@group(0) @binding(4) var<storage, read_write> m2: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let k = gid.x + gid.y * nwg.x * WG;
  if (k > PER_UNIT * P.n) {
    return;
  }
  let stride = PER_UNIT * P.n + 1u;
  var sum = 0.0;
  for (var c = 0u; c < P.chunks; c++) {
    sum += partial[c * stride + k];
  }
  let g = (2.0 / f32(P.m)) * sum;
  let mk = P.beta1 * m1[k] + (1.0 - P.beta1) * g;
  let vk = P.beta2 * m2[k] + (1.0 - P.beta2) * g * g;
  m1[k] = mk;
  m2[k] = vk;
  theta[k] = theta[k] - P.lr * (mk / P.bc1) / (sqrt(vk / P.bc2) + P.eps);
}

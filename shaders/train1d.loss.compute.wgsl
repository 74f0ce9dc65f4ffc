// train1d loss: mean squared residual (1/M)·Σ r_m², reduced by one workgroup into out[0].
// Why: the only number read back per training call; one group with a fixed stride-then-tree order is
// deterministic and cheap next to the O(N·M) forward pass.
// Bindings: 0 params (uniform, dynamic offset), 1 resid, 2 out (one f32).

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

@group(0) @binding(0) var<uniform> P: TrainParams;
@group(0) @binding(1) var<storage, read> resid: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

var<workgroup> sums: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var s = lid; s < P.m; s += WG) {
    let r = resid[s];
    acc = fma(r, r, acc);
  }
  sums[lid] = acc;
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half = half / 2u) {
    if (lid < half) {
      sums[lid] += sums[lid + half];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    out[0] = sums[0] / f32(P.m);
  }
}

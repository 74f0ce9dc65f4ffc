// Loss of both GPU trainers: mean squared residual (1/M)·Σ r_m², r_m = c + (forward slice sums) − target_m,
// reduced by one workgroup into out[0].
// Why: the only number read back per training call; one group with a fixed stride-then-tree order is
// deterministic and cheap next to the O(N·M) forward pass.
// Bindings: 0 params (uniform, dynamic offset), 1 theta (c at PER_UNIT·N), 2 fwd (slice sums), 3 targets (y or z),
//           4 out (one f32).

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

const WG: u32 = 256u;
// Parameters per unit, a pipeline constant (GpuTrainerSpec.perUnit): 3 in 1D, 4 in 2D.
override PER_UNIT: u32 = 3u;

@group(0) @binding(0) var<uniform> P: TrainParams;
@group(0) @binding(1) var<storage, read> theta: array<f32>;
@group(0) @binding(2) var<storage, read> fwd: array<f32>;
@group(0) @binding(3) var<storage, read> targets: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

var<workgroup> sums: array<f32, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32) {
  var acc = 0.0;
  for (var s = lid; s < P.m; s += WG) {
    var r = theta[PER_UNIT * P.n];
    for (var sl = 0u; sl < P.slices; sl++) {
      r += fwd[sl * P.m + s];
    }
    r -= targets[s];
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

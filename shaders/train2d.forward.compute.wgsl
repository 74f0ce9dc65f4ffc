// train2d forward: per-slice sums Σ_{i in slice} a_i·φ(w1_i·x_m + w2_i·y_m + b_i) for every training sample (φ =
// act, shaders/activation.wgsl); the gradient and loss stages add the slices, c and −z_m into the residual.
// Why this shape: as train1d.forward (one invocation per sample, one workgroup per (256-sample block, unit slice),
// units staged in tiles of 256 through workgroup memory with per-tile partial sums; with UPDATE the tile is staged
// through Adam, shaders/train_adam.wgsl, prepended).
// Bindings: 0 params (uniform, dynamic offset), 1 stateIn [w (N×2)…, b…, a…, c | m1 | m2] (3·(4N + 1)), 2 partial
//           (the gradient chunks), 3 stateOut (written by the first sample block, with UPDATE), 4 samples
//           (x, y, z, 0), 5 fwd (out, S·M).

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
// Whether the pass first takes an Adam step (pipeline constant; false for the forward pass at a call's start).
override UPDATE: bool = false;

@group(0) @binding(0) var<uniform> P: TrainParams;
@group(0) @binding(1) var<storage, read> stateIn: array<f32>;
@group(0) @binding(2) var<storage, read> partial: array<f32>;
@group(0) @binding(3) var<storage, read_write> stateOut: array<f32>;
@group(0) @binding(4) var<storage, read> samples: array<vec4<f32>>;
@group(0) @binding(5) var<storage, read_write> fwd: array<f32>;

var<workgroup> tile: array<vec4<f32>, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let blocks = (P.m + WG - 1u) / WG;
  let g = wid.x + wid.y * nwg.x;
  if (g >= blocks * P.slices) {
    return;
  }
  let block = g % blocks;
  let slice = g / blocks;
  let s = block * WG + lid;
  let n = P.n;
  let write = block == 0u;
  if (UPDATE && write && slice == 0u && lid == 0u) {
    _ = adam_update(PER_UNIT * n, true);
  }
  let p = samples[min(s, P.m - 1u)];
  let u0 = slice * P.sliceUnits;
  let u1 = min(u0 + P.sliceUnits, n);
  var total = 0.0;
  for (var base = u0; base < u1; base += WG) {
    let u = base + lid;
    if (u < u1) {
      if (UPDATE) {
        tile[lid] = vec4<f32>(adam_update(2u * u, write), adam_update(2u * u + 1u, write), adam_update(2u * n + u, write),
                              adam_update(3u * n + u, write));
      } else {
        tile[lid] = vec4<f32>(stateIn[2u * u], stateIn[2u * u + 1u], stateIn[2u * n + u], stateIn[3u * n + u]);
      }
    } else {
      tile[lid] = vec4<f32>(0.0);
    }
    workgroupBarrier();
    let count = min(WG, u1 - base);
    var part = 0.0;
    for (var t = 0u; t < count; t++) {
      let unit = tile[t];
      part = fma(unit.w, act(fma(unit.x, p.x, fma(unit.y, p.y, unit.z))), part);
    }
    total += part;
    workgroupBarrier();
  }
  if (s < P.m) {
    fwd[slice * P.m + s] = total;
  }
}

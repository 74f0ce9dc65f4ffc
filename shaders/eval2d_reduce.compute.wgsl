// eval2d_reduce: the second pass of eval2d_split. Per point i of the job, out[i] = affine(x, y) + ½·Σ_s partials[s]
// with the S slice partials added in slice order (deterministic; S small, so plain summation keeps the float32
// error of eval2d's two-level scheme), and the affine part A·x + B·y + C formed as eval2d forms it.
// One invocation per point: the pass reads S × pointCount floats and is memory-bound, a few µs on a GPU.
// Bindings: 0 params (uniform; the job's grid or point-list geometry and affine part), 1 partials (S × pointCount
// f32, bound at exactly that size, so S = arrayLength / pointCount), 2 points (interleaved x, y; point mode only),
// 3 out: one f32 per point of this job.

struct Params {
  origin: vec2<f32>,        // grid: (x, y) of the job's first sample
  step: vec2<f32>,          // grid: (dx, dy)
  nx: u32,                  // grid: samples per row
  pointCount: u32,          // points in this job
  unitStart: u32,           // unused
  unitCount: u32,           // unused
  mode: u32,                // 0 = grid, 1 = point list
  accumulate: u32,          // unused (always 0: the reduction writes out)
  threadsPerRow: u32,       // unused
  pad: u32,
  affine: vec4<f32>,        // (A, B, C, 0): f = A·x + B·y + C + ½·Σ a·|z|, over all units
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> partials: array<f32>;
@group(0) @binding(2) var<storage, read> points: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  let n = params.pointCount;
  if (i >= n) {
    return;
  }
  let slices = arrayLength(&partials) / n;
  var sum = 0.0;
  for (var s = 0u; s < slices; s++) {
    sum += partials[s * n + i];
  }
  var x = 0.0;
  var y = 0.0;
  if (params.mode == 0u) {
    x = params.origin.x + f32(i % params.nx) * params.step.x;
    y = params.origin.y + f32(i / params.nx) * params.step.y;
  } else {
    let p = points[i];
    x = p.x;
    y = p.y;
  }
  out[i] = params.affine.z + params.affine.x * x + params.affine.y * y + 0.5 * sum;
}

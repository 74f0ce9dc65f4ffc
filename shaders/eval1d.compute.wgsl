// eval1d: f(x) = c + Σ_i a_i · max(0, w_i·x + b_i) over a 1D grid or a list of x values.
// Why this shape: as in eval2d, units are staged in tiles of 256 through workgroup memory and each
// invocation computes 4 samples as a vec4; per-tile partial sums keep the float32 error small.
// Bindings: 0 params (uniform), 1 units: vec4(w, b, a, 0) per unit, 2 points: x values (point mode
// only), 3 out: one f32 per sample of this job.

struct Params {
  origin: vec2<f32>,        // grid: (x of the job's first sample, unused)
  step: vec2<f32>,          // grid: (dx, unused)
  nx: u32,                  // unused in 1D (kept so every kernel shares one Params layout)
  pointCount: u32,          // samples in this job
  unitStart: u32,           // first unit of this pass
  unitCount: u32,           // units in this pass
  mode: u32,                // 0 = grid, 1 = point list
  accumulate: u32,          // 0: out = c + Σ; 1: out += Σ
  c: f32,                   // output bias
  threadsPerRow: u32,       // unused in 1D
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> points: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

var<workgroup> tile: array<vec4<f32>, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let thread = (wid.x + wid.y * nwg.x) * WG + lid;
  let first = thread * 4u;
  var lanes = 0u;
  if (first < params.pointCount) {
    lanes = min(4u, params.pointCount - first);
  }
  var xs = params.origin.x + vec4<f32>(f32(first), f32(first + 1u), f32(first + 2u), f32(first + 3u)) * params.step.x;
  if (params.mode == 1u) {
    for (var k = 0u; k < lanes; k++) {
      xs[k] = points[first + k];
    }
  }

  var total = vec4<f32>(0.0);
  let end = params.unitStart + params.unitCount;
  for (var base = params.unitStart; base < end; base += WG) {
    let u = base + lid;
    tile[lid] = select(vec4<f32>(0.0), units[min(u, arrayLength(&units) - 1u)], u < end);
    workgroupBarrier();
    let count = min(WG, end - base);
    var part = vec4<f32>(0.0);
    for (var t = 0u; t < count; t++) {
      let unit = tile[t];
      let z = fma(vec4<f32>(unit.x), xs, vec4<f32>(unit.y));
      part = fma(vec4<f32>(unit.z), max(z, vec4<f32>(0.0)), part);
    }
    total += part;
    workgroupBarrier();
  }

  for (var k = 0u; k < lanes; k++) {
    let i = first + k;
    if (params.accumulate == 0u) {
      out[i] = params.c + total[k];
    } else {
      out[i] = out[i] + total[k];
    }
  }
}

// eval2d: f(x, y) = c + Σ_i a_i · max(0, w1_i·x + w2_i·y + b_i) over a grid or a list of (x, y) points.
// Why this shape: the unit loop is the hot path, so each workgroup stages a tile of 256 units through
// workgroup memory (one global read per unit per workgroup) and each invocation computes 4 points as a
// vec4, so one staged unit feeds 4 lanes. Partial sums are kept per tile and then added to the total
// (two-level summation), which keeps the float32 error near 1e-6 even with 65,536 units.
// Bindings: 0 params (uniform), 1 units: vec4(w1, w2, b, a) per unit, 2 points (interleaved x, y; point
// mode only), 3 out: one f32 per point of this job.

struct Params {
  origin: vec2<f32>,        // grid: (x, y) of the job's first sample
  step: vec2<f32>,          // grid: (dx, dy)
  nx: u32,                  // grid: samples per row
  pointCount: u32,          // points in this job
  unitStart: u32,           // first unit of this pass
  unitCount: u32,           // units in this pass
  mode: u32,                // 0 = grid, 1 = point list
  accumulate: u32,          // 0: out = c + Σ; 1: out += Σ (later passes over more units)
  c: f32,                   // output bias
  threadsPerRow: u32,       // grid: ceil(nx / 4)
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> points: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

var<workgroup> tile: array<vec4<f32>, WG>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let thread = (wid.x + wid.y * nwg.x) * WG + lid;

  // The 4 points of this invocation and where they go in `out`.
  var xs = vec4<f32>(0.0);
  var ys = vec4<f32>(0.0);
  var first = 0u;          // index in `out` of lane 0
  var lanes = 0u;          // lanes in range (0 … 4)
  var gridY = 0.0;         // grid mode: the row's y, shared by all 4 lanes
  if (params.mode == 0u) {
    let row = thread / params.threadsPerRow;
    let col = (thread % params.threadsPerRow) * 4u;
    let rows = params.pointCount / params.nx;
    if (row < rows) {
      first = row * params.nx + col;
      lanes = min(4u, params.nx - col);
    }
    gridY = params.origin.y + f32(row) * params.step.y;
    xs = params.origin.x + vec4<f32>(f32(col), f32(col + 1u), f32(col + 2u), f32(col + 3u)) * params.step.x;
  } else {
    first = thread * 4u;
    if (first < params.pointCount) {
      lanes = min(4u, params.pointCount - first);
    }
    for (var k = 0u; k < lanes; k++) {
      let p = points[first + k];
      xs[k] = p.x;
      ys[k] = p.y;
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
    if (params.mode == 0u) {
      for (var t = 0u; t < count; t++) {
        let unit = tile[t];
        let zRow = fma(unit.y, gridY, unit.z);
        let z = fma(vec4<f32>(unit.x), xs, vec4<f32>(zRow));
        part = fma(vec4<f32>(unit.w), max(z, vec4<f32>(0.0)), part);
      }
    } else {
      for (var t = 0u; t < count; t++) {
        let unit = tile[t];
        let z = fma(vec4<f32>(unit.x), xs, fma(vec4<f32>(unit.y), ys, vec4<f32>(unit.z)));
        part = fma(vec4<f32>(unit.w), max(z, vec4<f32>(0.0)), part);
      }
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

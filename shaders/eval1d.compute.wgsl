// eval1d: f(x) = c + Σ_i a_i · φ(w_i·x + b_i) over a 1D grid or a list of x values.
// φ piecewise linear (ReLU, leaky, linear) is lin·z + abs·|z|: the host folds abs into a (UnitBuffer) and lin into
// the affine part, so the loop below sums |z| for all three; SIGMOID (a pipeline constant) sums σ(z) instead,
// with the host packing 2a and affine (0, 0, c) so the same ½ and affine epilogue give c + Σ a·σ(z).
// Why this shape: as eval2d — units staged in tiles of 256 through workgroup memory, 16 samples per
// invocation as four vec4 chains, the unit loop unrolled by 4, and max(0, z) = (z + |z|)/2 so the
// kernel sums ½·Σ a·|z| on top of an affine part summed on the host in float64
// (params.affine = (½Σa·w, 0, c + ½Σa·b)); per-tile partial sums keep the float32 error small.
// Bindings: 0 params (uniform), 1 units: vec4(w, b, a, 0) per unit, 2 points: x values (point mode
// only), 3 out: one f32 per sample of this job.

struct Params {
  origin: vec2<f32>,        // grid: (x of the job's first sample, unused)
  step: vec2<f32>,          // grid: (dx, unused)
  nx: u32,                  // unused in 1D (every kernel shares one Params layout)
  pointCount: u32,          // samples in this job
  unitStart: u32,           // first unit of this pass
  unitCount: u32,           // units in this pass
  mode: u32,                // 0 = grid, 1 = point list
  accumulate: u32,          // 0: out = affine + ½Σ; 1: out += ½Σ
  threadsPerRow: u32,       // unused in 1D
  pad: u32,
  affine: vec4<f32>,        // (A, 0, C, 0): f = A·x + C + ½·Σ a·|w·x + b|, over all units
}

override SIGMOID: bool = false;

const WG: u32 = 256u;
const PPT: u32 = 16u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> points: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

var<workgroup> tile: array<vec4<f32>, WG>;

fn term(u: vec4<f32>, x: vec4<f32>, acc: vec4<f32>) -> vec4<f32> {
  let z = fma(vec4<f32>(u.x), x, vec4<f32>(u.y));
  if (SIGMOID) {
    return fma(vec4<f32>(u.z), 1.0 / (1.0 + exp(-z)), acc);
  }
  return fma(vec4<f32>(u.z), abs(z), acc);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let thread = (wid.x + wid.y * nwg.x) * WG + lid;
  let first = thread * PPT;
  var lanes = 0u;
  if (first < params.pointCount) {
    lanes = min(PPT, params.pointCount - first);
  }
  var x0: vec4<f32>; var x1: vec4<f32>; var x2: vec4<f32>; var x3: vec4<f32>;
  if (params.mode == 1u) {
    var px: array<f32, 16>;
    for (var k = 0u; k < lanes; k++) {
      px[k] = points[first + k];
    }
    x0 = vec4<f32>(px[0], px[1], px[2], px[3]);
    x1 = vec4<f32>(px[4], px[5], px[6], px[7]);
    x2 = vec4<f32>(px[8], px[9], px[10], px[11]);
    x3 = vec4<f32>(px[12], px[13], px[14], px[15]);
  } else {
    let c = f32(first);
    let lane = vec4<f32>(0.0, 1.0, 2.0, 3.0);
    x0 = params.origin.x + (c + lane) * params.step.x;
    x1 = params.origin.x + (c + 4.0 + lane) * params.step.x;
    x2 = params.origin.x + (c + 8.0 + lane) * params.step.x;
    x3 = params.origin.x + (c + 12.0 + lane) * params.step.x;
  }

  var t0 = vec4<f32>(0.0); var t1 = vec4<f32>(0.0); var t2 = vec4<f32>(0.0); var t3 = vec4<f32>(0.0);
  let end = params.unitStart + params.unitCount;
  for (var base = params.unitStart; base < end; base += WG) {
    let u = base + lid;
    tile[lid] = select(vec4<f32>(0.0), units[min(u, arrayLength(&units) - 1u)], u < end);
    workgroupBarrier();
    let count = min(WG, end - base);
    var p0 = vec4<f32>(0.0); var p1 = vec4<f32>(0.0); var p2 = vec4<f32>(0.0); var p3 = vec4<f32>(0.0);
    var t = 0u;
    for (; t + 4u <= count; t += 4u) {
      let ua = tile[t]; let ub = tile[t + 1u]; let uc = tile[t + 2u]; let ud = tile[t + 3u];
      p0 = term(ua, x0, p0); p1 = term(ua, x1, p1); p2 = term(ua, x2, p2); p3 = term(ua, x3, p3);
      p0 = term(ub, x0, p0); p1 = term(ub, x1, p1); p2 = term(ub, x2, p2); p3 = term(ub, x3, p3);
      p0 = term(uc, x0, p0); p1 = term(uc, x1, p1); p2 = term(uc, x2, p2); p3 = term(uc, x3, p3);
      p0 = term(ud, x0, p0); p1 = term(ud, x1, p1); p2 = term(ud, x2, p2); p3 = term(ud, x3, p3);
    }
    for (; t < count; t++) {
      let ua = tile[t];
      p0 = term(ua, x0, p0); p1 = term(ua, x1, p1); p2 = term(ua, x2, p2); p3 = term(ua, x3, p3);
    }
    t0 += p0; t1 += p1; t2 += p2; t3 += p3;
    workgroupBarrier();
  }

  let sums = array<vec4<f32>, 4>(t0, t1, t2, t3);
  let xs = array<vec4<f32>, 4>(x0, x1, x2, x3);
  for (var k = 0u; k < lanes; k++) {
    let i = first + k;
    let half = 0.5 * sums[k / 4u][k % 4u];
    if (params.accumulate == 0u) {
      out[i] = params.affine.z + params.affine.x * xs[k / 4u][k % 4u] + half;
    } else {
      out[i] = out[i] + half;
    }
  }
}

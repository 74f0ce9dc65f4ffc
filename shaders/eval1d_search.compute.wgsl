// eval1d_search: f(x) of a 1D ReLU sum from its exact piecewise-linear form, one binary search per sample:
// O(log K) per sample instead of the brute force's O(N). Each piece is stored relative to its left knot,
// f(x) = f(k_j) + s·(x − k_j), with f(k_j) computed in float64 on the host, so float32 error stays at a few
// ulps of f and never grows with prefix sums of intercepts (which can cancel). Left of the first knot the
// piece is anchored at k_0 with slope `slope0`.
// Bindings: 0 params (uniform), 1 knots: vec4(k_j, f(k_j), slope right of k_j, 0) sorted by k_j, at least one,
// 2 points: x values (point mode only), 3 out: one f32 per sample.

struct Params {
  xMin: f32,        // grid: x of sample 0
  dx: f32,          // grid: step
  count: u32,       // samples
  knotCount: u32,   // K ≥ 1
  mode: u32,        // 0 = grid, 1 = point list
  slope0: f32,      // slope left of the first knot
  pad0: u32,
  pad1: u32,
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> knots: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> points: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= params.count) {
    return;
  }
  var x: f32;
  if (params.mode == 0u) {
    x = params.xMin + f32(i) * params.dx;
  } else {
    x = points[i];
  }
  // j = number of knots ≤ x (lower bound of the first knot > x).
  var base = 0u;
  var len = params.knotCount;
  while (len > 0u) {
    let half = len >> 1u;
    if (knots[base + half].x <= x) {
      base = base + half + 1u;
      len = len - half - 1u;
    } else {
      len = half;
    }
  }
  if (base == 0u) {
    let k = knots[0];
    out[i] = k.y + params.slope0 * (x - k.x);
  } else {
    let k = knots[base - 1u];
    out[i] = k.y + k.z * (x - k.x);
  }
}

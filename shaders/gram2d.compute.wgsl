// gram2d: per-chunk partial sums of the augmented Gram matrix G = AᵀA over a chunk of samples, where row s of A
// is [h_0(p_s) … h_{N−1}(p_s), 1, z_s] with h_i(p) = max(0, w_i·p + b_i): its top-left (N+1)² block is HᵀH,
// column N+1 is Hᵀz (and G[N+1][N+1] = zᵀz).
// Why this shape: a 16×16 workgroup computes one 16×16 tile of G (upper-triangle tiles only), staging 16 samples'
// features of its row and column units through workgroup memory per round; each invocation owns one entry.
// Each round of 16 samples is an f32 fma chain (error ≲ 16·2⁻²⁴ of its Σ|terms|); rounds and chunks (one dispatch
// each) are added as an unevaluated sum hi + lo of two f32 (Knuth's TwoSum, exact), so the error does not grow
// with the sample count. The CPU adds hi + lo in float64.
// Bindings: 0 params (uniform, dynamic offset), 1 units (w1, w2, b, 0), 2 samples (x, y, z, 0),
//           3 acc (in/out): entry (i, j) at acc[i·K + j] as (hi, lo), K = N + 2; upper triangle only.

struct GramParams {
  n: u32,      // units
  k: u32,      // features: N + 2
  s0: u32,     // first sample of the chunk
  s1: u32,     // one past its last sample
  first: u32,  // 1 for the first chunk: acc is overwritten, not added to
  pad0: u32,
  pad1: u32,
  pad2: u32,
}

const T: u32 = 16u;

@group(0) @binding(0) var<uniform> P: GramParams;
@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> samples: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> acc: array<vec2<f32>>;

var<workgroup> fa: array<array<f32, T>, T>;
var<workgroup> fb: array<array<f32, T>, T>;

/** Feature f of sample p: a unit's ReLU, the constant 1 (output bias), the target z, or 0 past the end. */
fn feature(f: u32, u: vec4<f32>, p: vec4<f32>) -> f32 {
  if (f < P.n) {
    return max(fma(u.x, p.x, fma(u.y, p.y, u.z)), 0.0);
  }
  if (f == P.n) {
    return 1.0;
  }
  if (f == P.n + 1u) {
    return p.z;
  }
  return 0.0;
}

@compute @workgroup_size(T, T)
fn main(@builtin(local_invocation_id) lid: vec3<u32>,
        @builtin(workgroup_id) wid: vec3<u32>) {
  let ti = wid.y;
  let tj = wid.x;
  // The whole workgroup leaves together (G is symmetric), so the barriers below stay uniform.
  if (tj < ti) {
    return;
  }
  // This invocation loads features of unit rows fi (for the A tile) and fj (for the B tile) at sample lid.x.
  let fi = ti * T + lid.y;
  let fj = tj * T + lid.y;
  var ui = vec4<f32>(0.0);
  var uj = vec4<f32>(0.0);
  if (fi < P.n) {
    ui = units[fi];
  }
  if (fj < P.n) {
    uj = units[fj];
  }
  // The chunk's sum as an unevaluated hi + lo (TwoSum per round of 16 samples): only the 16-term fma chain rounds.
  var hi = 0.0;
  var lo = 0.0;
  for (var base = P.s0; base < P.s1; base += T) {
    let s = base + lid.x;
    var a = 0.0;
    var b = 0.0;
    if (s < P.s1) {
      let p = samples[s];
      a = feature(fi, ui, p);
      b = feature(fj, uj, p);
    }
    fa[lid.y][lid.x] = a;
    fb[lid.y][lid.x] = b;
    workgroupBarrier();
    var part = 0.0;
    for (var c = 0u; c < T; c++) {
      part = fma(fa[lid.y][c], fb[lid.x][c], part);
    }
    let t = hi + part;
    let bp = t - hi;
    lo += (hi - (t - bp)) + (part - bp);
    hi = t;
    workgroupBarrier();
  }
  let i = ti * T + lid.y;
  let j = tj * T + lid.x;
  if (i < P.k && j < P.k) {
    let o = i * P.k + j;
    if (P.first == 1u) {
      acc[o] = vec2<f32>(hi, lo);
    } else {
      // TwoSum: prev.hi + hi = s + e exactly; e and both low parts join the new low part.
      let prev = acc[o];
      let s = prev.x + hi;
      let bp = s - prev.x;
      let e = (prev.x - (s - bp)) + (hi - bp);
      acc[o] = vec2<f32>(s, prev.y + lo + e);
    }
  }
}

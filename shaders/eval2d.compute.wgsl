// eval2d: f(x, y) = c + Σ_i a_i · max(0, w1_i·x + w2_i·y + b_i) over a grid or a list of (x, y) points.
// Other activations: leaky and linear through the same |z| sum (the host folds them into a and the affine part,
// see UnitBuffer); SIGMOID (a pipeline constant) sums σ(z) instead, the host packing 2a and affine (0, 0, c).
// Why this shape (measured in bench/NOTES.md): the unit loop is the hot path, so
//  - each workgroup stages a tile of 256 units through workgroup memory (one global read per unit per
//    workgroup, shared by all 256 invocations);
//  - each invocation computes 16 points as four vec4 chains, so one staged unit feeds 16 lanes, and the
//    loop is unrolled by 4 units;
//  - max(0, z) = (z + |z|)/2 turns the sum into an affine part, summed once on the host in float64
//    (params.affine = (½Σa·w1, ½Σa·w2, c + ½Σa·b)), plus ½·Σ a·|z|; |z| is cheaper than max on many
//    back ends (SwiftShader in particular);
//  - partial sums are kept per tile and then added to the total (two-level summation), which keeps the
//    float32 error near 1e-6 even with 65,536 units.
// Split-K (pipeline constant SPLIT, src/engine/gpu/eval2dSplit.ts; the one body of both, so they cannot drift):
// a small grid is few point blocks (256² at 16 points per invocation: 16 workgroups), which leaves a big GPU idle,
// so the unit range is split too: a (blocks, S) dispatch, workgroup (b, s) sums slice s of the pass's units,
// [unitStart + s·per, unitStart + (s+1)·per) with per = ceil(unitCount / S), not rounded to whole tiles (on an
// H200 that left trailing slices empty), and writes the raw slice sum Σ a·|z| (or Σ a·σ(z)) to
// out[s · pointCount + i] (bound at S × pointCount; accumulate adds to it); eval2d_reduce.compute.wgsl then adds
// the slices in slice order plus the affine part, so the result stays deterministic and within this bound.
// Bindings: 0 params (uniform), 1 units: vec4(w1, w2, b, a) per unit, 2 points (interleaved x, y; point
// mode only), 3 out: one f32 per point of this job (SPLIT: S × pointCount slice partials, slice-major).

struct Params {
  origin: vec2<f32>,        // grid: (x, y) of the job's first sample
  step: vec2<f32>,          // grid: (dx, dy)
  nx: u32,                  // grid: samples per row
  pointCount: u32,          // points in this job
  unitStart: u32,           // first unit of this pass
  unitCount: u32,           // units in this pass
  mode: u32,                // 0 = grid, 1 = point list
  accumulate: u32,          // 0: out = affine + ½Σ; 1: out += ½Σ (later passes over more units)
  threadsPerRow: u32,       // grid: ceil(nx / 16)
  pad: u32,
  affine: vec4<f32>,        // (A, B, C, 0): f = A·x + B·y + C + ½·Σ a·|z|, over all units
}

override SIGMOID: bool = false;
override SPLIT: bool = false;

const WG: u32 = 256u;
// Points per invocation: 16 (four vec4 chains), or 8 (the first two chains only; split-K's option for more point
// blocks per grid, Eval2DSplitOptions.pointsPerThread).
override PPT: u32 = 16u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> points: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

var<workgroup> tile: array<vec4<f32>, WG>;

// One unit's a·|z| for 4 points, with its row part r = w2·y + b already formed.
fn term(u: vec4<f32>, x: vec4<f32>, r: vec4<f32>, acc: vec4<f32>) -> vec4<f32> {
  let z = fma(vec4<f32>(u.x), x, r);
  if (SIGMOID) {
    return fma(vec4<f32>(u.w), 1.0 / (1.0 + exp(-z)), acc);
  }
  return fma(vec4<f32>(u.w), abs(z), acc);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  var thread = (wid.x + wid.y * nwg.x) * WG + lid;
  var slice = 0u;
  var start = params.unitStart;
  var end = params.unitStart + params.unitCount;
  if (SPLIT) {
    thread = wid.x * WG + lid;
    slice = wid.y;
    let per = (params.unitCount + nwg.y - 1u) / nwg.y;
    start = params.unitStart + min(params.unitCount, slice * per);
    end = params.unitStart + min(params.unitCount, (slice + 1u) * per);
  }
  let grid = params.mode == 0u;

  // The 16 points of this invocation (4 groups of 4 lanes) and where they go in `out`.
  var first = 0u;
  var lanes = 0u;
  var x0 = vec4<f32>(0.0); var x1 = vec4<f32>(0.0); var x2 = vec4<f32>(0.0); var x3 = vec4<f32>(0.0);
  var y0 = vec4<f32>(0.0); var y1 = vec4<f32>(0.0); var y2 = vec4<f32>(0.0); var y3 = vec4<f32>(0.0);
  var rowY = 0.0;
  if (grid) {
    let row = thread / params.threadsPerRow;
    let col = (thread % params.threadsPerRow) * PPT;
    if (row < params.pointCount / params.nx) {
      first = row * params.nx + col;
      lanes = min(PPT, params.nx - col);
    }
    rowY = params.origin.y + f32(row) * params.step.y;
    let c = f32(col);
    let lane = vec4<f32>(0.0, 1.0, 2.0, 3.0);
    x0 = params.origin.x + (c + lane) * params.step.x;
    x1 = params.origin.x + (c + 4.0 + lane) * params.step.x;
    x2 = params.origin.x + (c + 8.0 + lane) * params.step.x;
    x3 = params.origin.x + (c + 12.0 + lane) * params.step.x;
  } else {
    first = thread * PPT;
    if (first < params.pointCount) {
      lanes = min(PPT, params.pointCount - first);
    }
    var px: array<f32, 16>;
    var py: array<f32, 16>;
    for (var k = 0u; k < lanes; k++) {
      let p = points[first + k];
      px[k] = p.x;
      py[k] = p.y;
    }
    x0 = vec4<f32>(px[0], px[1], px[2], px[3]);     y0 = vec4<f32>(py[0], py[1], py[2], py[3]);
    x1 = vec4<f32>(px[4], px[5], px[6], px[7]);     y1 = vec4<f32>(py[4], py[5], py[6], py[7]);
    x2 = vec4<f32>(px[8], px[9], px[10], px[11]);   y2 = vec4<f32>(py[8], py[9], py[10], py[11]);
    x3 = vec4<f32>(px[12], px[13], px[14], px[15]); y3 = vec4<f32>(py[12], py[13], py[14], py[15]);
  }

  var t0 = vec4<f32>(0.0); var t1 = vec4<f32>(0.0); var t2 = vec4<f32>(0.0); var t3 = vec4<f32>(0.0);
  for (var base = start; base < end; base += WG) {
    let u = base + lid;
    tile[lid] = select(vec4<f32>(0.0), units[min(u, arrayLength(&units) - 1u)], u < end);
    workgroupBarrier();
    let count = min(WG, end - base);
    var p0 = vec4<f32>(0.0); var p1 = vec4<f32>(0.0); var p2 = vec4<f32>(0.0); var p3 = vec4<f32>(0.0);
    var t = 0u;
    if (grid) {
      // Rows share y, so each unit's w2·y + b is one scalar FMA for all 16 points.
      for (; t + 4u <= count; t += 4u) {
        let ua = tile[t]; let ub = tile[t + 1u]; let uc = tile[t + 2u]; let ud = tile[t + 3u];
        let ra = vec4<f32>(fma(ua.y, rowY, ua.z)); let rb = vec4<f32>(fma(ub.y, rowY, ub.z));
        let rc = vec4<f32>(fma(uc.y, rowY, uc.z)); let rd = vec4<f32>(fma(ud.y, rowY, ud.z));
        p0 = term(ua, x0, ra, p0); p1 = term(ua, x1, ra, p1); if (PPT > 8u) { p2 = term(ua, x2, ra, p2); p3 = term(ua, x3, ra, p3); }
        p0 = term(ub, x0, rb, p0); p1 = term(ub, x1, rb, p1); if (PPT > 8u) { p2 = term(ub, x2, rb, p2); p3 = term(ub, x3, rb, p3); }
        p0 = term(uc, x0, rc, p0); p1 = term(uc, x1, rc, p1); if (PPT > 8u) { p2 = term(uc, x2, rc, p2); p3 = term(uc, x3, rc, p3); }
        p0 = term(ud, x0, rd, p0); p1 = term(ud, x1, rd, p1); if (PPT > 8u) { p2 = term(ud, x2, rd, p2); p3 = term(ud, x3, rd, p3); }
      }
      for (; t < count; t++) {
        let ua = tile[t];
        let ra = vec4<f32>(fma(ua.y, rowY, ua.z));
        p0 = term(ua, x0, ra, p0); p1 = term(ua, x1, ra, p1); if (PPT > 8u) { p2 = term(ua, x2, ra, p2); p3 = term(ua, x3, ra, p3); }
      }
    } else {
      for (; t < count; t++) {
        let ua = tile[t];
        let b = vec4<f32>(ua.z);
        let w2 = vec4<f32>(ua.y);
        p0 = term(ua, x0, fma(w2, y0, b), p0); p1 = term(ua, x1, fma(w2, y1, b), p1);
        if (PPT > 8u) { p2 = term(ua, x2, fma(w2, y2, b), p2); p3 = term(ua, x3, fma(w2, y3, b), p3); }
      }
    }
    t0 += p0; t1 += p1; t2 += p2; t3 += p3;
    workgroupBarrier();
  }

  let sums = array<vec4<f32>, 4>(t0, t1, t2, t3);
  let xs = array<vec4<f32>, 4>(x0, x1, x2, x3);
  let ys = array<vec4<f32>, 4>(y0, y1, y2, y3);
  for (var k = 0u; k < lanes; k++) {
    let i = first + k;
    if (SPLIT) {
      let j = slice * params.pointCount + i;
      let sum = sums[k / 4u][k % 4u];
      out[j] = select(sum, out[j] + sum, params.accumulate != 0u);
      continue;
    }
    let half = 0.5 * sums[k / 4u][k % 4u];
    if (params.accumulate == 0u) {
      let y = select(ys[k / 4u][k % 4u], rowY, grid);
      out[i] = params.affine.z + params.affine.x * xs[k / 4u][k % 4u] + params.affine.y * y + half;
    } else {
      out[i] = out[i] + half;
    }
  }
}

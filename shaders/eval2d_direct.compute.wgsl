// eval2d_direct: f(x, y) = c + Σ_i a_i · max(0, w1_i·x + w2_i·y + b_i) over a grid or a list of (x, y) points.
// Why: units are read straight from the storage buffer by every invocation (a uniform index, so caches broadcast it) instead of being staged through workgroup memory: no barriers, no tile copy; 16 points per invocation as in eval2d.
// Same bindings, Params and float32 error bound as eval2d.compute.wgsl: max(0, z) = (z + |z|)/2 with the affine part
// summed on the host (params.affine), per-256-unit partial sums added to the total (two-level summation).
// Bindings: 0 params (uniform), 1 units: vec4(w1, w2, b, a) per unit, 2 points (interleaved x, y; point mode
// only), 3 out: one f32 per point of this job.

struct Params {
  origin: vec2<f32>,        // grid: (x, y) of the job's first sample
  step: vec2<f32>,          // grid: (dx, dy)
  nx: u32,                  // grid: samples per row
  pointCount: u32,          // points in this job
  unitStart: u32,           // first unit of this pass
  unitCount: u32,           // units in this pass
  mode: u32,                // 0 = grid, 1 = point list
  accumulate: u32,          // 0: out = affine + ½Σ; 1: out += ½Σ (later passes over more units)
  threadsPerRow: u32,       // grid: ceil(nx / PPT)
  pad: u32,
  affine: vec4<f32>,        // (A, B, C, 0): f = A·x + B·y + C + ½·Σ a·|z|, over all units
}

const WG: u32 = 256u;
const PPT: u32 = 16u;
const TILE: u32 = 256u;   // units per partial sum

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> points: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

// One unit's a·|z| for 4 points, with its row part r = w2·y + b already formed.
fn term(u: vec4<f32>, x: vec4<f32>, r: vec4<f32>, acc: vec4<f32>) -> vec4<f32> {
  return fma(vec4<f32>(u.w), abs(fma(vec4<f32>(u.x), x, r)), acc);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let thread = (wid.x + wid.y * nwg.x) * WG + lid;
  let grid = params.mode == 0u;
  var first = 0u;
  var lanes = 0u;
  var rowY = 0.0;
  var px: array<f32, PPT>;
  var py: array<f32, PPT>;
  if (grid) {
    let row = thread / params.threadsPerRow;
    let col = (thread % params.threadsPerRow) * PPT;
    if (row < params.pointCount / params.nx) {
      first = row * params.nx + col;
      lanes = min(PPT, params.nx - col);
    }
    rowY = params.origin.y + f32(row) * params.step.y;
    for (var k = 0u; k < PPT; k++) {
      px[k] = params.origin.x + f32(col + k) * params.step.x;
    }
  } else {
    first = thread * PPT;
    if (first < params.pointCount) {
      lanes = min(PPT, params.pointCount - first);
    }
    for (var k = 0u; k < lanes; k++) {
      let p = points[first + k];
      px[k] = p.x;
      py[k] = p.y;
    }
  }
  let x0 = vec4<f32>(px[0], px[1], px[2], px[3]); var s0 = vec4<f32>(0.0);
  let x1 = vec4<f32>(px[4], px[5], px[6], px[7]); var s1 = vec4<f32>(0.0);
  let x2 = vec4<f32>(px[8], px[9], px[10], px[11]); var s2 = vec4<f32>(0.0);
  let x3 = vec4<f32>(px[12], px[13], px[14], px[15]); var s3 = vec4<f32>(0.0);
  let end = params.unitStart + params.unitCount;
  for (var base = params.unitStart; base < end; base += TILE) {
    let stop = min(end, base + TILE);
    var p0 = vec4<f32>(0.0); var p1 = vec4<f32>(0.0); var p2 = vec4<f32>(0.0); var p3 = vec4<f32>(0.0);
    var t = base;
    if (grid) {
      // Rows share y, so each unit's w2·y + b is one scalar FMA for all 16 points.
      for (; t + 4u <= stop; t += 4u) {
        let u0 = units[t + 0u]; let r0 = vec4<f32>(fma(u0.y, rowY, u0.z));
        let u1 = units[t + 1u]; let r1 = vec4<f32>(fma(u1.y, rowY, u1.z));
        let u2 = units[t + 2u]; let r2 = vec4<f32>(fma(u2.y, rowY, u2.z));
        let u3 = units[t + 3u]; let r3 = vec4<f32>(fma(u3.y, rowY, u3.z));
        p0 = term(u0, x0, r0, p0); p1 = term(u0, x1, r0, p1); p2 = term(u0, x2, r0, p2); p3 = term(u0, x3, r0, p3);
        p0 = term(u1, x0, r1, p0); p1 = term(u1, x1, r1, p1); p2 = term(u1, x2, r1, p2); p3 = term(u1, x3, r1, p3);
        p0 = term(u2, x0, r2, p0); p1 = term(u2, x1, r2, p1); p2 = term(u2, x2, r2, p2); p3 = term(u2, x3, r2, p3);
        p0 = term(u3, x0, r3, p0); p1 = term(u3, x1, r3, p1); p2 = term(u3, x2, r3, p2); p3 = term(u3, x3, r3, p3);
      }
      for (; t < stop; t++) {
        let ua = units[t]; let ra = vec4<f32>(fma(ua.y, rowY, ua.z));
        p0 = term(ua, x0, ra, p0); p1 = term(ua, x1, ra, p1); p2 = term(ua, x2, ra, p2); p3 = term(ua, x3, ra, p3);
      }
    } else {
      for (; t < stop; t++) {
        let ua = units[t]; let w2 = vec4<f32>(ua.y); let b = vec4<f32>(ua.z);
        p0 = term(ua, x0, fma(w2, vec4<f32>(py[0], py[1], py[2], py[3]), b), p0);
        p1 = term(ua, x1, fma(w2, vec4<f32>(py[4], py[5], py[6], py[7]), b), p1);
        p2 = term(ua, x2, fma(w2, vec4<f32>(py[8], py[9], py[10], py[11]), b), p2);
        p3 = term(ua, x3, fma(w2, vec4<f32>(py[12], py[13], py[14], py[15]), b), p3);
      }
    }
    s0 += p0; s1 += p1; s2 += p2; s3 += p3;
  }
  let sums = array<vec4<f32>, 4>(s0, s1, s2, s3);
  for (var k = 0u; k < lanes; k++) {
    let i = first + k;
    let half = 0.5 * sums[k / 4u][k % 4u];
    if (params.accumulate == 0u) {
      let y = select(py[k], rowY, grid);
      out[i] = params.affine.z + params.affine.x * px[k] + params.affine.y * y + half;
    } else {
      out[i] = out[i] + half;
    }
  }
}

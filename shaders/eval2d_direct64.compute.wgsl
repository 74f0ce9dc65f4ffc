// eval2d_direct64: f(x, y) = c + Σ_i a_i · max(0, w1_i·x + w2_i·y + b_i) over a grid or a list of (x, y) points.
// Why: as eval2d_direct, with 64 points per invocation (16 vec4 chains) so each unit load feeds 64 lanes; for CPU-like adapters (SwiftShader) where loads, not lanes, are scarce. Real GPUs want more invocations: few threads on small grids.
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
const PPT: u32 = 64u;
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
  let x4 = vec4<f32>(px[16], px[17], px[18], px[19]); var s4 = vec4<f32>(0.0);
  let x5 = vec4<f32>(px[20], px[21], px[22], px[23]); var s5 = vec4<f32>(0.0);
  let x6 = vec4<f32>(px[24], px[25], px[26], px[27]); var s6 = vec4<f32>(0.0);
  let x7 = vec4<f32>(px[28], px[29], px[30], px[31]); var s7 = vec4<f32>(0.0);
  let x8 = vec4<f32>(px[32], px[33], px[34], px[35]); var s8 = vec4<f32>(0.0);
  let x9 = vec4<f32>(px[36], px[37], px[38], px[39]); var s9 = vec4<f32>(0.0);
  let x10 = vec4<f32>(px[40], px[41], px[42], px[43]); var s10 = vec4<f32>(0.0);
  let x11 = vec4<f32>(px[44], px[45], px[46], px[47]); var s11 = vec4<f32>(0.0);
  let x12 = vec4<f32>(px[48], px[49], px[50], px[51]); var s12 = vec4<f32>(0.0);
  let x13 = vec4<f32>(px[52], px[53], px[54], px[55]); var s13 = vec4<f32>(0.0);
  let x14 = vec4<f32>(px[56], px[57], px[58], px[59]); var s14 = vec4<f32>(0.0);
  let x15 = vec4<f32>(px[60], px[61], px[62], px[63]); var s15 = vec4<f32>(0.0);
  let end = params.unitStart + params.unitCount;
  for (var base = params.unitStart; base < end; base += TILE) {
    let stop = min(end, base + TILE);
    var p0 = vec4<f32>(0.0); var p1 = vec4<f32>(0.0); var p2 = vec4<f32>(0.0); var p3 = vec4<f32>(0.0); var p4 = vec4<f32>(0.0); var p5 = vec4<f32>(0.0); var p6 = vec4<f32>(0.0); var p7 = vec4<f32>(0.0); var p8 = vec4<f32>(0.0); var p9 = vec4<f32>(0.0); var p10 = vec4<f32>(0.0); var p11 = vec4<f32>(0.0); var p12 = vec4<f32>(0.0); var p13 = vec4<f32>(0.0); var p14 = vec4<f32>(0.0); var p15 = vec4<f32>(0.0);
    var t = base;
    if (grid) {
      // Rows share y, so each unit's w2·y + b is one scalar FMA for all 64 points.
      for (; t + 1u <= stop; t += 1u) {
        let u0 = units[t + 0u]; let r0 = vec4<f32>(fma(u0.y, rowY, u0.z));
        p0 = term(u0, x0, r0, p0); p1 = term(u0, x1, r0, p1); p2 = term(u0, x2, r0, p2); p3 = term(u0, x3, r0, p3); p4 = term(u0, x4, r0, p4); p5 = term(u0, x5, r0, p5); p6 = term(u0, x6, r0, p6); p7 = term(u0, x7, r0, p7); p8 = term(u0, x8, r0, p8); p9 = term(u0, x9, r0, p9); p10 = term(u0, x10, r0, p10); p11 = term(u0, x11, r0, p11); p12 = term(u0, x12, r0, p12); p13 = term(u0, x13, r0, p13); p14 = term(u0, x14, r0, p14); p15 = term(u0, x15, r0, p15);
      }
      for (; t < stop; t++) {
        let ua = units[t]; let ra = vec4<f32>(fma(ua.y, rowY, ua.z));
        p0 = term(ua, x0, ra, p0); p1 = term(ua, x1, ra, p1); p2 = term(ua, x2, ra, p2); p3 = term(ua, x3, ra, p3); p4 = term(ua, x4, ra, p4); p5 = term(ua, x5, ra, p5); p6 = term(ua, x6, ra, p6); p7 = term(ua, x7, ra, p7); p8 = term(ua, x8, ra, p8); p9 = term(ua, x9, ra, p9); p10 = term(ua, x10, ra, p10); p11 = term(ua, x11, ra, p11); p12 = term(ua, x12, ra, p12); p13 = term(ua, x13, ra, p13); p14 = term(ua, x14, ra, p14); p15 = term(ua, x15, ra, p15);
      }
    } else {
      for (; t < stop; t++) {
        let ua = units[t]; let w2 = vec4<f32>(ua.y); let b = vec4<f32>(ua.z);
        p0 = term(ua, x0, fma(w2, vec4<f32>(py[0], py[1], py[2], py[3]), b), p0);
        p1 = term(ua, x1, fma(w2, vec4<f32>(py[4], py[5], py[6], py[7]), b), p1);
        p2 = term(ua, x2, fma(w2, vec4<f32>(py[8], py[9], py[10], py[11]), b), p2);
        p3 = term(ua, x3, fma(w2, vec4<f32>(py[12], py[13], py[14], py[15]), b), p3);
        p4 = term(ua, x4, fma(w2, vec4<f32>(py[16], py[17], py[18], py[19]), b), p4);
        p5 = term(ua, x5, fma(w2, vec4<f32>(py[20], py[21], py[22], py[23]), b), p5);
        p6 = term(ua, x6, fma(w2, vec4<f32>(py[24], py[25], py[26], py[27]), b), p6);
        p7 = term(ua, x7, fma(w2, vec4<f32>(py[28], py[29], py[30], py[31]), b), p7);
        p8 = term(ua, x8, fma(w2, vec4<f32>(py[32], py[33], py[34], py[35]), b), p8);
        p9 = term(ua, x9, fma(w2, vec4<f32>(py[36], py[37], py[38], py[39]), b), p9);
        p10 = term(ua, x10, fma(w2, vec4<f32>(py[40], py[41], py[42], py[43]), b), p10);
        p11 = term(ua, x11, fma(w2, vec4<f32>(py[44], py[45], py[46], py[47]), b), p11);
        p12 = term(ua, x12, fma(w2, vec4<f32>(py[48], py[49], py[50], py[51]), b), p12);
        p13 = term(ua, x13, fma(w2, vec4<f32>(py[52], py[53], py[54], py[55]), b), p13);
        p14 = term(ua, x14, fma(w2, vec4<f32>(py[56], py[57], py[58], py[59]), b), p14);
        p15 = term(ua, x15, fma(w2, vec4<f32>(py[60], py[61], py[62], py[63]), b), p15);
      }
    }
    s0 += p0; s1 += p1; s2 += p2; s3 += p3; s4 += p4; s5 += p5; s6 += p6; s7 += p7; s8 += p8; s9 += p9; s10 += p10; s11 += p11; s12 += p12; s13 += p13; s14 += p14; s15 += p15;
  }
  let sums = array<vec4<f32>, 16>(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15);
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

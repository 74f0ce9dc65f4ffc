// eval2d_step128: f(x, y) = c + Σ_i a_i · max(0, w1_i·x + w2_i·y + b_i) over a grid or a list of (x, y) points.
// Why: as eval2d_step with 128 points per invocation (32 vec4 accumulators), so each unit read and its z start feed 128 lanes; the fastest shape measured on SwiftShader (CPU Vulkan), where loads and spills, not lanes, are scarce. Hardware GPUs want eval2d_step (more invocations).
// Same bindings, Params and float32 error bound as eval2d.compute.wgsl: max(0, z) = (z + |z|)/2 with the affine part
// summed on the host (params.affine), per-256-unit partial sums added to the total (two-level summation).
// Grid rows: z(x + 4·dx) = z(x) + 4·w1·dx, so a unit costs one FMA to start its z, then per 4 points an add,
// an abs and an FMA, with no x values held in registers. Point lists: the direct formula per point.
// Units are read straight from storage (uniform index) rather than staged through workgroup memory.
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
const PPT: u32 = 128u;
const TILE: u32 = 256u;   // units per partial sum

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> points: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let thread = (wid.x + wid.y * nwg.x) * WG + lid;
  let grid = params.mode == 0u;
  var first = 0u;
  var lanes = 0u;
  var rowY = 0.0;
  var col = 0u;
  var s0 = vec4<f32>(0.0);
  var s1 = vec4<f32>(0.0);
  var s2 = vec4<f32>(0.0);
  var s3 = vec4<f32>(0.0);
  var s4 = vec4<f32>(0.0);
  var s5 = vec4<f32>(0.0);
  var s6 = vec4<f32>(0.0);
  var s7 = vec4<f32>(0.0);
  var s8 = vec4<f32>(0.0);
  var s9 = vec4<f32>(0.0);
  var s10 = vec4<f32>(0.0);
  var s11 = vec4<f32>(0.0);
  var s12 = vec4<f32>(0.0);
  var s13 = vec4<f32>(0.0);
  var s14 = vec4<f32>(0.0);
  var s15 = vec4<f32>(0.0);
  var s16 = vec4<f32>(0.0);
  var s17 = vec4<f32>(0.0);
  var s18 = vec4<f32>(0.0);
  var s19 = vec4<f32>(0.0);
  var s20 = vec4<f32>(0.0);
  var s21 = vec4<f32>(0.0);
  var s22 = vec4<f32>(0.0);
  var s23 = vec4<f32>(0.0);
  var s24 = vec4<f32>(0.0);
  var s25 = vec4<f32>(0.0);
  var s26 = vec4<f32>(0.0);
  var s27 = vec4<f32>(0.0);
  var s28 = vec4<f32>(0.0);
  var s29 = vec4<f32>(0.0);
  var s30 = vec4<f32>(0.0);
  var s31 = vec4<f32>(0.0);
  let end = params.unitStart + params.unitCount;
  if (grid) {
    let row = thread / params.threadsPerRow;
    col = (thread % params.threadsPerRow) * PPT;
    if (row < params.pointCount / params.nx) {
      first = row * params.nx + col;
      lanes = min(PPT, params.nx - col);
    }
    rowY = params.origin.y + f32(row) * params.step.y;
    let x0 = params.origin.x + (f32(col) + vec4<f32>(0.0, 1.0, 2.0, 3.0)) * params.step.x;
    let dx4 = 4.0 * params.step.x;
    for (var base = params.unitStart; base < end; base += TILE) {
      let stop = min(end, base + TILE);
      var p0 = vec4<f32>(0.0);
      var p1 = vec4<f32>(0.0);
      var p2 = vec4<f32>(0.0);
      var p3 = vec4<f32>(0.0);
      var p4 = vec4<f32>(0.0);
      var p5 = vec4<f32>(0.0);
      var p6 = vec4<f32>(0.0);
      var p7 = vec4<f32>(0.0);
      var p8 = vec4<f32>(0.0);
      var p9 = vec4<f32>(0.0);
      var p10 = vec4<f32>(0.0);
      var p11 = vec4<f32>(0.0);
      var p12 = vec4<f32>(0.0);
      var p13 = vec4<f32>(0.0);
      var p14 = vec4<f32>(0.0);
      var p15 = vec4<f32>(0.0);
      var p16 = vec4<f32>(0.0);
      var p17 = vec4<f32>(0.0);
      var p18 = vec4<f32>(0.0);
      var p19 = vec4<f32>(0.0);
      var p20 = vec4<f32>(0.0);
      var p21 = vec4<f32>(0.0);
      var p22 = vec4<f32>(0.0);
      var p23 = vec4<f32>(0.0);
      var p24 = vec4<f32>(0.0);
      var p25 = vec4<f32>(0.0);
      var p26 = vec4<f32>(0.0);
      var p27 = vec4<f32>(0.0);
      var p28 = vec4<f32>(0.0);
      var p29 = vec4<f32>(0.0);
      var p30 = vec4<f32>(0.0);
      var p31 = vec4<f32>(0.0);
      var t = base;
      for (; t + 4u <= stop; t += 4u) {
        let u0 = units[t + 0u]; let a0 = vec4<f32>(u0.w); let d0 = vec4<f32>(u0.x * dx4);
        var z0 = fma(vec4<f32>(u0.x), x0, vec4<f32>(fma(u0.y, rowY, u0.z)));
        let u1 = units[t + 1u]; let a1 = vec4<f32>(u1.w); let d1 = vec4<f32>(u1.x * dx4);
        var z1 = fma(vec4<f32>(u1.x), x0, vec4<f32>(fma(u1.y, rowY, u1.z)));
        let u2 = units[t + 2u]; let a2 = vec4<f32>(u2.w); let d2 = vec4<f32>(u2.x * dx4);
        var z2 = fma(vec4<f32>(u2.x), x0, vec4<f32>(fma(u2.y, rowY, u2.z)));
        let u3 = units[t + 3u]; let a3 = vec4<f32>(u3.w); let d3 = vec4<f32>(u3.x * dx4);
        var z3 = fma(vec4<f32>(u3.x), x0, vec4<f32>(fma(u3.y, rowY, u3.z)));
        p0 = fma(a0, abs(z0), p0); z0 += d0; p0 = fma(a1, abs(z1), p0); z1 += d1; p0 = fma(a2, abs(z2), p0); z2 += d2; p0 = fma(a3, abs(z3), p0); z3 += d3;
        p1 = fma(a0, abs(z0), p1); z0 += d0; p1 = fma(a1, abs(z1), p1); z1 += d1; p1 = fma(a2, abs(z2), p1); z2 += d2; p1 = fma(a3, abs(z3), p1); z3 += d3;
        p2 = fma(a0, abs(z0), p2); z0 += d0; p2 = fma(a1, abs(z1), p2); z1 += d1; p2 = fma(a2, abs(z2), p2); z2 += d2; p2 = fma(a3, abs(z3), p2); z3 += d3;
        p3 = fma(a0, abs(z0), p3); z0 += d0; p3 = fma(a1, abs(z1), p3); z1 += d1; p3 = fma(a2, abs(z2), p3); z2 += d2; p3 = fma(a3, abs(z3), p3); z3 += d3;
        p4 = fma(a0, abs(z0), p4); z0 += d0; p4 = fma(a1, abs(z1), p4); z1 += d1; p4 = fma(a2, abs(z2), p4); z2 += d2; p4 = fma(a3, abs(z3), p4); z3 += d3;
        p5 = fma(a0, abs(z0), p5); z0 += d0; p5 = fma(a1, abs(z1), p5); z1 += d1; p5 = fma(a2, abs(z2), p5); z2 += d2; p5 = fma(a3, abs(z3), p5); z3 += d3;
        p6 = fma(a0, abs(z0), p6); z0 += d0; p6 = fma(a1, abs(z1), p6); z1 += d1; p6 = fma(a2, abs(z2), p6); z2 += d2; p6 = fma(a3, abs(z3), p6); z3 += d3;
        p7 = fma(a0, abs(z0), p7); z0 += d0; p7 = fma(a1, abs(z1), p7); z1 += d1; p7 = fma(a2, abs(z2), p7); z2 += d2; p7 = fma(a3, abs(z3), p7); z3 += d3;
        p8 = fma(a0, abs(z0), p8); z0 += d0; p8 = fma(a1, abs(z1), p8); z1 += d1; p8 = fma(a2, abs(z2), p8); z2 += d2; p8 = fma(a3, abs(z3), p8); z3 += d3;
        p9 = fma(a0, abs(z0), p9); z0 += d0; p9 = fma(a1, abs(z1), p9); z1 += d1; p9 = fma(a2, abs(z2), p9); z2 += d2; p9 = fma(a3, abs(z3), p9); z3 += d3;
        p10 = fma(a0, abs(z0), p10); z0 += d0; p10 = fma(a1, abs(z1), p10); z1 += d1; p10 = fma(a2, abs(z2), p10); z2 += d2; p10 = fma(a3, abs(z3), p10); z3 += d3;
        p11 = fma(a0, abs(z0), p11); z0 += d0; p11 = fma(a1, abs(z1), p11); z1 += d1; p11 = fma(a2, abs(z2), p11); z2 += d2; p11 = fma(a3, abs(z3), p11); z3 += d3;
        p12 = fma(a0, abs(z0), p12); z0 += d0; p12 = fma(a1, abs(z1), p12); z1 += d1; p12 = fma(a2, abs(z2), p12); z2 += d2; p12 = fma(a3, abs(z3), p12); z3 += d3;
        p13 = fma(a0, abs(z0), p13); z0 += d0; p13 = fma(a1, abs(z1), p13); z1 += d1; p13 = fma(a2, abs(z2), p13); z2 += d2; p13 = fma(a3, abs(z3), p13); z3 += d3;
        p14 = fma(a0, abs(z0), p14); z0 += d0; p14 = fma(a1, abs(z1), p14); z1 += d1; p14 = fma(a2, abs(z2), p14); z2 += d2; p14 = fma(a3, abs(z3), p14); z3 += d3;
        p15 = fma(a0, abs(z0), p15); z0 += d0; p15 = fma(a1, abs(z1), p15); z1 += d1; p15 = fma(a2, abs(z2), p15); z2 += d2; p15 = fma(a3, abs(z3), p15); z3 += d3;
        p16 = fma(a0, abs(z0), p16); z0 += d0; p16 = fma(a1, abs(z1), p16); z1 += d1; p16 = fma(a2, abs(z2), p16); z2 += d2; p16 = fma(a3, abs(z3), p16); z3 += d3;
        p17 = fma(a0, abs(z0), p17); z0 += d0; p17 = fma(a1, abs(z1), p17); z1 += d1; p17 = fma(a2, abs(z2), p17); z2 += d2; p17 = fma(a3, abs(z3), p17); z3 += d3;
        p18 = fma(a0, abs(z0), p18); z0 += d0; p18 = fma(a1, abs(z1), p18); z1 += d1; p18 = fma(a2, abs(z2), p18); z2 += d2; p18 = fma(a3, abs(z3), p18); z3 += d3;
        p19 = fma(a0, abs(z0), p19); z0 += d0; p19 = fma(a1, abs(z1), p19); z1 += d1; p19 = fma(a2, abs(z2), p19); z2 += d2; p19 = fma(a3, abs(z3), p19); z3 += d3;
        p20 = fma(a0, abs(z0), p20); z0 += d0; p20 = fma(a1, abs(z1), p20); z1 += d1; p20 = fma(a2, abs(z2), p20); z2 += d2; p20 = fma(a3, abs(z3), p20); z3 += d3;
        p21 = fma(a0, abs(z0), p21); z0 += d0; p21 = fma(a1, abs(z1), p21); z1 += d1; p21 = fma(a2, abs(z2), p21); z2 += d2; p21 = fma(a3, abs(z3), p21); z3 += d3;
        p22 = fma(a0, abs(z0), p22); z0 += d0; p22 = fma(a1, abs(z1), p22); z1 += d1; p22 = fma(a2, abs(z2), p22); z2 += d2; p22 = fma(a3, abs(z3), p22); z3 += d3;
        p23 = fma(a0, abs(z0), p23); z0 += d0; p23 = fma(a1, abs(z1), p23); z1 += d1; p23 = fma(a2, abs(z2), p23); z2 += d2; p23 = fma(a3, abs(z3), p23); z3 += d3;
        p24 = fma(a0, abs(z0), p24); z0 += d0; p24 = fma(a1, abs(z1), p24); z1 += d1; p24 = fma(a2, abs(z2), p24); z2 += d2; p24 = fma(a3, abs(z3), p24); z3 += d3;
        p25 = fma(a0, abs(z0), p25); z0 += d0; p25 = fma(a1, abs(z1), p25); z1 += d1; p25 = fma(a2, abs(z2), p25); z2 += d2; p25 = fma(a3, abs(z3), p25); z3 += d3;
        p26 = fma(a0, abs(z0), p26); z0 += d0; p26 = fma(a1, abs(z1), p26); z1 += d1; p26 = fma(a2, abs(z2), p26); z2 += d2; p26 = fma(a3, abs(z3), p26); z3 += d3;
        p27 = fma(a0, abs(z0), p27); z0 += d0; p27 = fma(a1, abs(z1), p27); z1 += d1; p27 = fma(a2, abs(z2), p27); z2 += d2; p27 = fma(a3, abs(z3), p27); z3 += d3;
        p28 = fma(a0, abs(z0), p28); z0 += d0; p28 = fma(a1, abs(z1), p28); z1 += d1; p28 = fma(a2, abs(z2), p28); z2 += d2; p28 = fma(a3, abs(z3), p28); z3 += d3;
        p29 = fma(a0, abs(z0), p29); z0 += d0; p29 = fma(a1, abs(z1), p29); z1 += d1; p29 = fma(a2, abs(z2), p29); z2 += d2; p29 = fma(a3, abs(z3), p29); z3 += d3;
        p30 = fma(a0, abs(z0), p30); z0 += d0; p30 = fma(a1, abs(z1), p30); z1 += d1; p30 = fma(a2, abs(z2), p30); z2 += d2; p30 = fma(a3, abs(z3), p30); z3 += d3;
        p31 = fma(a0, abs(z0), p31); z0 += d0; p31 = fma(a1, abs(z1), p31); z1 += d1; p31 = fma(a2, abs(z2), p31); z2 += d2; p31 = fma(a3, abs(z3), p31); z3 += d3;
      }
      for (; t < stop; t++) {
        let u = units[t]; let a = vec4<f32>(u.w); let d = vec4<f32>(u.x * dx4);
        var z = fma(vec4<f32>(u.x), x0, vec4<f32>(fma(u.y, rowY, u.z)));
        p0 = fma(a, abs(z), p0); z += d;
        p1 = fma(a, abs(z), p1); z += d;
        p2 = fma(a, abs(z), p2); z += d;
        p3 = fma(a, abs(z), p3); z += d;
        p4 = fma(a, abs(z), p4); z += d;
        p5 = fma(a, abs(z), p5); z += d;
        p6 = fma(a, abs(z), p6); z += d;
        p7 = fma(a, abs(z), p7); z += d;
        p8 = fma(a, abs(z), p8); z += d;
        p9 = fma(a, abs(z), p9); z += d;
        p10 = fma(a, abs(z), p10); z += d;
        p11 = fma(a, abs(z), p11); z += d;
        p12 = fma(a, abs(z), p12); z += d;
        p13 = fma(a, abs(z), p13); z += d;
        p14 = fma(a, abs(z), p14); z += d;
        p15 = fma(a, abs(z), p15); z += d;
        p16 = fma(a, abs(z), p16); z += d;
        p17 = fma(a, abs(z), p17); z += d;
        p18 = fma(a, abs(z), p18); z += d;
        p19 = fma(a, abs(z), p19); z += d;
        p20 = fma(a, abs(z), p20); z += d;
        p21 = fma(a, abs(z), p21); z += d;
        p22 = fma(a, abs(z), p22); z += d;
        p23 = fma(a, abs(z), p23); z += d;
        p24 = fma(a, abs(z), p24); z += d;
        p25 = fma(a, abs(z), p25); z += d;
        p26 = fma(a, abs(z), p26); z += d;
        p27 = fma(a, abs(z), p27); z += d;
        p28 = fma(a, abs(z), p28); z += d;
        p29 = fma(a, abs(z), p29); z += d;
        p30 = fma(a, abs(z), p30); z += d;
        p31 = fma(a, abs(z), p31); z += d;
      }
      s0 += p0;       s1 += p1;       s2 += p2;       s3 += p3;       s4 += p4;       s5 += p5;       s6 += p6;       s7 += p7;       s8 += p8;       s9 += p9;       s10 += p10;       s11 += p11;       s12 += p12;       s13 += p13;       s14 += p14;       s15 += p15;       s16 += p16;       s17 += p17;       s18 += p18;       s19 += p19;       s20 += p20;       s21 += p21;       s22 += p22;       s23 += p23;       s24 += p24;       s25 += p25;       s26 += p26;       s27 += p27;       s28 += p28;       s29 += p29;       s30 += p30;       s31 += p31;
    }
  } else {
    first = thread * PPT;
    if (first < params.pointCount) {
      lanes = min(PPT, params.pointCount - first);
    }
    // Four points at a time: each group of 4 sweeps the units once.
    var sums: array<vec4<f32>, 32>;
    for (var g = 0u; g * 4u < lanes; g++) {
      var px = vec4<f32>(0.0);
      var py = vec4<f32>(0.0);
      for (var l = 0u; l < 4u; l++) {
        if (g * 4u + l < lanes) {
          let p = points[first + g * 4u + l];
          px[l] = p.x;
          py[l] = p.y;
        }
      }
      var total = vec4<f32>(0.0);
      for (var base = params.unitStart; base < end; base += TILE) {
        let stop = min(end, base + TILE);
        var part = vec4<f32>(0.0);
        for (var t = base; t < stop; t++) {
          let u = units[t];
          part = fma(vec4<f32>(u.w), abs(fma(vec4<f32>(u.x), px, fma(vec4<f32>(u.y), py, vec4<f32>(u.z)))), part);
        }
        total += part;
      }
      sums[g] = total;
    }
    s0 = sums[0];     s1 = sums[1];     s2 = sums[2];     s3 = sums[3];     s4 = sums[4];     s5 = sums[5];     s6 = sums[6];     s7 = sums[7];     s8 = sums[8];     s9 = sums[9];     s10 = sums[10];     s11 = sums[11];     s12 = sums[12];     s13 = sums[13];     s14 = sums[14];     s15 = sums[15];     s16 = sums[16];     s17 = sums[17];     s18 = sums[18];     s19 = sums[19];     s20 = sums[20];     s21 = sums[21];     s22 = sums[22];     s23 = sums[23];     s24 = sums[24];     s25 = sums[25];     s26 = sums[26];     s27 = sums[27];     s28 = sums[28];     s29 = sums[29];     s30 = sums[30];     s31 = sums[31];
  }
  let all = array<vec4<f32>, 32>(s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16, s17, s18, s19, s20, s21, s22, s23, s24, s25, s26, s27, s28, s29, s30, s31);
  for (var k = 0u; k < lanes; k++) {
    let i = first + k;
    let half = 0.5 * all[k / 4u][k % 4u];
    if (params.accumulate == 0u) {
      var x = params.origin.x + f32(col + k) * params.step.x;
      var y = rowY;
      if (!grid) {
        let p = points[i];
        x = p.x;
        y = p.y;
      }
      out[i] = params.affine.z + params.affine.x * x + params.affine.y * y + half;
    } else {
      out[i] = out[i] + half;
    }
  }
}

/**
 * Complete eval2d "step" variant (grid and point modes, same bindings/Params as eval2d.compute.wgsl).
 * Grid mode: along a row z(x + 4·dx) = z(x) + 4·w1·dx, so each unit costs one FMA to start its z and then
 * per 4 points add, abs, FMA — and no x registers stay live (CPU-like adapters spill less). Point mode: the
 * direct formula per point.
 */
export function stepVariant(C: number, U: number, name: string, why: string): string {
  const PPT = 4 * C;
  const k = Array.from({ length: C }, (_, i) => i);
  const j = Array.from({ length: U }, (_, i) => i);
  return `// ${name}: f(x, y) = c + Σ_i a_i · max(0, w1_i·x + w2_i·y + b_i) over a grid or a list of (x, y) points.
// Why: ${why}
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
const PPT: u32 = ${PPT}u;
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
${k.map((i) => `  var s${i} = vec4<f32>(0.0);`).join('\n')}
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
${k.map((i) => `      var p${i} = vec4<f32>(0.0);`).join('\n')}
      var t = base;
      for (; t + ${U}u <= stop; t += ${U}u) {
${j.map((q) => `        let u${q} = units[t + ${q}u]; let a${q} = vec4<f32>(u${q}.w); let d${q} = vec4<f32>(u${q}.x * dx4);\n        var z${q} = fma(vec4<f32>(u${q}.x), x0, vec4<f32>(fma(u${q}.y, rowY, u${q}.z)));`).join('\n')}
${k.map((i) => `        ${j.map((q) => `p${i} = fma(a${q}, abs(z${q}), p${i}); z${q} += d${q};`).join(' ')}`).join('\n')}
      }
      for (; t < stop; t++) {
        let u = units[t]; let a = vec4<f32>(u.w); let d = vec4<f32>(u.x * dx4);
        var z = fma(vec4<f32>(u.x), x0, vec4<f32>(fma(u.y, rowY, u.z)));
${k.map((i) => `        p${i} = fma(a, abs(z), p${i}); z += d;`).join('\n')}
      }
${k.map((i) => `      s${i} += p${i};`).join(' ')}
    }
  } else {
    first = thread * PPT;
    if (first < params.pointCount) {
      lanes = min(PPT, params.pointCount - first);
    }
    // Four points at a time: each group of 4 sweeps the units once.
    var sums: array<vec4<f32>, ${C}>;
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
${k.map((i) => `    s${i} = sums[${i}];`).join(' ')}
  }
  let all = array<vec4<f32>, ${C}>(${k.map((i) => `s${i}`).join(', ')});
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
`;
}

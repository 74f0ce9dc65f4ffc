/**
 * Emits a complete eval2d variant (grid and point modes, same bindings and Params as shaders/eval2d.compute.wgsl):
 * C vec4 chains per invocation (PPT = 4C points), units read straight from the storage buffer (no workgroup tile,
 * no barriers), unit loop unrolled by U.
 */
export function fullVariant(C: number, U: number, name: string, why: string): string {
  const PPT = 4 * C;
  const k = Array.from({ length: C }, (_, i) => i);
  const L: string[] = [];
  L.push(`// ${name}: f(x, y) = c + Σ_i a_i · max(0, w1_i·x + w2_i·y + b_i) over a grid or a list of (x, y) points.`);
  L.push(`// Why: ${why}`);
  L.push(`// Same bindings, Params and float32 error bound as eval2d.compute.wgsl: max(0, z) = (z + |z|)/2 with the affine part`);
  L.push(`// summed on the host (params.affine), per-256-unit partial sums added to the total (two-level summation).`);
  L.push(`// Bindings: 0 params (uniform), 1 units: vec4(w1, w2, b, a) per unit, 2 points (interleaved x, y; point mode`);
  L.push(`// only), 3 out: one f32 per point of this job.`);
  L.push(``);
  L.push(`struct Params {
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
  }`);
  for (const i of k) L.push(`  let x${i} = vec4<f32>(px[${4 * i}], px[${4 * i + 1}], px[${4 * i + 2}], px[${4 * i + 3}]); var s${i} = vec4<f32>(0.0);`);
  L.push(`  let end = params.unitStart + params.unitCount;`);
  L.push(`  for (var base = params.unitStart; base < end; base += TILE) {`);
  L.push(`    let stop = min(end, base + TILE);`);
  L.push(`    ${k.map((i) => `var p${i} = vec4<f32>(0.0);`).join(' ')}`);
  L.push(`    var t = base;`);
  L.push(`    if (grid) {`);
  L.push(`      // Rows share y, so each unit's w2·y + b is one scalar FMA for all ${PPT} points.`);
  L.push(`      for (; t + ${U}u <= stop; t += ${U}u) {`);
  for (let j = 0; j < U; j++) L.push(`        let u${j} = units[t + ${j}u]; let r${j} = vec4<f32>(fma(u${j}.y, rowY, u${j}.z));`);
  for (let j = 0; j < U; j++) L.push(`        ${k.map((i) => `p${i} = term(u${j}, x${i}, r${j}, p${i});`).join(' ')}`);
  L.push(`      }`);
  L.push(`      for (; t < stop; t++) {`);
  L.push(`        let ua = units[t]; let ra = vec4<f32>(fma(ua.y, rowY, ua.z));`);
  L.push(`        ${k.map((i) => `p${i} = term(ua, x${i}, ra, p${i});`).join(' ')}`);
  L.push(`      }`);
  L.push(`    } else {`);
  L.push(`      for (; t < stop; t++) {`);
  L.push(`        let ua = units[t]; let w2 = vec4<f32>(ua.y); let b = vec4<f32>(ua.z);`);
  L.push(`        ${k.map((i) => `p${i} = term(ua, x${i}, fma(w2, vec4<f32>(py[${4 * i}], py[${4 * i + 1}], py[${4 * i + 2}], py[${4 * i + 3}]), b), p${i});`).join('\n        ')}`);
  L.push(`      }`);
  L.push(`    }`);
  L.push(`    ${k.map((i) => `s${i} += p${i};`).join(' ')}`);
  L.push(`  }`);
  L.push(`  let sums = array<vec4<f32>, ${C}>(${k.map((i) => `s${i}`).join(', ')});`);
  L.push(`  for (var k = 0u; k < lanes; k++) {
    let i = first + k;
    let half = 0.5 * sums[k / 4u][k % 4u];
    if (params.accumulate == 0u) {
      let y = select(py[k], rowY, grid);
      out[i] = params.affine.z + params.affine.x * px[k] + params.affine.y * y + half;
    } else {
      out[i] = out[i] + half;
    }
  }
}`);
  return L.join('\n') + '\n';
}

/** How a probe reads units: staged in workgroup memory, straight from storage, by subgroup broadcast, or with z stepped along rows. */
export type ProbeStaging = 'tile' | 'direct' | 'subgroup' | 'step' | 'stepfma';

/** Generates grid-mode eval2d variants: C vec4 chains per invocation (PPT = 4C), unroll U, units read as `staging` says. */
export function variant(C: number, U: number, staging: ProbeStaging): string {
  const PPT = 4 * C;
  const L: string[] = [];
  if (staging === 'subgroup') return subgroupVariant(C);
  if (staging === 'step') return stepVariant(C, U);
  if (staging === 'stepfma') return stepVariant(C, U, true);
  L.push(`// eval2d variant: ${PPT} points per invocation, unroll ${U}, units ${staging === 'tile' ? 'staged in workgroup memory' : 'read straight from storage'}.`);
  L.push(`struct Params { origin: vec2<f32>, step: vec2<f32>, nx: u32, pointCount: u32, unitStart: u32, unitCount: u32, mode: u32, accumulate: u32, threadsPerRow: u32, pad: u32, affine: vec4<f32>, }`);
  L.push(`const WG: u32 = 256u;`, `const PPT: u32 = ${PPT}u;`);
  L.push(`@group(0) @binding(0) var<uniform> params: Params;`, `@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;`, `@group(0) @binding(2) var<storage, read> points: array<vec2<f32>>;`, `@group(0) @binding(3) var<storage, read_write> out: array<f32>;`);
  if (staging === 'tile') L.push(`var<workgroup> tile: array<vec4<f32>, WG>;`);
  L.push(`fn term(u: vec4<f32>, x: vec4<f32>, r: vec4<f32>, acc: vec4<f32>) -> vec4<f32> { return fma(vec4<f32>(u.w), abs(fma(vec4<f32>(u.x), x, r)), acc); }`);
  L.push(`@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let thread = (wid.x + wid.y * nwg.x) * WG + lid;
  if (params.mode == 1u) { _ = points[0]; }
  let row = thread / params.threadsPerRow;
  let col = (thread % params.threadsPerRow) * PPT;
  var first = 0u; var lanes = 0u;
  if (row < params.pointCount / params.nx) { first = row * params.nx + col; lanes = min(PPT, params.nx - col); }
  let rowY = params.origin.y + f32(row) * params.step.y;
  let c = f32(col);
  let lane = vec4<f32>(0.0, 1.0, 2.0, 3.0);`);
  for (let k = 0; k < C; k++) L.push(`  let x${k} = params.origin.x + (c + ${4 * k}.0 + lane) * params.step.x; var s${k} = vec4<f32>(0.0);`);
  const body = (u: string, r: string) => Array.from({ length: C }, (_, k) => `p${k} = term(${u}, x${k}, ${r}, p${k});`).join(' ');
  const get = (i: string) => (staging === 'tile' ? `tile[${i}]` : `units[${i}]`);
  L.push(`  let end = params.unitStart + params.unitCount;`);
  L.push(`  for (var base = params.unitStart; base < end; base += WG) {`);
  if (staging === 'tile') L.push(`    let u = base + lid; tile[lid] = select(vec4<f32>(0.0), units[min(u, arrayLength(&units) - 1u)], u < end); workgroupBarrier();`);
  L.push(`    let count = min(WG, end - base);`);
  L.push(`    ${Array.from({ length: C }, (_, k) => `var p${k} = vec4<f32>(0.0);`).join(' ')}`);
  const off = staging === 'tile' ? '' : 'base + ';
  L.push(`    var t = 0u;`);
  L.push(`    for (; t + ${U}u <= count; t += ${U}u) {`);
  for (let j = 0; j < U; j++) L.push(`      let u${j} = ${get(`${off}t + ${j}u`)}; let r${j} = vec4<f32>(fma(u${j}.y, rowY, u${j}.z));`);
  for (let j = 0; j < U; j++) L.push(`      ${body(`u${j}`, `r${j}`)}`);
  L.push(`    }`);
  L.push(`    for (; t < count; t++) { let ua = ${get(`${off}t`)}; let ra = vec4<f32>(fma(ua.y, rowY, ua.z)); ${body('ua', 'ra')} }`);
  L.push(`    ${Array.from({ length: C }, (_, k) => `s${k} += p${k};`).join(' ')}`);
  if (staging === 'tile') L.push(`    workgroupBarrier();`);
  L.push(`  }`);
  L.push(`  let sums = array<vec4<f32>, ${C}>(${Array.from({ length: C }, (_, k) => `s${k}`).join(', ')});`);
  L.push(`  let xs = array<vec4<f32>, ${C}>(${Array.from({ length: C }, (_, k) => `x${k}`).join(', ')});`);
  L.push(`  for (var k = 0u; k < lanes; k++) {
    let i = first + k; let half = 0.5 * sums[k / 4u][k % 4u];
    if (params.accumulate == 0u) { out[i] = params.affine.z + params.affine.x * xs[k / 4u][k % 4u] + params.affine.y * rowY + half; } else { out[i] = out[i] + half; }
  }
}`);
  return L.join('\n');
}

function subgroupVariant(C: number): string {
  const PPT = 4 * C;
  const k = Array.from({ length: C }, (_, i) => i);
  return `enable subgroups;
struct Params { origin: vec2<f32>, step: vec2<f32>, nx: u32, pointCount: u32, unitStart: u32, unitCount: u32, mode: u32, accumulate: u32, threadsPerRow: u32, pad: u32, affine: vec4<f32>, }
const WG: u32 = 256u;
const PPT: u32 = ${PPT}u;
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> points: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
fn term(u: vec4<f32>, x: vec4<f32>, r: vec4<f32>, acc: vec4<f32>) -> vec4<f32> { return fma(vec4<f32>(u.w), abs(fma(vec4<f32>(u.x), x, r)), acc); }
@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(subgroup_size) sg: u32, @builtin(subgroup_invocation_id) sl: u32) {
  let thread = (wid.x + wid.y * nwg.x) * WG + lid;
  if (params.mode == 1u) { _ = points[0]; }
  let row = thread / params.threadsPerRow;
  let col = (thread % params.threadsPerRow) * PPT;
  var first = 0u; var lanes = 0u;
  if (row < params.pointCount / params.nx) { first = row * params.nx + col; lanes = min(PPT, params.nx - col); }
  let rowY = params.origin.y + f32(row) * params.step.y;
  let c = f32(col);
  let lane = vec4<f32>(0.0, 1.0, 2.0, 3.0);
${k.map((i) => `  let x${i} = params.origin.x + (c + ${4 * i}.0 + lane) * params.step.x; var s${i} = vec4<f32>(0.0);`).join('\n')}
  let end = params.unitStart + params.unitCount;
  for (var base = params.unitStart; base < end; base += 256u) {
    let stop = min(end, base + 256u);
${k.map((i) => `    var p${i} = vec4<f32>(0.0);`).join('\n')}
    for (var t = base; t < stop; t += sg) {
      let mine = select(vec4<f32>(0.0), units[min(t + sl, stop - 1u)], t + sl < stop);
      let rmine = fma(mine.y, rowY, mine.z);
      for (var q = 0u; q < sg; q++) {
        let u = subgroupShuffle(mine, q);
        let r = vec4<f32>(subgroupShuffle(rmine, q));
${k.map((i) => `        p${i} = term(u, x${i}, r, p${i});`).join('\n')}
      }
    }
${k.map((i) => `    s${i} += p${i};`).join('\n')}
  }
  let sums = array<vec4<f32>, ${C}>(${k.map((i) => `s${i}`).join(', ')});
  let xs = array<vec4<f32>, ${C}>(${k.map((i) => `x${i}`).join(', ')});
  for (var k = 0u; k < lanes; k++) {
    let i = first + k; let half = 0.5 * sums[k / 4u][k % 4u];
    if (params.accumulate == 0u) { out[i] = params.affine.z + params.affine.x * xs[k / 4u][k % 4u] + params.affine.y * rowY + half; } else { out[i] = out[i] + half; }
  }
}`;
}

/** z stepped along the row: z(x + 4·dx) = z(x) + 4·w1·dx, so no x registers stay live; units read from storage. */
function stepVariant(C: number, U: number, independent = false): string {
  const PPT = 4 * C;
  const k = Array.from({ length: C }, (_, i) => i);
  const j = Array.from({ length: U }, (_, i) => i);
  return `struct Params { origin: vec2<f32>, step: vec2<f32>, nx: u32, pointCount: u32, unitStart: u32, unitCount: u32, mode: u32, accumulate: u32, threadsPerRow: u32, pad: u32, affine: vec4<f32>, }
const WG: u32 = 256u;
const PPT: u32 = ${PPT}u;
@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> points: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let thread = (wid.x + wid.y * nwg.x) * WG + lid;
  if (params.mode == 1u) { _ = points[0]; }
  let row = thread / params.threadsPerRow;
  let col = (thread % params.threadsPerRow) * PPT;
  var first = 0u; var lanes = 0u;
  if (row < params.pointCount / params.nx) { first = row * params.nx + col; lanes = min(PPT, params.nx - col); }
  let rowY = params.origin.y + f32(row) * params.step.y;
  let x0 = params.origin.x + (f32(col) + vec4<f32>(0.0, 1.0, 2.0, 3.0)) * params.step.x;
  let dx4 = 4.0 * params.step.x;
${k.map((i) => `  var s${i} = vec4<f32>(0.0);`).join('\n')}
  let end = params.unitStart + params.unitCount;
  for (var base = params.unitStart; base < end; base += 256u) {
    let stop = min(end, base + 256u);
${k.map((i) => `    var p${i} = vec4<f32>(0.0);`).join('\n')}
    var t = base;
    for (; t + ${U}u <= stop; t += ${U}u) {
${j.map((q) => `      let u${q} = units[t + ${q}u]; let a${q} = vec4<f32>(u${q}.w); let d${q} = vec4<f32>(u${q}.x * dx4); var z${q} = fma(vec4<f32>(u${q}.x), x0, vec4<f32>(fma(u${q}.y, rowY, u${q}.z)));`).join('\n')}
${k.map((i) => j.map((q) => (independent ? `      p${i} = fma(a${q}, abs(fma(vec4<f32>(${i}.0), d${q}, z${q})), p${i});` : `      p${i} = fma(a${q}, abs(z${q}), p${i}); z${q} += d${q};`)).join(' ')).join('\n')}
    }
    for (; t < stop; t++) {
      let u = units[t]; let a = vec4<f32>(u.w); let d = vec4<f32>(u.x * dx4); var z = fma(vec4<f32>(u.x), x0, vec4<f32>(fma(u.y, rowY, u.z)));
${k.map((i) => `      p${i} = fma(a, abs(z), p${i}); z += d;`).join('\n')}
    }
${k.map((i) => `    s${i} += p${i};`).join('\n')}
  }
  let sums = array<vec4<f32>, ${C}>(${k.map((i) => `s${i}`).join(', ')});
  for (var k = 0u; k < lanes; k++) {
    let i = first + k; let half = 0.5 * sums[k / 4u][k % 4u];
    let x = params.origin.x + f32(col + k) * params.step.x;
    if (params.accumulate == 0u) { out[i] = params.affine.z + params.affine.x * x + params.affine.y * rowY + half; } else { out[i] = out[i] + half; }
  }
}`;
}

// Generates the cache kernels for CPU-like adapters (shaders/eval2d_cache8*.compute.wgsl); run through emit.ts.
// The shape is explained in the header it writes and in bench/NOTES.md (history rows 10 and 11).

/** How each invocation fills its per-tile unit cache. */
export type CacheFill = 'gather' | 'subgroup';

const STRUCT_AND_BINDINGS = `struct Params {
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
const PPT: u32 = __PPT__u;
const TILE: u32 = 256u;   // units per partial sum

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> points: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;`;

const PROLOGUE = `@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let thread = (wid.x + wid.y * nwg.x) * WG + lid;
  let grid = params.mode == 0u;
  var first = 0u;
  var lanes = 0u;
  var rowY = 0.0;
  var col = 0u;
  var all: array<f32, PPT>;
  let end = params.unitStart + params.unitCount;
  if (grid) {
    let row = thread / params.threadsPerRow;
    col = (thread % params.threadsPerRow) * PPT;
    if (row < params.pointCount / params.nx) {
      first = row * params.nx + col;
      lanes = min(PPT, params.nx - col);
    }
    rowY = params.origin.y + f32(row) * params.step.y;
    let x0 = params.origin.x + f32(col) * params.step.x;
    let dx = params.step.x;
    let last = arrayLength(&units) - 1u;
    var cache: array<vec4<f32>, TU>;
    // |z| as an AND with a runtime mask: a constant mask is re-loaded from Subzero's constant pool at every use,
    // a runtime one stays in a register. Always 0x7fffffff (min), but not foldable by the compilers.
    let absMask = min(params.pad | 0x7fffffffu, 0x7fffffffu);`;

const POINT_LIST_AND_OUTPUT = `  } else {
    first = thread * PPT;
    if (first < params.pointCount) {
      lanes = min(PPT, params.pointCount - first);
    }
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
      for (var l = 0u; l < 4u; l++) {
        if (g * 4u + l < PPT) { all[g * 4u + l] = total[l]; }
      }
    }
  }
  for (var k = 0u; k < lanes; k++) {
    let i = first + k;
    let half = 0.5 * all[k];
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

const HEADER_COMMON = (name: string, P: number, NC: number, TU: number) => `// ${name}: f(x, y) = c + Σ_i a_i · max(0, w1_i·x + w2_i·y + b_i), grid or point list.
// Same bindings, Params, UnitBuffer and float32 error bound as shaders/eval2d.compute.wgsl: max(0, z) = (z + |z|)/2
// with the affine part summed on the host (params.affine); partial sums per ${TU}-unit tile added to the total.
// Shaped for SwiftShader's Subzero JIT (SIMD across 4 invocations, 16 xmm registers, no FMA instruction):
//  - grid: each invocation owns PPT = ${P * NC} points of a row as ${NC} chunks of P = ${P} points; a tile of TU = ${TU} units is
//    loaded once per invocation into a function-memory cache as (w1, w2·y + b, a, w1·dx);
//  - per chunk a fully unrolled sweep over the tile with CONSTANT cache indices (plain SIMD loads) keeps the ${P}
//    accumulators, z, a, d and the |·| mask in registers: per point and unit one add (z += w1·dx), and, mul, add;
//  - the |z| mask is a runtime value (min(pad | 0x7fffffff, 0x7fffffff)): a constant mask is re-loaded from
//    Subzero's constant pool at every use; max(z, 0) is ~5x slower on SwiftShader than the AND;
//  - the one dynamic access to \`cache\` (never executed) stops spirv-opt from scalarising it: scalarised, its ${4 * TU}
//    values become long-lived SSA values that win Subzero's registers and push z and the sums onto the stack.
`;

const FILL_NOTE: Record<CacheFill, string> = {
  gather: `//  - the cache fill reads each unit in every lane: storage loads with a runtime index are per-lane gathers in
//    SwiftShader, so each unit costs a 4-lane gather, amortised over all chunks.
`,
  subgroup: `//  - the cache fill has each of 4 subgroup lanes load a different unit (one 4-lane gather for 4 units) and hands
//    them to every lane with subgroupBroadcast from a constant lane: a quarter of the gathers of eval2d_cache8.
//    Needs the 'subgroups' feature and a subgroup size of at least 4 (WebGPU guarantees 4 to 128).
`,
};

const HEADER_END = `// Generated by bench/tools/genCache.ts (npx tsx bench/tools/emit.ts); edit the generator, not this file.
// Hardware GPUs want the tiled eval2d instead: this many points per invocation leaves a 512² grid few invocations.
`;

/** The WGSL of a cache kernel: P points per chunk, NC chunks per invocation, TU units per cache tile. */
export function cacheVariant(name: string, fill: CacheFill, P = 8, NC = 32, TU = 64): string {
  if (fill === 'subgroup' && TU % 4 !== 0) throw new RangeError('subgroup fill needs TU divisible by 4');
  const o: string[] = [];
  const w = (s: string) => o.push(s);
  if (fill === 'subgroup') w('enable subgroups;\n\n');
  w(HEADER_COMMON(name, P, NC, TU) + FILL_NOTE[fill] + HEADER_END);
  w(STRUCT_AND_BINDINGS.replace('__PPT__', String(P * NC)) + '\n');
  w(`const P: u32 = ${P}u;\nconst NC: u32 = ${NC}u;\nconst TU: u32 = ${TU}u;\n\n`);
  const prologue =
    fill === 'subgroup'
      ? PROLOGUE.replace(
          '        @builtin(num_workgroups) nwg: vec3<u32>) {',
          '        @builtin(num_workgroups) nwg: vec3<u32>,\n        @builtin(subgroup_invocation_id) sgLane: u32) {',
        )
      : PROLOGUE;
  w(prologue + '\n');
  w('    for (var base = params.unitStart; base < end; base += TU) {\n');
  if (fill === 'gather') {
    for (let j = 0; j < TU; j++) {
      w(
        `      { let u = units[min(base + ${j}u, last)]; let m = base + ${j}u < end; let wj = select(0.0, u.x, m); ` +
          `cache[${j}] = vec4<f32>(wj, select(0.0, fma(u.y, rowY, u.z), m), select(0.0, u.w, m), wj * dx); }\n`,
      );
    }
  } else {
    w('      // Lanes 0-3 of each subgroup load units base+4i … base+4i+3; every lane takes all four by broadcast.\n');
    for (let i = 0; i < TU / 4; i++) {
      w(`      { let k = base + ${4 * i}u + (sgLane & 3u); let u = select(vec4<f32>(0.0), units[min(k, last)], k < end);\n`);
      for (let l = 0; l < 4; l++) {
        w(`        { let v = subgroupBroadcast(u, ${l}u); cache[${4 * i + l}] = vec4<f32>(v.x, fma(v.y, rowY, v.z), v.w, v.x * dx); }\n`);
      }
      w('      }\n');
    }
  }
  w('      for (var c = 0u; c < NC; c++) {\n');
  w('        let xc = x0 + f32(c * P) * dx;\n');
  for (let k = 0; k < P; k++) w(`        var p${k} = 0.0;\n`);
  const term = (k: number) => `p${k} = fma(v.z, bitcast<f32>(bitcast<u32>(z) & absMask), p${k});` + (k < P - 1 ? ' z += v.w;' : '');
  for (let j = 0; j < TU; j++) {
    w(`        { let v = cache[${j}]; var z = fma(v.x, xc, v.y); ` + Array.from({ length: P }, (_, k) => term(k)).join(' ') + ' }\n');
  }
  for (let k = 0; k < P; k++) w(`        all[c * P + ${k}u] += p${k};\n`);
  w('      }\n    }\n');
  w('    if (params.pad == 0xdeadbeefu) { all[0] = cache[params.nx % TU].x; }  // a dynamic access keeps spirv-opt from scalarising cache\n');
  w(POINT_LIST_AND_OUTPUT);
  return o.join('');
}

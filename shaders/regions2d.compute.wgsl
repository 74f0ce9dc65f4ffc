// regions2d: per grid point, the number of active units (w1·x + w2·y + b > 0) and the activation-pattern
// id, the XOR of unit_hash(i) over the active units, which names the linear region the point lies in.
// Why a kernel of its own: the region map and facet shading need it, the value kernel must not pay for it.
// Units are staged in tiles of 256 through workgroup memory; each invocation handles 16 points of one row.
// Split-K (pipeline constant SPLIT, src/engine/gpu/regions2dSplit.ts; the one body of both): as eval2d's split, a
// (blocks, S) dispatch where workgroup (b, s) handles slice s of the pass's units, [unitStart + s·per, unitStart +
// (s+1)·per), per = ceil(unitCount / S). Counts add and ids XOR, both associative and exact on integers, so each
// workgroup adds its slice's counts and XORs its ids into outputs the host cleared first, with atomics: no
// reduction pass, and the same result as the unsplit kernel whatever S and the order. Unsplit, the outputs are
// stored (first pass) or added into (later passes) with atomic operations on the same atomic-typed bindings.
// Bindings: 0 params (uniform), 1 units: vec4(w1, w2, b, a) per unit, 2 activeCount: u32 per point,
// 3 patternId: u32 per point.

struct Params {
  origin: vec2<f32>,        // (x, y) of the job's first sample
  step: vec2<f32>,          // (dx, dy)
  nx: u32,                  // samples per row
  pointCount: u32,          // points in this job (whole rows)
  unitStart: u32,           // first unit of this pass
  unitCount: u32,           // units in this pass
  mode: u32,                // always 0 (grid)
  accumulate: u32,          // 0: overwrite; 1: add to the counts and XOR into the ids of earlier passes (SPLIT: always adds)
  threadsPerRow: u32,       // ceil(nx / 16)
  pad: u32,
  affine: vec4<f32>,        // unused (the value kernels' affine part)
}

override SPLIT: bool = false;

const WG: u32 = 256u;
const PPT: u32 = 16u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> activeCount: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> patternId: array<atomic<u32>>;

var<workgroup> tile: array<vec4<f32>, WG>;
var<workgroup> hashes: array<u32, WG>;

// lowbias32 (Wellons) of i + 1; the twin of unitHash in src/model/regions.ts.
fn unit_hash(i: u32) -> u32 {
  var x = i + 1u;
  x ^= x >> 16u;
  x *= 0x7feb352du;
  x ^= x >> 15u;
  x *= 0x846ca68bu;
  x ^= x >> 16u;
  return x;
}

// One unit's contribution to 4 points: +1 to the count and its hash into the id where z > 0.
fn count4(u: vec4<f32>, h: u32, x: vec4<f32>, r: vec4<f32>, n: ptr<function, vec4<u32>>, id: ptr<function, vec4<u32>>) {
  let on = fma(vec4<f32>(u.x), x, r) > vec4<f32>(0.0);
  *n += select(vec4<u32>(0u), vec4<u32>(1u), on);
  *id ^= select(vec4<u32>(0u), vec4<u32>(h), on);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  var thread = (wid.x + wid.y * nwg.x) * WG + lid;
  var start = params.unitStart;
  var end = params.unitStart + params.unitCount;
  if (SPLIT) {
    thread = wid.x * WG + lid;
    let per = (params.unitCount + nwg.y - 1u) / nwg.y;
    start = params.unitStart + min(params.unitCount, wid.y * per);
    end = params.unitStart + min(params.unitCount, (wid.y + 1u) * per);
  }
  let row = thread / params.threadsPerRow;
  let col = (thread % params.threadsPerRow) * PPT;
  let rows = params.pointCount / params.nx;
  var first = 0u;
  var lanes = 0u;
  if (row < rows) {
    first = row * params.nx + col;
    lanes = min(PPT, params.nx - col);
  }
  let y = params.origin.y + f32(row) * params.step.y;
  let c = f32(col);
  let lane = vec4<f32>(0.0, 1.0, 2.0, 3.0);
  let x0 = params.origin.x + (c + lane) * params.step.x;
  let x1 = params.origin.x + (c + 4.0 + lane) * params.step.x;
  let x2 = params.origin.x + (c + 8.0 + lane) * params.step.x;
  let x3 = params.origin.x + (c + 12.0 + lane) * params.step.x;

  var n0 = vec4<u32>(0u); var n1 = vec4<u32>(0u); var n2 = vec4<u32>(0u); var n3 = vec4<u32>(0u);
  var i0 = vec4<u32>(0u); var i1 = vec4<u32>(0u); var i2 = vec4<u32>(0u); var i3 = vec4<u32>(0u);
  for (var base = start; base < end; base += WG) {
    let u = base + lid;
    tile[lid] = select(vec4<f32>(0.0), units[min(u, arrayLength(&units) - 1u)], u < end);
    hashes[lid] = unit_hash(u);
    workgroupBarrier();
    let count = min(WG, end - base);
    for (var t = 0u; t < count; t++) {
      let unit = tile[t];
      let h = hashes[t];
      let r = vec4<f32>(fma(unit.y, y, unit.z));
      count4(unit, h, x0, r, &n0, &i0);
      count4(unit, h, x1, r, &n1, &i1);
      count4(unit, h, x2, r, &n2, &i2);
      count4(unit, h, x3, r, &n3, &i3);
    }
    workgroupBarrier();
  }

  let ns = array<vec4<u32>, 4>(n0, n1, n2, n3);
  let ids = array<vec4<u32>, 4>(i0, i1, i2, i3);
  for (var k = 0u; k < lanes; k++) {
    let i = first + k;
    let nk = ns[k / 4u][k % 4u];
    let idk = ids[k / 4u][k % 4u];
    if (SPLIT || params.accumulate != 0u) {
      if (nk != 0u) {
        atomicAdd(&activeCount[i], nk);
        atomicXor(&patternId[i], idk);
      }
    } else {
      atomicStore(&activeCount[i], nk);
      atomicStore(&patternId[i], idk);
    }
  }
}

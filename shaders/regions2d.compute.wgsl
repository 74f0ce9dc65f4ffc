// regions2d: per grid point, the number of active units (w1·x + w2·y + b > 0) and the activation-pattern
// id, the XOR of unit_hash(i) over the active units, which names the linear region the point lies in.
// Why a kernel of its own: the region map and facet shading need it, the value kernel must not pay for it.
// Units are staged in tiles of 256 through workgroup memory; each invocation handles 4 points of one row.
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
  accumulate: u32,          // 0: overwrite; 1: add to the counts and XOR into the ids of earlier passes
  threadsPerRow: u32,       // ceil(nx / 4)
  pad: u32,
  affine: vec4<f32>,        // unused (the value kernels' affine part)
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> activeCount: array<u32>;
@group(0) @binding(3) var<storage, read_write> patternId: array<u32>;

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

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let thread = (wid.x + wid.y * nwg.x) * WG + lid;
  let row = thread / params.threadsPerRow;
  let col = (thread % params.threadsPerRow) * 4u;
  let rows = params.pointCount / params.nx;
  var first = 0u;
  var lanes = 0u;
  if (row < rows) {
    first = row * params.nx + col;
    lanes = min(4u, params.nx - col);
  }
  let y = params.origin.y + f32(row) * params.step.y;
  let xs = params.origin.x + vec4<f32>(f32(col), f32(col + 1u), f32(col + 2u), f32(col + 3u)) * params.step.x;

  var count = vec4<u32>(0u);
  var id = vec4<u32>(0u);
  let end = params.unitStart + params.unitCount;
  for (var base = params.unitStart; base < end; base += WG) {
    let u = base + lid;
    tile[lid] = select(vec4<f32>(0.0), units[min(u, arrayLength(&units) - 1u)], u < end);
    hashes[lid] = unit_hash(u);
    workgroupBarrier();
    let n = min(WG, end - base);
    for (var t = 0u; t < n; t++) {
      let unit = tile[t];
      let z = fma(vec4<f32>(unit.x), xs, vec4<f32>(fma(unit.y, y, unit.z)));
      let on = z > vec4<f32>(0.0);
      count += select(vec4<u32>(0u), vec4<u32>(1u), on);
      id ^= select(vec4<u32>(0u), vec4<u32>(hashes[t]), on);
    }
    workgroupBarrier();
  }

  for (var k = 0u; k < lanes; k++) {
    let i = first + k;
    if (params.accumulate == 0u) {
      activeCount[i] = count[k];
      patternId[i] = id[k];
    } else {
      activeCount[i] = activeCount[i] + count[k];
      patternId[i] = patternId[i] ^ id[k];
    }
  }
}

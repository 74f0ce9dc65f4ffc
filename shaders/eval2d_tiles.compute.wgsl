// eval2d_tiles: exact f(x, y) (entry `values`) or active count + pattern id (entry `regions`) over a grid, doing
// less work than the brute force. The twin is src/model/tiles2d.ts, which says the math; in short: the grid is cut
// into T×T tiles; a unit whose line misses a tile has one sign s there, so |z| = s·z and all such units collapse
// into one plane per tile (regions: one count and one XOR of hashes); only the crossing units are evaluated per
// point. Units are packed as in eval2d (vec4(w1, w2, b, a'), f = affine + ½·Σ a'·|z|; see src/engine/gpu/units.ts).
// Two passes per job (a band of tile rows):
//  - `classify` (one workgroup per tile and chunk of units): the conservative crossing test, the non-crossing
//    units' partial plane per (tile, chunk) (per-invocation sums, then a tree: two-level summation), and the
//    crossing units' indices appended to the tile's list through one atomic counter per tile;
//  - `values` / `regions` (one workgroup per tile, 4 points per invocation): the tile's plane from its partials,
//    plus the crossing units staged through workgroup memory. A tile whose list overflowed `capacity` (all lines
//    through one tile) classifies its units again itself and evaluates the crossing ones batch by batch.
// CPU-like adapters take the barrier-free `classify` and, for values, `values_cache` (64×64 coarse tiles refined
// per 16×16 tile inside the evaluation, see there), for regions `regions_rows`.
// Bindings: 0 params, 1 units, 2 counts (crossing units per tile), 3 lists (capacity slots per tile), 4 partials
// (vec4 per tile and chunk: bitcast (A, B, C) for values, (count, pattern) for regions), 5 out (f32 values),
// 6 activeCount, 7 patternId (u32 per point).

struct TileParams {
  origin: vec2<f32>,        // (x, y) of the job's first point (column 0 of its first row)
  step: vec2<f32>,          // (dx, dy)
  nx: u32,                  // points per grid row
  rows: u32,                // grid rows in this job
  tileCols: u32,            // tiles per tile row: ceil(nx / T)
  tiles: u32,               // tiles in this job
  unitCount: u32,           // units
  chunkUnits: u32,          // units per classify workgroup
  chunks: u32,              // classify workgroups per tile (≥ 1)
  capacity: u32,            // list slots per tile
  outBase: u32,             // index, in the bound outputs, of the job's first point
  side: u32,                // points per side of the classified tiles (T, or T·FPC for values_cache)
  pad1: u32,
  pad2: u32,
  affine: vec4<f32>,        // (A, B, C, 0): f = A·x + B·y + C + ½·Σ a'·|z| over all units (values)
}

override REGIONS: bool = false;

const T: u32 = 16u;
const WG: u32 = 256u;
const EWG: u32 = 64u;
const SB: u32 = 256u;
// 2^-16: see TILE_MARGIN in src/model/tiles2d.ts.
const MARGIN: f32 = 1.52587890625e-5;

@group(0) @binding(0) var<uniform> params: TileParams;
@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> lists: array<u32>;
@group(0) @binding(4) var<storage, read_write> partials: array<vec4<u32>>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<storage, read_write> activeCount: array<u32>;
@group(0) @binding(7) var<storage, read_write> patternId: array<u32>;

var<workgroup> redF: array<vec3<f32>, WG>;
var<workgroup> redU: array<vec2<u32>, WG>;
var<workgroup> stage: array<vec4<f32>, SB>;
var<workgroup> stageHash: array<u32, SB>;
var<workgroup> crossed: atomic<u32>;
var<workgroup> shared_count: u32;

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

struct Box {
  c: vec2<f32>,             // centre
  h: vec2<f32>,             // half-extents
}

// The box of a whole T×T tile of the job (virtual points past the grid's edge included: only more conservative).
fn tile_box(tile: u32) -> Box {
  let tx = tile % params.tileCols;
  let ty = tile / params.tileCols;
  return box_at(tx * params.side, ty * params.side, params.side);
}

// The box of the side×side points from column col, row row of the job.
fn box_at(col: u32, row: u32, side: u32) -> Box {
  let p0 = params.origin + vec2<f32>(f32(col), f32(row)) * params.step;
  let p1 = params.origin + vec2<f32>(f32(col + side - 1u), f32(row + side - 1u)) * params.step;
  return Box(0.5 * (p0 + p1), 0.5 * (p1 - p0));
}

fn centre_z(u: vec4<f32>, box: Box) -> f32 {
  return fma(u.x, box.c.x, fma(u.y, box.c.y, u.z));
}

// Whether the unit's line may cross the box: conservative by MARGIN times the magnitudes z is formed from.
fn crosses(u: vec4<f32>, box: Box, zc: f32) -> bool {
  let w = abs(u.xy);
  let reach = dot(w, box.h);
  let mag = dot(w, abs(box.c) + box.h) + abs(u.z);
  return abs(zc) <= fma(MARGIN, mag, reach);
}

// A non-crossing unit's share of the plane about the box centre: (a'·s·w1, a'·s·w2, a'·|zc|).
fn plane_term(u: vec4<f32>, zc: f32) -> vec3<f32> {
  let s = select(-u.w, u.w, zc > 0.0);
  return vec3<f32>(s * u.x, s * u.y, u.w * abs(zc));
}

// Tiles per classify invocation: one unit load and its magnitudes serve 4 tiles (vec4 lanes).
const TPI: u32 = 4u;
const CWG: u32 = 64u;

// One invocation per 4 tiles and chunk of units: no workgroup memory and no barriers (SwiftShader pays for each
// workgroup that has them), every invocation of a workgroup reads the same unit (a broadcast on GPUs).
@compute @workgroup_size(CWG)
fn classify(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let first = gid.x * TPI;
  let chunk = wid.y;
  if (first >= params.tiles) {
    return;
  }
  var xc = vec4<f32>(0.0);
  var yc = vec4<f32>(0.0);
  var kx = vec4<f32>(0.0);
  var ky = vec4<f32>(0.0);
  for (var k = 0u; k < TPI; k++) {
    let b = tile_box(min(first + k, params.tiles - 1u));
    xc[k] = b.c.x;
    yc[k] = b.c.y;
    // |w1|·kx + |w2|·ky + MARGIN·|b| = reach + MARGIN·mag of `crosses`, factored per tile.
    kx[k] = fma(MARGIN, abs(b.c.x) + b.h.x, b.h.x);
    ky[k] = fma(MARGIN, abs(b.c.y) + b.h.y, b.h.y);
  }
  let start = chunk * params.chunkUnits;
  let end = min(start + params.chunkUnits, params.unitCount);
  var pa = vec4<f32>(0.0);
  var pb = vec4<f32>(0.0);
  var pc = vec4<f32>(0.0);
  var n = vec4<u32>(0u);
  var h = vec4<u32>(0u);
  for (var i = start; i < end; i++) {
    let u = units[i];
    let zc = fma(vec4<f32>(u.x), xc, fma(vec4<f32>(u.y), yc, vec4<f32>(u.z)));
    let thr = fma(vec4<f32>(abs(u.x)), kx, fma(vec4<f32>(abs(u.y)), ky, vec4<f32>(MARGIN * abs(u.z))));
    let cross = abs(zc) <= thr;
    if (any(cross)) {
      for (var k = 0u; k < TPI; k++) {
        if (cross[k] && first + k < params.tiles) {
          let slot = atomicAdd(&counts[first + k], 1u);
          if (slot < params.capacity) {
            lists[(first + k) * params.capacity + slot] = i;
          }
        }
      }
    }
    if (REGIONS) {
      let on = !cross & (zc > vec4<f32>(0.0));
      n += select(vec4<u32>(0u), vec4<u32>(1u), on);
      h ^= select(vec4<u32>(0u), vec4<u32>(unit_hash(i)), on);
    } else {
      let a = select(vec4<f32>(u.w), vec4<f32>(0.0), cross);
      let s = select(-a, a, zc > vec4<f32>(0.0));
      pa = fma(s, vec4<f32>(u.x), pa);
      pb = fma(s, vec4<f32>(u.y), pb);
      pc = fma(a, abs(zc), pc);
    }
  }
  for (var k = 0u; k < TPI; k++) {
    if (first + k < params.tiles) {
      let at = (first + k) * params.chunks + chunk;
      if (REGIONS) {
        partials[at] = vec4<u32>(n[k], h[k], 0u, 0u);
      } else {
        partials[at] = vec4<u32>(bitcast<u32>(pa[k]), bitcast<u32>(pb[k]), bitcast<u32>(pc[k]), 0u);
      }
    }
  }
}

// The classification for GPUs ('workgroup' shape): one workgroup of WG invocations per (tile, chunk of units),
// each invocation testing every WG-th unit of the chunk, then a tree reduction of the plane (or count and XOR) in
// workgroup memory. Many more invocations than `classify` (tiles × chunks workgroups), which a big GPU needs: on an
// H200 it was 10× faster at N = 4,096 on 1024² (bench/NOTES.md); SwiftShader pays for its barriers instead.
@compute @workgroup_size(WG)
fn classify_wg(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let tile = wid.x;
  let chunk = wid.y;
  let box = tile_box(tile);
  let start = chunk * params.chunkUnits;
  let end = min(start + params.chunkUnits, params.unitCount);
  var plane = vec3<f32>(0.0);
  var n = 0u;
  var h = 0u;
  for (var i = start + lid; i < end; i += WG) {
    let u = units[i];
    let zc = centre_z(u, box);
    if (crosses(u, box, zc)) {
      let slot = atomicAdd(&counts[tile], 1u);
      if (slot < params.capacity) {
        lists[tile * params.capacity + slot] = i;
      }
    } else if (REGIONS) {
      if (zc > 0.0) {
        n += 1u;
        h ^= unit_hash(i);
      }
    } else {
      plane += plane_term(u, zc);
    }
  }
  redF[lid] = plane;
  redU[lid] = vec2<u32>(n, h);
  workgroupBarrier();
  for (var half = WG / 2u; half > 0u; half >>= 1u) {
    if (lid < half) {
      redF[lid] += redF[lid + half];
      redU[lid] = vec2<u32>(redU[lid].x + redU[lid + half].x, redU[lid].y ^ redU[lid + half].y);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    let k = tile * params.chunks + chunk;
    if (REGIONS) {
      partials[k] = vec4<u32>(redU[0], 0u, 0u);
    } else {
      partials[k] = vec4<u32>(bitcast<vec3<u32>>(redF[0]), 0u);
    }
  }
}

// What the evaluation entries share: the tile, its box, this invocation's 4 points (a row segment).
struct Spot {
  tile: u32,
  box: Box,
  x: vec4<f32>,
  y: f32,
  first: u32,               // index of the first point in the job (row·nx + col)
  lanes: u32,               // points of the 4 inside the grid
}

fn spot(lid: u32, wid: vec3<u32>, nwg: vec3<u32>) -> Spot {
  let tile = wid.x + wid.y * nwg.x;
  let tx = tile % params.tileCols;
  let ty = tile / params.tileCols;
  let row = ty * T + lid / 4u;
  let col = tx * T + (lid % 4u) * 4u;
  var lanes = 0u;
  if (tile < params.tiles && row < params.rows && col < params.nx) {
    lanes = min(4u, params.nx - col);
  }
  let x = params.origin.x + (f32(col) + vec4<f32>(0.0, 1.0, 2.0, 3.0)) * params.step.x;
  let y = params.origin.y + f32(row) * params.step.y;
  return Spot(tile, tile_box(min(tile, params.tiles - 1u)), x, y, row * params.nx + col, lanes);
}

// The tile's crossing-unit count, the same in every invocation.
fn tile_count(tile: u32, lid: u32) -> u32 {
  if (lid == 0u) {
    shared_count = select(0u, atomicLoad(&counts[min(tile, params.tiles - 1u)]), tile < params.tiles);
  }
  return workgroupUniformLoad(&shared_count);
}

// Stages units [base, base + n) of the tile's list (with their hashes for regions).
fn stage_list(tile: u32, base: u32, n: u32, lid: u32) {
  for (var k = lid; k < n; k += EWG) {
    let i = lists[tile * params.capacity + base + k];
    stage[k] = units[i];
    if (REGIONS) {
      stageHash[k] = unit_hash(i);
    }
  }
}

// Overflow path, one batch: classifies units [base, base + SB) itself, stages the crossing ones and returns how
// many; the non-crossing ones go into this invocation's plane (values) or count and pattern (regions).
fn stage_overflow(box: Box, base: u32, lid: u32, plane: ptr<function, vec3<f32>>, nh: ptr<function, vec2<u32>>) -> u32 {
  if (lid == 0u) {
    atomicStore(&crossed, 0u);
  }
  workgroupBarrier();
  let end = min(base + SB, params.unitCount);
  for (var i = base + lid; i < end; i += EWG) {
    let u = units[i];
    let zc = centre_z(u, box);
    if (crosses(u, box, zc)) {
      let slot = atomicAdd(&crossed, 1u);
      stage[slot] = u;
      if (REGIONS) {
        stageHash[slot] = unit_hash(i);
      }
    } else if (REGIONS) {
      if (zc > 0.0) {
        *nh = vec2<u32>((*nh).x + 1u, (*nh).y ^ unit_hash(i));
      }
    } else {
      *plane += plane_term(u, zc);
    }
  }
  workgroupBarrier();
  if (lid == 0u) {
    shared_count = atomicLoad(&crossed);
  }
  return workgroupUniformLoad(&shared_count);
}

// Σ a'·|z| over staged units [0, n) for the invocation's 4 points.
fn sum_abs(n: u32, x: vec4<f32>, y: f32) -> vec4<f32> {
  var p = vec4<f32>(0.0);
  for (var t = 0u; t < n; t++) {
    let u = stage[t];
    p = fma(vec4<f32>(u.w), abs(fma(vec4<f32>(u.x), x, vec4<f32>(fma(u.y, y, u.z)))), p);
  }
  return p;
}

// Count and pattern over staged units [0, n) for the invocation's 4 points.
fn count_on(n: u32, x: vec4<f32>, y: f32, cnt: ptr<function, vec4<u32>>, id: ptr<function, vec4<u32>>) {
  for (var t = 0u; t < n; t++) {
    let u = stage[t];
    let on = fma(vec4<f32>(u.x), x, vec4<f32>(fma(u.y, y, u.z))) > vec4<f32>(0.0);
    *cnt += select(vec4<u32>(0u), vec4<u32>(1u), on);
    *id ^= select(vec4<u32>(0u), vec4<u32>(stageHash[t]), on);
  }
}

@compute @workgroup_size(EWG)
fn values(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = spot(lid, wid, nwg);
  let count = tile_count(s.tile, lid);
  var plane = vec3<f32>(0.0);
  var acc = vec4<f32>(0.0);
  if (count <= params.capacity) {
    if (s.tile < params.tiles) {
      for (var c = 0u; c < params.chunks; c++) {
        plane += bitcast<vec3<f32>>(partials[s.tile * params.chunks + c].xyz);
      }
    }
    for (var base = 0u; base < count; base += SB) {
      let n = min(SB, count - base);
      stage_list(s.tile, base, n, lid);
      workgroupBarrier();
      acc += sum_abs(n, s.x, s.y);
      workgroupBarrier();
    }
  } else {
    var unused = vec2<u32>(0u);
    for (var base = 0u; base < params.unitCount; base += SB) {
      let n = stage_overflow(s.box, base, lid, &plane, &unused);
      acc += sum_abs(n, s.x, s.y);
    }
    redF[lid] = plane;
    workgroupBarrier();
    for (var half = EWG / 2u; half > 0u; half >>= 1u) {
      if (lid < half) {
        redF[lid] += redF[lid + half];
      }
      workgroupBarrier();
    }
    plane = redF[0];
  }
  let lin = params.affine.z + params.affine.x * s.x + params.affine.y * s.y;
  let v = lin + 0.5 * (plane.z + plane.x * (s.x - s.box.c.x) + plane.y * (s.y - s.box.c.y) + acc);
  for (var k = 0u; k < s.lanes; k++) {
    out[params.outBase + s.first + k] = v[k];
  }
}

@compute @workgroup_size(EWG)
fn regions(@builtin(local_invocation_index) lid: u32, @builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = spot(lid, wid, nwg);
  let count = tile_count(s.tile, lid);
  var nh = vec2<u32>(0u);
  var cnt = vec4<u32>(0u);
  var id = vec4<u32>(0u);
  if (count <= params.capacity) {
    if (s.tile < params.tiles) {
      for (var c = 0u; c < params.chunks; c++) {
        let p = partials[s.tile * params.chunks + c];
        nh = vec2<u32>(nh.x + p.x, nh.y ^ p.y);
      }
    }
    for (var base = 0u; base < count; base += SB) {
      let n = min(SB, count - base);
      stage_list(s.tile, base, n, lid);
      workgroupBarrier();
      count_on(n, s.x, s.y, &cnt, &id);
      workgroupBarrier();
    }
  } else {
    var unused = vec3<f32>(0.0);
    for (var base = 0u; base < params.unitCount; base += SB) {
      let n = stage_overflow(s.box, base, lid, &unused, &nh);
      count_on(n, s.x, s.y, &cnt, &id);
    }
    redU[lid] = nh;
    workgroupBarrier();
    for (var half = EWG / 2u; half > 0u; half >>= 1u) {
      if (lid < half) {
        redU[lid] = vec2<u32>(redU[lid].x + redU[lid + half].x, redU[lid].y ^ redU[lid + half].y);
      }
      workgroupBarrier();
    }
    nh = redU[0];
  }
  for (var k = 0u; k < s.lanes; k++) {
    activeCount[params.outBase + s.first + k] = nh.x + cnt[k];
    patternId[params.outBase + s.first + k] = nh.y ^ id[k];
  }
}

// The regions evaluation shaped for CPU-like adapters (SwiftShader): one invocation per tile row (16 points as 4
// vec4 chains, one list read and one unit read per unit for 16 points), no workgroup memory and no barriers. An
// overflowed tile's rows classify every unit against their own row segment. (Values take `values_cache`, below.)
struct Row {
  tile: u32,
  x: array<vec4<f32>, 4>,
  y: f32,
  first: u32,               // index of the row's first point in the job
  lanes: u32,               // points of the 16 inside the grid
  box: Box,                 // the row segment's box (the tile's columns at this row's y)
}

fn tile_row(gid: u32) -> Row {
  let tile = gid / T;
  let tx = tile % params.tileCols;
  let ty = tile / params.tileCols;
  let row = ty * T + gid % T;
  let col = tx * T;
  var lanes = 0u;
  if (tile < params.tiles && row < params.rows) {
    lanes = min(T, params.nx - col);
  }
  let c = f32(col);
  let lane = vec4<f32>(0.0, 1.0, 2.0, 3.0);
  let sx = params.step.x;
  let ox = params.origin.x;
  let x = array<vec4<f32>, 4>(ox + (c + lane) * sx, ox + (c + 4.0 + lane) * sx, ox + (c + 8.0 + lane) * sx, ox + (c + 12.0 + lane) * sx);
  let y = params.origin.y + f32(row) * params.step.y;
  let x1 = ox + (c + f32(T - 1u)) * sx;
  return Row(tile, x, y, row * params.nx + col, lanes, Box(vec2<f32>(0.5 * (x[0].x + x1), y), vec2<f32>(0.5 * (x1 - x[0].x), 0.0)));
}

@compute @workgroup_size(EWG)
fn regions_rows(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = tile_row(gid.x + gid.y * nwg.x * EWG);
  if (r.lanes == 0u) {
    return;
  }
  let count = atomicLoad(&counts[r.tile]);
  var nh = vec2<u32>(0u);
  var n0 = vec4<u32>(0u); var n1 = vec4<u32>(0u); var n2 = vec4<u32>(0u); var n3 = vec4<u32>(0u);
  var i0 = vec4<u32>(0u); var i1 = vec4<u32>(0u); var i2 = vec4<u32>(0u); var i3 = vec4<u32>(0u);
  let listed = count <= params.capacity;
  let end = select(params.unitCount, count, listed);
  if (listed) {
    for (var c = 0u; c < params.chunks; c++) {
      let p = partials[r.tile * params.chunks + c];
      nh = vec2<u32>(nh.x + p.x, nh.y ^ p.y);
    }
  }
  let zero = vec4<u32>(0u);
  let one = vec4<u32>(1u);
  let f0 = vec4<f32>(0.0);
  for (var k = 0u; k < end; k++) {
    var i = k;
    if (listed) {
      i = lists[r.tile * params.capacity + k];
    }
    let u = units[i];
    if (!listed) {
      let zc = centre_z(u, r.box);
      if (!crosses(u, r.box, zc)) {
        if (zc > 0.0) {
          nh = vec2<u32>(nh.x + 1u, nh.y ^ unit_hash(i));
        }
        continue;
      }
    }
    let h = vec4<u32>(unit_hash(i));
    let q = vec4<f32>(fma(u.y, r.y, u.z));
    let w = vec4<f32>(u.x);
    let o0 = fma(w, r.x[0], q) > f0; n0 += select(zero, one, o0); i0 ^= select(zero, h, o0);
    let o1 = fma(w, r.x[1], q) > f0; n1 += select(zero, one, o1); i1 ^= select(zero, h, o1);
    let o2 = fma(w, r.x[2], q) > f0; n2 += select(zero, one, o2); i2 ^= select(zero, h, o2);
    let o3 = fma(w, r.x[3], q) > f0; n3 += select(zero, one, o3); i3 ^= select(zero, h, o3);
  }
  let ns = array<vec4<u32>, 4>(n0, n1, n2, n3);
  let ids = array<vec4<u32>, 4>(i0, i1, i2, i3);
  for (var k = 0u; k < r.lanes; k++) {
    activeCount[params.outBase + r.first + k] = nh.x + ns[k / 4u][k % 4u];
    patternId[params.outBase + r.first + k] = nh.y ^ ids[k / 4u][k % 4u];
  }
}

// The values evaluation for CPU-like adapters, two-level ('cache' shape): `classify` ran on coarse tiles of
// side FPC·T (params.side); here one invocation owns a row of FPC fine T×T tiles of a coarse tile (FPC·256
// points) and refines as it goes: it walks the coarse tile's crossing list (every unit where the coarse list
// overflowed) once, tests each unit against its FPC fine boxes at once (vec4 lanes, as `classify`), adds it to
// the plane (about the fine centre) of each fine tile it misses and packs it into the function-memory cache of
// each one it crosses; when any cache holds SWEEP_TU units, every cache is swept over its tile's 32 chunks of 8
// points by tiles_sweep (shaders/generated/eval2d_tiles_sweep.wgsl, appended by the host: constant cache
// indices, as eval2d_cache8). So a unit's list and unit reads (per-lane gathers in SwiftShader) serve FPC tiles,
// its cached copy 256 points, and the coarse classification tests FPC² fewer tiles than a flat T×T one.
// State lives in function memory (st, sf) between sweeps so the sweep has the registers to itself.
const FPC: u32 = 4u;

// Writes one fine tile's values: the coarse plane pp about pc, the fine plane fp about fc, the swept sums.
fn write_fine(all: ptr<function, array<f32, 256>>, col0: u32, row0: u32, x0: f32, y0: f32, pp: vec3<f32>, pc: vec2<f32>, fp: vec3<f32>, fc: vec2<f32>) {
  if (col0 >= params.nx) {
    return;
  }
  let cols = min(T, params.nx - col0);
  let rows = min(T, params.rows - row0);
  for (var r = 0u; r < rows; r++) {
    let y = y0 + f32(r) * params.step.y;
    for (var q = 0u; q < cols; q++) {
      let x = x0 + f32(q) * params.step.x;
      let lin = params.affine.z + params.affine.x * x + params.affine.y * y;
      let planes = pp.z + pp.x * (x - pc.x) + pp.y * (y - pc.y) + fp.z + fp.x * (x - fc.x) + fp.y * (y - fc.y);
      out[params.outBase + (row0 + r) * params.nx + col0 + q] = lin + 0.5 * (planes + (*all)[r * T + q]);
    }
  }
}

@compute @workgroup_size(EWG)
fn values_cache(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = gid.x + gid.y * nwg.x * EWG;
  let parent = g / FPC;
  let pcol = (parent % params.tileCols) * params.side;
  let row0 = (parent / params.tileCols) * params.side + (g % FPC) * T;
  if (parent >= params.tiles || row0 >= params.rows) {
    return;
  }
  let count = atomicLoad(&counts[parent]);
  let listed = count <= params.capacity;
  var all0: array<f32, 256>;
  var all1: array<f32, 256>;
  var all2: array<f32, 256>;
  var all3: array<f32, 256>;
  var cache0: array<vec4<f32>, SWEEP_TU>;
  var cache1: array<vec4<f32>, SWEEP_TU>;
  var cache2: array<vec4<f32>, SWEEP_TU>;
  var cache3: array<vec4<f32>, SWEEP_TU>;
  // st[0] = (next list position, end, list base, listed). Per fine tile (vec4 lanes): sf[0..2] = its plane
  // (A, B, C) so far; sf[3] = box centre x; sf[4] = the crossing test's x factor (see `classify`); sf[6] = x of
  // its first column. sf[5] = (box centre y, y factor, y of the first row, 0).
  var st: array<vec4<u32>, 2>;
  var sf: array<vec4<f32>, 8>;
  st[0] = vec4<u32>(0u, select(params.unitCount, count, listed), parent * params.capacity, u32(listed));
  for (var q = 0u; q < FPC; q++) {
    let b = box_at(pcol + q * T, row0, T);
    sf[3][q] = b.c.x;
    sf[4][q] = fma(MARGIN, abs(b.c.x) + b.h.x, b.h.x);
    sf[6][q] = params.origin.x + f32(pcol + q * T) * params.step.x;
    if (q == 0u) {
      sf[5] = vec4<f32>(b.c.y, fma(MARGIN, abs(b.c.y) + b.h.y, b.h.y), params.origin.y + f32(row0) * params.step.y, 0.0);
    }
  }
  // |z| as an AND with a runtime mask (a constant one is re-loaded from Subzero's constant pool at every use).
  let absMask = min(params.pad1 | 0x7fffffffu, 0x7fffffffu);
  loop {
    let s = st[0];
    if (s.x >= s.y) {
      break;
    }
    let cx = sf[3];
    let kx = sf[4];
    let cy = sf[5].x;
    let ky = sf[5].y;
    let x0 = sf[6];
    let dx = params.step.x;
    var pa = sf[0];
    var pb = sf[1];
    var pc = sf[2];
    var k = s.x;
    var n = vec4<u32>(0u);
    cache0 = array<vec4<f32>, SWEEP_TU>();
    cache1 = array<vec4<f32>, SWEEP_TU>();
    cache2 = array<vec4<f32>, SWEEP_TU>();
    cache3 = array<vec4<f32>, SWEEP_TU>();
    loop {
      if (max(max(n.x, n.y), max(n.z, n.w)) >= SWEEP_TU || k >= s.y) {
        break;
      }
      var i = k;
      if (s.w != 0u) {
        i = lists[s.z + k];
      }
      let u = units[i];
      let zc = fma(vec4<f32>(u.x), cx, vec4<f32>(fma(u.y, cy, u.z)));
      let thr = fma(vec4<f32>(abs(u.x)), kx, vec4<f32>(fma(abs(u.y), ky, MARGIN * abs(u.z))));
      let cross = abs(zc) <= thr;
      let a = select(vec4<f32>(u.w), vec4<f32>(0.0), cross);
      let sg = select(-a, a, zc > vec4<f32>(0.0));
      pa = fma(sg, vec4<f32>(u.x), pa);
      pb = fma(sg, vec4<f32>(u.y), pb);
      pc = fma(a, abs(zc), pc);
      if (any(cross)) {
        let wdx = u.x * dx;
        if (cross.x) { cache0[n.x] = vec4<f32>(wdx, u.y, fma(u.x, x0.x, u.z), u.w); n.x++; }
        if (cross.y) { cache1[n.y] = vec4<f32>(wdx, u.y, fma(u.x, x0.y, u.z), u.w); n.y++; }
        if (cross.z) { cache2[n.z] = vec4<f32>(wdx, u.y, fma(u.x, x0.z, u.z), u.w); n.z++; }
        if (cross.w) { cache3[n.w] = vec4<f32>(wdx, u.y, fma(u.x, x0.w, u.z), u.w); n.w++; }
      }
      k++;
    }
    st[0].x = k;
    sf[0] = pa;
    sf[1] = pb;
    sf[2] = pc;
    for (var c = 0u; c < 2u * T; c++) {
      let h = f32((c % 2u) * SWEEP_P);
      let y = sf[5].z + f32(c / 2u) * params.step.y;
      tiles_sweep(&cache0, &all0, c * SWEEP_P, h, y, absMask);
      tiles_sweep(&cache1, &all1, c * SWEEP_P, h, y, absMask);
      tiles_sweep(&cache2, &all2, c * SWEEP_P, h, y, absMask);
      tiles_sweep(&cache3, &all3, c * SWEEP_P, h, y, absMask);
    }
  }
  // Dynamic accesses (never executed) keep st and sf in memory.
  if (params.pad2 == 0xdeadbeefu) { all0[0] = sf[params.nx % 7u].x + f32(st[params.nx % 2u].x); }
  // The coarse tile's plane (about its centre) where its list held.
  var pp = vec3<f32>(0.0);
  if (listed) {
    for (var c = 0u; c < params.chunks; c++) {
      pp += bitcast<vec3<f32>>(partials[parent * params.chunks + c].xyz);
    }
  }
  let pcen = tile_box(parent).c;
  let y0 = sf[5].z;
  let cy = sf[5].x;
  write_fine(&all0, pcol, row0, sf[6].x, y0, pp, pcen, vec3<f32>(sf[0].x, sf[1].x, sf[2].x), vec2<f32>(sf[3].x, cy));
  write_fine(&all1, pcol + T, row0, sf[6].y, y0, pp, pcen, vec3<f32>(sf[0].y, sf[1].y, sf[2].y), vec2<f32>(sf[3].y, cy));
  write_fine(&all2, pcol + 2u * T, row0, sf[6].z, y0, pp, pcen, vec3<f32>(sf[0].z, sf[1].z, sf[2].z), vec2<f32>(sf[3].z, cy));
  write_fine(&all3, pcol + 3u * T, row0, sf[6].w, y0, pp, pcen, vec3<f32>(sf[0].w, sf[1].w, sf[2].w), vec2<f32>(sf[3].w, cy));
}

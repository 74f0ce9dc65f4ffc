// eval2d_split: the tiled eval2d with the unit range split over several workgroups per point block ("split-K"):
// workgroup (b, s) sums units of slice s for the 16 points per invocation of block b, and writes the raw partial
// Σ a·|z| (or Σ a·σ(z) for SIGMOID) of its slice to partials[s · pointCount + i]; eval2d_reduce.compute.wgsl then
// adds the slices in order, plus the affine part, into out.
// Why: a small grid is few point blocks (256² at 16 points per invocation: 16 workgroups), which leaves a big GPU
// idle (an H200 has 132 SMs; the unsplit kernel reached 15 % of its FMA peak on 256²). Splitting the units gives
// blocks × S workgroups, each with the inner loop of eval2d (units staged 256 at a time in workgroup memory, four
// vec4 chains, unroll 4, max(0, z) = (z + |z|)/2 with the affine part summed on the host).
// Error: each slice sums per-256-unit tile partials (two-level summation, as eval2d); the reduction adds S slice
// sums in slice order, so the result is deterministic and the float32 error stays within eval2d's bound.
// Passes: a unit range too long for one dispatch is split into passes (see unitKernel.ts planPasses); pass k > 0
// adds its slice sums to the slice partials (accumulate = 1), so one reduction follows the last pass.
// Dispatch: (blocks, S, 1) workgroups; slice s covers units [unitStart + s·per, unitStart + (s+1)·per) of the
// pass, per = ceil(unit count / S) (the host keeps S ≤ the pass's units; an empty slice would write 0).
// Bindings: 0 params (uniform), 1 units: vec4(w1, w2, b, a) per unit, 2 points (interleaved x, y; point mode
// only), 3 partials: S × pointCount f32 (slice-major), bound at exactly that size.

struct Params {
  origin: vec2<f32>,        // grid: (x, y) of the job's first sample
  step: vec2<f32>,          // grid: (dx, dy)
  nx: u32,                  // grid: samples per row
  pointCount: u32,          // points in this job
  unitStart: u32,           // first unit of this pass
  unitCount: u32,           // units in this pass (split over the S slices)
  mode: u32,                // 0 = grid, 1 = point list
  accumulate: u32,          // 0: partial = Σ; 1: partial += Σ (later passes over more units)
  threadsPerRow: u32,       // grid: ceil(nx / 16)
  pad: u32,
  affine: vec4<f32>,        // unused here (added by the reduction)
}

override SIGMOID: bool = false;

const WG: u32 = 256u;
const PPT: u32 = 16u;

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> units: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> points: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> partials: array<f32>;

var<workgroup> tile: array<vec4<f32>, WG>;

// One unit's a·|z| (or a·σ(z)) for 4 points, with its row part r = w2·y + b already formed.
fn term(u: vec4<f32>, x: vec4<f32>, r: vec4<f32>, acc: vec4<f32>) -> vec4<f32> {
  let z = fma(vec4<f32>(u.x), x, r);
  if (SIGMOID) {
    return fma(vec4<f32>(u.w), 1.0 / (1.0 + exp(-z)), acc);
  }
  return fma(vec4<f32>(u.w), abs(z), acc);
}

@compute @workgroup_size(WG)
fn main(@builtin(local_invocation_index) lid: u32,
        @builtin(workgroup_id) wid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let thread = wid.x * WG + lid;
  let slices = nwg.y;
  let slice = wid.y;
  let grid = params.mode == 0u;

  // This workgroup's unit range: slice `slice` of the pass's units. Not rounded to whole tiles: on an H200 that
  // left trailing slices empty once a pass held fewer than 256·S units, and empty workgroups cost time.
  let per = (params.unitCount + slices - 1u) / slices;
  let start = params.unitStart + min(params.unitCount, slice * per);
  let end = params.unitStart + min(params.unitCount, (slice + 1u) * per);

  // The 16 points of this invocation (4 groups of 4 lanes) and where they go.
  var first = 0u;
  var lanes = 0u;
  var x0 = vec4<f32>(0.0); var x1 = vec4<f32>(0.0); var x2 = vec4<f32>(0.0); var x3 = vec4<f32>(0.0);
  var y0 = vec4<f32>(0.0); var y1 = vec4<f32>(0.0); var y2 = vec4<f32>(0.0); var y3 = vec4<f32>(0.0);
  var rowY = 0.0;
  if (grid) {
    let row = thread / params.threadsPerRow;
    let col = (thread % params.threadsPerRow) * PPT;
    if (row < params.pointCount / params.nx) {
      first = row * params.nx + col;
      lanes = min(PPT, params.nx - col);
    }
    rowY = params.origin.y + f32(row) * params.step.y;
    let c = f32(col);
    let lane = vec4<f32>(0.0, 1.0, 2.0, 3.0);
    x0 = params.origin.x + (c + lane) * params.step.x;
    x1 = params.origin.x + (c + 4.0 + lane) * params.step.x;
    x2 = params.origin.x + (c + 8.0 + lane) * params.step.x;
    x3 = params.origin.x + (c + 12.0 + lane) * params.step.x;
  } else {
    first = thread * PPT;
    if (first < params.pointCount) {
      lanes = min(PPT, params.pointCount - first);
    }
    var px: array<f32, 16>;
    var py: array<f32, 16>;
    for (var k = 0u; k < lanes; k++) {
      let p = points[first + k];
      px[k] = p.x;
      py[k] = p.y;
    }
    x0 = vec4<f32>(px[0], px[1], px[2], px[3]);     y0 = vec4<f32>(py[0], py[1], py[2], py[3]);
    x1 = vec4<f32>(px[4], px[5], px[6], px[7]);     y1 = vec4<f32>(py[4], py[5], py[6], py[7]);
    x2 = vec4<f32>(px[8], px[9], px[10], px[11]);   y2 = vec4<f32>(py[8], py[9], py[10], py[11]);
    x3 = vec4<f32>(px[12], px[13], px[14], px[15]); y3 = vec4<f32>(py[12], py[13], py[14], py[15]);
  }

  var t0 = vec4<f32>(0.0); var t1 = vec4<f32>(0.0); var t2 = vec4<f32>(0.0); var t3 = vec4<f32>(0.0);
  for (var base = start; base < end; base += WG) {
    let u = base + lid;
    tile[lid] = select(vec4<f32>(0.0), units[min(u, arrayLength(&units) - 1u)], u < end);
    workgroupBarrier();
    let count = min(WG, end - base);
    var p0 = vec4<f32>(0.0); var p1 = vec4<f32>(0.0); var p2 = vec4<f32>(0.0); var p3 = vec4<f32>(0.0);
    var t = 0u;
    if (grid) {
      // Rows share y, so each unit's w2·y + b is one scalar FMA for all 16 points.
      for (; t + 4u <= count; t += 4u) {
        let ua = tile[t]; let ub = tile[t + 1u]; let uc = tile[t + 2u]; let ud = tile[t + 3u];
        let ra = vec4<f32>(fma(ua.y, rowY, ua.z)); let rb = vec4<f32>(fma(ub.y, rowY, ub.z));
        let rc = vec4<f32>(fma(uc.y, rowY, uc.z)); let rd = vec4<f32>(fma(ud.y, rowY, ud.z));
        p0 = term(ua, x0, ra, p0); p1 = term(ua, x1, ra, p1); p2 = term(ua, x2, ra, p2); p3 = term(ua, x3, ra, p3);
        p0 = term(ub, x0, rb, p0); p1 = term(ub, x1, rb, p1); p2 = term(ub, x2, rb, p2); p3 = term(ub, x3, rb, p3);
        p0 = term(uc, x0, rc, p0); p1 = term(uc, x1, rc, p1); p2 = term(uc, x2, rc, p2); p3 = term(uc, x3, rc, p3);
        p0 = term(ud, x0, rd, p0); p1 = term(ud, x1, rd, p1); p2 = term(ud, x2, rd, p2); p3 = term(ud, x3, rd, p3);
      }
      for (; t < count; t++) {
        let ua = tile[t];
        let ra = vec4<f32>(fma(ua.y, rowY, ua.z));
        p0 = term(ua, x0, ra, p0); p1 = term(ua, x1, ra, p1); p2 = term(ua, x2, ra, p2); p3 = term(ua, x3, ra, p3);
      }
    } else {
      for (; t < count; t++) {
        let ua = tile[t];
        let b = vec4<f32>(ua.z);
        let w2 = vec4<f32>(ua.y);
        p0 = term(ua, x0, fma(w2, y0, b), p0); p1 = term(ua, x1, fma(w2, y1, b), p1);
        p2 = term(ua, x2, fma(w2, y2, b), p2); p3 = term(ua, x3, fma(w2, y3, b), p3);
      }
    }
    t0 += p0; t1 += p1; t2 += p2; t3 += p3;
    workgroupBarrier();
  }

  let sums = array<vec4<f32>, 4>(t0, t1, t2, t3);
  let offset = slice * params.pointCount;
  for (var k = 0u; k < lanes; k++) {
    let i = offset + first + k;
    let sum = sums[k / 4u][k % 4u];
    if (params.accumulate == 0u) {
      partials[i] = sum;
    } else {
      partials[i] = partials[i] + sum;
    }
  }
}

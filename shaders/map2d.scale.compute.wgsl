// map2d scale pass: max |v| (values, regions) or max |v − target| (error) over a frame, into a one-word buffer
// the map's fragment stage reads. Why: the colour map is scaled by the frame's largest magnitude; reducing on
// the GPU avoids reading values back.
// Bindings: 0 params (uniform, Map2DParams: only first, count, mode and targetFirst are used), 1 values
//   (storage, read: f32 values from index first), 2 scale (storage, read_write: the f32 bits of the max —
//   atomicMax on u32 bits is exact because non-negative floats order like their bit patterns; the caller
//   clears it to 0 first), 3 target (storage, read: f32 from targetFirst; read only in error mode).
// Any number of workgroups of 256 grid-stride over the values; each reduces in workgroup memory, then one atomic.

struct Map2DParams {
  rect: vec4<f32>,     // map rectangle in target pixels: left, top, width, height
  size: vec2<f32>,     // target size in pixels
  nx: u32,
  ny: u32,
  first: u32,          // index of value 0 in the bound range
  count: u32,          // nx·ny
  mode: u32,           // 0 values, 1 error (values − target), 2 regions
  targetFirst: u32,    // index of target value 0 in its bound range
  patternFirst: u32,   // unused here
  highlight: u32,      // unused here
  flags: u32,          // unused here
  pad: u32,
}

@group(0) @binding(0) var<uniform> P: Map2DParams;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read_write> scaleBits: atomic<u32>;
@group(0) @binding(3) var<storage, read> targetValues: array<f32>;

var<workgroup> partial: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(local_invocation_index) lid: u32,
        @builtin(num_workgroups) groups: vec3<u32>) {
  let stride = groups.x * 256u;
  let isError = P.mode == 1u;
  var m = 0.0;
  for (var i = gid.x; i < P.count; i += stride) {
    var v = values[P.first + i];
    if (isError) {
      v -= targetValues[P.targetFirst + i];
    }
    let a = abs(v);
    // Infinities and NaN (no target) are skipped, as colormap.ts maxAbs does, so one bad value cannot blank the map.
    if (a <= 0x1.fffffep+127f) {
      m = max(m, a);
    }
  }
  partial[lid] = m;
  workgroupBarrier();
  for (var half = 128u; half > 0u; half >>= 1u) {
    if (lid < half) {
      partial[lid] = max(partial[lid], partial[lid + half]);
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    atomicMax(&scaleBits, bitcast<u32>(partial[0]));
  }
}

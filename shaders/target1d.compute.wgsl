// target1d: a user's target expression evaluated on the GPU, at a grid or at a list of x values.
// Why: the expression compiler (src/model/expression.ts) emits WGSL; this kernel is the harness around it.
// Not complete on its own: src/engine/gpu/target1d.ts prepends WGSL_EXPRESSION_PRELUDE and the generated
// `fn rs_target(x: f32) -> vec2<f32>` (value, 1 if defined). Undefined points are written as a quiet-NaN
// bit pattern through a u32 view, because WGSL does not promise to carry NaN through f32 arithmetic.
// Bindings: 0 params (uniform), 1 points (point mode), 2 out (one u32 = f32 bits per sample).

struct TargetParams {
  x0: f32,       // grid: first x
  dx: f32,       // grid: step
  count: u32,    // samples
  mode: u32,     // 0 = grid, 1 = point list
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> P: TargetParams;
@group(0) @binding(1) var<storage, read> points: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= P.count) {
    return;
  }
  var x = P.x0 + f32(i) * P.dx;
  if (P.mode == 1u) {
    x = points[i];
  }
  let r = rs_target(x);
  out[i] = select(0x7fc00000u, bitcast<u32>(r.x), r.y != 0.0);
}

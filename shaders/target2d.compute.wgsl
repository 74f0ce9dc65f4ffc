// target2d: a user's 2D target expression f(x, y) evaluated on the GPU, on a grid or at a list of (x, y) points.
// Why: the expression compiler (src/model/expression.ts) emits WGSL; this kernel is the harness around it.
// Not complete on its own: src/engine/gpu/target2d.ts prepends WGSL_EXPRESSION_PRELUDE and the generated
// `fn rs_target(x: f32, y: f32) -> vec2<f32>` (value, 1 if defined). Grid coordinates come from the host
// (x_i = xMin + i·dx and y_j in float64, rounded once to f32), so the CPU twin sees exactly the same inputs.
// Undefined points are written as a quiet-NaN bit pattern through a u32 view, because WGSL does not promise
// to carry NaN through f32 arithmetic. Output is row-major: index j·nx + i holds (x_i, y_j).
// Bindings: 0 params (uniform), 1 coords (grid: nx x values then ny y values; points: interleaved x, y),
// 2 out (one u32 = f32 bits per sample).

struct TargetParams {
  count: u32,    // samples
  nx: u32,       // grid: samples per row
  mode: u32,     // 0 = grid, 1 = point list
  pad: u32,
}

const WG: u32 = 256u;

@group(0) @binding(0) var<uniform> P: TargetParams;
@group(0) @binding(1) var<storage, read> coords: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;

@compute @workgroup_size(WG)
fn main(@builtin(global_invocation_id) gid: vec3<u32>,
        @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WG;
  if (i >= P.count) {
    return;
  }
  var x: f32;
  var y: f32;
  if (P.mode == 1u) {
    x = coords[2u * i];
    y = coords[2u * i + 1u];
  } else {
    let row = i / P.nx;
    x = coords[i - row * P.nx];
    y = coords[P.nx + row];
  }
  let r = rs_target(x, y);
  out[i] = select(0x7fc00000u, bitcast<u32>(r.x), r.y != 0.0);
}

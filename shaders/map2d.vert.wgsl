// map2d vertex stage: one quad covering the map rectangle; the fragment stage colours each pixel from the grid.
// Why: the 2D map is drawn straight from the evaluator's value buffer, no read-back and no CPU image.
// Bindings: 0 params (uniform, Map2DParams below), 1 values (storage, read: row-major f32 grid from index first,
//   row j at the j-th y from the bottom), 2 scale (storage, read: the f32 bits of max |v|, from map2d.scale).

struct Map2DParams {
  rect: vec4<f32>,     // map rectangle in target pixels: left, top, width, height
  size: vec2<f32>,     // target size in pixels
  nx: u32,
  ny: u32,
  first: u32,          // index of value 0 in the bound range
  count: u32,          // nx·ny
}

@group(0) @binding(0) var<uniform> P: Map2DParams;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read> scaleBits: u32;

@vertex
fn vs(@builtin(vertex_index) vid: u32) -> @builtin(position) vec4<f32> {
  var corners = array<vec2<f32>, 6>(vec2(0.0, 0.0), vec2(1.0, 0.0), vec2(0.0, 1.0), vec2(0.0, 1.0), vec2(1.0, 0.0), vec2(1.0, 1.0));
  let p = P.rect.xy + corners[vid] * P.rect.zw;
  return vec4<f32>(p.x / P.size.x * 2.0 - 1.0, 1.0 - p.y / P.size.y * 2.0, 0.0, 1.0);
}

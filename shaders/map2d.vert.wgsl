// map2d vertex stage: one quad covering the map rectangle; the fragment stage colours each pixel from the grid.
// Why: the 2D map is drawn straight from the evaluator's buffers, no read-back and no CPU image.
// Bindings: 0 params (uniform, Map2DParams below), 1 values (storage, read: row-major f32 grid from index first,
//   row j at the j-th y from the bottom), 2 scale (storage, read: the f32 bits of the frame's max |v| or
//   max |v − target|, from map2d.scale), 3 target (storage, read: f32 from targetFirst, NaN = no target; a
//   placeholder unless mode is error), 4 pattern (storage, read: u32 activation-pattern ids from patternFirst;
//   a placeholder unless mode is regions or a highlight is on).

struct Map2DParams {
  rect: vec4<f32>,     // map rectangle in target pixels: left, top, width, height
  size: vec2<f32>,     // target size in pixels
  nx: u32,
  ny: u32,
  first: u32,          // index of value 0 in the bound range
  count: u32,          // nx·ny
  mode: u32,           // 0 values, 1 error (values − target), 2 regions (pattern colours)
  targetFirst: u32,    // index of target value 0 in its bound range
  patternFirst: u32,   // index of pattern id 0 in its bound range
  highlight: u32,      // the pattern id to highlight (when flags bit 0 is set)
  flags: u32,          // bit 0: highlight the region with id `highlight`; bit 1: draw contour lines
  pad: u32,
}

@group(0) @binding(0) var<uniform> P: Map2DParams;
@group(0) @binding(1) var<storage, read> values: array<f32>;
@group(0) @binding(2) var<storage, read> scaleBits: u32;
@group(0) @binding(3) var<storage, read> targetValues: array<f32>;
@group(0) @binding(4) var<storage, read> patternIds: array<u32>;

@vertex
fn vs(@builtin(vertex_index) vid: u32) -> @builtin(position) vec4<f32> {
  var corners = array<vec2<f32>, 6>(vec2(0.0, 0.0), vec2(1.0, 0.0), vec2(0.0, 1.0), vec2(0.0, 1.0), vec2(1.0, 0.0), vec2(1.0, 1.0));
  let p = P.rect.xy + corners[vid] * P.rect.zw;
  return vec4<f32>(p.x / P.size.x * 2.0 - 1.0, 1.0 - p.y / P.size.y * 2.0, 0.0, 1.0);
}

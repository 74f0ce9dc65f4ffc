// map2d fragment stage: the colour of this pixel, bilinear between the colours of the four nearest grid cells
// (cell centres at (i + ½, j + ½), clamped at the edges), as a smoothed drawImage of the coloured grid shows.
// The colour map (blue < 0 < red, white at 0, scaled by max |v|) is the twin of src/views/map2d/colormap.ts.
// Bindings: the same as map2d.vert.wgsl (this file is appended to it into one module).

fn colourOf(v: f32, scale: f32) -> vec3<f32> {
  var m = 0.0;
  var s = 0.0;
  if (scale > 0.0) {
    m = min(1.0, abs(v) / scale);
    s = v;
  }
  return vec3<f32>(select(1.0 - m, 1.0, s > 0.0), 1.0 - 0.85 * m, select(1.0 - m, 1.0, s < 0.0));
}

fn cell(i: i32, j: i32, scale: f32) -> vec3<f32> {
  return colourOf(values[P.first + u32(j) * P.nx + u32(i)], scale);
}

@fragment
fn fs(@builtin(position) pos: vec4<f32>) -> @location(0) vec4<f32> {
  let scale = bitcast<f32>(scaleBits);
  // Fractions across the map, y from the bottom (pos is the pixel centre).
  let f = vec2<f32>((pos.x - P.rect.x) / P.rect.z, 1.0 - (pos.y - P.rect.y) / P.rect.w);
  let g = f * vec2<f32>(f32(P.nx), f32(P.ny)) - 0.5;
  let g0 = floor(g);
  let t = g - g0;
  let hi = vec2<i32>(i32(P.nx) - 1, i32(P.ny) - 1);
  let a = clamp(vec2<i32>(g0), vec2<i32>(0), hi);
  let b = clamp(vec2<i32>(g0) + 1, vec2<i32>(0), hi);
  let bottom = mix(cell(a.x, a.y, scale), cell(b.x, a.y, scale), t.x);
  let top = mix(cell(a.x, b.y, scale), cell(b.x, b.y, scale), t.x);
  return vec4<f32>(mix(bottom, top, t.y), 1.0);
}

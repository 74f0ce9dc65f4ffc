// plot1d fragment stage: coverage from the distance to the line's centre (1 px antialiased edge),
// optional dashes along x, premultiplied output for alpha blending over the axes below.
// Bindings: the same as plot1d.vert.wgsl (this file is appended to it into one module).

@fragment
fn fs(in: VSOut) -> @location(0) vec4<f32> {
  let coverage = clamp(P.halfWidth + 0.5 - abs(in.dist), 0.0, 1.0);
  if (P.dash > 0.0 && fract(in.px / P.dash) > 0.6) {
    discard;
  }
  let a = P.color.a * coverage;
  return vec4<f32>(P.color.rgb * a, a);
}

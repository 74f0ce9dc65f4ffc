// surface fragment stage: flat shading, so every facet of the piecewise-planar surface reads as one plane.
// Why derivatives: the normal is cross(dpdx, dpdy) of the interpolated scene position, the plane of the triangle
//   under the pixel, with no normals to compute or store per vertex. The twin is src/views/surface3d/shading.ts
//   (LIGHT, AMBIENT, DIFFUSE, the pattern hash); the height colour map is the 2D map's (map2d.frag.wgsl).
// Bindings: the same as surface.vert.wgsl (this file is appended to it into one module).

const LIGHT = vec3<f32>(0.35, -0.55, 0.76) / length(vec3<f32>(0.35, -0.55, 0.76));
const AMBIENT = 0.38;
const DIFFUSE = 0.62;

fn heightColour(v: f32, scale: f32) -> vec3<f32> {
  var m = 0.0;
  var s = 0.0;
  if (scale > 0.0) {
    m = min(1.0, abs(v) / scale);
    s = v;
  }
  return vec3<f32>(select(1.0 - m, 1.0, s > 0.0), 1.0 - 0.85 * m, select(1.0 - m, 1.0, s < 0.0));
}

// lowbias32 of the pattern id, as mixPattern in shading.ts.
fn patternColour(id: u32) -> vec3<f32> {
  var h = id * 0x9e3779b1u;
  h ^= h >> 16u;
  h *= 0x7feb352du;
  h ^= h >> 15u;
  h *= 0x846ca68bu;
  h ^= h >> 16u;
  return 0.3 + 0.6 * vec3<f32>(f32(h & 255u), f32((h >> 8u) & 255u), f32((h >> 16u) & 255u)) / 255.0;
}

// The light on the facet under this pixel, with its normal turned towards the eye (both sides lit alike).
fn shade(scene: vec3<f32>) -> f32 {
  let n = cross(dpdx(scene), dpdy(scene));
  let len = length(n);
  if (!(len > 0.0)) {
    return AMBIENT + DIFFUSE;
  }
  let facing = select(1.0, -1.0, dot(n, P.eye.xyz - scene) < 0.0);
  return AMBIENT + DIFFUSE * max(0.0, facing * dot(n, LIGHT) / len);
}

@fragment
fn fsSurface(f: SurfaceOut) -> @location(0) vec4<f32> {
  let light = shade(f.scene);
  var base: vec3<f32>;
  if (P.mode == 1u) {
    let g = vec2<u32>(min(round(f.grid), vec2<f32>(f32(P.nx - 1u), f32(P.ny - 1u))));
    base = patternColour(pattern[P.patternFirst + g.y * P.nx + g.x]);
  } else {
    base = heightColour(f.value, P.colourScale);
  }
  return vec4<f32>(base * light, 1.0);
}

// The target as a translucent surface: its colour (premultiplied) times the light.
@fragment
fn fsTarget(f: SurfaceOut) -> @location(0) vec4<f32> {
  let light = shade(f.scene);
  return vec4<f32>(P.colour.rgb * light, P.colour.a);
}

// Lines: the wireframe and the creases, in one premultiplied colour.
@fragment
fn fsFlat() -> @location(0) vec4<f32> {
  return P.colour;
}

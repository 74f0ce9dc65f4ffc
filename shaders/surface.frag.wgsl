// surface fragment stage: flat shading, so every facet of the piecewise-planar surface reads as one plane.
// Why derivatives: the normal is cross(dpdx, dpdy) of the interpolated scene position, the plane of the triangle
//   under the pixel, with no normals to compute or store per vertex. The twin is src/views/surface3d/shading.ts
//   (LIGHT, AMBIENT, DIFFUSE, the pattern hash); the height colour map is the 2D map's (map2d.frag.wgsl).
// Bindings: the same as surface.vert.wgsl (surfaceGpu.ts joins surface.vert, regionColor and this file into one module).

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

// patternColour comes from shaders/regionColor.wgsl (colormap.ts patternColour): a region looks the same in both views.

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
  if (P.unit.w > 0.5) {
    // The selected unit's hinged plane: where it is active, tinted orange (as the canvas twin does).
    let x = mix(P.view.x, P.view.y, 0.5 * (f.scene.x + 1.0));
    let y = mix(P.view.z, P.view.w, 0.5 * (f.scene.y + 1.0));
    if (P.unit.x * x + P.unit.y * y + P.unit.z > 0.0) {
      base = mix(base, vec3<f32>(1.0, 0.55, 0.05), 0.35);
    }
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

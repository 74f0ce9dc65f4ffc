// The region colours of the 2D map and the surface: a stable colour per activation-pattern id, so a region looks the
// same in both views. The twin is src/model/colormap.ts (mixId, patternColour); map2dGpu.ts and surfaceGpu.ts
// put this file between their vertex and fragment stages in one module.

// murmur3's finaliser, the twin of mixId in colormap.ts.
fn mixId(id: u32) -> u32 {
  var x = id;
  x ^= x >> 16u;
  x *= 0x85ebca6bu;
  x ^= x >> 13u;
  x *= 0xc2b2ae35u;
  x ^= x >> 16u;
  return x;
}

fn patternColour(id: u32) -> vec3<f32> {
  let h = mixId(id);
  let hue = f32(h >> 8u) / 16777216.0;
  let sat = 0.5 + 0.25 * f32(h & 15u) / 15.0;
  let light = 0.6 + 0.15 * f32((h >> 4u) & 15u) / 15.0;
  let chroma = (1.0 - abs(2.0 * light - 1.0)) * sat;
  let hp = hue * 6.0;
  let x = chroma * (1.0 - abs(hp - 2.0 * floor(hp / 2.0) - 1.0));
  let m = light - chroma / 2.0;
  var c = vec3<f32>(chroma, 0.0, x);
  switch (u32(floor(hp))) {
    case 0u: { c = vec3<f32>(chroma, x, 0.0); }
    case 1u: { c = vec3<f32>(x, chroma, 0.0); }
    case 2u: { c = vec3<f32>(0.0, chroma, x); }
    case 3u: { c = vec3<f32>(0.0, x, chroma); }
    case 4u: { c = vec3<f32>(x, 0.0, chroma); }
    default: {}
  }
  return c + m;
}

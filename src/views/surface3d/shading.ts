/**
 * The surface's colours and light, in plain TypeScript: the CPU twin of shaders/surface.frag.wgsl and what the
 * canvas fallback paints with. Heights use the 2D map's colour map (blue < 0 < red); regions get a colour hashed
 * from their activation-pattern id; a facet's shade comes from its normal in scene coordinates and one light.
 */
import { type Rgb, colourOf } from '../../model/colormap.ts';

/** Direction towards the light in scene coordinates (normalised): from the front right, high up. */
export const LIGHT: readonly [number, number, number] = (() => {
  const v = [0.35, -0.55, 0.76];
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n] as const;
})();
/** Shade = AMBIENT + DIFFUSE · max(0, n·LIGHT), with n turned towards the eye (both sides of a facet are lit alike). */
export const AMBIENT = 0.38;
export const DIFFUSE = 0.62;

/** The shade of a facet with normal n (any length) seen from `toEye` (any vector from the facet towards the eye). */
export function shadeOf(n: readonly [number, number, number], toEye: readonly [number, number, number]): number {
  const len = Math.hypot(n[0], n[1], n[2]);
  if (!(len > 0)) return AMBIENT + DIFFUSE;
  const s = n[0] * toEye[0] + n[1] * toEye[1] + n[2] * toEye[2] < 0 ? -1 / len : 1 / len;
  const d = s * (n[0] * LIGHT[0] + n[1] * LIGHT[1] + n[2] * LIGHT[2]);
  return AMBIENT + DIFFUSE * Math.max(0, d);
}

/** The colour of height z when the colour map is scaled by `scale` (the larger of |zMin| and |zMax|). */
export function heightColour(z: number, scale: number): Rgb {
  return colourOf(z, scale);
}

/** The colour scale of a z range: heights are coloured like the top-down map, white at 0. */
export function heightScale(zRange: readonly [number, number]): number {
  return Math.max(Math.abs(zRange[0]), Math.abs(zRange[1]));
}

/** The stable colour of an activation-pattern id: the map's (colormap.ts), so a region looks the same in both views. */
export { patternColour } from '../../model/colormap.ts';

/**
 * What the 2D calibration measured and the cost models it fitted, as `npm run bench` calibrates them: every
 * timing of the ladder (values), then each candidate's coefficients and its predictions at a few big sizes. For
 * checking a pick the bench report calls wrong (bench/NOTES.md, "Quiet-machine runs after the merges").
 *
 *   npx tsx --import ./scripts/register-raw.mjs scripts/calibration-models.ts [auto|cpu|swiftshader]
 */
import { nodeGpu } from '../src/bench/nodeHost.ts';
import { benchPicker } from '../src/bench/picked.ts';
import { predictMs } from '../src/engine/calibrate2d.ts';

const mode = (process.argv[2] ?? 'auto') as 'auto' | 'cpu' | 'swiftshader';
const g = await nodeGpu(mode);
const picker = await benchPicker(g.gpu, g.adapter, g.device, () => performance.now());
console.log('candidate  N  side  ms');
for (const s of picker.calibration.samples) if (s.output === 'values') console.log(s.id, s.n, s.nx, s.ms.toFixed(3));
const sizes = [[4096, 128], [4096, 512], [65536, 512], [65536, 1024]];
for (const id of picker.calibration.candidates) {
  const m = picker.model(id, 'values');
  if (!m) continue;
  const at = sizes.map(([n, side]) => `${n}/${side}²: ${predictMs(m, n, side, side).toFixed(1)} ms`).join('  ');
  console.log(`${id} (${m.scaling}) coef ${m.coef.map((c) => c.toExponential(2)).join(' ')} → ${at}`);
}
process.exit(0);

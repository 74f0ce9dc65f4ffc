/**
 * What the 2D calibration measured and the cost models it fitted, as `npm run bench` calibrates them: every
 * timing of the ladder (values), then each candidate's coefficients and its predictions at a few big sizes. For
 * checking a pick the bench report calls wrong (bench/NOTES.md, "Quiet-machine runs after the merges").
 *
 *   npx tsx --import ./scripts/register-raw.mjs scripts/calibration-models.ts [auto|cpu|swiftshader] [DIR/results.json]
 *
 * With a bench run's results.json (same machine), each 2D value point's predictions beside the run's medians; where
 * the run saved its calibration (`picks.calibration`, written by `npm run bench -- --out DIR`), its own models
 * rather than a new calibration's (`--recalibrate` measures anew).
 */
import { readFileSync } from 'node:fs';
import { nodeGpu } from '../src/bench/nodeHost.ts';
import { benchPicker, predictedPoints } from '../src/bench/picked.ts';
import { autoKernel2D } from '../src/engine/gpu/context.ts';
import { type Calibration2D, Picker2D, predictMs } from '../src/engine/calibrate2d.ts';
import type { BenchResult } from '../src/bench/runner.ts';

const args = process.argv.slice(2).filter((a) => a !== '--recalibrate');
const mode = (args[0] ?? 'auto') as 'auto' | 'cpu' | 'swiftshader';
const resultsPath = args[1];
const saved = resultsPath ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as BenchResult & { picks?: { calibration: Calibration2D } }) : null;
const g = await nodeGpu(mode);
const reuse = saved?.picks?.calibration && !process.argv.includes('--recalibrate');
const picker = reuse ? new Picker2D(saved!.picks!.calibration) : await benchPicker(g.gpu, g.adapter, g.device, () => performance.now());
console.log(reuse ? `The run's own calibration (${resultsPath}).` : 'A new calibration.');
console.log('candidate  N  side  ms');
for (const s of picker.calibration.samples) if (s.output === 'values') console.log(s.id, s.n, s.nx, s.ms.toFixed(3));
const sizes = [[4096, 128], [4096, 512], [65536, 512], [65536, 1024]];
for (const id of picker.calibration.candidates) {
  const m = picker.model(id, 'values');
  if (!m) continue;
  const at = sizes.map(([n, side]) => `${n}/${side}²: ${predictMs(m, n, side, side).toFixed(1)} ms`).join('  ');
  console.log(`${id} (${m.scaling}) coef ${m.coef.map((c) => c.toExponential(2)).join(' ')} → ${at}`);
}
if (saved) {
  const result = saved;
  const kernel2D = g.device && g.adapter ? autoKernel2D(g.adapter, g.device) : 'tiled';
  console.log('\nN  grid  candidate (bench method): predicted / measured ms (ratio); * the pick');
  let last = '';
  for (const p of predictedPoints(result, picker, kernel2D)) {
    const key = `${p.n} ${p.grid}`;
    if (key !== last) console.log(key);
    last = key;
    const side = Number(p.grid.split('x')[0]);
    const pick = picker.pick('values', p.n, side, side)?.id === p.id;
    const meas = p.measuredMs !== null ? `${p.measuredMs.toPrecision(3)} (${(p.predictedMs / p.measuredMs).toFixed(2)})` : '–';
    console.log(`  ${pick ? '*' : ' '} ${p.id} (${p.method ?? '–'}): ${p.predictedMs.toPrecision(3)} / ${meas}`);
  }
}
process.exit(0);

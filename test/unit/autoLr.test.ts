import { describe, expect, it } from 'vitest';
import { ACTIVATIONS, act, actDeriv, type Activation } from '../../src/model/activation.ts';
import { type Network, randomNetwork, seededRandom } from '../../src/model/network.ts';
import { evaluateNetwork1D } from '../../src/model/piecewise1d.ts';
import { sampleTarget } from '../../src/model/targets.ts';
import { Trainer1D } from '../../src/model/train1d.ts';
import { autoLr, defaultLr } from '../../src/model/trainSetup.ts';
import { construct, fitInputsOf } from '../../src/state/construction.ts';
import { initialState, targetOf } from '../../src/state/state.ts';

/** autoLr by its definition, O(N·M): Adam's first-step direction, the sum's change along it, lr* = Σru/Σu². */
function bruteAutoLr(net: Network, xs: number[], ys: number[], eps = 1e-8): number {
  const activation = (net.activation ?? 'relu') as Activation;
  const m = xs.length;
  const r = Array.from(evaluateNetwork1D(net, xs), (f, j) => f - ys[j]);
  const dir = (g: number) => g / (Math.abs(g) + eps);
  const u = new Array<number>(m).fill(dir((2 / m) * r.reduce((s, v) => s + v, 0)));
  for (let i = 0; i < net.a.length; i++) {
    const { w, b, a } = { w: net.w[i], b: net.b[i], a: net.a[i] };
    let ga = 0;
    let gb = 0;
    let gw = 0;
    xs.forEach((x, j) => {
      const z = w * x + b;
      ga += r[j] * act(activation, z);
      gb += r[j] * a * actDeriv(activation, z);
      gw += r[j] * a * actDeriv(activation, z) * x;
    });
    const [da, db, dw] = [ga, gb, gw].map((g) => dir((2 / m) * g));
    xs.forEach((x, j) => {
      const z = w * x + b;
      u[j] += da * act(activation, z) + a * actDeriv(activation, z) * (db + dw * x);
    });
  }
  let ru = 0;
  let uu = 0;
  for (let j = 0; j < m; j++) {
    ru += r[j] * u[j];
    uu += u[j] * u[j];
  }
  const best = ru / uu;
  return Number.isFinite(best) && best > 0 ? Math.min(defaultLr(net.a.length), best / 2) : defaultLr(net.a.length);
}

describe('autoLr: the auto learning rate follows the fit, so a first step never raises the loss', () => {
  it('equals its O(N·M) definition for every activation (random networks and samples, awkward sizes)', () => {
    const rnd = seededRandom(5);
    for (const activation of ACTIVATIONS) {
      for (const n of [1, 7, 63, 65]) {
        const net: Network = { ...randomNetwork(1, n, n + 11), activation };
        // A good fit of a few of its own values (tiny residuals), so lr* is below defaultLr and decides.
        const xs = Array.from({ length: 37 }, () => -2 + 4 * rnd());
        const ys = Array.from(evaluateNetwork1D(net, xs), (f) => f + 1e-3 * (rnd() - 0.5));
        const fast = autoLr(net, { xs, ys });
        const slow = bruteAutoLr(net, xs, ys);
        expect(Math.abs(fast - slow), `${activation} N=${n}: ${fast} vs ${slow}`).toBeLessThanOrEqual(1e-9 * slow);
      }
    }
  });

  it('is defaultLr(N) far from a fit (a random network), and never above it', () => {
    const xs = Array.from({ length: 101 }, (_, j) => -3 + (6 * j) / 100);
    const ys = xs.map((x) => 5 * Math.sin(x));
    for (const n of [1, 16, 300]) {
      const net = randomNetwork(1, n, 3);
      expect(autoLr(net, { xs, ys })).toBeLessThanOrEqual(defaultLr(n));
    }
    expect(autoLr({ dim: 1, w: [], b: [], a: [], c: 0 }, { xs, ys })).toBe(defaultLr(0));
  });

  it('from the interpolation of the default targets, the first Adam steps lower the loss at N = 16, 256, 4,096 and 65,536 (CPU twin)', () => {
    const cases: Array<[string, number]> = [];
    for (const id of ['sin', 'square', 'step', 'gaussian', 'wiggle', 'noisy']) for (const n of [16, 256, 4096]) cases.push([id, n]);
    cases.push(['sin', 65_536]);
    for (const [id, n] of cases) {
      const s = { ...initialState(), target: { kind: 'builtin' as const, id }, build: 'interpolate' as const, units: n };
      const inputs = fitInputsOf(s)!;
      const net = construct(inputs, inputs.build);
      const t = targetOf(s.target);
      // What the trainer trains on (app/training.ts: 512 samples of an expression target, or the data).
      const samples = t.samples ?? sampleTarget(t.f, t.domain, 512);
      const lr = autoLr(net, samples);
      const trainer = new Trainer1D(net, samples, { lr });
      const start = trainer.step(0);
      const steps = n === 65_536 ? 2 : 3;
      for (let k = 1; k <= steps; k++) {
        const loss = trainer.step(1);
        expect(loss, `${id} N=${n} step ${k}: ${loss} from ${start} (lr ${lr})`).toBeLessThanOrEqual(start);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { MAX_ABS_OUTPUT, MAX_ABS_VALUE, formatValue, outsideRange, worstCaseOutput } from '../../src/model/limits.ts';
import { randomNetwork } from '../../src/model/network.ts';
import { StateError, Store, initialState, outputOverflow, reduce } from '../../src/state/state.ts';
import { construct } from '../../src/state/construction.ts';
import { linkBulk } from '../../src/state/urlState.ts';
import type { FitRunner } from '../../src/state/fitRunner.ts';

function refusal(f: () => unknown): StateError {
  try {
    f();
  } catch (e) {
    if (e instanceof StateError) return e;
    throw e;
  }
  throw new Error('accepted');
}

describe('one range for every number', () => {
  it('words a value outside the range with the bound and why', () => {
    expect(outsideRange(1e39)).toBe('1e39 is outside ±1e15 (what float32 holds with headroom)');
    expect(formatValue(-2.5e20)).toBe('-2.5e20');
    expect(formatValue(0.125)).toBe('0.125');
    expect(MAX_ABS_VALUE).toBe(1e15);
  });

  it('bounds every partial sum of the network over the inputs it is evaluated at', () => {
    const net = { dim: 2, w: [1, -2, 0.5, 0], b: [3, -1], a: [-4, 2], c: 5 };
    // |c| + |a0|(|w00|·2 + |w01|·3 + |b0|) + |a1|(|w10|·2 + |w11|·3 + |b1|) = 5 + 4·11 + 2·2
    expect(worstCaseOutput(net, [2, 3])).toBe(53);
  });

  it('refuses, at every entrance to the state, a network whose sum could overflow float32 over the view and domain', () => {
    const s = initialState();
    const big = { dim: 1, w: [1e15, 1e15], b: [0, 0], a: [1e15, -1e15], c: 0 };
    const e = refusal(() => reduce(s, { network: big }));
    expect(e.field).toBe('network');
    expect(e.message).toMatch(/sum can reach 6\.\d+e30 where \|x\| ≤ 3\.\d+ .*beyond 1e30.*float32/);
    // Each value alone is fine: the same network over a narrower window with a narrower target is accepted.
    const small = { dim: 1, w: [1e6, 1e6], b: [0, 0], a: [1e6, -1e6], c: 0 };
    const ok = reduce(s, { network: small }).state;
    // Zooming out until the sum could overflow is refused, naming the view.
    const far = { dim: 1, w: [1e15, 1], b: [0, 0], a: [1e14, 1], c: 0 };
    const st = reduce(s, { network: far, target: { kind: 'builtin', id: 'abs' }, view: { xMin: -1, xMax: 1 } }).state;
    expect(refusal(() => reduce(st, { view: { xMin: -1e3, xMax: 1e3 } })).field).toBe('view');
    expect(ok.network.a).toEqual([1e6, -1e6]);
    expect(outputOverflow(ok.network, ok)).toBeNull();
    expect(MAX_ABS_OUTPUT).toBe(1e30);
  });

  it('fails a fit whose network could overflow, with the state back as it was', async () => {
    const runner: FitRunner = { fit: async (inputs) => ({ ...construct(inputs, inputs.build), a: [1e15, 1e15, 1e15, 1e15, 1e15, 1e15, 1e15, 1e15], w: [1e15, 1e15, 1e15, 1e15, 1e15, 1e15, 1e15, 1e15] }) };
    const store = new Store(initialState(), runner);
    const before = store.state;
    store.set({ placement: 'curvature' });
    await expect(store.settled()).rejects.toThrow(/construction built a network whose sum can reach/);
    expect(store.state.network).toBe(before.network);
    expect(store.state.placement).toBe('uniform');
  });

  it('views keep to ±1e15 like every other number', () => {
    expect(refusal(() => reduce(initialState(), { view: { xMin: -2e15, xMax: 1 } })).message).toBe('Invalid state: view.xMin: -2e15 is outside ±1e15 (what float32 holds with headroom)');
    expect(refusal(() => reduce(initialState(), { mode: '2d', view2d: { yMax: 1e300 } })).field).toBe('view2d.yMax');
  });
});

describe('the too-big-link note', () => {
  it('names what makes the link long: the data set, not the custom units', () => {
    const xs = Array.from({ length: 3000 }, (_, i) => i / 7);
    const s = reduce(initialState(), { network: randomNetwork(1, 64, 2), target: { kind: 'data', xs, ys: xs.map(Math.sin) } }).state;
    expect(linkBulk(s)).toMatch(/^its data set of 3,000 points \(\d{1,3}(,\d{3})* characters\)$/);
    const n = reduce(initialState(), { network: randomNetwork(1, 3000, 2) }).state;
    expect(linkBulk(n)).toMatch(/^its 3,000 custom units/);
  });
});

describe('GPU fault messages', () => {
  it('say anything that is not a GPU fault of ours in plain words: no compiler text, no engine wording', async () => {
    const { plainGpuFault } = await import('../../src/engine/gpu/errors.ts');
    class GPUPipelineError extends Error {
      override name = 'GPUPipelineError';
    }
    expect(plainGpuFault(new GPUPipelineError('error: unresolved identifier foo\n  let x = foo(1.0);'))).toBe('the GPU could not compile a shader');
    expect(plainGpuFault(new TypeError("Cannot read properties of undefined (reading 'x')"))).toMatch(/^an internal error \(TypeError\)/);
    expect(plainGpuFault(new Error('line one\nline two'))).toBe('line one');
  });
});

import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../../src/model/activation.ts';
import { randomNetwork, validateNetwork } from '../../src/model/network.ts';
import { piecewise1D, piecewiseOf } from '../../src/model/piecewise1d.ts';
import { prepare1D, slopeOrder, slopeOrderOf } from '../../src/model/prepared1d.ts';
import { decodeFitReply, handleFitMessage, transferablesOf } from '../../src/state/fitProtocol.ts';
import { construct, fitInputsOf } from '../../src/state/construction.ts';
import { initialState } from '../../src/state/state.ts';

describe('prepared 1D forms (computed in the fit worker, adopted on the main thread)', () => {
  it('the slope order lists every unit once by a·w, positive and negative apart', () => {
    for (const n of [1, 63, 65, 1500]) {
      const net = randomNetwork(1, n, n + 3);
      net.a[0] = 0;
      const s = slopeOrder(net);
      expect(s.pos.length + s.neg.length + s.zero).toBe(n);
      expect(new Set([...s.pos, ...s.neg]).size).toBe(s.pos.length + s.neg.length);
      for (const order of [s.pos, s.neg]) for (let k = 1; k < order.length; k++) expect(net.a[order[k]] * net.w[order[k]]).toBeGreaterThanOrEqual(net.a[order[k - 1]] * net.w[order[k - 1]]);
      for (const i of s.pos) expect(net.a[i]).toBeGreaterThan(0);
      for (const i of s.neg) expect(net.a[i]).toBeLessThan(0);
    }
  });

  it('a worker reply lands validated, with the same piecewise form and slope order as computed on the spot', () => {
    for (const activation of ACTIVATIONS) {
      const s = { ...initialState(), build: 'least-squares' as const, units: activation === 'sigmoid' ? 77 : 777, activation };
      const inputs = fitInputsOf(s)!;
      // What crosses the thread boundary: a structured clone (the worker transfers the listed buffers).
      const reply = handleFitMessage(structuredClone({ id: 1, inputs }));
      expect(reply.ok ? '' : activation + ': ' + reply.message).toBe('');
      expect(transferablesOf(reply).length).toBeGreaterThan(3);
      const net = decodeFitReply(structuredClone(reply));
      const fresh = validateNetwork(construct(inputs, inputs.build));
      expect(net).toEqual(fresh);
      expect(validateNetwork(net)).toBe(net);
      const prepared = reply.ok ? reply.prepared! : null;
      if (activation === 'sigmoid') expect(prepared?.pieces).toBeNull();
      else {
        const pl = piecewiseOf(validateNetwork(net));
        expect(pl).toEqual(piecewise1D(fresh));
        // Adopted, not recomputed: the reply's own arrays.
        expect(pl.knots.length).toBe(prepared!.pieces!.knots.length);
      }
      expect(slopeOrderOf(net)).toEqual(slopeOrder(fresh));
    }
  });

  it('2D networks have no 1D forms; a reply of an unusable network comes back as plain arrays for the store to report', () => {
    expect(prepare1D(randomNetwork(2, 5, 1))).toBeNull();
    const bad = decodeFitReply({ id: 1, ok: true, network: { dim: 1, w: new Float64Array([1, 2]), b: new Float64Array([0]), a: new Float64Array([1]), c: 0 }, prepared: null });
    expect(bad.w).toEqual([1, 2]);
    expect(() => validateNetwork(bad)).toThrow();
  });
});

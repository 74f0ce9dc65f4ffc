import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { type Activation, act } from '../../src/model/activation.ts';
import { LOD_TERMS, knotHistogram, largestTerms, lodNote, termBand, termPeak } from '../../src/views/plot1d/lod.ts';
import { type Network, randomNetwork, seededRandom } from '../../src/model/network.ts';

const term = (net: Network, i: number, x: number) => net.a[i] * Math.max(0, net.w[i] * x + net.b[i]);

/** A network with some zero weights, zero output weights and repeated slopes, which the envelope must survive. */
function awkwardNetwork(n: number, seed: number): Network {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const w: number[] = [];
  const b: number[] = [];
  const a: number[] = [];
  for (let i = 0; i < n; i++) {
    w.push(rnd() < 0.1 ? 0 : pick([1, -1, 2, -0.5, rnd() * 4 - 2]));
    b.push(rnd() * 2 - 1);
    a.push(rnd() < 0.1 ? 0 : rnd() < 0.2 ? pick([0.5, -0.5]) : rnd() * 2 - 1);
  }
  return { dim: 1, w, b, a, c: 0 };
}

const xsOf = (x0: number, x1: number, g: number) => Array.from({ length: g }, (_, s) => x0 + ((x1 - x0) * s) / (g - 1));

describe('largestTerms', () => {
  it('picks the k terms with the largest peak over the view, largest first, and keeps the selected unit', () => {
    for (const n of [1, 7, 65, 300]) {
      const net = randomNetwork(1, n, n);
      const k = Math.min(LOD_TERMS, n);
      const got = largestTerms(net, -1.5, 0.7, k, n - 1);
      const peaks = Array.from({ length: n }, (_, i) => termPeak(net, i, -1.5, 0.7));
      const brute = [...peaks.keys()].sort((p, q) => peaks[q] - peaks[p] || p - q).slice(0, k);
      expect(got.slice(0, k)).toEqual(brute);
      expect(got).toContain(n - 1);
      expect(got.length).toBe(brute.includes(n - 1) ? k : k + 1);
    }
  });

  it('agrees with a full sort with many ties and with peaks growing with the index (a least-squares fit)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 0, max: 80 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), (n, k, levels, grow) => {
        // Few distinct |a| (ties), or knots and weights growing with i (every unit beats the last).
        const w = Array.from({ length: n }, () => 1);
        const b = Array.from({ length: n }, (_, i) => (grow ? 0.5 + i / n : 0.25));
        const a = Array.from({ length: n }, (_, i) => (grow ? 1 + i : ((i * 7) % levels) + 1) * (i % 2 ? -1 : 1));
        const net: Network = { dim: 1, w, b, a, c: 0 };
        const peaks = Array.from({ length: n }, (_, i) => termPeak(net, i, -1, 1));
        const brute = [...peaks.keys()].sort((p, q) => peaks[q] - peaks[p] || p - q).slice(0, Math.min(k, n));
        expect(largestTerms(net, -1, 1, k)).toEqual(brute);
      }),
      { numRuns: 60 },
    );
  });

  it('the peak is the largest |term| anywhere in the view', () => {
    const net = awkwardNetwork(50, 3);
    for (let i = 0; i < 50; i++) {
      let m = 0;
      for (const x of xsOf(-2, 1, 301)) m = Math.max(m, Math.abs(term(net, i, x)));
      expect(termPeak(net, i, -2, 1)).toBeCloseTo(m, 12);
    }
  });

  it('handles k = 0, k > N and an empty network', () => {
    const net = randomNetwork(1, 5, 2);
    expect(largestTerms(net, -1, 1, 0)).toEqual([]);
    expect(largestTerms(net, -1, 1, 0, 3)).toEqual([3]);
    expect(new Set(largestTerms(net, -1, 1, 99)).size).toBe(5);
    expect(largestTerms({ dim: 1, w: [], b: [], a: [], c: 0 }, -1, 1, 4, 0)).toEqual([]);
  });
});

describe('termBand', () => {
  it('is exactly the lowest and highest remaining term at each x (random networks, awkward sizes)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 400 }), fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 0, max: 70 }), (n, seed, k) => {
        const net = seed % 2 ? awkwardNetwork(n, seed) : randomNetwork(1, n, seed);
        const drawn = largestTerms(net, -1, 1, k);
        const xs = xsOf(-1.3, 1.1, 97);
        const band = termBand(net, drawn, xs);
        const rest = [...Array(n).keys()].filter((i) => !drawn.includes(i));
        if (rest.length === 0) return band === null;
        expect(band!.count).toBe(rest.length);
        xs.forEach((x, s) => {
          const vals = rest.map((i) => term(net, i, x));
          const scale = 1 + Math.max(...vals.map(Math.abs));
          expect(Math.abs(band!.lo[s] - Math.min(...vals))).toBeLessThan(1e-12 * scale);
          expect(Math.abs(band!.hi[s] - Math.max(...vals))).toBeLessThan(1e-12 * scale);
        });
        return true;
      }),
      { numRuns: 60 },
    );
  });

  it('is exact for leaky and linear units too, and absent for sigmoid units (no envelope gives their band)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 1e6 }), fc.integer({ min: 0, max: 70 }), fc.constantFrom<Activation>('leaky-relu', 'linear'), (n, seed, k, activation) => {
        const net: Network = { ...(seed % 2 ? awkwardNetwork(n, seed) : randomNetwork(1, n, seed)), activation };
        const drawn = largestTerms(net, -1, 1, k);
        const xs = xsOf(-1.3, 1.1, 61);
        const band = termBand(net, drawn, xs);
        const rest = [...Array(n).keys()].filter((i) => !drawn.includes(i));
        if (rest.length === 0) return band === null;
        xs.forEach((x, s) => {
          const vals = rest.map((i) => net.a[i] * act(activation, net.w[i] * x + net.b[i]));
          const scale = 1 + Math.max(...vals.map(Math.abs));
          expect(Math.abs(band!.lo[s] - Math.min(...vals))).toBeLessThan(1e-12 * scale);
          expect(Math.abs(band!.hi[s] - Math.max(...vals))).toBeLessThan(1e-12 * scale);
        });
        return true;
      }),
      { numRuns: 60 },
    );
    expect(termBand({ ...randomNetwork(1, 300, 2), activation: 'sigmoid' }, [], xsOf(-1, 1, 9))).toBeNull();
  });

  it('linear units have no knots to count; the peak of any term is at an end of the view', () => {
    const net: Network = { ...randomNetwork(1, 50, 9), activation: 'linear' };
    expect(Array.from(knotHistogram(net, -1, 1, 10)).every((c) => c === 0)).toBe(true);
    for (const activation of ['linear', 'leaky-relu', 'sigmoid'] as const) {
      const a: Network = { ...randomNetwork(1, 20, 4), activation };
      for (let i = 0; i < 20; i++) {
        const inside = Math.max(...xsOf(-1, 1, 201).map((x) => Math.abs(a.a[i] * act(activation, a.w[i] * x + a.b[i]))));
        expect(Math.abs(termPeak(a, i, -1, 1) - inside)).toBeLessThan(1e-12 * (1 + inside));
      }
    }
  });

  it('only negative terms: the top is below zero where all of them are active', () => {
    const net: Network = { dim: 1, w: [1, 1], b: [2, 3], a: [-1, -2], c: 0 };
    const band = termBand(net, [], [0, -2.5, -5])!;
    expect(Array.from(band.hi)).toEqual([-2, 0, 0]);
    expect(Array.from(band.lo)).toEqual([-6, -1, 0]);
  });
});

describe('knotHistogram', () => {
  it('counts the knots in view per column', () => {
    const net: Network = { dim: 1, w: [1, 1, -2, 0, 1, 1], b: [0, -0.99, 1, 5, 3, -1], a: [1, 1, 1, 1, 1, 1], c: 0 };
    // Knots: 0, 0.99, 0.5, none, −3 (out of view), 1 (the right edge: the last column).
    expect(Array.from(knotHistogram(net, -1, 1, 4))).toEqual([0, 0, 1, 3]);
    expect(Array.from(knotHistogram(net, 1, 1, 4))).toEqual([0, 0, 0, 0]);
    const big = randomNetwork(1, 65536, 9);
    const h = knotHistogram(big, -1, 1, 1000);
    let inView = 0;
    for (let i = 0; i < 65536; i++) {
      const k = -big.b[i] / big.w[i];
      if (k >= -1 && k <= 1) inView++;
    }
    expect(h.reduce((s, v) => s + v, 0)).toBe(inView);
  });
});

describe('lodNote', () => {
  it('says how many terms are drawn of how many', () => {
    expect(lodNote(64, 65536)).toBe('showing the 64 largest terms of 65,536; the band holds the rest');
  });
});

describe('termBand, kept envelopes', () => {
  it('gives the same band as a fresh network when the same network is asked with other drawn terms', () => {
    const net = awkwardNetwork(300, 42);
    const xs = xsOf(-1, 1, 33);
    for (const drawn of [[1, 2, 3], [1, 2, 3], [4], [], [3, 2, 1]]) {
      const fresh = termBand({ ...net }, drawn, xs)!;
      const again = termBand(net, drawn, xs)!;
      expect(Array.from(again.lo)).toEqual(Array.from(fresh.lo));
      expect(Array.from(again.hi)).toEqual(Array.from(fresh.hi));
      expect(again.count).toBe(300 - new Set(drawn).size);
    }
  });
});

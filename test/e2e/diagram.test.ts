/**
 * The network diagram and the tour's honesty at 1280×720, with WebGPU (SwiftShader) and in the CPU fallback:
 * the diagram's units, edges and colours against the network, large N as the largest units plus a group,
 * clicking a unit to select it, 2D units with two input edges, and the tour's readouts against its captions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import type { Network } from '../../src/model/network.ts';
import { aggregateUnits, signOf } from '../../src/views/network/aggregate.ts';
import { DIAGRAM_COLORS } from '../../src/views/network/diagram.ts';
import { launchBrowser, screenshot, serveDist, type Mode } from './harness.ts';

let server: Awaited<ReturnType<typeof serveDist>>;
beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

/** Mixed signs and sizes: a from −2 to 1.5, w of both signs, one bias of each sign and a zero. */
const SIX: Network = { dim: 1, w: [1, -0.5, 2, 1, -1, 0.25], b: [0.5, -0.2, 0, 1, -1, 0.3], a: [1.5, -2, 0.4, -0.1, 0.8, -1], c: 0.1 };

/** The diagram once the frame after the last state change is drawn (it draws on the next animation frame). */
async function settled(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await window.sandbox.setState({});
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
}

interface DrawnEdge {
  kind: string;
  unit: string;
  input: string | null;
  sign: string;
  stroke: string;
  width: number;
}

async function diagram(page: Page) {
  return page.$eval('#network-diagram svg', (svg) => ({
    total: Number((svg as SVGElement).dataset.total),
    shown: Number((svg as SVGElement).dataset.shown),
    rest: Number((svg as SVGElement).dataset.rest),
    headline: svg.querySelector('.headline')?.textContent ?? '',
    units: [...svg.querySelectorAll('g.unit')].map((g) => Number(g.getAttribute('data-unit'))),
    pressed: [...svg.querySelectorAll('g.unit[aria-pressed="true"]')].map((g) => Number(g.getAttribute('data-unit'))),
    biases: [...svg.querySelectorAll('g.unit')].map((g) => g.querySelector('rect.bias')!.getAttribute('data-sign')),
    edges: [...svg.querySelectorAll('path[data-edge]')].map((p) => ({
      kind: p.getAttribute('data-edge')!,
      unit: p.getAttribute('data-edge') === 'in' ? p.getAttribute('data-to')! : p.getAttribute('data-from')!,
      input: p.getAttribute('data-input'),
      sign: p.getAttribute('data-sign')!,
      stroke: p.getAttribute('stroke')!,
      width: Number(p.getAttribute('stroke-width')),
    })),
    group: svg.querySelector('g.rest text')?.textContent ?? null,
  }));
}

describe.each<Mode>(['webgpu', 'cpu'])('network diagram and tour with %s', (mode) => {
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    browser = await launchBrowser(mode);
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 720 });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForFunction(() => window.sandbox !== undefined, { timeout: 60_000 });
    await page.evaluate(() => window.sandbox.ready);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws every unit of a small network with edges coloured by sign and sized by magnitude', async () => {
    await page.evaluate((n) => window.sandbox.setState({ network: n, selected: -1 }), SIX);
    await settled(page);
    const d = await diagram(page);
    expect(d.total).toBe(6);
    expect(d.shown).toBe(6);
    expect(d.rest).toBe(0);
    expect(d.units).toEqual([0, 1, 2, 3, 4, 5]);
    expect(d.group).toBeNull();
    expect(d.biases).toEqual(SIX.b.map(signOf));
    const edge = (kind: string, i: number) => d.edges.find((e: DrawnEdge) => e.kind === kind && e.unit === String(i))!;
    for (let i = 0; i < 6; i++) {
      expect(edge('in', i).sign).toBe(signOf(SIX.w[i]));
      expect(edge('in', i).stroke).toBe(DIAGRAM_COLORS[signOf(SIX.w[i])]);
      expect(edge('out', i).sign).toBe(signOf(SIX.a[i]));
      expect(edge('out', i).stroke).toBe(DIAGRAM_COLORS[signOf(SIX.a[i])]);
    }
    // Wider for a larger |a|: unit 1 (a = −2) > unit 0 (1.5) > unit 2 (0.4) > unit 3 (−0.1).
    expect(edge('out', 1).width).toBeGreaterThan(edge('out', 0).width);
    expect(edge('out', 0).width).toBeGreaterThan(edge('out', 2).width);
    expect(edge('out', 2).width).toBeGreaterThan(edge('out', 3).width);
    expect(edge('in', 2).width).toBeGreaterThan(edge('in', 0).width);
    const box = await page.$eval('#network-diagram', (e) => e.getBoundingClientRect().toJSON());
    expect(box.width).toBeGreaterThan(200);
    expect(box.height).toBeGreaterThan(150);
    await screenshot(page, `diagram-${mode}-six`);
  });

  it('moves the units\' terms on a pan without rebuilding the diagram, as a rebuild draws them', async () => {
    const terms = () => page.$$eval('#network-diagram g.unit polyline.term', (ps) => ps.map((p) => `${p.getAttribute('points')} ${p.getAttribute('stroke')}`));
    await page.evaluate(() => window.sandbox.setState({ view: { xMin: -3, xMax: 3, yMin: -3, yMax: 3 } }));
    await settled(page);
    const before = await terms();
    await page.$eval('#network-diagram g.unit[data-unit="0"]', (g) => ((g as unknown as { mark: boolean }).mark = true));
    await page.evaluate(() => window.sandbox.setState({ view: { xMin: -1.5, xMax: 2.5, yMin: -3, yMax: 3 } }));
    await settled(page);
    const panned = await terms();
    // The same elements (kept), with the terms over the new window.
    expect(await page.$eval('#network-diagram g.unit[data-unit="0"]', (g) => (g as unknown as { mark?: boolean }).mark === true)).toBe(true);
    expect(panned).not.toEqual(before);
    // A selection rebuilds the diagram: back to none, the rebuilt terms are the moved ones.
    await page.evaluate(() => window.sandbox.setState({ selected: 2 }));
    await settled(page);
    await page.evaluate(() => window.sandbox.setState({ selected: -1 }));
    await settled(page);
    expect(await page.$eval('#network-diagram g.unit[data-unit="0"]', (g) => (g as unknown as { mark?: boolean }).mark === true)).toBe(false);
    expect(await terms()).toEqual(panned);
  });

  it('selects the unit clicked in the diagram and highlights the selection from the state', async () => {
    await page.click('#network-diagram g.unit[data-unit="3"]');
    await settled(page);
    expect(await page.evaluate(() => window.sandbox.getState().selected)).toBe(3);
    expect((await diagram(page)).pressed).toEqual([3]);
    await page.evaluate(() => window.sandbox.setState({ selected: 1 }));
    await settled(page);
    expect((await diagram(page)).pressed).toEqual([1]);
    // From the keyboard: Enter on a focused unit selects it, and the focus stays on it through the redraw.
    await page.$eval('#network-diagram g.unit[data-unit="4"]', (e) => (e as SVGGElement).focus());
    await page.keyboard.press('Enter');
    await settled(page);
    expect(await page.evaluate(() => window.sandbox.getState().selected)).toBe(4);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-unit'))).toBe('4');
  });

  it('shows the 12 largest of 65,536 units, the selected one and a group for the rest', async () => {
    await page.evaluate(() => window.sandbox.setState({ target: { kind: 'builtin', id: 'sin' }, build: 'interpolate', units: 65_536, selected: 40_000 }));
    await settled(page);
    // A big network's diagram is drawn once its picture is on screen, in idle time: wait for it.
    await page.waitForFunction(() => document.querySelector('#network-diagram g.unit[data-unit="40000"]') !== null, { timeout: 30_000 });
    const net = (await page.evaluate(() => window.sandbox.getState().network)) as Network;
    const expected = aggregateUnits(net, { selected: 40_000 });
    const d = await diagram(page);
    expect(d.total).toBe(65_536);
    expect(d.units).toEqual(expected.shown);
    expect(d.units).toContain(40_000);
    expect(d.shown).toBe(13);
    expect(d.rest).toBe(65_536 - 13);
    expect(d.group).toBe('+ 65,523 more');
    expect(d.headline).toBe('13 of 65,536 shown: top 12 by |a|·‖w‖ + selected');
    expect(d.pressed).toEqual([40_000]);
    const out = d.edges.filter((e: DrawnEdge) => e.kind === 'out');
    expect(out).toHaveLength(14);
    const rest = expected.rest!;
    const group = out.find((e: DrawnEdge) => e.unit === 'rest')!;
    expect(group.sign).toBe(rest.positiveA > 0 && rest.negativeA > 0 ? 'mixed' : rest.positiveA > 0 ? 'positive' : 'negative');
    await screenshot(page, `diagram-${mode}-65536`);
  });

  it('draws a 2D unit with two input edges, w₁ and w₂', async () => {
    const net: Network = { dim: 2, w: [1, -0.5, -0.3, 1, 0.7, 0.7], b: [0.2, -0.1, 0], a: [1, -0.6, 0.3], c: 0 };
    await page.evaluate((n) => window.sandbox.setState({ mode: '2d', network: n, selected: -1 }), net);
    await settled(page);
    const d = await diagram(page);
    expect(d.total).toBe(3);
    const inEdges = d.edges.filter((e: DrawnEdge) => e.kind === 'in');
    expect(inEdges).toHaveLength(6);
    for (const e of inEdges) expect(e.sign).toBe(signOf(net.w[2 * Number(e.unit) + Number(e.input)]));
    await screenshot(page, `diagram-${mode}-2d`);
    await page.evaluate(() => window.sandbox.setState({ mode: '1d' }));
  });

  it("keeps the tour's readouts in line with its captions", async () => {
    const readouts = () => page.evaluate(() => ({ max: document.getElementById('readout-max')!.textContent, rms: document.getElementById('readout-rms')!.textContent }));
    for (let k = 1; k <= 5; k++) {
      const s = await page.evaluate((i) => window.sandbox.tour(i), k);
      expect(s.show.target).toBe(false);
      // No target on screen: no error number.
      expect(await readouts()).toEqual({ max: '—', rms: '—' });
      const caption = await page.$eval('#tour-caption', (e) => e.textContent ?? '');
      expect(caption).not.toMatch(/error/i);
      const tour = await page.$eval('#network-diagram', (e) => (e as HTMLElement).dataset.tour ?? null);
      expect(tour).toBe(k === 2 ? 'neuron' : k === 3 ? 'layer' : null);
      if (k === 2) {
        await settled(page);
        const d = await diagram(page);
        expect(d.total).toBe(1);
        expect(d.headline).toMatch(/x × w \+ b → ReLU → × a/);
        expect(await page.$eval('#network-diagram', (e) => e.textContent ?? '')).toMatch(/× 2.*− 1.*ReLU.*× 0\.75/);
      }
    }
    // Step 7: one unit per sample, flat beyond the samples as the data is; the caption says the error reads 0.
    const s7 = await page.evaluate(() => window.sandbox.tour(7));
    expect(s7.network.a).toHaveLength(40);
    expect(await page.$eval('#tour-caption', (e) => e.textContent)).toMatch(/max error reads 0/);
    const r7 = await readouts();
    expect(Number(r7.max)).toBe(0);
    expect(Number(r7.rms)).toBe(0);
    // Step 8: the multiples follow the target, and the caption names it.
    await page.evaluate(() => window.sandbox.tour(8));
    const multiples = () =>
      page.$$eval('#tour-multiples figcaption', (e) => e.map((x) => x.textContent ?? '')).then((caps) => ({ caps }));
    await page.waitForFunction(() => [...document.querySelectorAll('#tour-multiples figcaption')].filter((e) => /max error/.test(e.textContent ?? '')).length === 4);
    expect(await page.$eval('#tour-caption', (e) => e.textContent)).toMatch(/interpolating sin\(x\)/);
    const sin = (await multiples()).caps;
    expect(sin.map((c) => /N = (\d+)/.exec(c)![1])).toEqual(['3', '5', '10', '100']);
    // 3 units interpolating sin on [−π, π] bend at −π, −π/3 and π/3.
    expect(sin[0]).toMatch(/N = 3: 3 bends in view/);
    expect(Number(/max error (\S+),/.exec(sin[3])![1])).toBeLessThan(Number(/max error (\S+),/.exec(sin[0])![1]));
    expect(await readouts()).not.toEqual({ max: '—', rms: '—' });
    await page.evaluate(() => window.sandbox.setState({ target: { kind: 'builtin', id: 'abs' } }));
    await page.waitForFunction(
      () =>
        (document.getElementById('tour-multiples') as HTMLElement).dataset.target === '|x|' &&
        [...document.querySelectorAll('#tour-multiples figcaption')].filter((e) => /max error/.test(e.textContent ?? '')).length === 4,
      { timeout: 60_000 },
    );
    expect(await page.$eval('#tour-caption', (e) => e.textContent)).toMatch(/interpolating \|x\|/);
    const abs = (await multiples()).caps;
    expect(abs).not.toEqual(sin);
    // |x| is piecewise linear: from 10 units on (a node at 0) the interpolant is exact.
    expect(abs[2]).toMatch(/max error 0, RMS 0/);
    await screenshot(page, `diagram-${mode}-tour8-abs`);
    await page.click('#tour-close');
    expect(await page.$eval('#network-diagram', (e) => (e as HTMLElement).dataset.tour ?? null)).toBeNull();
    expect(errors).toEqual([]);
  });
});

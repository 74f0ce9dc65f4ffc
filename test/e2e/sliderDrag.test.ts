/**
 * The N slider dragged from 1 to 65,536 (issue 10): the panel's own log₂ N slider moved along its range one input a
 * frame, as a drag sends them, then let go. Functional checks only (no timing): the final N is the state's, its
 * network landed, and the page shows it (readout, plot sentence, formula, Units list). Also what the Units list
 * calls −b/w: a knot only for units that bend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'puppeteer';
import { lodNote } from '../../src/views/plot1d/lod.ts';
import { launchBrowser, openApp, serveDist, type Mode } from './harness.ts';

let server: Awaited<ReturnType<typeof serveDist>>;
beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

describe.each<Mode>(['webgpu', 'cpu'])('N slider and Units list with %s', (mode) => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser(mode);
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('dragged 1 → 65,536 with least squares, the final N lands and is what the page shows', async () => {
    const { page, errors } = await openApp(browser, server.url + (mode === 'cpu' ? '?backend=cpu' : ''));
    await page.setViewport({ width: 1280, height: 720 });
    await page.evaluate(() => window.sandbox.setState({ target: { kind: 'builtin', id: 'sin' }, build: 'least-squares', units: 1, show: { terms: true } }));
    const passed = await page.evaluate(async () => {
      const slider = [...document.querySelectorAll<HTMLInputElement>('input[type=range]')].find(
        (e) => document.getElementById(e.getAttribute('aria-labelledby') ?? '')?.textContent === 'Units N',
      );
      if (!slider) throw new Error('the Units N slider is not on the page');
      const steps = Number(slider.max);
      const seen: number[] = [];
      for (let k = 0; k <= 32; k++) {
        await new Promise((r) => requestAnimationFrame(r));
        slider.value = String(Math.round((steps * k) / 32));
        slider.dispatchEvent(new Event('input', { bubbles: true }));
        seen.push(window.sandbox.getState().units);
      }
      slider.dispatchEvent(new Event('change', { bubbles: true }));
      return seen;
    });
    // The drag went through the sizes on its way (live), ending at the top of the range.
    expect(passed[0]).toBe(1);
    expect(new Set(passed).size).toBeGreaterThan(10);
    expect(passed[passed.length - 1]).toBe(65536);
    // On screen: every fit started has landed and the frame after it is drawn.
    const s = await page.evaluate(() => window.sandbox.setState({}));
    expect(s.units).toBe(65536);
    expect(s.network.a).toHaveLength(65536);
    expect(s.build).toBe('least-squares');
    // The big formula and the Units list's first slice come in tasks of their own: give them a moment.
    await page.waitForFunction(() => (document.getElementById('formula-symbolic')?.textContent ?? '').includes('65,536'), { timeout: 30_000 });
    await page.waitForFunction(() => document.querySelectorAll('#unit-list option').length > 0 && (document.querySelector('#unit-list option')?.textContent ?? '').includes('#1'), { timeout: 30_000 });
    const page1 = await page.evaluate(() => ({
      n: document.getElementById('readout-n')?.textContent,
      note: document.getElementById('plot')?.dataset.note,
      listNote: document.getElementById('unit-note')?.textContent,
      box: [...document.querySelectorAll<HTMLInputElement>('input')].find((e) => e.value === '65536' || e.value === '65,536')?.value ?? null,
    }));
    expect(page1.n).toBe('65536');
    expect(page1.note).toBe(lodNote(64, 65536));
    expect(page1.listNote).toMatch(/first 1000 of 65536 units/);
    expect(page1.box).not.toBeNull();
    expect(errors).toEqual([]);
    await page.close();
  }, 240_000);

  it('times both 1D paths after the first frame and says which it takes and why', async () => {
    const { page, errors } = await openApp(browser, server.url + (mode === 'cpu' ? '?backend=cpu' : ''));
    const status = () => page.$eval('#backend-status', (e) => e.textContent ?? '');
    if (mode === 'webgpu') {
      // SwiftShader: the CPU path is taken by the adapter's type until the timing says which is faster.
      await page.waitForFunction(() => /1D plot: .*measured [\d.]+× faster/.test(document.getElementById('backend-status')?.textContent ?? ''), { timeout: 60_000 });
      const stored = JSON.parse((await page.evaluate(() => localStorage.getItem('relu-sandbox.path1d'))) ?? 'null');
      expect(stored.cpuMs).toBeGreaterThan(0);
      expect(stored.gpuMs).toBeGreaterThan(0);
      const text = await status();
      const cpu = stored.cpuMs <= stored.gpuMs;
      expect(text).toContain(cpu ? '1D plot: CPU and 2D canvas (measured' : 'WebGPU measured faster');
      expect((await page.evaluate(() => window.sandbox.info())).plot).toBe('cpu');
      // The next load takes the cached timing from its start.
      await page.reload();
      await page.waitForFunction(() => document.body.dataset.ready === 'true', { timeout: 60_000 });
      expect(await status()).toContain(cpu ? '1D plot: CPU and 2D canvas (measured' : '1D plot: WebGPU (measured');
    } else {
      // No WebGPU, nothing to choose between.
      await new Promise((r) => setTimeout(r, 1000));
      expect(await status()).not.toContain('1D plot');
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('the Units list calls −b/w a knot for ReLU units and not for linear ones', async () => {
    const { page, errors } = await openApp(browser, server.url + (mode === 'cpu' ? '?backend=cpu' : ''));
    const read = () =>
      page.evaluate(() => ({
        option: document.querySelector('#unit-list option')?.textContent ?? '',
        label: document.getElementById('unit-knot-label')?.textContent ?? '',
      }));
    await page.evaluate(() => window.sandbox.setState({ build: 'interpolate', units: 8, activation: 'relu', selected: 0 }));
    let r = await read();
    expect(r.option).toMatch(/^#1 {2}knot /);
    expect(r.label).toBe('knot −b/w');
    await page.evaluate(() => window.sandbox.setState({ activation: 'linear', selected: 0 }));
    r = await read();
    expect(r.option).toMatch(/^#1 {2}zero at /);
    expect(r.option).not.toContain('knot');
    expect(r.label).toBe('zero at −b/w');
    expect(await page.$eval('#unit-knot', (e) => e.textContent)).not.toBe('—');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

describe('the 1D path timing in a page composited in software (webgpu-sw)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser('webgpu-sw');
  });
  afterAll(async () => {
    await browser?.close();
  });

  // A WebGPU canvas presented where the page is composited in software dropped the GPU process's instance (an
  // uncaught "Instance dropped in popErrorScope"): the timing draws into a texture instead.
  it('times both paths without a WebGPU canvas and with no uncaught error', async () => {
    const { page, errors } = await openApp(browser, server.url);
    await page.waitForFunction(() => /1D plot: .*measured [\d.]+× faster/.test(document.getElementById('backend-status')?.textContent ?? ''), { timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 1000));
    expect((await page.evaluate(() => window.sandbox.info())).uncaught).toBe(0);
    expect(await page.evaluate(() => window.sandbox.backend)).toBe('webgpu');
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

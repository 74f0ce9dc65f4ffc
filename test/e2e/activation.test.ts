/**
 * The control experiment in headless Chromium, with WebGPU (SwiftShader) and in the CPU fallback: the panel's
 * Activation dropdown, the formula, the readouts, values against the float64 twin, links and the 2D region mode.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import { evaluate1DBrute } from '../../src/engine/cpu/evaluator.ts';
import type { Network } from '../../src/model/network.ts';
import { launchBrowser, openApp, serveDist, type Mode } from './harness.ts';

let server: Awaited<ReturnType<typeof serveDist>>;
beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

/** Chooses `value` in the panel's Activation dropdown (lil-gui option controller). */
async function chooseActivation(page: Page, label: string): Promise<void> {
  await page.evaluate((label) => {
    const ctrl = [...document.querySelectorAll('.lil-controller')].find((c) => c.querySelector('.lil-name')?.textContent === 'Activation');
    const select = ctrl?.querySelector('select');
    if (!select) throw new Error('no Activation dropdown');
    const option = [...select.options].find((o) => o.textContent === label);
    if (!option) throw new Error(`no option ${label}`);
    select.value = option.value;
    select.dispatchEvent(new Event('change'));
  }, label);
  await page.evaluate(() => window.sandbox.setState({}));
}

describe.each<Mode>(['webgpu', 'cpu'])('activations with %s', (mode) => {
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    browser = await launchBrowser(mode);
    ({ page, errors } = await openApp(browser, server.url));
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('the dropdown switches the activation: formula, readouts, values and link follow', async () => {
    await chooseActivation(page, 'Linear (none)');
    let s = await page.evaluate(() => window.sandbox.getState());
    expect(s.activation).toBe('linear');
    expect(s.network.activation).toBe('linear');
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain('(linear units: the sum is affine)');
    // The readouts follow the frame: wait for them.
    await page.waitForFunction(() => /Linear pieces in view\s*1\n/.test(document.body.innerText), { timeout: 15_000 });
    expect(await page.evaluate(() => window.sandbox.link())).toContain('act=linear');

    await chooseActivation(page, 'Sigmoid σ');
    s = await page.evaluate(() => window.sandbox.getState());
    expect(s.network.activation).toBe('sigmoid');
    expect(await page.evaluate(() => document.body.innerText)).toContain('aᵢ·σ(wᵢ·x + bᵢ)');
    const xs = Array.from({ length: 101 }, (_, i) => -3 + 0.06 * i + 0.001);
    const got = await page.evaluate((xs) => window.sandbox.evaluate(xs), xs);
    const want = evaluate1DBrute(s.network as Network, xs);
    for (let i = 0; i < xs.length; i++) expect(Math.abs(got[i] - want[i])).toBeLessThan(1e-4 * Math.max(1, Math.abs(want[i])));

    await chooseActivation(page, 'ReLU');
    expect(await page.evaluate(() => window.sandbox.link())).not.toContain('act=');
    expect(errors).toEqual([]);
  });

  it('the 2D region mode says regions are not defined for sigmoid units', async () => {
    await page.evaluate(() => window.sandbox.setState({ mode: '2d', activation: 'sigmoid', look: { colour: 'regions' } }));
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).toContain('not defined (sigmoid units)');
    await expect(page.evaluate(() => window.sandbox.regions().then(() => 'resolved', (e: Error) => e.message))).resolves.toMatch(/not defined for sigmoid/);
    await page.evaluate(() => window.sandbox.setState({ activation: 'linear' }));
    expect(await page.evaluate(() => window.sandbox.regions().then((r) => [r.counted, r.exact]))).toEqual([1, 1]);
    await page.evaluate(() => window.sandbox.setState({ activation: 'relu', mode: '1d' }));
    expect(errors).toEqual([]);
  });
});

/**
 * The largest sizes the GUI offers at the adapter's DEFAULT limits (WebGPU on SwiftShader): whatever the app asks
 * for, the device here is requested without `requiredLimits`, and every uncaptured GPU error is collected. At
 * N = 65,536 the 1D plot (GPU evaluation forced with ?eval1d=gpu&plot=gpu) and the 2D map and surface on the
 * largest compute grid (2048²) must appear, with no GPU validation error and nothing uncaught.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer';
import { launchBrowser, linesThroughView, screenshot, serveDist } from './harness.ts';

let server: Awaited<ReturnType<typeof serveDist>>;
beforeAll(async () => {
  server = await serveDist();
});
afterAll(async () => {
  await server?.close();
});

/** Pixels inside the plot's box that are not (near) white: the picture is there. */
async function inkInPlot(page: Page, name: string): Promise<number> {
  const g = (await page.evaluate(() => window.sandbox.geometry())) as { left: number; top: number; width: number; height: number };
  const shot = await screenshot(page, name);
  let ink = 0;
  for (let y = Math.ceil(g.top); y < Math.floor(g.top + g.height); y += 2) {
    for (let x = Math.ceil(g.left); x < Math.floor(g.left + g.width); x += 2) {
      const k = 4 * (y * shot.width + x);
      if (shot.rgba[k] + shot.rgba[k + 1] + shot.rgba[k + 2] < 3 * 235) ink++;
    }
  }
  return ink;
}

describe('the largest N and grid at the default limits (webgpu)', () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser('webgpu');
  });
  afterAll(async () => {
    await browser?.close();
  });

  it('draws N = 65,536 in 1D (GPU evaluation) and in 2D on 2048², with no GPU error', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 720 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.evaluateOnNewDocument(() => {
      const w = window as unknown as { __gpuErrors: string[]; __limits: Record<string, number> | null };
      w.__gpuErrors = [];
      w.__limits = null;
      const proto = GPUAdapter.prototype;
      const request = proto.requestDevice;
      proto.requestDevice = async function (this: GPUAdapter, desc?: GPUDeviceDescriptor) {
        const plain = { ...(desc ?? {}) };
        delete plain.requiredLimits;
        const device = await request.call(this, plain);
        w.__limits = { maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize, maxBufferSize: device.limits.maxBufferSize };
        device.addEventListener('uncapturederror', (e) => w.__gpuErrors.push(String((e as GPUUncapturedErrorEvent).error.message)));
        return device;
      };
    });
    await page.goto(`${server.url}?eval1d=gpu&plot=gpu`, { waitUntil: 'load' });
    await page.waitForFunction(() => window.sandbox !== undefined, { timeout: 60_000 });
    await page.evaluate(() => window.sandbox.ready);
    // WebGPU's default limits (the spec's): what every adapter grants without asking.
    expect(await page.evaluate(() => (window as unknown as { __limits: unknown }).__limits)).toEqual({ maxStorageBufferBindingSize: 134_217_728, maxBufferSize: 268_435_456 });
    expect(await page.evaluate(() => window.sandbox.backend)).toBe('webgpu');

    await page.evaluate(() => window.sandbox.setState({ units: 65_536, build: 'interpolate' }));
    expect(await page.evaluate(() => window.sandbox.getState().network.a.length)).toBe(65_536);
    expect(await page.evaluate(() => window.sandbox.info().values)).toBe('webgpu');
    expect(await inkInPlot(page, 'default-limits-1d')).toBeGreaterThan(200);

    await page.evaluate((network) => window.sandbox.setState({ network, look: { grid: 2048, colour: 'values' } }), linesThroughView(65_536));
    expect(await page.evaluate(() => window.sandbox.getState().look.grid)).toBe(2048);
    expect(await inkInPlot(page, 'default-limits-2d')).toBeGreaterThan(200);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await page.evaluate(() => (window as unknown as { __gpuErrors: string[] }).__gpuErrors)).toEqual([]);
    expect(await page.evaluate(() => window.sandbox.info().uncaught)).toBe(0);
    expect(errors).toEqual([]);
  });
});

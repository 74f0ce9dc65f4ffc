/**
 * Browser-test harness: serves the built app (`dist/`, built by `npm test` before vitest runs) on
 * 127.0.0.1 — a secure context, so `navigator.gpu` exists — and drives Debian's Chromium with puppeteer,
 * either with WebGPU on SwiftShader or with no WebGPU at all (the CPU-fallback case).
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser, type Page } from 'puppeteer';

export const ROOT = resolve(import.meta.dirname, '../..');
export const DIST = join(ROOT, 'dist');
export const RESULTS = join(ROOT, 'test-results');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.wgsl': 'text/plain; charset=utf-8',
};

/** A static file server for `dist/` on a free port of 127.0.0.1. */
export async function serveDist(): Promise<{ url: string; close: () => Promise<void> }> {
  if (!existsSync(join(DIST, 'index.html'))) {
    throw new Error('dist/index.html is missing: build the app first (`npm run build`; `npm test` does it)');
  }
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(DIST, path));
    if (!file.startsWith(DIST)) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

export type Mode = 'webgpu' | 'cpu';

const COMMON_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];
// WebGPU on SwiftShader; the Vulkan/ANGLE flags make the canvas show what WebGPU drew.
const WEBGPU_FLAGS = [
  '--enable-unsafe-webgpu',
  '--enable-unsafe-swiftshader',
  '--use-webgpu-adapter=swiftshader',
  '--enable-features=Vulkan',
  '--use-vulkan=swiftshader',
  '--use-angle=swiftshader',
];

/** Headless Chromium: with WebGPU on SwiftShader (`webgpu`) or without any WebGPU flag (`cpu`). */
export async function launchBrowser(mode: Mode): Promise<Browser> {
  const executablePath = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: mode === 'webgpu' ? [...COMMON_FLAGS, ...WEBGPU_FLAGS] : COMMON_FLAGS,
    defaultViewport: { width: 1200, height: 760, deviceScaleFactor: 1 },
  });
}

/** Opens the app, waits for `sandbox.ready`, and collects page errors so tests can assert there were none. */
export async function openApp(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url, { waitUntil: 'load' });
  await page.waitForFunction(() => window.sandbox !== undefined, { timeout: 60_000 });
  await page.evaluate(() => window.sandbox.ready);
  return { page, errors };
}

/** Saves a PNG under test-results/ and returns its RGBA pixels for checks. */
export async function screenshot(page: Page, name: string): Promise<{ path: string; width: number; height: number; rgba: Uint8Array }> {
  mkdirSync(RESULTS, { recursive: true });
  const path = join(RESULTS, `${name}.png`);
  await page.screenshot({ path });
  // Decode in the page itself (the browser has a PNG decoder; Node has none built in).
  const data = readFileSync(path).toString('base64');
  const decoded = await page.evaluate(async (b64: string) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    return { width: img.width, height: img.height, px: Array.from(ctx.getImageData(0, 0, img.width, img.height).data) };
  }, data);
  return { path, width: decoded.width, height: decoded.height, rgba: Uint8Array.from(decoded.px) };
}

/** Colour of a screenshot pixel. */
export function pixel(shot: { width: number; rgba: Uint8Array }, x: number, y: number): [number, number, number] {
  const k = 4 * (Math.round(y) * shot.width + Math.round(x));
  return [shot.rgba[k], shot.rgba[k + 1], shot.rgba[k + 2]];
}

export function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

export function colourDistance(p: [number, number, number], q: [number, number, number]): number {
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
}

/** Smallest colour distance to `colour` within ±`radius` pixels vertically of (x, y). */
export function nearestColour(
  shot: { width: number; height: number; rgba: Uint8Array },
  x: number,
  y: number,
  colour: [number, number, number],
  radius: number,
): { distance: number; dy: number } {
  let best = { distance: Infinity, dy: 0 };
  for (let dy = -radius; dy <= radius; dy++) {
    const yy = Math.round(y) + dy;
    if (yy < 0 || yy >= shot.height) continue;
    const d = colourDistance(pixel(shot, x, yy), colour);
    if (d < best.distance) best = { distance: d, dy };
  }
  return best;
}

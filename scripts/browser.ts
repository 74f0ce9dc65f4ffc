/**
 * The built app served on 127.0.0.1 (a secure context, so `navigator.gpu` exists) and Debian's Chromium driven
 * by puppeteer, with WebGPU on SwiftShader or with no WebGPU at all (the CPU-fallback case). Shared by the
 * browser tests and the frame-timing script.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import puppeteer, { type Browser } from 'puppeteer';

export const ROOT = resolve(import.meta.dirname, '..');
export const DIST = join(ROOT, 'dist');

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

/** A static file server for a built app (default `dist/`) on a free port of 127.0.0.1. */
export async function serveDist(dist: string = DIST): Promise<{ url: string; close: () => Promise<void> }> {
  const root = resolve(dist);
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`${join(root, 'index.html')} is missing: build the app first (\`npm run build\`; \`npm test\` does it)`);
  }
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root)) {
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

/**
 * `webgpu`: WebGPU on SwiftShader, and the page composited through SwiftShader too (ANGLE and Vulkan on it), so
 * WebGPU canvases show; `cpu`: no WebGPU (the fallback); `webgpu-sw`: WebGPU on SwiftShader with the page
 * composited in software, as in a browser on a machine without a GPU that only has WebGPU's SwiftShader switched
 * on (WebGPU canvases read back blank there; the app draws none on CPU-like adapters unless asked); `cpu-gl`: no
 * WebGPU, the page composited through SwiftShader as in `webgpu`, so that the two differ in the backend alone.
 */
export type Mode = 'webgpu' | 'cpu' | 'webgpu-sw' | 'cpu-gl';

const COMMON_FLAGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];
// WebGPU on SwiftShader; the Vulkan/ANGLE flags make the canvas show what WebGPU drew.
const WEBGPU_COMPUTE_FLAGS = ['--enable-unsafe-webgpu', '--enable-unsafe-swiftshader', '--use-webgpu-adapter=swiftshader'];
const SWIFTSHADER_COMPOSITING_FLAGS = ['--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=swiftshader'];
const WEBGPU_FLAGS = [...WEBGPU_COMPUTE_FLAGS, ...SWIFTSHADER_COMPOSITING_FLAGS];

/** Headless Chromium: with WebGPU on SwiftShader (`webgpu`, `webgpu-sw`; see Mode) or without any WebGPU flag (`cpu`). */
export async function launchBrowser(mode: Mode): Promise<Browser> {
  const executablePath = process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium';
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: [...COMMON_FLAGS, ...{ webgpu: WEBGPU_FLAGS, 'webgpu-sw': WEBGPU_COMPUTE_FLAGS, 'cpu-gl': SWIFTSHADER_COMPOSITING_FLAGS, cpu: [] }[mode]],
    defaultViewport: { width: 1200, height: 760, deviceScaleFactor: 1 },
  });
}


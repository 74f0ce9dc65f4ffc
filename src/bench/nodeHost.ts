/**
 * Node-only helpers for the benchmark scripts (scripts/bench.ts, scripts/bench-engine.ts): a loader hook so
 * `?raw` shader imports work under tsx as they do under Vite, and Dawn's WebGPU with a SwiftShader fallback.
 * Never imported by the app.
 */
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import os from 'node:os';

// Resolves `*.wgsl?raw` (and any `?raw`) to the file's text, as Vite does.
const RAW_HOOKS = `
import { readFile } from 'node:fs/promises';
export async function resolve(specifier, context, next) {
  if (specifier.endsWith('?raw')) return { url: new URL(specifier, context.parentURL).href, shortCircuit: true };
  return next(specifier, context);
}
export async function load(url, context, next) {
  if (url.endsWith('?raw')) {
    const text = await readFile(new URL(url.slice(0, -4)), 'utf8');
    return { format: 'module', source: 'export default ' + JSON.stringify(text) + ';', shortCircuit: true };
  }
  return next(url, context);
}`;

let hooked = false;

/** Installs the `?raw` loader hook; call before importing modules that import shaders. */
export function installRawImports(): void {
  if (hooked) return;
  register('data:text/javascript,' + encodeURIComponent(RAW_HOOKS));
  hooked = true;
}

// Dawn rounds timestamps to 65.5 µs unless told not to (a browser-privacy measure that a benchmark does not need).
const DAWN_FLAGS = ['disable-dawn-features=timestamp_quantization'];

const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

export interface NodeGpu {
  /** Held for the whole run: Dawn frees its instance when the GPU object is collected. */
  gpu: GPU | null;
  adapter: GPUAdapter | null;
  device: GPUDevice | null;
  /** How the adapter was found, or why there is none. */
  how: string;
}

/**
 * Dawn's WebGPU: a hardware adapter if there is one, else SwiftShader (from Debian's chromium package),
 * unless `mode` forces one or the other. The device gets timestamp-query and subgroups where offered.
 */
export async function nodeGpu(mode: 'auto' | 'cpu' | 'swiftshader'): Promise<NodeGpu> {
  if (mode === 'cpu') return { gpu: null, adapter: null, device: null, how: 'CPU only (--cpu)' };
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const icd = SWIFTSHADER_ICDS.find((p) => existsSync(p));
  let how = 'hardware adapter';
  if (mode === 'swiftshader') {
    if (!icd) return { gpu: null, adapter: null, device: null, how: 'no SwiftShader ICD found (install chromium)' };
    process.env.VK_ICD_FILENAMES = icd;
    how = 'SwiftShader (forced by --swiftshader)';
  } else if (process.env.VK_ICD_FILENAMES) {
    how = `VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}`;
  }
  let gpu = create(DAWN_FLAGS) as GPU;
  let adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter && mode === 'auto' && !process.env.VK_ICD_FILENAMES && icd) {
    // No hardware adapter: a new Dawn instance reads VK_ICD_FILENAMES afresh.
    process.env.VK_ICD_FILENAMES = icd;
    gpu = create(DAWN_FLAGS) as GPU;
    adapter = await gpu.requestAdapter().catch(() => null);
    how = 'SwiftShader (no hardware adapter found; CPU Vulkan, so GPU rows are CPU timings)';
  }
  if (!adapter) return { gpu, adapter: null, device: null, how: 'no WebGPU adapter (install libvulkan1 and chromium for SwiftShader)' };
  const requiredFeatures = (['timestamp-query', 'subgroups'] as GPUFeatureName[]).filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({
    requiredFeatures,
    requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
  });
  return { gpu, adapter, device, how };
}

/** A readable description of a Dawn adapter. */
export function describeAdapter(adapter: GPUAdapter, how: string) {
  const info = adapter.info;
  const name = [info.description, [info.vendor, info.architecture].filter(Boolean).join(' ')].find((s) => s && s.trim()) ?? 'unknown adapter';
  return {
    name: `${name.trim()} — ${how}`,
    vendor: info.vendor,
    architecture: info.architecture,
    device: info.device,
    description: info.description,
    features: [...adapter.features].map(String).sort(),
  };
}

/** "Node v20.20.2, linux x64, 2 CPUs (model)". */
export function nodePlatform(): string {
  const cpus = os.cpus();
  return `Node ${process.version}, ${process.platform} ${process.arch}, ${cpus.length} CPU(s) (${cpus[0]?.model ?? 'unknown'}), Dawn via the webgpu package`;
}

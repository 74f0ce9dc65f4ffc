/**
 * Node-only helpers for the benchmark scripts (scripts/bench.ts, scripts/bench-engine.ts, bench/tools) and the GPU
 * tests (test/gpu/dawn.ts): Dawn's WebGPU, on SwiftShader where there is no hardware adapter. Never imported by the
 * app. Shader `?raw` imports under tsx go through scripts/register-raw.mjs.
 */
import { existsSync } from 'node:fs';
import os from 'node:os';
import { create, globals } from 'webgpu';

// Dawn rounds timestamps to 65.5 µs unless told not to (a browser-privacy measure that a benchmark does not need).
const DAWN_FLAGS = ['disable-dawn-features=timestamp_quantization'];

const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

/** SwiftShader's Vulkan ICD (shipped with Debian's chromium package), or undefined when it is not installed. */
export function swiftShaderIcd(): string | undefined {
  return SWIFTSHADER_ICDS.find((p) => existsSync(p));
}

/**
 * A Dawn instance, with WebGPU's globals (GPUBufferUsage, …) installed. `icd`, when given, becomes
 * VK_ICD_FILENAMES first: a Dawn instance reads it when created. Keep the result referenced for the life of the
 * process: Dawn frees its instance when the GPU object is collected.
 */
export function createDawn(icd?: string): GPU {
  if (icd) process.env.VK_ICD_FILENAMES = icd;
  Object.assign(globalThis, globals);
  return create(DAWN_FLAGS) as GPU;
}

/**
 * A device with those of `optionalFeatures` the adapter has; `maxBuffers` also asks for the adapter's largest
 * storage binding and buffer (the benchmark sweeps sizes past the defaults).
 */
export function requestNodeDevice(adapter: GPUAdapter, optionalFeatures: GPUFeatureName[], maxBuffers = false): Promise<GPUDevice> {
  const requiredFeatures = optionalFeatures.filter((f) => adapter.features.has(f));
  const requiredLimits = maxBuffers
    ? { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize }
    : undefined;
  return adapter.requestDevice({ requiredFeatures, requiredLimits });
}

/** Dawn's GPU, adapter and device for a CLI run, each null when unavailable, and how they were found. */
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
  const icd = swiftShaderIcd();
  let gpu: GPU;
  let how = 'hardware adapter';
  if (mode === 'swiftshader') {
    if (!icd) return { gpu: null, adapter: null, device: null, how: 'no SwiftShader ICD found (install chromium)' };
    gpu = createDawn(icd);
    how = 'SwiftShader (forced by --swiftshader)';
  } else {
    if (process.env.VK_ICD_FILENAMES) how = `VK_ICD_FILENAMES=${process.env.VK_ICD_FILENAMES}`;
    gpu = createDawn();
  }
  let adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' }).catch(() => null);
  if (!adapter && mode === 'auto' && !process.env.VK_ICD_FILENAMES && icd) {
    // No hardware adapter: a new Dawn instance reads VK_ICD_FILENAMES afresh.
    gpu = createDawn(icd);
    adapter = await gpu.requestAdapter().catch(() => null);
    how = 'SwiftShader (no hardware adapter found; CPU Vulkan, so GPU rows are CPU timings)';
  }
  if (!adapter) return { gpu, adapter: null, device: null, how: 'no WebGPU adapter (install libvulkan1 and chromium for SwiftShader)' };
  const device = await requestNodeDevice(adapter, ['timestamp-query', 'subgroups'], true);
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

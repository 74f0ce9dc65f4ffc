import { existsSync } from 'node:fs';
import { create, globals } from 'webgpu';

const SWIFTSHADER_ICDS = ['/usr/lib/chromium/vk_swiftshader_icd.json', '/usr/lib/chromium-browser/vk_swiftshader_icd.json'];

/**
 * Dawn's WebGPU for Node. Without a GPU it runs on SwiftShader's Vulkan driver (shipped with Debian's
 * chromium); VK_ICD_FILENAMES must point at it before the first adapter request. GPU tests must run, never
 * skip: no adapter is a failure with a message saying what to install.
 */
export function nodeGpu(): GPU {
  if (!process.env.VK_ICD_FILENAMES) {
    const icd = SWIFTSHADER_ICDS.find((p) => existsSync(p));
    if (icd) process.env.VK_ICD_FILENAMES = icd;
  }
  Object.assign(globalThis, globals);
  return create([]) as GPU;
}

/**
 * An adapter and a device for a test file, with the optional features the adapter has. Keep `gpu` referenced
 * for the whole file: Dawn tears its instance down when the GPU object is collected.
 */
export async function nodeDevice(optionalFeatures: GPUFeatureName[] = []): Promise<{ gpu: GPU; adapter: GPUAdapter; device: GPUDevice }> {
  const gpu = nodeGpu();
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    throw new Error('No WebGPU adapter in Node: install libvulkan1 and chromium (for SwiftShader) and set VK_ICD_FILENAMES');
  }
  const requiredFeatures = optionalFeatures.filter((f) => adapter.features.has(f));
  const device = await adapter.requestDevice({ requiredFeatures });
  return { gpu, adapter, device };
}

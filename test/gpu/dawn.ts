import { createDawn, requestNodeDevice, swiftShaderIcd } from '../../src/bench/nodeHost.ts';

/**
 * Dawn's WebGPU for Node, on SwiftShader's Vulkan driver (shipped with Debian's chromium) unless VK_ICD_FILENAMES
 * already names a driver. GPU tests must run, never skip: no adapter is a failure with a message saying what to
 * install.
 */
export function nodeGpu(): GPU {
  return createDawn(process.env.VK_ICD_FILENAMES ? undefined : swiftShaderIcd());
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
  return { gpu, adapter, device: await requestNodeDevice(adapter, optionalFeatures) };
}

import { createDawn, requestNodeDevice, swiftShaderIcd } from '../../src/bench/nodeHost.ts';
import { GpuEvaluator, type GpuStartup, requestGpu } from '../../src/engine/gpu/context.ts';

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

/** The app's WebGPU startup (`requestGpu`) on `gpu`; anything but 'ok' fails the test, naming the kind. */
export async function nodeStartup(gpu: GPU): Promise<Extract<GpuStartup, { kind: 'ok' }>> {
  const startup = await requestGpu(gpu);
  if (startup.kind !== 'ok') throw new Error(`WebGPU startup failed in Node: ${startup.kind}`);
  return startup;
}

/**
 * The evaluator test files' pair on one new device: `ev` as the app builds it (1D search path from N = 256, the 2D
 * kernel 'auto' picks for the adapter) and `brute` (brute-force eval1d, tiled eval2d), so every kernel is tested at
 * every size whatever the adapter. Keep `gpu` referenced for the whole file (see nodeDevice).
 */
export async function nodeEvaluators(): Promise<{ gpu: GPU; ev: GpuEvaluator; brute: GpuEvaluator }> {
  const gpu = nodeGpu();
  const startup = await nodeStartup(gpu);
  const ev = await GpuEvaluator.create(startup);
  const brute = await GpuEvaluator.create(startup, { search1D: false, kernel2D: 'tiled' });
  return { gpu, ev, brute };
}

/**
 * Renders with `encode` into a fresh width × height rgba8unorm texture and returns its bytes, rows packed (the copy's
 * rows are 256-byte aligned). The encoding runs inside a validation error scope: an error there fails the test.
 */
export async function renderPixels(
  device: GPUDevice,
  width: number,
  height: number,
  encode: (encoder: GPUCommandEncoder, view: GPUTextureView) => void,
): Promise<Uint8Array> {
  const texture = device.createTexture({ size: [width, height], format: 'rgba8unorm', usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC });
  const bytesPerRow = Math.ceil((4 * width) / 256) * 256;
  const out = device.createBuffer({ size: bytesPerRow * height, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  device.pushErrorScope('validation');
  const encoder = device.createCommandEncoder();
  encode(encoder, texture.createView());
  encoder.copyTextureToBuffer({ texture }, { buffer: out, bytesPerRow }, [width, height]);
  device.queue.submit([encoder.finish()]);
  const error = await device.popErrorScope();
  if (error) throw new Error(`validation error while rendering: ${error.message}`);
  await out.mapAsync(GPUMapMode.READ);
  const padded = new Uint8Array(out.getMappedRange());
  const pixels = new Uint8Array(4 * width * height);
  for (let y = 0; y < height; y++) pixels.set(padded.subarray(y * bytesPerRow, y * bytesPerRow + 4 * width), 4 * y * width);
  out.unmap();
  out.destroy();
  texture.destroy();
  return pixels;
}

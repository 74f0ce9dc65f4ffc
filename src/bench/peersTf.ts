/**
 * Loads TensorFlow.js for the peers (peers.ts) on demand: dynamic imports only, so neither the app's main bundle
 * nor the Benchmark panel's chunk carries TF.js until "Compare with TensorFlow.js" is used. Works in the browser
 * (CSP script-src 'self': the WebGPU and CPU backends need neither 'wasm-unsafe-eval' nor workers) and in Node.
 */
import type { PeerHandle, Tf } from './peers.ts';
import { loadTfCore, loadTfCpuModule, loadTfWebGpuModule } from './tfjsModules.js';

export { loadTfCore };

function handle(tf: Tf, id: string, backend: string, label: string, sync: () => Promise<void>, dispose: () => void): PeerHandle {
  let disposed = false;
  return {
    id,
    label,
    tf,
    async activate() {
      if (tf.getBackend() !== backend && !(await tf.setBackend(backend))) throw new Error(`TensorFlow.js could not start its ${backend} backend`);
    },
    sync,
    dispose() {
      if (disposed) return;
      disposed = true;
      dispose();
    },
  };
}

/** The plain-JavaScript CPU backend (tfjs-backend-cpu): the fallback where there is no WebGPU. */
export async function loadTfCpu(): Promise<PeerHandle> {
  const tf = await loadTfCore();
  await loadTfCpuModule();
  const h = handle(tf, 'tfjs-cpu', 'cpu', `TensorFlow.js ${tf.version_core}, CPU backend (JavaScript)`, async () => undefined, () => undefined);
  await h.activate();
  return h;
}

/**
 * TF.js's WebGPU backend on the sandbox's own device (so: the same adapter), registered under 'webgpu' (TF.js
 * looks its kernels up by that name) in place of the backend the package registers, which would request an
 * adapter of its own. TF.js checks `navigator.gpu` exists; in Node the host sets it first (peersNode.ts).
 */
export async function loadTfWebGpu(device: GPUDevice, adapterInfo?: GPUAdapterInfo): Promise<PeerHandle> {
  const tf = await loadTfCore();
  const { WebGPUBackend } = await loadTfWebGpuModule();
  if (tf.findBackendFactory('webgpu')) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(device, adapterInfo), 0);
  type Queued = { commandEncoder: GPUCommandEncoder | null; endComputePassEncoder(): void; submitQueue(): void };
  const h = handle(
    tf,
    'tfjs-webgpu',
    'webgpu',
    `TensorFlow.js ${tf.version_core}, WebGPU backend on the sandbox's GPU device`,
    async () => {
      // TF.js batches dispatches until a read; submit them, then wait for the queue like the sandbox's timer does.
      const be = tf.backend() as Queued;
      be.endComputePassEncoder();
      if (be.commandEncoder) be.submitQueue();
      await device.queue.onSubmittedWorkDone();
    },
    () => {
      // Frees TF.js's buffers on the shared device; the device itself stays the sandbox's.
      if (tf.findBackend('webgpu')) tf.removeBackend('webgpu');
    },
  );
  await h.activate();
  return h;
}

// TensorFlow.js's modules, loaded on demand for the peers (see tfjsModules.d.ts for why this is JavaScript).
// Node hands a CommonJS build over as `default`; Vite and esbuild give the ES module itself.
const unwrap = (mod, key) => (mod.default && mod.default[key] ? mod.default : mod);

export async function loadTfCore() {
  return unwrap(await import('@tensorflow/tfjs-core'), 'matMul');
}

export async function loadTfCpuModule() {
  return unwrap(await import('@tensorflow/tfjs-backend-cpu'), 'MathBackendCPU');
}

export async function loadTfWebGpuModule() {
  return unwrap(await import('@tensorflow/tfjs-backend-webgpu'), 'WebGPUBackend');
}

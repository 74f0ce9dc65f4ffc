// TensorFlow.js's WASM backend, for the Node CLI only (kept apart from tfjsModules.js so the app's build has no
// WASM chunk; the page's CSP has no 'wasm-unsafe-eval' anyway). Types: tfjsWasm.d.ts.
export async function loadTfWasmModule() {
  const mod = await import('@tensorflow/tfjs-backend-wasm');
  return mod.default && mod.default.setWasmPaths ? mod.default : mod;
}

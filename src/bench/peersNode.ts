/**
 * Node side of the peers (scripts/bench.ts --peers): TF.js's WASM backend with its .wasm files found on disk, and
 * its WebGPU backend on the Dawn device of the run. Never imported by the app.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PeerHandle, PeerKind } from './peers.ts';
import { loadTfCore, loadTfCpu, loadTfWebGpu } from './peersTf.ts';
import { loadTfWasmModule } from './tfjsWasm.js';

const WASM_FILE = 'tfjs-backend-wasm.wasm';

/**
 * The folder of tfjs-backend-wasm's .wasm files: `explicit` (--tfjs-wasm-dir), else $TFJS_WASM_DIR, else the
 * package resolved from the working directory, then from the running script (an esbuild bundle with
 * node_modules/@tensorflow beside it). Throws naming every place tried.
 */
export function tfjsWasmDir(explicit?: string | null): string {
  const tried: string[] = [];
  const ok = (d: string) => {
    tried.push(d);
    return existsSync(join(d, WASM_FILE));
  };
  for (const d of [explicit, process.env.TFJS_WASM_DIR]) if (d && ok(resolve(d))) return resolve(d);
  const bases = [join(process.cwd(), 'package.json'), process.argv[1] ? resolve(process.argv[1]) : null].filter((b): b is string => !!b);
  for (const base of bases) {
    try {
      const pkg = createRequire(pathToFileURL(base)).resolve('@tensorflow/tfjs-backend-wasm/package.json');
      const d = join(dirname(pkg), 'dist');
      if (ok(d)) return d;
    } catch {
      tried.push(`@tensorflow/tfjs-backend-wasm from ${base}`);
    }
  }
  throw new Error(`TF.js WASM files not found (looked for ${WASM_FILE} in: ${tried.join('; ')}); pass --tfjs-wasm-dir DIR or set TFJS_WASM_DIR`);
}

/** TF.js's WASM backend (single-threaded SIMD in Node), its binaries from `wasmDir`. */
export async function loadTfWasm(wasmDir: string): Promise<PeerHandle> {
  const tf = await loadTfCore();
  const wasm = await loadTfWasmModule();
  // A file path prefix: Emscripten reads the binary with fs in Node.
  wasm.setWasmPaths(wasmDir.endsWith('/') ? wasmDir : `${wasmDir}/`);
  let disposed = false;
  const h: PeerHandle = {
    id: 'tfjs-wasm',
    label: `TensorFlow.js ${tf.version_core}, WASM backend (${wasmDir})`,
    tf,
    async activate() {
      if (tf.getBackend() !== 'wasm' && !(await tf.setBackend('wasm'))) throw new Error('TensorFlow.js could not start its wasm backend');
    },
    async sync() {},
    dispose() {
      if (disposed) return;
      disposed = true;
      if (tf.findBackend('wasm')) tf.removeBackend('wasm');
    },
  };
  await h.activate();
  const threads = wasm.getThreadsCount();
  h.label += `, ${threads} thread(s)`;
  return h;
}

/**
 * The requested peers; one that cannot load is left out with a line saying why. `gpu` is the run's Dawn GPU
 * object (TF.js checks navigator.gpu), `device` the run's device.
 */
export async function loadNodePeers(
  kinds: PeerKind[],
  gpu: { gpu: GPU | null; device: GPUDevice | null; adapter: GPUAdapter | null },
  wasmDir: string | null,
): Promise<{ handles: PeerHandle[]; notes: string[] }> {
  const handles: PeerHandle[] = [];
  const notes: string[] = [];
  for (const kind of kinds) {
    try {
      if (kind === 'wasm') handles.push(await loadTfWasm(tfjsWasmDir(wasmDir)));
      else if (kind === 'cpu') handles.push(await loadTfCpu());
      else if (!gpu.device || !gpu.gpu) notes.push('TF.js WebGPU backend not run: no GPU device in this run.');
      else {
        const g = globalThis as { navigator?: { gpu?: GPU } };
        if (!g.navigator) Object.defineProperty(globalThis, 'navigator', { value: { gpu: gpu.gpu }, configurable: true, writable: true });
        else if (!g.navigator.gpu) Object.defineProperty(g.navigator, 'gpu', { value: gpu.gpu, configurable: true });
        handles.push(await loadTfWebGpu(gpu.device, gpu.adapter?.info));
      }
    } catch (e) {
      notes.push(`TF.js ${kind} backend not run: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { handles, notes };
}

// Bundles the benchmark CLIs (scripts/bench.ts, scripts/bench-engine.ts) into single ES modules for a machine
// without an npm registry: `node bench/tools/bundle-node.mjs OUTDIR`, then copy beside them node_modules/webgpu
// (with dist/<platform> only), debug, ms and, for --peers, node_modules/@tensorflow/* (package.json, the dist/*.node.js
// main file and the .wasm files). WGSL `?raw` imports are inlined as strings, as Vite does. See bench/NOTES.md.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
const out = process.argv[2] ?? '.devpkg';
const raw = {
  name: 'raw',
  setup(b) {
    b.onResolve({ filter: /\?raw$/ }, (a) => ({ path: resolve(a.resolveDir, a.path.slice(0, -4)), namespace: 'raw' }));
    b.onLoad({ filter: /.*/, namespace: 'raw' }, async (a) => ({ contents: `export default ${JSON.stringify(await readFile(a.path, 'utf8'))};`, loader: 'js' }));
    // the register-raw import is only for tsx
    b.onResolve({ filter: /register-raw\.mjs$/ }, () => ({ path: 'noop', namespace: 'noop' }));
    b.onLoad({ filter: /.*/, namespace: 'noop' }, () => ({ contents: '', loader: 'js' }));
  },
};
for (const [entry, name] of [['scripts/bench.ts', 'bench.mjs'], ['scripts/bench-engine.ts', 'bench-engine.mjs']]) {
  await build({
    entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', outfile: `${out}/${name}`,
    external: ['webgpu', '@tensorflow/*'], plugins: [raw], logLevel: 'warning',
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
}
console.log('bundled into', out);

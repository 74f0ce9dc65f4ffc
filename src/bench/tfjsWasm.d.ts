/** tfjs-backend-wasm (registers the 'wasm' backend on import); typed here for the reason in tfjsModules.d.ts. */
export function loadTfWasmModule(): Promise<{ setWasmPaths(prefixOrFileMap: string): void; getThreadsCount(): number }>;

// WGSL files are imported as text (`?raw`) by Vite in the app and by vitest in Node.
declare module '*.wgsl?raw' {
  const source: string;
  export default source;
}

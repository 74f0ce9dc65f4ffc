import { defineConfig } from 'vite';

// Relative base so the built app works from any folder or static host.
export default defineConfig({
  base: './',
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
  build: { target: 'es2022', sourcemap: true },
});

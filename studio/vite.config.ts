import { defineConfig } from 'vite';

/** The studio (issue 14): built into dist/studio and served by `flowline serve` at `/`. */
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: new URL('../dist/studio', import.meta.url).pathname,
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    modulePreload: { polyfill: false },
    // One chunk on purpose (the studio is one page); the editor with its schema help is ≈ 590 KB (190 KB gzip).
    chunkSizeWarningLimit: 700,
  },
});

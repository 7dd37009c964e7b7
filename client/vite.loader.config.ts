import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

/** The embeddable loader: one small IIFE with a stable name, dist/client/widget.js. */
export default defineConfig({
  root,
  publicDir: false,
  build: {
    outDir: resolve(root, '../dist/client'),
    emptyOutDir: false,
    target: 'es2020',
    reportCompressedSize: false,
    lib: {
      entry: resolve(root, 'src/loader/widget.ts'),
      formats: ['iife'],
      name: 'lotseLoader',
      fileName: () => 'widget.js',
    },
  },
});

import preact from '@preact/preset-vite';
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

/** The pages (widget app, console, demo homepage); the loader is built by vite.loader.config.ts. */
export default defineConfig({
  root,
  base: '/',
  publicDir: resolve(root, 'public'),
  plugins: [preact()],
  build: {
    outDir: resolve(root, '../dist/client'),
    emptyOutDir: true,
    target: 'es2020',
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rollupOptions: {
      input: {
        widget: resolve(root, 'embed/widget.html'),
        console: resolve(root, 'console.html'),
        'widget-demo': resolve(root, 'widget-demo.html'),
        'confirm-email': resolve(root, 'confirm-email.html'),
        portal: resolve(root, 'portal.html'),
      },
    },
  },
});

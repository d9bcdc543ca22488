import { defineConfig } from 'vite';
import preact from '@preact/preset-vite';

// Built into ui/dist by `npm install` (prepare) and served by `vigil serve` at /.
export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  plugins: [preact()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline scripts or styles: the server's Content-Security-Policy allows only files from 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});

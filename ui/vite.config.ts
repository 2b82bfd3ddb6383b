// Builds the UI into ui/dist, which the Flow server serves at /. `npx vite --config ui/vite.config.ts`
// runs a dev server that forwards the API and webhooks to a Flow server on :5000.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const target = process.env.FLOW_URL ?? 'http://127.0.0.1:5000';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1024, sourcemap: false,
    rollupOptions: {
      // @xyflow/react marks itself "use client" for React Server Components; irrelevant in a plain SPA.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  server: { port: 5173, proxy: { '/api': target, '/flow': target } },
  logLevel: 'warn',
});

import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { securityHeaders } from './scripts/security-headers.ts';

export default defineConfig({
  plugins: [react(), securityHeaders()],
  worker: { format: 'es' },
  // onnxruntime-web loads its own WASM; pre-bundling it breaks that.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  // Never inline assets as data: URLs: models and WASM are fetched, and the CSP allows fetches from this origin only.
  build: { target: 'es2022', chunkSizeWarningLimit: 4096, assetsInlineLimit: 0 },
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts', 'workflows/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});

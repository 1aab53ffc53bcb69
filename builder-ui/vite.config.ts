import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The API server (`sopflow dev` / `sopflow api`) listens on 3000 and serves the built builder
// itself; in development the Vite server forwards /api there so both share one origin.
export default defineConfig({
  // Builds land in builder-ui/dist, where the API server looks, whichever folder vite runs from.
  root: import.meta.dirname,
  plugins: [react()],
  server: {
    proxy: { '/api': 'http://127.0.0.1:3000' },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // One bundle on purpose: the engine (zod, liquidjs, luxon) compiles flows in the browser.
    // About 210 kB gzipped, loaded once by operators on a desktop.
    chunkSizeWarningLimit: 800,
  },
});

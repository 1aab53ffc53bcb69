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
    // One main bundle on purpose: the engine (zod, liquidjs, luxon) compiles flows in the browser
    // as they are drawn. About 260 kB gzipped, loaded once by operators on a desktop; the layout
    // library (dagre) is split off and loads on first "tidy up".
    chunkSizeWarningLimit: 900,
  },
});

import { defineConfig } from 'vite';

// The bundle goes straight into the module's classes as classpath resources under public/,
// which studio-server serves at / (App.PUBLIC).
export default defineConfig({
  root: 'src',
  base: './',
  build: {
    outDir: '../target/classes/public',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 300,
  },
});

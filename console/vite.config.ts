import { defineConfig } from "vite";

// Two pages share one build: the console (index.html) and the gate display (kiosk.html).
// `menjin serve --static dist` serves the output; `npm run dev` proxies the API to a local
// `menjin serve` on port 8080.
export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    rolldownOptions: {
      input: { console: "index.html", kiosk: "kiosk.html" },
    },
  },
  server: {
    proxy: { "/api": "http://127.0.0.1:8080" },
  },
});

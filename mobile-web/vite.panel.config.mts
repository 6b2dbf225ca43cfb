// The editor's thread panel: the phone app's thread components built for a VS Code webview
// (src/panel/main.ts), separate from the PWA so none of it reaches the phone's chunks. One
// script and one stylesheet with fixed names (the extension's webview HTML names them), no
// lazy chunks: the webview's CSP allows the extension's own files only, and they are local.

import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "./",
  // The PWA's icons and manifest are not the panel's.
  publicDir: false,
  plugins: [svelte({ configFile: fileURLToPath(new URL("./svelte.config.mjs", import.meta.url)) })],
  build: {
    outDir: "../dist/panel",
    emptyOutDir: true,
    cssCodeSplit: false,
    // The editor's webview engine is a recent Chromium.
    target: "es2022",
    rolldownOptions: {
      input: fileURLToPath(new URL("./src/panel/main.ts", import.meta.url)),
      output: {
        entryFileNames: "panel.js",
        assetFileNames: "panel[extname]",
        codeSplitting: false,
      },
    },
  },
});

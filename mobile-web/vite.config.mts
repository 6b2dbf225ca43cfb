import { fileURLToPath } from "node:url";
import { defineConfig, searchForWorkspaceRoot } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { precompress } from "./vite-plugin-compress.mts";
import { serviceWorker } from "./vite-plugin-sw.mts";
import { zodWithoutJsonSchema } from "./vite-plugin-zod-json-schema.mts";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/",
  plugins: [
    // The schemas parse as always; only zod's JSON Schema generator, which the phone never uses, is left out.
    zodWithoutJsonSchema(),
    svelte({ configFile: fileURLToPath(new URL("./svelte.config.mjs", import.meta.url)) }),
    // /sw.js: the offline shell and push notifications, built after the app it precaches.
    serviceWorker({ entry: fileURLToPath(new URL("./src/sw/sw.ts", import.meta.url)) }),
    // x.br and x.gz beside each text file, which the relay serves to browsers that take them.
    precompress(),
  ],
  build: {
    outDir: "../dist/mobile-web",
    emptyOutDir: true,
    // .vite/manifest.json: the chunk graph, which the size budget test walks.
    manifest: true,
  },
  server: {
    // The app imports protocol/ (the `#protocol` import map); the workspace root covers it and the
    // dependency cache in the root node_modules.
    fs: { allow: [searchForWorkspaceRoot(root), fileURLToPath(new URL("../protocol", import.meta.url))] },
  },
});

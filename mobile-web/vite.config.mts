import { fileURLToPath } from "node:url";
import { defineConfig, searchForWorkspaceRoot } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { firstLoadChunk } from "./vite-chunks.mts";
import { precompress } from "./vite-plugin-compress.mts";
import { serviceWorker } from "./vite-plugin-sw.mts";
import { zodWithoutJsonSchema } from "./vite-plugin-zod-json-schema.mts";
import { zodWithoutEnglish } from "./vite-plugin-zod-locale.mts";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/",
  plugins: [
    // The schemas parse as always; only zod's JSON Schema generator, which the phone never uses, is left out.
    zodWithoutJsonSchema(),
    // Nor its English messages, which the phone never shows (the relay still sends its own).
    zodWithoutEnglish(),
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
    rolldownOptions: {
      output: {
        // The first load in one chunk rather than split by what later screens share (vite-chunks.mts).
        codeSplitting: {
          // Its own modules only: their dependencies the entry also imports stay in the entry chunk.
          includeDependenciesRecursively: false,
          groups: [
            {
              name: firstLoadChunk(
                fileURLToPath(new URL("./src/main.ts", import.meta.url)),
                fileURLToPath(new URL("./src/start.ts", import.meta.url)),
              ),
            },
          ],
        },
      },
    },
  },
  server: {
    // The app imports protocol/ (the `#protocol` import map); the workspace root covers it and the
    // dependency cache in the root node_modules.
    fs: { allow: [searchForWorkspaceRoot(root), fileURLToPath(new URL("../protocol", import.meta.url))] },
  },
});

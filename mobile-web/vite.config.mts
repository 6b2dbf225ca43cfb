import { fileURLToPath } from "node:url";
import { defineConfig, searchForWorkspaceRoot } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { firstLoadChunk } from "./vite-chunks.mts";
import { precompress } from "./vite-plugin-compress.mts";
import { serviceWorker } from "./vite-plugin-sw.mts";
import { zodWithoutJsonSchema } from "./vite-plugin-zod-json-schema.mts";
import { zodWithoutEnglish } from "./vite-plugin-zod-locale.mts";

const root = fileURLToPath(new URL(".", import.meta.url));
/**
 * Svelte runtime modules no first-load component uses (form bindings, size bindings, {@html}):
 * left to itself the bundler puts them in the entry chunk, as code every chunk shares. The size
 * budget test follows the first load's imports, so it fails if one of them is needed after all.
 */
const LATER_ONLY_RUNTIME =
  /[\\/]svelte[\\/]src[\\/]internal[\\/]client[\\/]dom[\\/](?:elements[\\/]bindings[\\/](?:select|input|size)|blocks[\\/]html)\.js$/;

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
      // Svelte declares no `sideEffects`, so the bundler would keep the first load importing the
      // `later` chunk to keep module order; these modules only define functions and pure values.
      treeshake: { moduleSideEffects: (id: string) => (LATER_ONLY_RUNTIME.test(id) ? false : undefined) },
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
            // Svelte's runtime for what only later screens use, apart from the entry chunk.
            { name: "later", test: LATER_ONLY_RUNTIME },
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

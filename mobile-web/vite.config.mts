import { fileURLToPath } from "node:url";
import { defineConfig, searchForWorkspaceRoot } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/",
  plugins: [svelte({ configFile: fileURLToPath(new URL("./svelte.config.mjs", import.meta.url)) })],
  build: {
    outDir: "../dist/mobile-web",
    emptyOutDir: true,
  },
  server: {
    // The app imports ../protocol by relative path; the workspace root covers it and the
    // dependency cache in the root node_modules.
    fs: { allow: [searchForWorkspaceRoot(root), fileURLToPath(new URL("../protocol", import.meta.url))] },
  },
});

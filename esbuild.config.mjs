// Bundles the Node entry points into dist/. The PWA is built by Vite (mobile-web/vite.config.ts).
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: "linked",
  logLevel: "warning",
  // Native and optional-heavy packages stay in node_modules, loaded at run time.
  external: ["better-sqlite3", "firebase-admin", "web-push", "bufferutil", "utf-8-validate"],
};

const started = Date.now();
await Promise.all([
  build({ ...common, entryPoints: { relay: "relay/main.ts" }, outdir: "dist" }),
  build({ ...common, entryPoints: { host: "extension/headless/main.ts" }, outdir: "dist" }),
  build({ ...common, entryPoints: { start: "scripts/start.ts" }, outdir: "dist" }),
  build({
    ...common,
    entryPoints: { extension: "extension/vscode/extension.ts" },
    outdir: "dist",
    external: [...common.external, "vscode"],
  }),
]);
console.log(`esbuild: dist/relay.js, dist/host.js, dist/start.js, dist/extension.js in ${Date.now() - started} ms`);

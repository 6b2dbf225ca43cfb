// Bundles the Node entry points into dist/. The PWA is built by Vite (mobile-web/vite.config.ts).
import { copyFileSync, mkdirSync, readdirSync, rmSync } from "node:fs";
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
  // The shell grammar's CommonJS build: its ES module one reads import.meta.url, which is empty in a CommonJS bundle.
  alias: { "web-tree-sitter": "./node_modules/web-tree-sitter/tree-sitter.cjs" },
};

// `--production` (npm run package): the extension minified, without a source map, as it ships.
const production = process.argv.includes("--production");

const started = Date.now();
// Emptied first: a suite deleted from test/vscode/suite/ must not keep running from an old bundle.
rmSync("dist/test/vscode", { recursive: true, force: true });
await Promise.all([
  build({ ...common, entryPoints: { relay: "relay/main.ts" }, outdir: "dist" }),
  build({ ...common, entryPoints: { host: "extension/headless/main.ts" }, outdir: "dist" }),
  build({ ...common, entryPoints: { start: "scripts/start.ts" }, outdir: "dist" }),
  // The command-line device (bin/tether.js): the phone's pairing and wire code, run by Node.
  build({ ...common, entryPoints: { cli: "cli/main.ts" }, outdir: "dist" }),
  build({
    ...common,
    entryPoints: { extension: "extension/vscode/extension.ts" },
    outdir: "dist",
    external: [...common.external, "vscode"],
    ...(production ? { minify: true, sourcemap: false } : {}),
  }),
  // The extension's in-editor tests (test/vscode/): the entry VS Code loads as extensionTestsPath,
  // and every suite file beside it, which the entry hands to mocha (required from node_modules).
  build({
    ...common,
    entryPoints: {
      index: "test/vscode/suite/index.ts",
      ...Object.fromEntries(
        readdirSync("test/vscode/suite")
          .filter((f) => f.endsWith(".suite.ts"))
          .map((f) => [`suite/${f.slice(0, -3)}`, `test/vscode/suite/${f}`]),
      ),
    },
    outdir: "dist/test/vscode",
    external: [...common.external, "vscode", "mocha"],
  }),
]);
// The shell grammar the approval gate parses with is WebAssembly that esbuild does not follow:
// it goes beside the bundles, where extension/core/agent/policy/grammar.ts looks first.
mkdirSync("dist", { recursive: true });
copyFileSync("node_modules/web-tree-sitter/tree-sitter.wasm", "dist/tree-sitter.wasm");
copyFileSync("node_modules/tree-sitter-bash/tree-sitter-bash.wasm", "dist/tree-sitter-bash.wasm");
console.log(
  `esbuild: dist/relay.js, dist/host.js, dist/start.js, dist/cli.js, dist/extension.js, dist/test/vscode/, dist/*.wasm in ${Date.now() - started} ms`,
);

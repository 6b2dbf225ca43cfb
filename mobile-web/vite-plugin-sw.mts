// Builds the service worker after the app: a second, self-contained Vite build of
// src/sw/sw.ts into <outDir>/sw.js as a classic script (module workers are not everywhere
// yet), with the app's file list and a content hash injected as constants. A change to any
// file changes sw.js, which is what makes browsers install the new worker.

import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { build, type Plugin, type ResolvedConfig } from "vite";
import { isCompressedCopy } from "./vite-plugin-compress.mts";

export interface ServiceWorkerOptions {
  /** The worker's entry, absolute. */
  entry: string;
  /** Its name in the output folder; also its URL path. */
  fileName?: string;
}

/**
 * Files never precached: source maps, the worker itself, and the compressed copies (the browser
 * caches the file it decoded; x.js.br is never asked for by name).
 */
function precacheable(path: string, workerName: string): boolean {
  return (
    path !== workerName &&
    !path.endsWith(".map") &&
    !isCompressedCopy(path) &&
    !path.split("/").some((part) => part.startsWith("."))
  );
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

export function serviceWorker(options: ServiceWorkerOptions): Plugin {
  const fileName = options.fileName ?? "sw.js";
  let config: ResolvedConfig;
  let failed = false;
  return {
    name: "tether:service-worker",
    apply: "build",
    configResolved(resolved) {
      config = resolved;
    },
    buildEnd(error) {
      failed = error !== undefined;
    },
    async closeBundle() {
      if (failed) return;
      const outDir = resolve(config.root, config.build.outDir);
      // Everything written by now: index.html, every chunk (lazy ones too), CSS, and what
      // public/ copied (icons, manifest).
      const files = (await listFiles(outDir)).filter((f) => precacheable(f, fileName));
      const hash = createHash("sha256");
      for (const file of files) {
        hash.update(`${file}\0`);
        hash.update(await readFile(join(outDir, file)));
      }
      const version = hash.digest("hex").slice(0, 16);
      const urls = files.map((f) => `/${f}`);
      await build({
        configFile: false,
        root: config.root,
        base: config.base,
        mode: config.mode,
        logLevel: config.logLevel,
        publicDir: false,
        define: {
          __TETHER_PRECACHE__: JSON.stringify(urls),
          __TETHER_CACHE_VERSION__: JSON.stringify(version),
        },
        build: {
          outDir,
          emptyOutDir: false,
          copyPublicDir: false,
          target: config.build.target,
          sourcemap: false,
          reportCompressedSize: config.build.reportCompressedSize,
          rolldownOptions: {
            input: options.entry,
            output: { format: "iife", entryFileNames: fileName, codeSplitting: false },
          },
        },
      });
      config.logger.info(`service worker: ${urls.length} files precached, cache version ${version}`);
    },
  };
}

// Writes brotli and gzip copies beside the built app's text files (x.js → x.js.br, x.js.gz),
// so the relay sends a phone the smallest one its browser accepts without compressing on
// each request. Runs last, after the service worker's own build, so sw.js is compressed too.

import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import type { Plugin, ResolvedConfig } from "vite";

/** The encodings written, by suffix; the relay looks for exactly these names. */
export const COMPRESSED_SUFFIXES = [".br", ".gz"] as const;

const TEXT = /\.(?:js|mjs|css|html|svg|json|webmanifest|txt)$/;
/** Below this, a compressed copy saves less than its headers cost. */
const MIN_BYTES = 1024;

export function isCompressedCopy(path: string): boolean {
  return COMPRESSED_SUFFIXES.some((suffix) => path.endsWith(suffix));
}

export function precompress(): Plugin {
  let config: ResolvedConfig;
  let failed = false;
  return {
    name: "tether:precompress",
    apply: "build",
    configResolved(resolved) {
      config = resolved;
    },
    buildEnd(error) {
      failed = error !== undefined;
    },
    closeBundle: {
      order: "post",
      sequential: true,
      async handler() {
        if (failed) return;
        const outDir = resolve(config.root, config.build.outDir);
        const entries = await readdir(outDir, { recursive: true, withFileTypes: true });
        let written = 0;
        for (const entry of entries) {
          const path = join(entry.parentPath, entry.name);
          // Hidden build metadata (.vite/manifest.json) is never served.
          if (!entry.isFile() || !TEXT.test(entry.name) || path.slice(outDir.length).includes("/.")) continue;
          const bytes = await readFile(path);
          if (bytes.length < MIN_BYTES) continue;
          const brotli = brotliCompressSync(bytes, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
              [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            },
          });
          const gzip = gzipSync(bytes, { level: 9 });
          // A copy that is not smaller is not worth choosing: the relay then sends the file as it is.
          if (brotli.length < bytes.length) await writeFile(`${path}.br`, brotli);
          if (gzip.length < bytes.length) await writeFile(`${path}.gz`, gzip);
          written++;
        }
        config.logger.info(`precompressed: ${written} files (brotli, gzip)`);
      },
    },
  };
}

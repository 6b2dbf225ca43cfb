// The size budget: what a phone downloads before the first screen shows. Walks the built
// chunk graph (Vite's .vite/manifest.json) from the entry and the app chunk it always loads,
// following static imports only; lazy screens and the diff viewer are not counted, and must
// stay out of that set.

import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const WEB = join(import.meta.dirname, "..", "..", "dist", "mobile-web");
const BUDGET_BYTES = 100_000;

interface Chunk {
  file: string;
  src?: string;
  name?: string;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

function firstLoad(manifest: Record<string, Chunk>, roots: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (key: string): void => {
    if (seen.has(key)) return;
    const chunk = manifest[key];
    assert.ok(chunk, `${key} is not in the build manifest`);
    seen.add(key);
    for (const next of chunk.imports ?? []) visit(next);
  };
  roots.forEach(visit);
  return seen;
}

function gzipSize(file: string): number {
  return gzipSync(readFileSync(join(WEB, file))).length;
}

describe("PWA size budget", () => {
  let manifest: Record<string, Chunk>;

  before(function () {
    const path = join(WEB, ".vite", "manifest.json");
    if (!existsSync(path)) throw new Error("dist/mobile-web is not built: run `npm run build` first (npm test does)");
    manifest = JSON.parse(readFileSync(path, "utf8")) as Record<string, Chunk>;
  });

  it(`keeps first-load JS under ${BUDGET_BYTES / 1000} KB gzip`, () => {
    const keys = firstLoad(manifest, ["index.html", "src/start.ts"]);
    const sizes = [...keys].map((key) => ({ file: manifest[key]!.file, gzip: gzipSize(manifest[key]!.file) }));
    const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
    const detail = sizes.map((s) => `${s.file} ${(s.gzip / 1000).toFixed(1)} KB`).join(", ");
    console.log(`      first-load JS: ${(total / 1000).toFixed(1)} KB gzip (${detail})`);
    assert.ok(total < BUDGET_BYTES, `first-load JS is ${total} bytes gzip, over the ${BUDGET_BYTES} budget: ${detail}`);
  });

  it("loads the diff viewer, the thread screen, the QR scanner and the Firebase SDK as separate chunks", () => {
    const first = firstLoad(manifest, ["index.html", "src/start.ts"]);
    const lazy = (pattern: RegExp): string => {
      const key = Object.keys(manifest).find((k) => pattern.test(k));
      assert.ok(key, `no chunk for ${pattern}`);
      assert.ok(!first.has(key), `${key} is part of the first load`);
      return key;
    };
    const diff = lazy(/diff2html\/lib-esm\/diff2html\.js$/);
    lazy(/ThreadScreen\.svelte$/);
    lazy(/jsqr\/dist\/jsQR\.js$/);
    lazy(/highlightLanguages/);
    // Only phones of a relay that sends through FCM load the Firebase web SDK.
    const firebase = lazy(/push\/firebaseSdk\.ts$/);
    for (const key of first) {
      const text = readFileSync(join(WEB, manifest[key]!.file), "utf8");
      assert.ok(!text.includes("fcmregistrations.googleapis.com"), `${manifest[key]!.file} holds the Firebase SDK`);
    }
    console.log(`      Firebase web SDK, lazy: ${(gzipSize(manifest[firebase]!.file) / 1000).toFixed(1)} KB gzip`);
    assert.ok(gzipSize(manifest[diff]!.file) > 5_000, "the diff viewer chunk is suspiciously small");
  });
});

// The size budget: what a phone downloads before the first screen shows. The unpaired start
// page is fetched from a real relay on a real port, as Chromium asks for it (brotli or gzip),
// and what it loads is summed: the HTML, its script and stylesheet, the app chunk with the
// chunks and CSS that chunk's loader preloads, and the socket client the app asks for once it
// runs (after the first screen's code, but on every start). Real Chromium then opens the page
// to check that this is all it loads. Vite's chunk graph (.vite/manifest.json) names the chunks.

import { strict as assert } from "node:assert";
import { existsSync, readFileSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { launchChromium, phoneContext } from "../support/browser";
import { startRelay, type TestRelay } from "../support/relay";
import { quietFor } from "../support/wait";

const WEB = join(import.meta.dirname, "..", "..", "dist", "mobile-web");
/** First-load JavaScript, gzip at level 6 (what most servers send), as the build reports it. */
const JS_GZIP_BUDGET = 60_000;
/** Everything the start page transfers, as the relay sends it to a browser that takes brotli. */
const TRANSFER_BUDGET = 100_000;

/** The socket client: not needed to paint the first screen, fetched as the app starts. */
const SOCKET_CLIENT = /socket\.io-client\/build\/esm\/index\.js$/;
/** The notification settings: fetched as the app starts too, and waited for by no first screen. */
const PUSH_SETTINGS = /push\/pushSettings\.svelte\.ts$/;

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

interface Transfer {
  status: number;
  encoding: string | undefined;
  body: Buffer;
}

/** A raw GET: the bytes as they cross the wire, not decoded. */
function fetchRaw(url: string, acceptEncoding: string): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const headers = acceptEncoding ? { "Accept-Encoding": acceptEncoding } : {};
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => {
        const encoding = res.headers["content-encoding"];
        resolve({ status: res.statusCode ?? 0, encoding, body: Buffer.concat(chunks) });
      });
      res.on("error", reject);
    })
      .on("error", reject)
      .end();
  });
}

function decoded(t: Transfer): Buffer {
  if (t.encoding === "br") return brotliDecompressSync(t.body);
  if (t.encoding === "gzip") return gunzipSync(t.body);
  return t.body;
}

/** The scripts, stylesheets and module preloads the HTML names, as paths. */
function htmlLoads(html: string): string[] {
  const paths: string[] = [];
  for (const [, src] of html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)) paths.push(src!);
  for (const [tag] of html.matchAll(/<link\b[^>]*>/g)) {
    const rel = /\brel="([^"]+)"/.exec(tag)?.[1];
    const href = /\bhref="([^"]+)"/.exec(tag)?.[1];
    if (href && (rel === "stylesheet" || rel === "modulepreload")) paths.push(href);
  }
  return paths;
}

const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

describe("PWA size budget", () => {
  let manifest: Record<string, Chunk>;
  let relay: TestRelay;
  /** The unpaired start page's files, by path: the HTML's own and what the app chunk preloads. */
  let startPage: string[];

  before(async function () {
    const path = join(WEB, ".vite", "manifest.json");
    if (!existsSync(path)) throw new Error("dist/mobile-web is not built: run `npm run build` first (npm test does)");
    manifest = JSON.parse(readFileSync(path, "utf8")) as Record<string, Chunk>;
    relay = await startRelay({ webDir: WEB });
    const html = decoded(await fetchRaw(`${relay.url}/`, "br, gzip")).toString("utf8");
    const socketClient = Object.keys(manifest).find((key) => SOCKET_CLIENT.test(key));
    assert.ok(socketClient, "no chunk for the socket client");
    const pushSettings = Object.keys(manifest).find((key) => PUSH_SETTINGS.test(key));
    assert.ok(pushSettings, "no chunk for the notification settings");
    const app = firstLoad(manifest, ["src/start.ts", socketClient, pushSettings]);
    const preloaded = [...app].flatMap((key) => [manifest[key]!.file, ...(manifest[key]!.css ?? [])]);
    startPage = ["/", ...new Set([...htmlLoads(html), ...preloaded.map((file) => `/${file}`)])];
  });

  after(async () => {
    await relay?.stop();
  });

  it(`keeps first-load JS under ${JS_GZIP_BUDGET / 1000} KB gzip`, () => {
    const keys = firstLoad(manifest, ["index.html", "src/start.ts"]);
    const sizes = [...keys].map((key) => ({ file: manifest[key]!.file, gzip: gzipSize(manifest[key]!.file) }));
    const total = sizes.reduce((sum, s) => sum + s.gzip, 0);
    const detail = sizes.map((s) => `${s.file} ${kb(s.gzip)}`).join(", ");
    console.log(`      first-load JS: ${kb(total)} gzip (${detail})`);
    assert.ok(total < JS_GZIP_BUDGET, `first-load JS is ${total} bytes gzip, over the ${JS_GZIP_BUDGET} budget: ${detail}`);
  });

  it(`sends the unpaired start page in under ${TRANSFER_BUDGET / 1000} KB to a browser that takes brotli`, async () => {
    const totals: Record<string, number> = {};
    const lines: string[] = [];
    for (const [label, accept] of [
      ["brotli", "br, gzip"],
      ["gzip", "gzip"],
      ["identity", ""],
    ] as const) {
      let sum = 0;
      for (const path of startPage) {
        const t = await fetchRaw(`${relay.url}${path}`, accept);
        assert.equal(t.status, 200, `${path} with ${label}`);
        if (label === "brotli") {
          // Every text file of the first load large enough to gain comes compressed, and decodes to the file.
          const file = path === "/" ? "index.html" : path.slice(1);
          const original = readFileSync(join(WEB, file));
          if (original.length > 1024) assert.equal(t.encoding, "br", `${path} came ${t.encoding ?? "uncompressed"}`);
          assert.deepEqual(decoded(t), original, path);
          lines.push(`${path} ${kb(t.body.length)}`);
        }
        sum += t.body.length;
      }
      totals[label] = sum;
    }
    console.log(
      `      start page (${startPage.length} files): ${kb(totals.identity!)} identity, ${kb(totals.gzip!)} gzip, ${kb(totals.brotli!)} brotli`,
    );
    console.log(`      ${lines.join(", ")}`);
    assert.ok(totals.brotli! < totals.gzip! && totals.gzip! < totals.identity! / 2.5, JSON.stringify(totals));
    assert.ok(
      totals.brotli! < TRANSFER_BUDGET,
      `the start page sends ${totals.brotli} bytes, over ${TRANSFER_BUDGET}: ${lines.join(", ")}`,
    );
  });

  it("loads nothing on the unpaired start page in Chromium beyond what is counted", async function () {
    const browser = await launchChromium();
    try {
      const context = await phoneContext(browser);
      const page = await context.newPage();
      const loaded = new Set<string>();
      const encodings = new Map<string, string | undefined>();
      page.on("requestfinished", (req) => {
        const url = new URL(req.url());
        if (url.origin === relay.url && url.pathname !== "/sw.js") loaded.add(url.pathname);
      });
      page.on("response", (res) => {
        encodings.set(new URL(res.url()).pathname, res.headers()["content-encoding"]);
      });
      await page.goto(relay.url);
      await page.getByRole("heading", { name: "Pair this phone with your computer" }).waitFor();
      // Past the idle moment at which a paired phone fetches its next screens, nothing else loads.
      const extras = () =>
        [...loaded].filter((path) => !startPage.includes(path) && !/^\/(icons\/|manifest\.webmanifest)/.test(path));
      await quietFor("the start page loading more", 2_500, () => extras().length > 0).catch(() => undefined);
      const extra = extras();
      assert.deepEqual(extra, [], `the start page also loaded ${extra.join(", ")}`);
      const missing = startPage.filter((path) => !loaded.has(path));
      assert.deepEqual(missing, [], `counted but never loaded: ${missing.join(", ")}`);
      // Chromium asks for brotli over http://127.0.0.1 as over HTTPS, and gets it.
      for (const path of startPage) {
        const size = readFileSync(join(WEB, path === "/" ? "index.html" : path.slice(1))).length;
        if (size > 1024) assert.equal(encodings.get(path), "br", `${path} reached Chromium as ${encodings.get(path)}`);
      }
    } finally {
      await browser.close();
    }
  });

  it("precaches each file of the app once in the service worker, not its compressed copies", () => {
    const worker = readFileSync(join(WEB, "sw.js"), "utf8");
    // The URL list is a constant in the worker, quoted or joined with commas.
    const precached = [...worker.matchAll(/(?<=["',])\/(?:assets\/|icons\/)?[\w.-]+\.\w+(?=["',])/g)].map((m) => m[0]);
    const roots = ["index.html", "src/start.ts", "src/components/ThreadScreen.svelte"];
    // Without it a phone opened offline could not connect once the network is back.
    roots.push(Object.keys(manifest).find((key) => SOCKET_CLIENT.test(key)) ?? "the socket client");
    roots.push(Object.keys(manifest).find((key) => PUSH_SETTINGS.test(key)) ?? "the notification settings");
    for (const key of firstLoad(manifest, roots)) {
      const file = `/${manifest[key]!.file}`;
      if (readFileSync(join(WEB, file)).length > 1024)
        assert.ok(existsSync(join(WEB, `${file}.br`)), `${file} has no brotli copy`);
      assert.ok(precached.includes(file), `${file} is not precached`);
    }
    const copies = precached.filter((url) => /\.(?:br|gz)$/.test(url));
    assert.deepEqual(copies, [], "compressed copies are precached as files of their own");
  });

  it("loads the diff viewer, the screens, the decision cards, the QR scanner, the socket client, the notification settings and the Firebase SDK as separate chunks", () => {
    const first = firstLoad(manifest, ["index.html", "src/start.ts"]);
    const lazy = (pattern: RegExp): string => {
      const key = Object.keys(manifest).find((k) => pattern.test(k));
      assert.ok(key, `no chunk for ${pattern}`);
      assert.ok(!first.has(key), `${key} is part of the first load`);
      return key;
    };
    const diff = lazy(/diff2html\/lib-esm\/diff2html\.js$/);
    lazy(/ThreadScreen\.svelte$/);
    lazy(/HostDashboard\.svelte$/);
    lazy(/NewTaskScreen\.svelte$/);
    lazy(/FileView\.svelte$/);
    lazy(/jsqr\/dist\/jsQR\.js$/);
    lazy(/highlightLanguages/);
    lazy(/components\/thread\/decisionCards\.ts$/);
    lazy(SOCKET_CLIENT);
    lazy(PUSH_SETTINGS);
    // Only phones of a relay that sends through FCM load the Firebase web SDK.
    const firebase = lazy(/push\/firebaseSdk\.ts$/);
    for (const key of first) {
      const text = readFileSync(join(WEB, manifest[key]!.file), "utf8");
      assert.ok(!text.includes("fcmregistrations.googleapis.com"), `${manifest[key]!.file} holds the Firebase SDK`);
    }
    // zod's JSON Schema generator (mobile-web/vite-plugin-zod-json-schema.mts) is in no chunk at all.
    for (const chunk of Object.values(manifest)) {
      if (!chunk.file.endsWith(".js")) continue;
      const text = readFileSync(join(WEB, chunk.file), "utf8");
      assert.ok(!text.includes("draft-2020-12"), `${chunk.file} holds zod's JSON Schema generator`);
    }
    console.log(`      Firebase web SDK, lazy: ${kb(gzipSize(manifest[firebase]!.file))} gzip`);
    assert.ok(gzipSize(manifest[diff]!.file) > 5_000, "the diff viewer chunk is suspiciously small");
  });
});

// The relay serving the app's files over real HTTP: the precompressed copies the build writes
// beside them, chosen by Accept-Encoding, with the headers caches and browsers rely on.

import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { startRelay, type TestRelay } from "../support/relay";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request: no client-side decoding, so the test sees the bytes on the wire. */
function get(url: string, headers: Record<string, string> = {}, method = "GET"): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

function decode(reply: Reply): Buffer {
  switch (reply.headers["content-encoding"]) {
    case "br":
      return brotliDecompressSync(reply.body);
    case "gzip":
      return gunzipSync(reply.body);
    case undefined:
      return reply.body;
    default:
      throw new Error(`unexpected encoding ${String(reply.headers["content-encoding"])}`);
  }
}

// Text that compresses well, and large enough that the copies are worth sending.
const SCRIPT = Buffer.from(
  Array.from({ length: 400 }, (_, i) => `export const line${i} = "the agent edits file ${i}";\n`).join(""),
);
const SHELL = Buffer.from(
  `<!doctype html><html><head><title>Tether</title>${"<meta name=x content=y>".repeat(80)}</head><body></body></html>`,
);
const PLAIN_STYLE = Buffer.from("body { margin: 0 }\n");

describe("the relay serving the app's precompressed files", () => {
  let dir: string;
  let relay: TestRelay;
  const url = (path: string) => `${relay.url}${path}`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "tether-web-"));
    mkdirSync(join(dir, "assets"));
    for (const [name, bytes] of [
      ["index.html", SHELL],
      ["assets/app-1a2b.js", SCRIPT],
    ] as const) {
      writeFileSync(join(dir, name), bytes);
      writeFileSync(join(dir, `${name}.br`), brotliCompressSync(bytes));
      writeFileSync(join(dir, `${name}.gz`), gzipSync(bytes, { level: 9 }));
    }
    // Too small for the build to compress: no copies beside it.
    writeFileSync(join(dir, "assets/small-9f8e.css"), PLAIN_STYLE);
    relay = await startRelay({ webDir: dir });
  });

  after(async () => {
    await relay.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends brotli to a browser that takes brotli and gzip, with the script's own type and length", async () => {
    const reply = await get(url("/assets/app-1a2b.js"), { "Accept-Encoding": "gzip, deflate, br, zstd" });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers["content-encoding"], "br");
    assert.equal(reply.headers["content-type"], "text/javascript; charset=utf-8");
    assert.equal(reply.headers["vary"], "Accept-Encoding");
    assert.equal(reply.headers["cache-control"], "public, max-age=31536000, immutable");
    assert.equal(Number(reply.headers["content-length"]), reply.body.length);
    assert.ok(reply.body.length < SCRIPT.length / 4, `${reply.body.length} bytes sent for ${SCRIPT.length}`);
    assert.deepEqual(decode(reply), SCRIPT);
  });

  it("sends gzip when brotli is not accepted, or refused with q=0", async () => {
    for (const accept of ["gzip", "br;q=0, gzip", "gzip;q=0.5, br;q=0", "x-gzip", "*;q=0.3, br;q=0"]) {
      const reply = await get(url("/assets/app-1a2b.js"), { "Accept-Encoding": accept });
      assert.equal(reply.headers["content-encoding"], "gzip", accept);
      assert.equal(Number(reply.headers["content-length"]), reply.body.length, accept);
      assert.deepEqual(decode(reply), SCRIPT, accept);
    }
  });

  it("sends the file as it is without Accept-Encoding, or when both encodings are refused", async () => {
    for (const headers of [
      {} as Record<string, string>,
      { "Accept-Encoding": "identity" },
      { "Accept-Encoding": "br;q=0, gzip;q=0" },
      { "Accept-Encoding": "*;q=0" },
    ]) {
      const reply = await get(url("/assets/app-1a2b.js"), headers);
      const label = JSON.stringify(headers);
      assert.equal(reply.status, 200, label);
      assert.equal(reply.headers["content-encoding"], undefined, label);
      // The answer still depends on Accept-Encoding: a cache must not hand it to a browser that takes brotli.
      assert.equal(reply.headers["vary"], "Accept-Encoding", label);
      assert.equal(Number(reply.headers["content-length"]), SCRIPT.length, label);
      assert.deepEqual(reply.body, SCRIPT, label);
    }
  });

  it("serves the app shell compressed with its policy, for its own path and the app's routes", async () => {
    for (const path of ["/", "/index.html", "/hosts/some-host"]) {
      const reply = await get(url(path), { "Accept-Encoding": "br, gzip" });
      assert.equal(reply.status, 200, path);
      assert.equal(reply.headers["content-encoding"], "br", path);
      assert.equal(reply.headers["content-type"], "text/html; charset=utf-8", path);
      assert.equal(reply.headers["cache-control"], "no-cache", path);
      assert.match(String(reply.headers["content-security-policy"]), /script-src 'self'/, path);
      assert.equal(reply.headers["x-content-type-options"], "nosniff", path);
      assert.equal(reply.headers["x-frame-options"], "DENY", path);
      assert.deepEqual(decode(reply), SHELL, path);
    }
  });

  it("sends a file with no compressed copy as it is, without Vary", async () => {
    const reply = await get(url("/assets/small-9f8e.css"), { "Accept-Encoding": "br, gzip" });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers["content-encoding"], undefined);
    assert.equal(reply.headers["vary"], undefined);
    assert.equal(reply.headers["content-type"], "text/css; charset=utf-8");
    assert.equal(Number(reply.headers["content-length"]), PLAIN_STYLE.length);
    assert.deepEqual(reply.body, PLAIN_STYLE);
  });

  it("answers HEAD with the headers GET would send and no body", async () => {
    for (const accept of ["br, gzip", "gzip", ""]) {
      const head = await get(url("/assets/app-1a2b.js"), { "Accept-Encoding": accept }, "HEAD");
      const full = await get(url("/assets/app-1a2b.js"), { "Accept-Encoding": accept });
      assert.equal(head.status, 200, accept);
      assert.equal(head.body.length, 0, accept);
      for (const name of ["content-encoding", "content-length", "content-type", "etag", "vary", "cache-control"]) {
        assert.equal(head.headers[name], full.headers[name], `${name} for ${accept || "no encoding"}`);
      }
    }
  });

  it("gives each encoding its own ETag and answers 304 only to the one a cache holds", async () => {
    const tags = new Map<string, string>();
    for (const accept of ["br", "gzip", "identity"]) {
      const reply = await get(url("/assets/app-1a2b.js"), { "Accept-Encoding": accept });
      const etag = String(reply.headers["etag"]);
      assert.match(etag, /^"[^"]+"$/, accept);
      tags.set(accept, etag);
      const again = await get(url("/assets/app-1a2b.js"), { "Accept-Encoding": accept, "If-None-Match": etag });
      assert.equal(again.status, 304, accept);
      assert.equal(again.body.length, 0, accept);
      assert.equal(again.headers["etag"], etag, accept);
      assert.equal(again.headers["vary"], "Accept-Encoding", accept);
      const weak = await get(url("/assets/app-1a2b.js"), { "Accept-Encoding": accept, "If-None-Match": `W/${etag}` });
      assert.equal(weak.status, 304, `weak ${accept}`);
    }
    assert.equal(new Set(tags.values()).size, 3, [...tags.values()].join(" "));
    // A cache holding the gzip copy asks with its tag; a browser that takes brotli gets brotli in full.
    const other = await get(url("/assets/app-1a2b.js"), { "Accept-Encoding": "br", "If-None-Match": tags.get("gzip")! });
    assert.equal(other.status, 200);
    assert.equal(other.headers["content-encoding"], "br");
    assert.deepEqual(decode(other), SCRIPT);
  });

  it("answers a byte range of the encoding sent, and refuses one past the end", async () => {
    const whole = await get(url("/assets/app-1a2b.js"), { "Accept-Encoding": "identity" });
    const part = await get(url("/assets/app-1a2b.js"), { "Accept-Encoding": "identity", Range: "bytes=10-29" });
    assert.equal(part.status, 206);
    assert.equal(part.headers["content-range"], `bytes 10-29/${SCRIPT.length}`);
    assert.equal(Number(part.headers["content-length"]), 20);
    assert.deepEqual(part.body, whole.body.subarray(10, 30));

    const br = await get(url("/assets/app-1a2b.js"), { "Accept-Encoding": "br" });
    const tail = await get(url("/assets/app-1a2b.js"), { "Accept-Encoding": "br", Range: "bytes=-16" });
    assert.equal(tail.status, 206);
    assert.equal(tail.headers["content-encoding"], "br");
    assert.equal(tail.headers["content-range"], `bytes ${br.body.length - 16}-${br.body.length - 1}/${br.body.length}`);
    assert.deepEqual(tail.body, br.body.subarray(br.body.length - 16));

    const past = await get(url("/assets/app-1a2b.js"), { "Accept-Encoding": "identity", Range: `bytes=${SCRIPT.length}-` });
    assert.equal(past.status, 416);
    assert.equal(past.headers["content-range"], `bytes */${SCRIPT.length}`);

    // A range asked of a version the client no longer holds gets the whole file.
    const stale = await get(url("/assets/app-1a2b.js"), {
      "Accept-Encoding": "identity",
      Range: "bytes=0-9",
      "If-Range": '"old"',
    });
    assert.equal(stale.status, 200);
    assert.deepEqual(stale.body, SCRIPT);
  });
});

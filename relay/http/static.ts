// Serves the built PWA. Hashed assets are cached for good; index.html never, so a relay
// upgrade reaches phones on their next load. Unknown paths fall back to the app shell. The
// build writes brotli and gzip copies beside the text files (x.js.br, x.js.gz): a browser
// that takes one gets it, with the original's type.

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { acceptedCodings, CODINGS, type Coding } from "./contentCoding";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".webmanifest": "application/manifest+json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

export interface StaticOptions {
  /** Origins the app may fetch from besides its own (the Firebase web SDK's, when FCM is on). */
  connectSrc?: readonly string[];
}

/**
 * The app's Content-Security-Policy: its own scripts and stylesheets only, sockets and fetches to
 * this origin, no plugins or frames. The app shows what agents and workspaces say, which anyone could have
 * written: should any of it ever become markup, nothing in it may run or load a document.
 */
export function appCsp(options: StaticOptions = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "frame-src 'none'",
    // No inline styles either: CSS from content could restyle the app or send what it shows away
    // in image requests. Components set styles through the CSSOM, which this does not restrict.
    "style-src 'self'",
    "img-src 'self' data: blob:",
    ["connect-src 'self'", ...(options.connectSrc ?? [])].join(" "),
    "worker-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'none'",
  ].join("; ");
}

export function securityHeaders(res: ServerResponse): void {
  res.setHeader("X-Content-Type-Options", "nosniff");
  res.setHeader("Referrer-Policy", "no-referrer");
  res.setHeader("X-Frame-Options", "DENY");
}

async function fileAt(root: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  // Hidden files (the build's .vite/manifest.json) are build metadata, not part of the app.
  if (decoded.split("/").some((part) => part.startsWith("."))) return null;
  const full = normalize(join(root, decoded));
  if (full !== root && !full.startsWith(root + sep)) return null;
  try {
    const s = await stat(full);
    return s.isFile() ? full : null;
  } catch {
    return null;
  }
}

interface Representation {
  /** The file sent: the original or its .br/.gz copy. */
  path: string;
  size: number;
  coding: Coding | null;
  /** Strong, and distinct per encoding: the bytes differ, so a cache must not mix them. */
  etag: string;
  /** Whether another Accept-Encoding would have been sent other bytes. */
  varies: boolean;
}

async function fileStat(path: string): Promise<{ size: number; mtimeMs: number } | null> {
  try {
    const s = await stat(path);
    return s.isFile() ? s : null;
  } catch {
    return null;
  }
}

/** The best copy of `file` the request accepts, from those the build wrote beside it. */
async function representation(file: string, acceptEncoding: string | undefined): Promise<Representation> {
  const copies = await Promise.all(CODINGS.map(async (c) => ({ ...c, stat: await fileStat(file + c.suffix) })));
  const accepted = acceptedCodings(acceptEncoding);
  const varies = copies.some((c) => c.stat !== null);
  const best = copies.find((c) => c.stat !== null && accepted.includes(c.coding));
  const original = await stat(file);
  const chosen = best?.stat ?? original;
  const tag = `${chosen.size.toString(36)}-${Math.trunc(chosen.mtimeMs).toString(36)}`;
  return {
    path: best ? file + best.suffix : file,
    size: chosen.size,
    coding: best?.coding ?? null,
    etag: best ? `"${tag}-${best.suffix.slice(1)}"` : `"${tag}"`,
    varies,
  };
}

/** If-None-Match (RFC 9110 §13.1.2): a weak comparison, or `*`. */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
  return ifNoneMatch.split(",").some((tag) => tag.trim() === "*" || opaque(tag) === opaque(etag));
}

/**
 * A single byte range of the representation sent (RFC 9110 §14): bytes of the compressed copy
 * when one is sent, as Content-Encoding belongs to it. Several ranges, or an If-Range that no
 * longer holds, get the whole file.
 */
function rangeOf(req: IncomingMessage, chosen: Representation): { start: number; end: number } | "unsatisfiable" | null {
  const header = req.headers.range;
  if (req.method !== "GET" || !header) return null;
  const ifRange = req.headers["if-range"];
  if (ifRange !== undefined && (typeof ifRange !== "string" || ifRange.trim() !== chosen.etag)) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === "" && match[2] === "")) return null;
  const size = chosen.size;
  let start: number;
  let end: number;
  if (match[1] === "") {
    // bytes=-N: the last N bytes.
    const suffix = Number(match[2]);
    if (suffix === 0) return "unsatisfiable";
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(match[1]);
    end = match[2] === "" ? size - 1 : Math.min(Number(match[2]), size - 1);
    if (match[2] !== "" && Number(match[2]) < start) return null;
  }
  if (start >= size) return "unsatisfiable";
  return { start, end };
}

/** Returns a request handler for `root`, or answers 404 for everything when root is null. */
export function staticHandler(root: string | null, options: StaticOptions = {}) {
  const csp = appCsp(options);
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    securityHeaders(res);
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD" }).end();
      return;
    }
    if (root === null) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("This relay serves no web app.\n");
      return;
    }
    const path = new URL(req.url ?? "/", "http://relay").pathname;
    let file = path === "/" ? null : await fileAt(root, path);
    const isAsset = /\.[a-z0-9]+$/i.test(path) && path !== "/index.html";
    if (!file && isAsset) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found\n");
      return;
    }
    file ??= await fileAt(root, "/index.html");
    if (!file) {
      res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8" }).end("The web app is not built. Run `npm run build`.\n");
      return;
    }
    const isShell = file.endsWith(`${sep}index.html`);
    const chosen = await representation(file, req.headers["accept-encoding"]);
    const headers: Record<string, string> = {
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      "Cache-Control": isShell || !path.startsWith("/assets/") ? "no-cache" : "public, max-age=31536000, immutable",
      ETag: chosen.etag,
      "Accept-Ranges": "bytes",
    };
    // Caches must keep one copy per encoding, and ask again for a client that takes another.
    if (chosen.varies) headers["Vary"] = "Accept-Encoding";
    if (chosen.coding) headers["Content-Encoding"] = chosen.coding;
    if (isShell) headers["Content-Security-Policy"] = csp;
    if (matches(req.headers["if-none-match"], chosen.etag)) {
      res.writeHead(304, headers).end();
      return;
    }
    const range = rangeOf(req, chosen);
    if (range === "unsatisfiable") {
      res.writeHead(416, { ...headers, "Content-Range": `bytes */${chosen.size}` }).end();
      return;
    }
    if (range) {
      headers["Content-Range"] = `bytes ${range.start}-${range.end}/${chosen.size}`;
      headers["Content-Length"] = String(range.end - range.start + 1);
      res.writeHead(206, headers);
    } else {
      headers["Content-Length"] = String(chosen.size);
      res.writeHead(200, headers);
    }
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    createReadStream(chosen.path, range ?? {})
      .on("error", () => res.destroy())
      .pipe(res);
  };
}

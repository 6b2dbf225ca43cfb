// Serves the built PWA. Hashed assets are cached for good; index.html never, so a relay
// upgrade reaches phones on their next load. Unknown paths fall back to the app shell.

import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, normalize, sep } from "node:path";

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
    const headers: Record<string, string> = {
      "Content-Type": TYPES[extname(file)] ?? "application/octet-stream",
      "Cache-Control": isShell || !path.startsWith("/assets/") ? "no-cache" : "public, max-age=31536000, immutable",
    };
    if (isShell) headers["Content-Security-Policy"] = csp;
    res.writeHead(200, headers);
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    createReadStream(file)
      .on("error", () => res.destroy())
      .pipe(res);
  };
}

// The offline app shell on Cache Storage. One cache per build, named after a hash of its
// content, filled at install with the list the build injected:
// - page loads: the network first, so a relay upgrade reaches the phone on its next load;
//   the cached index.html when the network fails or hangs;
// - files the build lists (hashed chunks, icons, the manifest): the cache first;
// - the socket, the HTTP API and the health check: never touched.

export const CACHE_PREFIX = "tether-shell-";
export const SHELL_URL = "/index.html";
/** A page load on a network that neither answers nor fails falls back to the cache after this. */
export const NAVIGATION_TIMEOUT_MS = 4_000;

const NEVER_CACHED = ["/socket.io/", "/api/", "/healthz"];

export type Strategy = "shell" | "cache-first" | "pass";

/** How the worker answers a request; "pass" leaves it to the browser as if there were no worker. */
export function strategyFor(
  request: { method: string; mode: RequestMode; url: string },
  origin: string,
  precached: ReadonlySet<string>,
): Strategy {
  if (request.method !== "GET") return "pass";
  const url = new URL(request.url);
  if (url.origin !== origin) return "pass";
  if (NEVER_CACHED.some((prefix) => url.pathname === prefix.replace(/\/$/, "") || url.pathname.startsWith(prefix))) return "pass";
  if (request.mode === "navigate") return "shell";
  // Hashed names never change content: also those of a newer build than this worker knows.
  if (precached.has(url.pathname) || url.pathname.startsWith("/assets/")) return "cache-first";
  return "pass";
}

export function cacheName(version: string): string {
  return `${CACHE_PREFIX}${version}`;
}

/** Install: fetch and store every file of the build, or fail (and keep the previous worker). */
export async function precache(name: string, urls: readonly string[]): Promise<void> {
  const cache = await caches.open(name);
  // Hashed assets may come from the HTTP cache; anything else is revalidated, so the shell
  // stored matches the chunks stored with it.
  await cache.addAll(urls.map((url) => new Request(url, { cache: url.startsWith("/assets/") ? "default" : "no-cache" })));
}

/** Activate: drop the caches of earlier builds (only this app's own). */
export async function dropOldCaches(current: string): Promise<void> {
  const names = await caches.keys();
  await Promise.all(names.filter((n) => n.startsWith(CACHE_PREFIX) && n !== current).map((n) => caches.delete(n)));
}

/**
 * Page loads. The network's answer is not stored: the cached index.html must stay the one
 * that names the chunks cached beside it.
 */
export async function respondShell(request: Request, name: string, timeoutMs = NAVIGATION_TIMEOUT_MS): Promise<Response> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  const network = fetch(request).catch(() => null);
  try {
    const first = await Promise.race([network, slow]);
    if (first) return first;
    const cached = await caches.open(name).then((cache) => cache.match(SHELL_URL));
    if (cached) return cached;
    // Nothing cached (a worker that failed to install): wait for the network after all.
    return (await network) ?? Response.error();
  } finally {
    clearTimeout(timer);
  }
}

/** Hashed assets and listed files: from the cache, else from the network and kept. */
export async function respondCacheFirst(request: Request, name: string): Promise<Response> {
  const cache = await caches.open(name);
  const cached = await cache.match(request, { ignoreSearch: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok && new URL(request.url).pathname.startsWith("/assets/")) {
    await cache.put(request, response.clone()).catch(() => undefined);
  }
  return response;
}

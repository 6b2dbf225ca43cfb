import assert from "node:assert/strict";
import {
  CACHE_PREFIX,
  SHELL_URL,
  cacheName,
  dropOldCaches,
  respondCacheFirst,
  respondShell,
  strategyFor,
} from "../../../mobile-web/src/sw/shell";

const ORIGIN = "https://tether.example";
const PRECACHED = new Set(["/index.html", "/assets/start-3f9a.js", "/icons/icon-192.png", "/manifest.webmanifest"]);

const strategy = (path: string, over: { method?: string; mode?: RequestMode } = {}) =>
  strategyFor({ method: over.method ?? "GET", mode: over.mode ?? "cors", url: new URL(path, ORIGIN).href }, ORIGIN, PRECACHED);

/** Cache Storage as a map of cache name → (pathname → response). */
class FakeCaches {
  readonly stores = new Map<string, Map<string, Response>>();
  readonly deleted: string[] = [];
  constructor(content: Record<string, Record<string, string>> = {}) {
    for (const [name, files] of Object.entries(content)) {
      this.stores.set(name, new Map(Object.entries(files).map(([path, body]) => [path, new Response(body)])));
    }
  }
  async open(name: string) {
    const store = this.stores.get(name) ?? new Map<string, Response>();
    this.stores.set(name, store);
    const key = (request: RequestInfo | URL) => new URL(request instanceof Request ? request.url : request, ORIGIN).pathname;
    return {
      match: async (request: RequestInfo | URL) => store.get(key(request))?.clone(),
      put: async (request: RequestInfo | URL, response: Response) => {
        store.set(key(request), response);
      },
    };
  }
  async keys(): Promise<string[]> {
    return [...this.stores.keys()];
  }
  async delete(name: string): Promise<boolean> {
    this.deleted.push(name);
    return this.stores.delete(name);
  }
}

type FakeFetch = (request: RequestInfo | URL) => Promise<Response>;

describe("the offline app shell", () => {
  describe("which requests the worker answers", () => {
    it("answers page loads with the shell", () => {
      assert.equal(strategy("/", { mode: "navigate" }), "shell");
      assert.equal(strategy("/index.html?from=qr", { mode: "navigate" }), "shell");
    });

    it("serves the build's files and hashed assets from the cache", () => {
      assert.equal(strategy("/assets/x.js"), "cache-first");
      assert.equal(strategy("/assets/chunk-of-a-newer-build-9c1e.js"), "cache-first");
      assert.equal(strategy("/icons/icon-192.png"), "cache-first");
      assert.equal(strategy("/manifest.webmanifest"), "cache-first");
    });

    it("never touches the socket, the HTTP API or the health check", () => {
      for (const path of ["/socket.io/?EIO=4&transport=polling", "/socket.io", "/api/command", "/api", "/healthz"]) {
        assert.equal(strategy(path), "pass", path);
        assert.equal(strategy(path, { mode: "navigate" }), "pass", `${path} opened as a page`);
      }
    });

    it("leaves other methods, other origins and unlisted files to the browser", () => {
      assert.equal(strategy("/api/command", { method: "POST" }), "pass");
      assert.equal(strategy("/assets/x.js", { method: "POST" }), "pass");
      assert.equal(strategy("/", { method: "POST", mode: "navigate" }), "pass");
      assert.equal(strategy("https://fonts.example/assets/x.js"), "pass");
      assert.equal(strategy("https://elsewhere.example/", { mode: "navigate" }), "pass");
      assert.equal(strategy("/favicon.ico"), "pass");
    });
  });

  describe("page loads and cached files", () => {
    const saved = { fetch: globalThis.fetch, caches: Object.getOwnPropertyDescriptor(globalThis, "caches") };
    let fakeCaches: FakeCaches;
    let fetched: string[];

    function install(network: FakeFetch, content: Record<string, Record<string, string>>): void {
      fakeCaches = new FakeCaches(content);
      fetched = [];
      globalThis.fetch = (async (request: RequestInfo | URL) => {
        fetched.push(request instanceof Request ? new URL(request.url).pathname : String(request));
        return network(request);
      }) as typeof fetch;
      Object.defineProperty(globalThis, "caches", { value: fakeCaches, configurable: true, writable: true });
    }

    afterEach(() => {
      globalThis.fetch = saved.fetch;
      if (saved.caches) Object.defineProperty(globalThis, "caches", saved.caches);
      else delete (globalThis as { caches?: unknown }).caches;
    });

    const name = cacheName("b1");
    const shellCached = { [name]: { [SHELL_URL]: "<title>cached shell</title>" } };
    const page = () => new Request(`${ORIGIN}/`, { headers: { accept: "text/html" } });
    const never = () => new Promise<Response>(() => undefined);

    it("loads the page from the network when it answers, so an upgraded relay reaches the phone", async () => {
      install(async () => new Response("<title>new build</title>"), shellCached);
      const response = await respondShell(page(), name, 1_000);
      assert.equal(await response.text(), "<title>new build</title>");
      assert.equal(
        await (await fakeCaches.open(name)).match(SHELL_URL).then((r) => r?.text()),
        "<title>cached shell</title>",
        "the cache keeps its shell",
      );
    });

    it("falls back to the cached shell when the network fails", async () => {
      install(() => Promise.reject(new TypeError("Failed to fetch")), shellCached);
      const response = await respondShell(page(), name, 1_000);
      assert.equal(await response.text(), "<title>cached shell</title>");
    });

    it("falls back to the cached shell when the network hangs past the timeout", async () => {
      install(never, shellCached);
      const started = Date.now();
      const response = await respondShell(page(), name, 50);
      assert.equal(await response.text(), "<title>cached shell</title>");
      assert.ok(Date.now() - started < 1_000);
    });

    it("waits for a slow network when nothing is cached", async () => {
      install(() => new Promise((resolve) => setTimeout(() => resolve(new Response("late but here")), 120)), {});
      const response = await respondShell(page(), name, 20);
      assert.equal(await response.text(), "late but here");
    });

    it("answers with a network error when nothing is cached and the network fails", async () => {
      install(() => Promise.reject(new TypeError("Failed to fetch")), { [name]: {} });
      const response = await respondShell(page(), name, 1_000);
      assert.equal(response.type, "error");
      assert.equal(response.status, 0);
    });

    it("serves a cached file without the network, and keeps a fetched asset for next time", async () => {
      install(
        async (request) =>
          new Response(`fetched ${new URL(request instanceof Request ? request.url : String(request)).pathname}`),
        {
          [name]: { "/assets/start-3f9a.js": "cached start" },
        },
      );
      assert.equal(
        await (await respondCacheFirst(new Request(`${ORIGIN}/assets/start-3f9a.js?v=2`), name)).text(),
        "cached start",
      );
      assert.deepEqual(fetched, []);

      assert.equal(
        await (await respondCacheFirst(new Request(`${ORIGIN}/assets/late-77.js`), name)).text(),
        "fetched /assets/late-77.js",
      );
      assert.equal(
        await (await respondCacheFirst(new Request(`${ORIGIN}/assets/late-77.js`), name)).text(),
        "fetched /assets/late-77.js",
      );
      assert.deepEqual(fetched, ["/assets/late-77.js"], "fetched once, then from the cache");
    });

    it("does not keep a failed answer for an asset", async () => {
      install(async () => new Response("not found", { status: 404 }), { [name]: {} });
      assert.equal((await respondCacheFirst(new Request(`${ORIGIN}/assets/gone.js`), name)).status, 404);
      assert.equal((await respondCacheFirst(new Request(`${ORIGIN}/assets/gone.js`), name)).status, 404);
      assert.equal(fetched.length, 2);
    });

    it("drops the caches of earlier builds and nothing else", async () => {
      install(never, {
        [cacheName("old1")]: {},
        [cacheName("old2")]: {},
        [name]: { [SHELL_URL]: "shell" },
        "another-app": {},
        "tether-settings": {},
      });
      await dropOldCaches(name);
      assert.deepEqual(fakeCaches.deleted.sort(), [`${CACHE_PREFIX}old1`, `${CACHE_PREFIX}old2`]);
      assert.deepEqual((await fakeCaches.keys()).sort(), ["another-app", name, "tether-settings"].sort());
    });
  });
});

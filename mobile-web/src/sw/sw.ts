// The service worker, served at /sw.js with scope /. Vite builds it as a separate, classic
// script (see mobile-web/vite-plugin-sw.mts) and injects the build's file list and a version
// made from their content, so each build of the app installs a worker of its own.

import { handleNotificationClick, handlePush } from "./push";
import { cacheName, dropOldCaches, precache, respondCacheFirst, respondShell, strategyFor } from "./shell";
import { keepAlive, type ServiceWorkerGlobal } from "./types";

declare const self: ServiceWorkerGlobal;
/** Paths of the built app shell, e.g. "/index.html", "/assets/start-3f9a….js". */
declare const __TETHER_PRECACHE__: readonly string[];
/** A hash of the files above. */
declare const __TETHER_CACHE_VERSION__: string;

const CACHE = cacheName(__TETHER_CACHE_VERSION__);
const PRECACHED = new Set(__TETHER_PRECACHE__);

self.addEventListener("install", (event) => {
  // The new build takes over at once: the shell is small, and a phone left with the app open
  // for days should not run last week's worker.
  event.waitUntil(precache(CACHE, __TETHER_PRECACHE__).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(dropOldCaches(CACHE).then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const { request } = event;
  const strategy = strategyFor(request, self.location.origin, PRECACHED);
  if (strategy === "shell") event.respondWith(respondShell(request, CACHE));
  else if (strategy === "cache-first") event.respondWith(respondCacheFirst(request, CACHE));
});

self.addEventListener("push", (event) => {
  event.waitUntil(handlePush(self, event.data));
});

self.addEventListener("notificationclick", (event) => {
  keepAlive(event, handleNotificationClick(self, event.notification, event.action));
});

// Registers the service worker (/sw.js, scope /): the offline app shell and push
// notifications. Registration waits for the page's load so it never competes with the app's
// own first requests.

import { answerViewRequests } from "../sw/view";

export const SERVICE_WORKER_URL = "/sw.js";
/** An app left open for days still picks up a relay upgrade: check at most this often. */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

/**
 * Registers the worker in production builds on a secure page; a no-op elsewhere (the dev
 * server builds no worker). Resolves with the registration, or null when there is none.
 */
export function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (import.meta.env.DEV || !("serviceWorker" in navigator) || !globalThis.isSecureContext) return Promise.resolve(null);
  // The worker asks what is on screen before it shows a notification for a thread.
  answerViewRequests(navigator.serviceWorker);
  return afterLoad()
    .then(() => navigator.serviceWorker.register(SERVICE_WORKER_URL, { scope: "/" }))
    .then((registration) => {
      checkForUpdatesWhenShown(registration);
      return registration;
    })
    .catch((error: unknown) => {
      // The app works without it, just not offline and without notifications.
      console.warn("tether: the service worker could not be registered", error instanceof Error ? error.name : typeof error);
      return null;
    });
}

function afterLoad(): Promise<void> {
  if (document.readyState === "complete") return Promise.resolve();
  return new Promise((resolve) => window.addEventListener("load", () => resolve(), { once: true }));
}

function checkForUpdatesWhenShown(registration: ServiceWorkerRegistration): void {
  let checked = Date.now();
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible" || Date.now() - checked < UPDATE_CHECK_MS) return;
    checked = Date.now();
    void registration.update().catch(() => undefined);
  });
}

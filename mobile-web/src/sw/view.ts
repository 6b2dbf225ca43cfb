// What a window of the app shows right now. A worker's `WindowClient.url` is not kept up to
// date by every browser when the page changes only its fragment (Chromium reports the URL the
// page was loaded with), and the app's routes live in the fragment; so the worker asks each
// visible window, and the app answers with its own `location.href`.

import type { ClientView } from "./notifications";
import type { WindowClient } from "./types";

export const VIEW_REQUEST = "tether:view";
/**
 * How long a window may take to answer. One that does not answer in time (busy drawing a screen)
 * is not counted as showing anything: its client URL may be the one it was loaded with, long
 * out of date, and a notification too many is better than an approval nobody is told about.
 */
const ANSWER_MS = 1_000;

/** The visible windows that said what they show, each with the URL it reported. */
export async function visibleViews(windows: readonly WindowClient[]): Promise<ClientView[]> {
  const visible = windows.filter((w) => w.visibilityState === "visible");
  const views = await Promise.all(visible.map(async (w) => ({ url: await askUrl(w), visibilityState: w.visibilityState })));
  return views.flatMap((v) => (v.url === null ? [] : [{ url: v.url, visibilityState: v.visibilityState }]));
}

function askUrl(client: WindowClient): Promise<string | null> {
  if (typeof MessageChannel === "undefined" || !client.postMessage) return Promise.resolve(null);
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    const timer = setTimeout(() => finish(null), ANSWER_MS);
    function finish(url: string | null): void {
      clearTimeout(timer);
      channel.port1.close();
      resolve(url);
    }
    channel.port1.onmessage = (event: MessageEvent<unknown>) => {
      const data = event.data as { href?: unknown } | null;
      finish(typeof data?.href === "string" ? data.href : null);
    };
    client.postMessage!({ type: VIEW_REQUEST }, [channel.port2]);
  });
}

/** In the app: answers the worker's question with what this window shows. */
export function answerViewRequests(container: ServiceWorkerContainer): void {
  container.addEventListener("message", (event: MessageEvent<unknown>) => {
    const data = event.data as { type?: unknown } | null;
    if (data?.type !== VIEW_REQUEST) return;
    event.ports[0]?.postMessage({ href: location.href });
  });
}

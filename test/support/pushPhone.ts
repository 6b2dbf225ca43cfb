// The notification tests' phone and host: a headless host process with the scripted model,
// paired through its link with the app in real Chromium at 360×740, notifications allowed.
// Only the browser's own registration with its push service is replaced: PushManager's
// subscribe answers with a test subscription, since Google's and Mozilla's push services
// cannot be reached here. Pushes reach the app's service worker through the DevTools
// protocol, as the browser's push service would hand them over.

import { join } from "node:path";
import type { Browser, BrowserContext, CDPSession, Page, Worker } from "playwright-core";
import { launchChromium } from "./browser";
import { start, type Proc } from "./processes";
import { until } from "./wait";

export const DIST = join(__dirname, "..", "..", "dist");

export interface TestSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

export interface Shown {
  title: string;
  body: string;
  tag: string;
  actions: string[];
}

/**
 * Answers PushManager with `json`, as a browser would: `options.applicationServerKey` and
 * `getKey()` (which the Firebase SDK reads), kept across page loads in sessionStorage.
 * A string, not a function: the test runner's transform would add helpers the page lacks.
 */
export function fakePushManagerScript(json: TestSubscription): string {
  return `(() => {
    const json = ${JSON.stringify(json)};
    const STORED = "tether-test:push-key";
    const bytes = (b64) => Uint8Array.from(atob(b64.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
    const text = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer)));
    const make = (key) => {
      const subscription = {
        endpoint: json.endpoint,
        expirationTime: null,
        options: { userVisibleOnly: true, applicationServerKey: bytes(key).buffer },
        getKey: (name) => bytes(json.keys[name]).buffer,
        toJSON: () => ({ endpoint: json.endpoint, expirationTime: null, keys: json.keys }),
        unsubscribe: async () => { sessionStorage.removeItem(STORED); return true; },
      };
      return subscription;
    };
    PushManager.prototype.subscribe = async function (options) {
      const key = options && options.applicationServerKey;
      const raw = key instanceof ArrayBuffer ? key : key.buffer.slice(key.byteOffset, key.byteOffset + key.byteLength);
      sessionStorage.setItem(STORED, text(raw));
      return make(text(raw));
    };
    PushManager.prototype.getSubscription = async () => {
      const key = sessionStorage.getItem(STORED);
      return key === null ? null : make(key);
    };
  })();`;
}

/** `node dist/host.js` on `workspace`, paired with the next phone that opens its link. */
export async function startHostProcess(options: {
  relayUrl: string;
  workspace: string;
  stateDir: string;
  modelUrl: string;
}): Promise<{ host: Proc; link: string }> {
  const host = start(
    "node",
    [join(DIST, "host.js"), "--relay", options.relayUrl, "--folder", options.workspace, "--name", "api-box"].concat(
      ["--state-dir", options.stateDir, "--model", "openai:gpt-test", "--base-url", options.modelUrl],
      ["--pair", "--accept-pairing"],
    ),
    { env: { OPENAI_API_KEY: "", TETHER_MODEL: "" } },
  );
  const link = (await host.waitFor(/(http:\/\/\S+#pair=\S+)/))[1]!;
  return { host, link };
}

export interface PushPhone {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Errors the page raised. */
  pageErrors: string[];
  /** Hands `data` to the service worker as a push message. */
  deliver(data: string): Promise<void>;
  shown(): Promise<Shown[]>;
  /** Waits until exactly `count` notifications are shown. */
  waitShown(count: number): Promise<Shown[]>;
  worker(): Worker;
  close(): Promise<void>;
}

/**
 * Opens the pairing link in a phone-sized Chromium and waits for the paired app and its
 * service worker. `prepare` runs on the context before the first page load (routes).
 */
export async function openPushPhone(
  relayUrl: string,
  link: string,
  subscription: TestSubscription,
  prepare: (context: BrowserContext) => Promise<void> = async () => undefined,
): Promise<PushPhone> {
  const browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
  });
  await context.grantPermissions(["notifications"], { origin: new URL(relayUrl).origin });
  await context.addInitScript(fakePushManagerScript(subscription));
  await prepare(context);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  const cdp: CDPSession = await context.newCDPSession(page);
  const registered = new Promise<string>((resolve) => {
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const live = registrations.find((r) => !r.isDeleted && r.scopeURL.startsWith(relayUrl));
      if (live) resolve(live.registrationId);
    });
  });
  await cdp.send("ServiceWorker.enable");
  await page.goto(link);
  await page.getByTestId("threads").waitFor({ timeout: 20_000 });
  const registrationId = await registered;
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });

  const shown = (): Promise<Shown[]> =>
    page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      const list = await registration.getNotifications();
      // `actions` is not in TypeScript's DOM types yet.
      return list.map((n) => {
        const actions = (n as Notification & { actions?: { action: string }[] }).actions ?? [];
        return { title: n.title, body: n.body, tag: n.tag, actions: actions.map((a) => a.action) };
      });
    });
  return {
    browser,
    context,
    page,
    pageErrors,
    async deliver(data) {
      await cdp.send("ServiceWorker.deliverPushMessage", { origin: new URL(relayUrl).origin, registrationId, data });
    },
    shown,
    async waitShown(count) {
      let list: Shown[] = [];
      const enough = async (): Promise<Shown[] | undefined> => {
        list = await shown();
        return list.length === count ? list : undefined;
      };
      return until(`${count} notifications shown`, enough).catch((err: Error) => {
        throw new Error(`${err.message}; have ${JSON.stringify(list)}`);
      });
    },
    worker() {
      const [sw] = context.serviceWorkers();
      if (!sw) throw new Error("no service worker");
      return sw;
    },
    async close() {
      await context.close();
      await browser.close();
    },
  };
}

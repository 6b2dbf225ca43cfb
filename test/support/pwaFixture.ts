// The PWA in real Chromium (browser.ts: Debian's Chromium through playwright-core,
// a 360×740 phone context), served by a relay process and paired with a bench host.

import { join } from "node:path";
import type { Browser, BrowserContext, CDPSession, Page } from "playwright-core";
import { launchChromium, phoneContext } from "./browser";
import type { Cleanup } from "./cleanup";
import { pairedRawHost, type RawHost } from "./rawHost";
import { startRelayProcess, type RelayProcess } from "./relayProcess";

export interface PwaFixture {
  relay: RelayProcess;
  /** The host, on the wire: pairs the Node phone and the browser, then publishes what the bench wants. */
  host: RawHost;
  browser: Browser;
  context: BrowserContext;
  /** The page that paired; the app's data (IndexedDB) lives in its context. */
  page: Page;
}

export async function pwaFixture(tmp: string, cleanup: Cleanup): Promise<PwaFixture> {
  const relay = cleanup.add(await startRelayProcess({ dataDir: join(tmp, "relay") }), (r) => r.stop());
  const browser = cleanup.add(await launchChromium(), (b) => b.close());
  const context = cleanup.add(await phoneContext(browser), (c) => c.close());
  const page = await context.newPage();
  const host = await pairedRawHost(relay.url, tmp, cleanup, async (link) => {
    await page.goto(await link());
    await page.getByTestId("threads").waitFor({ timeout: 30_000 });
  });
  return { relay, host, browser, context, page };
}

/** Slows the page's CPU by `rate` (4: a mid-range phone), as DevTools' throttling does. */
export async function throttle(page: Page, rate: number): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate });
  return cdp;
}

// Page scripts are strings: tsx's transform adds helpers to functions that the browser lacks.

/** Every node in the page's document, text included, as DevTools counts DOM nodes. */
export async function domNodes(page: Page): Promise<number> {
  return (await page.evaluate(`(() => {
    const walker = document.createTreeWalker(document, NodeFilter.SHOW_ALL);
    let n = 1;
    while (walker.nextNode()) n++;
    return n;
  })()`)) as number;
}

/**
 * How many thread events the PWA has stored in IndexedDB (its `tether` database), as its threads'
 * cursors count them: a cursor moves only past events that are stored, with none missing before.
 * Counting the events themselves would read every stored page each time it is asked.
 */
export async function storedEvents(page: Page): Promise<number> {
  return (await page.evaluate(`new Promise((resolve) => {
    const open = indexedDB.open("tether");
    open.onerror = () => resolve(-1);
    open.onsuccess = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains("threads")) {
        db.close();
        return resolve(0);
      }
      const all = db.transaction("threads").objectStore("threads").getAll();
      all.onerror = () => resolve(-1);
      all.onsuccess = () => {
        db.close();
        resolve(all.result.reduce((sum, t) => sum + t.seq, 0));
      };
    };
  })`)) as number;
}

// The phone's Changes view in real Chromium at 360×740, paired with a real `tether-host` through
// a real relay: from the tap that opens the view to the frame after its first rows are in the DOM.

import type { Page } from "playwright-core";
import { launchChromium, phoneContext } from "../../test/support/browser";
import { throttle } from "../../test/support/pwaFixture";
import type { HostProcess } from "./hostProcess";
import type { Cleanup } from "./scenario";
import { summarize } from "./stats";

/** What opens the view (the dashboard's line about the workspace's repository), and its rows. */
const OPEN = "workspace-git";
const ROWS = '[data-testid="changes-list"] [data-testid="change-row"]';

// A page script is a string: tsx's transform would add helpers the browser does not have.
const WATCH_ROWS = `
  document.addEventListener("click", () => { window.__tap ??= performance.now(); }, { capture: true });
  new MutationObserver(() => {
    if (window.__tap === undefined || window.__rowsAt !== undefined) return;
    if (document.querySelector(${JSON.stringify(ROWS)}))
      requestAnimationFrame(() => requestAnimationFrame(() => { window.__rowsAt ??= performance.now(); }));
  }).observe(document, { childList: true, subtree: true });
`;

/** Chromium's CPU throttling for the second series (4: a mid-range phone). */
export const THROTTLE = 4;

export interface FirstScreen {
  p50: number | null;
  max: number | null;
  /** The same with the CPU slowed down `THROTTLE` times. */
  slowP50: number | null;
  /** Set when the view could not be measured on this build: what is missing. */
  missing?: string;
  notes: string[];
}

export async function changesFirstScreen(options: {
  relay: string;
  host: HostProcess;
  hostId: string;
  opens: number;
  cleanup: Cleanup;
}): Promise<FirstScreen> {
  const { host, cleanup } = options;
  const browser = cleanup.add(await launchChromium(), (b) => b.close());
  const context = cleanup.add(await phoneContext(browser), (c) => c.close());
  const pairing = await context.newPage();
  await pairing.goto(await host.nextLink());
  await pairing.getByTestId("threads").waitFor({ timeout: 30_000 });
  const dashboard = `${options.relay}/#/h/${options.hostId}`;

  const times: number[] = [];
  const slow: number[] = [];
  let rows = 0;
  // Alternating, so both series see the same load on the machine.
  for (let i = 0; i < options.opens * 2; i++) {
    const rate = i % 2 === 0 ? 1 : THROTTLE;
    const page = await context.newPage();
    try {
      const shown = await openChanges(page, dashboard, rate);
      if (typeof shown === "string") {
        return {
          p50: null,
          max: null,
          slowP50: null,
          missing: shown,
          notes: [`Changes view, first screen: not measured. ${shown}`],
        };
      }
      (rate === 1 ? times : slow).push(shown.ms);
      rows = shown.rows;
    } finally {
      await page.close();
    }
  }
  const s = summarize(times);
  return {
    p50: s.p50,
    max: s.max,
    slowP50: summarize(slow).p50,
    notes: [
      `Changes view, first screen: a new tab of the paired app (service worker and IndexedDB warm) on the computer's ` +
        `dashboard; from the tap on its workspace line ("Changes ›", \`${OPEN}\`) to the frame after the list's first rows are in the DOM ` +
        `(${rows} rows drawn then: a file staged and edited again has a row in each of the two groups), the host answering from the 200-file working tree; Chromium at 360×740, without CPU throttling and ` +
        `with DevTools' ${THROTTLE}× slowdown, opens alternating; median of ${times.length} opens each.`,
    ],
  };
}

/** The tap on the Changes entry until the first rows show; or what is missing, in words. */
async function openChanges(page: Page, url: string, rate: number): Promise<{ ms: number; rows: number } | string> {
  await page.goto(url);
  const open = page.getByTestId(OPEN).first();
  try {
    await open.waitFor({ timeout: 30_000 });
  } catch {
    return `The app shows no way to the workspace's Changes (data-testid="${OPEN}") on the computer's dashboard in this build.`;
  }
  if (rate > 1) await throttle(page, rate);
  await page.evaluate(WATCH_ROWS);
  await open.click();
  try {
    // A function, not a string: the app's Content-Security-Policy forbids eval in the page.
    await page.waitForFunction(() => (window as unknown as { __rowsAt?: number }).__rowsAt !== undefined, undefined, {
      timeout: 60_000,
    });
  } catch (error) {
    return `The Changes view opened but showed no rows (${ROWS}): ${(error as Error).message.split("\n")[0]}`;
  }
  const result = (await page.evaluate(
    `({ ms: window.__rowsAt - window.__tap, rows: document.querySelectorAll(${JSON.stringify(ROWS)}).length })`,
  )) as { ms: number; rows: number };
  return result;
}

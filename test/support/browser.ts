// Real headless Chromium from Debian, driven by playwright-core.

import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type LaunchOptions, type Page } from "playwright-core";

export const CHROMIUM = process.env.TETHER_CHROMIUM ?? "/usr/bin/chromium";
export const SCREENSHOTS = join(__dirname, "..", "..", "test-results", "screenshots");

export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set TETHER_CHROMIUM)`);
  const options: LaunchOptions = {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--headless",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      ...extraArgs,
    ],
  };
  return chromium.launch(options);
}

/** A phone-sized context: 360×740, touch, device scale 2. */
export function phoneContext(browser: Browser, colorScheme: "light" | "dark" = "light"): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: 360, height: 740 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    colorScheme,
  });
}

/**
 * A phone in Chromium that opened the pairing link `host` printed (a host started with
 * `--pair --accept-pairing`) and landed on the computer's tasks; its page errors go to `errors`.
 */
export async function pairedPhonePage(
  host: { waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray> },
  errors: string[],
): Promise<{ browser: Browser; context: BrowserContext; page: Page }> {
  const link = (await host.waitFor(/(http:\/\/\S+#pair=\S+)/))[1]!;
  const browser = await launchChromium();
  const context = await phoneContext(browser);
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(link);
  await page.getByTestId("threads").waitFor({ timeout: 20_000 });
  return { browser, context, page };
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}

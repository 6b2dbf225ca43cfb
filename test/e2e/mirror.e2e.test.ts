// End to end, all real: relay and headless host from dist/, the PWA in Chromium at phone size.
// The phone shows a folder; files written on the host appear in it without a reload, an open
// file follows its saves and says when it is deleted; the relay sees none of the names.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { launchChromium, phoneContext, screenshotPath } from "../support/browser";
import { startRelay } from "../support/phoneStack";
import { startInTerminal, type Proc } from "../support/processes";
import { quietFor } from "../support/wait";
import { makeWorkspace } from "../support/workspace";

const DIST = join(__dirname, "..", "..", "dist");
const NEW_NAME = "okapi-lantern-notes.md";
const NEW_TEXT = "tamarind-9c1d-first-draft";
const SAVED_TEXT = "tamarind-9c1d-second-draft";

describe("end to end: the phone's file browser follows changes on the computer", function () {
  this.timeout(120_000);

  let tmp: string;
  let workspace: string;
  let relay: Proc;
  let host: Proc | undefined;
  let browser: Browser;
  /** Every WebSocket frame the page sent or received: all the relay sees of this phone. */
  const frames: string[] = [];

  before(async () => {
    if (!existsSync(join(DIST, "relay.js")) || !existsSync(join(DIST, "mobile-web", "index.html"))) {
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    }
    tmp = mkdtempSync(join(tmpdir(), "tether-e2e-"));
    workspace = makeWorkspace({
      "README.md": "# mirror e2e\n",
      "field-guides/intro.md": "# Intro\n",
      "field-guides/setup.md": "# Setup\n",
      ".gitignore": "*.log\n",
    });
    const { proc, url: relayUrl } = await startRelay(join(tmp, "relay"));
    relay = proc;
    host = startInTerminal("node", [
      join(DIST, "host.js"),
      "--relay",
      relayUrl,
      "--folder",
      workspace,
      "--name",
      "mirror-laptop",
      "--state-dir",
      join(tmp, "host"),
    ]);
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await host?.stop();
    await relay?.stop();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("shows a file written on the computer in the open folder, and follows the open file", async () => {
    const link = (await host!.waitFor(/(http:\/\/\S+#pair=\S+)/))[1]!;
    const context = await phoneContext(browser);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    page.on("websocket", (ws) => {
      ws.on("framesent", (f) => frames.push(String(f.payload)));
      ws.on("framereceived", (f) => frames.push(String(f.payload)));
    });
    await page.goto(link);
    await host!.waitFor(/Pair "([^"]+)"\? Check that it shows code/);
    await page.getByTestId("pair-code").waitFor();
    host!.write("y\n");
    await host!.waitFor(/Paired "/);
    await page.getByTestId("host-status").filter({ hasText: "online" }).first().waitFor();
    await page.getByTestId("tab-files").click();

    const entry = (name: string) => page.locator(`[data-testid="dir-entry"][data-name="${name}"]`);
    await entry("field-guides").click();
    await entry("setup.md").waitFor();
    const names = () =>
      page.locator('[data-testid="dir-entry"]').evaluateAll((els) => els.map((e) => e.getAttribute("data-name")));
    assert.deepEqual(await names(), ["intro.md", "setup.md"]);
    const url = page.url();
    // The host has said it watches the folder before anything is written.
    await page.locator('section.browser[data-watching="field-guides"]').waitFor();

    const t0 = Date.now();
    writeFileSync(join(workspace, "field-guides", NEW_NAME), `${NEW_TEXT}\n`);
    writeFileSync(join(workspace, "field-guides", ".env.local"), "TOKEN=never-shown\n");
    writeFileSync(join(workspace, "field-guides", "build.log"), "ignored\n");
    unlinkSync(join(workspace, "field-guides", "intro.md"));
    await entry(NEW_NAME).waitFor({ timeout: 5000 });
    await entry("intro.md").waitFor({ state: "detached", timeout: 5000 });
    const seenMs = Date.now() - t0;
    // Nothing hidden follows the visible changes (.env.local, build.log).
    await quietFor("a hidden file in the listing", 300, async () => (await names()).length !== 2);
    assert.deepEqual(await names(), [NEW_NAME, "setup.md"]);
    assert.equal(page.url(), url, "no navigation, no reload");
    await page.screenshot({ path: screenshotPath("e2e-mirror-new-file") });
    assert.ok(seenMs < 3000, `the new file took ${seenMs} ms to show`);

    await entry(NEW_NAME).click();
    const view = page.getByTestId("file-view");
    await view.waitFor();
    await page.waitForFunction((t) => document.querySelector('[data-testid="file-view"]')?.textContent?.includes(t), NEW_TEXT);
    await page.locator(`section.browser[data-watching="field-guides/${NEW_NAME}"]`).waitFor();
    writeFileSync(join(workspace, "field-guides", NEW_NAME), `${NEW_TEXT}\n${SAVED_TEXT}\n`);
    await page.waitForFunction((t) => document.querySelector('[data-testid="file-view"]')?.textContent?.includes(t), SAVED_TEXT, {
      timeout: 5000,
    });
    unlinkSync(join(workspace, "field-guides", NEW_NAME));
    await page.getByTestId("file-gone").waitFor({ timeout: 5000 });
    // What was read stays on screen under the notice.
    assert.ok((await view.textContent())?.includes(SAVED_TEXT));
    await page.screenshot({ path: screenshotPath("e2e-mirror-file-deleted") });
    assert.deepEqual(pageErrors, []);
    await context.close();
  });

  it("let the relay see no name or text of the workspace, on the wire, in its store or its log", async () => {
    await host?.stop();
    await relay.stop();
    const dir = join(tmp, "relay");
    const stored = readdirSync(dir)
      .map((f) => readFileSync(join(dir, f)).toString("latin1"))
      .join("\n");
    const wire = frames.join("\n");
    assert.ok(wire.includes('"live"'), "deltas went through the relay");
    for (const needle of [NEW_NAME, "okapi", NEW_TEXT, SAVED_TEXT, "setup.md", "field-guides", ".env.local"]) {
      assert.equal(wire.includes(needle), false, `a frame contains "${needle}"`);
      assert.equal(stored.includes(needle), false, `relay store contains "${needle}"`);
      assert.equal(relay.output().includes(needle), false, `relay log contains "${needle}"`);
    }
  });
});

// Two phones in Chromium paired with one computer; the computer revokes one of them and rotates
// its content key. The phone that stays takes the new key from its rekey record and goes on
// following the workspace, whose changes are now sealed under that key, also after a reload.

import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, phoneContext } from "../support/browser";
import { startHost, type TestHost } from "../support/host";
import { startRelay, type TestRelay } from "../support/relay";
import { until } from "../support/wait";
import { makeWorkspace } from "../support/workspace";

const WEB = join(__dirname, "..", "..", "dist", "mobile-web");

describe("end to end: the phone that stays paired when its computer revokes another", function () {
  this.timeout(90_000);
  let relay: TestRelay;
  let host: TestHost;
  let workspace: string;
  let browser: Browser;
  const pageErrors: string[] = [];

  before(async () => {
    relay = await startRelay({ webDir: WEB });
    workspace = makeWorkspace({ "README.md": "# rekey\n", "notes/plan.md": "# Plan\n" });
    host = await startHost(relay.url, workspace, { name: "studio mac" });
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await host?.stop();
    await relay?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  async function pairPhone(): Promise<{ page: Page; phoneId: string }> {
    const known = new Set(host.host.phoneList().map((p) => p.id));
    const page = await (await phoneContext(browser)).newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto((await host.host.openPairing()).url);
    await page.getByTestId("host-name").waitFor();
    const phone = await until("the computer to list the new phone", () => host.host.phoneList().find((p) => !known.has(p.id)));
    return { page, phoneId: phone.id };
  }

  /** Folders the host watches for its phones, to wait for the phone's watch call rather than sleep and hope. */
  const watchedFolders = () => host.host.watchedFolders;

  const entry = (page: Page, name: string) => page.locator(`[data-testid="dir-entry"][data-name="${name}"]`);

  async function showsNewFile(page: Page, name: string): Promise<void> {
    await until("the computer to watch the open folder", () => watchedFolders() > 0);
    writeFileSync(join(workspace, "notes", name), "written after the key changed\n");
    await entry(page, name).waitFor({ timeout: 10_000 });
  }

  it("takes the new key and goes on showing the computer's changes, also after a reload", async () => {
    const kept = await pairPhone();
    const lost = await pairPhone();
    const epoch = host.identity.epoch;

    await host.host.revokePhone(lost.phoneId);
    assert.ok(host.identity.epoch > epoch, "the computer did not rotate its content key");
    await lost.page.getByTestId("unpaired").waitFor({ timeout: 15_000 });

    const { page } = kept;
    await page.getByTestId("tab-files").click();
    await entry(page, "notes").click();
    await entry(page, "plan.md").waitFor();
    await showsNewFile(page, "after-rekey.md");
    // This phone was not told it was unpaired: it is the one that stays.
    assert.equal(await page.getByTestId("unpaired").count(), 0);

    // After a reload the changes still open: the key was stored, or the catch-up brings its record again.
    await page.reload();
    await entry(page, "plan.md").waitFor();
    await showsNewFile(page, "after-reload.md");
    assert.deepEqual(pageErrors, []);
  });
});

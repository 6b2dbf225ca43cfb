// A phone in Chromium that its computer revokes: it is told so at once, in words, and offered to
// forget the computer; after a reload it still knows, and its old token opens nothing.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { launchChromium, phoneContext, screenshotPath } from "../support/browser";
import { startHost, type TestHost } from "../support/host";
import { startRelay, type TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";

const WEB = join(__dirname, "..", "..", "dist", "mobile-web");

describe("end to end: a phone its computer revokes", function () {
  this.timeout(60_000);
  let relay: TestRelay;
  let host: TestHost;
  let workspace: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    relay = await startRelay({ webDir: WEB });
    workspace = makeWorkspace({ "README.md": "# api-service\n" });
    host = await startHost(relay.url, workspace, { name: "work laptop" });
    browser = await launchChromium();
    page = await (await phoneContext(browser)).newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await browser?.close();
    await host?.stop();
    await relay?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("shows that it was unpaired, at once and after a reload, and forgets the computer when asked", async () => {
    const offer = await host.host.openPairing();
    await page.goto(offer.url);
    await page.getByTestId("host-name").waitFor();
    await page.getByTestId("threads").waitFor();
    const [phone] = host.host.phoneList();
    assert.ok(phone, "the host lists no paired phone");

    await host.host.revokePhone(phone.id);
    const notice = page.getByTestId("unpaired");
    await notice.waitFor({ timeout: 15_000 });
    assert.match(await notice.innerText(), /This phone was unpaired from work laptop/);
    // Nothing here offers what the computer would refuse.
    assert.equal(await page.getByTestId("new-task-button").count(), 0);
    await page.screenshot({ path: screenshotPath("revoked-light") });

    // The phone remembers why it cannot reach the computer, rather than retrying forever.
    await page.reload();
    await page.getByTestId("unpaired").waitFor({ timeout: 10_000 });

    await page.getByRole("button", { name: "Forget this computer" }).click();
    await page.getByTestId("host-name").waitFor({ state: "detached", timeout: 10_000 });
    // Its last computer gone and its token dead, the phone is simply ready to pair again.
    await page.getByRole("heading", { name: "Pair this phone with your computer" }).waitFor();
    assert.equal(await page.getByTestId("error").count(), 0, await page.getByTestId("error").allInnerTexts().then(String));
    await page.screenshot({ path: screenshotPath("revoked-forgotten-light") });
    assert.deepEqual(pageErrors, []);
  });
});

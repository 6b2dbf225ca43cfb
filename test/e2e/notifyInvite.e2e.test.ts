// After pairing, a one-time card on the computer's dashboard invites the person to turn on
// notifications. Real relay with Web Push, real host processes, the app in real Chromium at
// 360×740 with notifications allowed (the push service is the local stand-in, as in
// push.e2e.test.ts). One phone says "Not now" and the card stays gone after a reload; a
// second phone turns notifications on from the card, and the relay gets its subscription.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AxeAudit } from "../support/axe";
import { screenshotPath } from "../support/browser";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../support/fakeModels";
import type { Proc } from "../support/processes";
import { DIST, openPushPhone, startHostProcess, type PushPhone } from "../support/pushPhone";
import { FakePushService, makeSubscriber, startPushRelay } from "../support/pushService";
import type { TestRelay } from "../support/relay";
import { quietFor } from "../support/wait";
import { makeWorkspace } from "../support/workspace";

describe("end to end: the invitation to turn on notifications after pairing", function () {
  this.timeout(120_000);
  let tmp: string;
  let workspace: string;
  let service: FakePushService;
  let relay: TestRelay;
  let model: FakeModelServer<OpenAIBody>;
  const hosts: Proc[] = [];
  const phones: PushPhone[] = [];
  const axe = new AxeAudit();

  /** A host of its own and a phone paired with it, in a browser of its own. */
  const pairPhone = async (name: string): Promise<PushPhone> => {
    const { host, link } = await startHostProcess({
      relayUrl: relay.url,
      workspace,
      stateDir: join(tmp, name),
      modelUrl: model.url,
    });
    hosts.push(host);
    const phone = await openPushPhone(relay.url, link, makeSubscriber(service.endpoint(name)).subscription);
    phones.push(phone);
    return phone;
  };

  before(async () => {
    if (!existsSync(join(DIST, "host.js")) || !existsSync(join(DIST, "mobile-web", "sw.js"))) {
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    }
    tmp = mkdtempSync(join(tmpdir(), "tether-invite-e2e-"));
    workspace = makeWorkspace({ "README.md": "# invite\n" });
    service = await FakePushService.start();
    relay = await startPushRelay(service, { webDir: join(DIST, "mobile-web") });
    model = await startFakeOpenAI();
  });

  after(async () => {
    for (const phone of phones) await phone.close();
    for (const host of hosts) await host.stop();
    await relay?.stop();
    await service?.close();
    await model?.close();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("shows the card once after pairing; Not now hides it for good, across a reload", async () => {
    const { page } = await pairPhone("phone-one");
    const card = page.getByTestId("invite-notifications");
    await card.waitFor();
    assert.equal(await card.getAttribute("data-kind"), "enable");
    assert.equal(
      (await page.getByTestId("invite-text").textContent())?.trim(),
      "Turn on notifications: approvals and questions from api-box arrive there, and you can approve from the notification.",
    );
    await page.screenshot({ path: screenshotPath("invite-notifications-light") });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: screenshotPath("invite-notifications-dark") });
    await axe.check(page, "dashboard with the notifications invitation");

    await page.getByTestId("invite-dismiss").click();
    await card.waitFor({ state: "detached" });
    await page.reload();
    await page.getByTestId("threads").waitFor();
    // The relay's hello has come when Settings would offer the switch: the card had its chance.
    await page.goto(new URL("/#/settings", relay.url).href);
    await page.locator('[data-testid="notifications-state"][data-state="off"]').waitFor();
    await page.goBack();
    await page.getByTestId("threads").waitFor();
    await quietFor("the card coming back after Not now", 500, async () => (await card.count()) > 0);
  });

  it("turns notifications on from the card in a second phone, and says so", async () => {
    const { page } = await pairPhone("phone-two");
    await page.getByTestId("invite-enable").click();
    await page.locator('[data-testid="invite-notifications"][data-kind="enabled"]').waitFor();
    assert.equal((await page.getByTestId("invite-text").textContent())?.trim(), "Notifications are on for this phone.");
    await page.screenshot({ path: screenshotPath("invite-notifications-on-light") });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: screenshotPath("invite-notifications-on-dark") });
    await axe.check(page, "dashboard, notifications turned on from the invitation");

    // The same subscription as from Settings: Settings says on, with this computer switched on.
    await page.goto(new URL("/#/settings", relay.url).href);
    await page.locator('[data-testid="notifications-state"][data-state="on"]').waitFor();
    assert.equal(await page.getByTestId("notifications-host").isChecked(), true);

    // Settled: the card does not come back.
    await page.goBack();
    await page.getByTestId("threads").waitFor();
    await quietFor(
      "the card coming back once notifications are on",
      500,
      async () => (await page.getByTestId("invite-notifications").count()) > 0,
    );
  });

  it("kept axe clean and raised no errors in the pages", () => {
    assert.equal(axe.found.size, 0, `axe found violations:\n${axe.report()}`);
    for (const phone of phones) assert.deepEqual(phone.pageErrors, []);
  });
});

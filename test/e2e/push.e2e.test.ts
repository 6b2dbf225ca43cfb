// Notifications end to end in real Chromium at 360×740: a real relay sends real Web Push
// requests (web-push, VAPID, aes128gcm) to a local push service standing in for the
// browser's; the test decrypts each with the subscription's keys and hands it to the app's
// service worker through the DevTools protocol, as the browser's push service would. The
// worker opens the sealed payload with the host's key and shows the notification; its
// Approve button posts the sealed decision over HTTP, and the host applies it.
//
// Only the browser's own registration with its push service is replaced (PushManager's
// subscribe returns the test subscription): Google's push servers cannot be reached here.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { screenshotPath } from "../support/browser";
import { startFakeOpenAI, type FakeModelServer, type FakeTurn, type OpenAIBody } from "../support/fakeModels";
import type { Proc } from "../support/processes";
import { DIST, openPushPhone, startHostProcess, type PushPhone } from "../support/pushPhone";
import { FakePushService, makeSubscriber, startPushRelay } from "../support/pushService";
import type { TestRelay } from "../support/relay";
import { quietFor, until } from "../support/wait";
import { makeWorkspace } from "../support/workspace";

const call = (name: string, args: object, extra: Partial<FakeTurn> = {}): FakeTurn => ({ ...extra, toolCalls: [{ name, args }] });

describe("end to end: notifications on the phone", function () {
  this.timeout(120_000);
  let tmp: string;
  let workspace: string;
  let service: FakePushService;
  let relay: TestRelay;
  let host: Proc;
  let model: FakeModelServer<OpenAIBody>;
  let phone: PushPhone;
  let page: Page;
  let subscriber: ReturnType<typeof makeSubscriber>;
  let delivered = 0;

  /**
   * The next push the relay sent to this phone, decrypted: the JSON the service worker receives.
   * With `tag`, the next one whose routing tag (in clear, beside the sealed box) matches it: a
   * settle or a "done" left over from an earlier test is passed over, not taken for an approval.
   */
  const nextPush = async (tag?: RegExp): Promise<string> => {
    const endpointPath = new URL(subscriber.subscription.endpoint).pathname;
    return until(
      `push ${delivered + 1}${tag ? ` tagged ${tag}` : ""}`,
      () => {
        const sent = service.requests.filter((r) => r.path === endpointPath);
        while (delivered < sent.length) {
          const data = subscriber.decrypt(sent[delivered++]!.body);
          if (!tag || tag.test((JSON.parse(data) as { tag?: string }).tag ?? "")) return data;
        }
        return undefined;
      },
      30_000,
    );
  };
  const deliver = (data: string): Promise<void> => phone.deliver(data);
  const waitShown = (count: number) => phone.waitShown(count);
  const goHosts = async (): Promise<void> => {
    await page.goto(new URL("/#/hosts", relay.url).href);
    await page.getByTestId("host-row").waitFor();
  };
  const startTask = async (text: string): Promise<void> => {
    await page.goto(new URL("/#/hosts", relay.url).href);
    await page.getByTestId("host-row").click();
    await page.getByTestId("new-task-button").click();
    await page.getByTestId("task-text").fill(text);
    await page.getByTestId("task-submit").click();
    await page.getByTestId("thread").waitFor();
  };

  before(async () => {
    if (!existsSync(join(DIST, "host.js")) || !existsSync(join(DIST, "mobile-web", "sw.js"))) {
      throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    }
    tmp = mkdtempSync(join(tmpdir(), "tether-push-e2e-"));
    workspace = makeWorkspace({ "package.json": '{ "scripts": { "test": "echo 3 passing" } }\n' });
    service = await FakePushService.start();
    subscriber = makeSubscriber(service.endpoint("chromium-phone"));
    relay = await startPushRelay(service, { webDir: join(DIST, "mobile-web") });
    model = await startFakeOpenAI();
    let link: string;
    ({ host, link } = await startHostProcess({
      relayUrl: relay.url,
      workspace,
      stateDir: join(tmp, "host"),
      modelUrl: model.url,
    }));
    phone = await openPushPhone(relay.url, link, subscriber.subscription);
    page = phone.page;
  });

  after(async () => {
    await phone?.close();
    await host?.stop();
    await relay?.stop();
    await service?.close();
    await model?.close();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("turns notifications on in settings, which subscribes this phone with the relay", async () => {
    await page.goto(new URL("/#/settings", relay.url).href);
    const state = page.getByTestId("notifications-state");
    await state.waitFor();
    assert.equal(await state.getAttribute("data-state"), "off");
    await page.getByTestId("notifications-enable").click();
    await page.locator('[data-testid="notifications-state"][data-state="on"]').waitFor();
    await page.getByTestId("notifications-host").waitFor();
    assert.equal(await page.getByTestId("notifications-host").isChecked(), true);
    await page.screenshot({ path: screenshotPath("push-settings-on-light") });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: screenshotPath("push-settings-on-dark") });
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("shows an approval as a notification and approves from its button without opening the app", async () => {
    model.push(
      // Slow enough to leave the thread's screen before the approval arrives.
      call("run_command", { command: "npm test", reason: "run the tests" }, { text: "Running the tests.", delayMs: 700 }),
      call("finish", { summary: "The tests pass." }),
    );
    await startTask("Check that the tests pass");
    await goHosts();

    const approval = await nextPush(/^a-/);
    assert.doesNotMatch(approval, /npm test|run the tests|api-box|Check that/, "the push payload carries plaintext");
    await deliver(approval);
    const [notification] = await waitShown(1);
    assert.match(notification!.title, /^Approve `npm test` in /);
    assert.match(notification!.body, /run the tests/);
    assert.deepEqual(notification!.actions, ["approve", "deny"]);

    // The person presses Approve on the notification.
    // Service worker code, as a string: the test's TypeScript has no worker types.
    await phone.worker().evaluate(`(async () => {
      const [shown] = await self.registration.getNotifications();
      self.dispatchEvent(new NotificationEvent("notificationclick", { notification: shown, action: "approve" }));
    })()`);
    await waitShown(0);

    // The host applied it: the run went on and finished, and says so.
    const settled = await nextPush();
    await deliver(settled);
    const finished = await nextPush();
    await deliver(finished);
    const [done] = await waitShown(1);
    assert.match(done!.title, /^Done: /);
    assert.match(done!.body, /The tests pass/);

    // Tapping the notification opens its thread.
    await phone.worker().evaluate(`(async () => {
      const [shown] = await self.registration.getNotifications();
      self.dispatchEvent(new NotificationEvent("notificationclick", { notification: shown, action: "" }));
    })()`);
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor();
    assert.match((await page.getByTestId("thread-title").textContent()) ?? "", /Check that the tests pass/);
    assert.match((await page.getByTestId("decided").first().textContent()) ?? "", /Chromium on Linux/);
  });

  it("closes a notification decided in the app, and shows none for the thread on screen", async () => {
    await page.evaluate(async () => {
      for (const n of await (await navigator.serviceWorker.ready).getNotifications()) n.close();
    });
    model.push(
      call("run_command", { command: "npm test", reason: "once more" }, { text: "Again.", delayMs: 700 }),
      call("finish", { summary: "Still passing." }),
    );
    await startTask("Run the tests again");
    const threadUrl = page.url();
    await goHosts();

    const approval = await nextPush(/^a-/);
    await deliver(approval);
    await waitShown(1);
    // The same event twice is one notification.
    await deliver(approval);
    await waitShown(1);

    // Decided in the app: the notification goes away on its own.
    await page.goto(threadUrl);
    await page.getByTestId("approval-card").getByTestId("approve").click();
    await deliver(await nextPush());
    await waitShown(0);

    // With the thread on screen, a notification for it would only repeat what is shown.
    await deliver(approval);
    await quietFor("a notification for the thread on screen", 500, async () => (await phone.shown()).length > 0);
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor();
  });

  it("raised no errors in the page", () => {
    assert.deepEqual(phone.pageErrors, []);
  });
});

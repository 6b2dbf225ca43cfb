// Never lose a word, end to end in real Chromium at 360×740 with real relay and host processes
// from dist/: the relay is stopped, a task and a message are typed on the phone, both show as
// not sent yet and survive a reload (the page comes from the service worker), the relay starts
// again on its data, and the host receives each exactly once and runs the task. Drafts of the
// new-task form and of a thread's composer survive a reload. Screenshots go to
// test-results/screenshots/outbox-*.

import assert from "node:assert/strict";
import { join } from "node:path";
import type { Page } from "playwright-core";
import type { FakeModelServer, FakeTurn, OpenAIBody } from "../support/fakeModels";
import { openPairedPhone, startRelay, startStack, startTask, themedShots, type Stack } from "../support/phoneStack";
import { freePort, type Proc } from "../support/processes";
import { hostEvents } from "../support/threadSync";

const call = (name: string, args: object, text?: string): FakeTurn => ({
  ...(text ? { text } : {}),
  toolCalls: [{ name, args }],
});

describe("end to end: the phone's outbox across a relay restart and a reload", function () {
  this.timeout(120_000);
  let stack: Stack;
  let tmp: string;
  let workspace: string;
  let port: number;
  let relay: Proc;
  let model: FakeModelServer<OpenAIBody>;
  let page: Page;
  let pageErrors: string[];

  const shot = (name: string): Promise<void> => themedShots(page, "outbox", name);
  const linkStatus = (status: string) => page.locator(`.status[data-status="${status}"]`).waitFor({ timeout: 30_000 });

  before(async () => {
    // The relay comes back on the same port, where the phone and the host look for it.
    port = await freePort();
    stack = await startStack({ name: "outbox", files: { "README.md": "# api-service\n" }, relayPort: port });
    ({ tmp, workspace, model, relay } = stack);
    ({ page, pageErrors } = await openPairedPhone(stack));
    // The shell is cached and the page controlled by the service worker, so a reload works
    // while the relay (which serves the app) is down.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await linkStatus("online");
  });

  after(() => stack?.stop());

  it("keeps a task and a message made while the relay is down, across a reload, and delivers each once when it is back", async () => {
    const taskText = "Add a health check endpoint";
    const steerText = "also log each check";
    model.push(call("run_command", { command: "sleep 3; echo checked" }, "Adding the endpoint."), (req) => {
      const seen = req.body.messages.filter((m) => m.role === "user" && String(m.content).includes(steerText));
      return seen.length === 1
        ? call("finish", { summary: "Added /healthz and logged each check, as asked." })
        : { status: 500, message: `the message arrived ${seen.length} times` };
    });

    await relay.stop();
    await linkStatus("offline");

    await startTask(page, taskText, "full-auto");
    await page.getByTestId("thread").waitFor();
    const unsent = page.getByTestId("unsent-item");
    await unsent.first().waitFor();
    assert.match((await page.getByTestId("unsent").textContent()) ?? "", /Not sent yet/);
    assert.match((await unsent.first().textContent()) ?? "", new RegExp(taskText));

    await page.getByTestId("composer-input").fill(steerText);
    await page.getByTestId("composer-send").click();
    await page.locator('[data-testid="unsent-item"][data-type="message"]').waitFor();
    assert.equal(await page.getByTestId("composer-input").inputValue(), "", "the composer is free again");
    // A third, withdrawn before the relay is back: it never reaches the computer.
    await page.getByTestId("composer-input").fill("forget the logging");
    await page.getByTestId("composer-send").click();
    await page.locator('[data-testid="unsent-item"]').nth(2).waitFor();
    await page.getByTestId("unsent-cancel").nth(2).click();
    await page.locator('[data-testid="unsent-item"]').nth(2).waitFor({ state: "detached" });
    assert.equal(await page.getByRole("alert").count(), 0, "no error for what waits in the outbox");
    // Nothing runs yet: no Stop, and the composer says where a message goes.
    assert.equal(await page.getByTestId("stop").count(), 0, "a Stop for a task that was never sent");
    assert.match((await page.locator(".composer, [data-testid='thread']").last().textContent()) ?? "", /goes with the task/);
    await shot("thread-unsent");

    await page.getByTestId("back-to-threads").click();
    const mark = page.getByTestId("unsent-mark");
    await mark.waitFor();
    await shot("list-unsent");

    // A reload while the relay is still away: both are still there, in order.
    const offlineLoad = await page.reload();
    assert.ok(offlineLoad?.fromServiceWorker(), "the reload was not answered by the service worker");
    await page.getByTestId("unsent-mark").waitFor({ timeout: 20_000 });
    await page.getByTestId("thread-row").first().click();
    await page.getByTestId("unsent").waitFor();
    assert.deepEqual(await unsent.evaluateAll((items) => items.map((i) => i.getAttribute("data-type"))), ["new-task", "message"]);
    await shot("thread-unsent-reloaded");
    const threadId = decodeURIComponent(page.url().split("/").at(-1)!);

    relay = stack.onStop((await startRelay(join(tmp, "relay"), port)).proc, (p) => p.stop());
    await linkStatus("online");
    await page.getByTestId("unsent").waitFor({ state: "detached", timeout: 30_000 });
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor({ timeout: 40_000 });
    assert.match((await page.getByTestId("summary").textContent()) ?? "", /logged each check/);
    await shot("thread-delivered");

    const events = hostEvents(join(tmp, "host"), workspace, threadId).map((e) => e.event);
    assert.equal(events.filter((e) => e.type === "task").length, 1, "the task was applied once");
    const steers = events.filter((e) => e.type === "user-message" && e.text === steerText);
    assert.equal(steers.length, 1, "the message was applied once");
    assert.equal(
      events.filter((e) => e.type === "user-message" && e.text.includes("forget")).length,
      0,
      "the cancelled message never left the phone",
    );

    await page.getByTestId("back-to-threads").click();
    await page.getByTestId("thread-row").first().waitFor();
    assert.equal(await page.getByTestId("unsent-mark").count(), 0);
    assert.deepEqual(pageErrors, []);
  });

  it("keeps the new-task form's text and mode, and a thread's composer, across a reload", async () => {
    await page.getByTestId("new-task-button").click();
    await page.getByTestId("task-text").fill("Draft: rename the config loader");
    await page.getByTestId("task-mode").locator('input[value="read-only"]').check();
    await page.reload();
    await page.getByTestId("task-text").waitFor();
    assert.equal(await page.getByTestId("task-text").inputValue(), "Draft: rename the config loader");
    assert.ok(await page.getByTestId("task-mode").locator('input[value="read-only"]').isChecked());
    await shot("new-task-draft");

    // Leaving the screen keeps it too.
    await page.locator("a.up").first().click();
    await page.getByTestId("thread-row").first().click();
    await page.getByTestId("composer-input").fill("Draft steer for later");
    await page.reload();
    await page.getByTestId("composer-input").waitFor();
    assert.equal(await page.getByTestId("composer-input").inputValue(), "Draft steer for later");
    await page.getByTestId("back-to-threads").click();
    await page.getByTestId("new-task-button").click();
    assert.equal(await page.getByTestId("task-text").inputValue(), "Draft: rename the config loader");
  });
});

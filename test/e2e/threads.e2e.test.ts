// The phone app supervising the agent, end to end in real Chromium at 360×740: real relay and
// host processes from dist/, the model behind a scripted OpenAI-compatible server. The phone
// starts a task with an attachment, watches it, approves a command from the card, sees the
// diff, steers, stops a long run, and browses what the task changed. Screenshots of every
// screen in light and dark mode go to test-results/screenshots/.

import assert from "node:assert/strict";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { AxeAudit } from "../support/axe";
import { screenshotPath } from "../support/browser";
import type { FakeModelServer, FakeTurn, OpenAIBody } from "../support/fakeModels";
import { openPairedPhone, startStack, startTask, themedShots, type Stack } from "../support/phoneStack";
import type { Proc } from "../support/processes";
import { until } from "../support/wait";

const call = (name: string, args: object, text?: string): FakeTurn => ({
  ...(text ? { text } : {}),
  toolCalls: [{ name, args }],
});

describe("end to end: the phone follows, approves and steers agent runs", function () {
  this.timeout(120_000);
  let stack: Stack;
  let tmp: string;
  let workspace: string;
  let host: Proc;
  let model: FakeModelServer<OpenAIBody>;
  let context: BrowserContext;
  let page: Page;
  let pageErrors: string[];
  const axe = new AxeAudit();

  // Every screen shot is also audited by axe, in the same two colour schemes.
  const shot = (name: string): Promise<void> => themedShots(page, "threads", name, axe);
  const threadStatus = (status: string) =>
    page.locator(`[data-testid="thread"][data-status="${status}"]`).waitFor({ timeout: 30_000 });
  const newTask = async (text: string, mode = "ask"): Promise<void> => {
    await page.locator('[data-testid="back-to-threads"], [data-testid="tab-threads"]').first().waitFor();
    if (await page.getByTestId("back-to-threads").isVisible()) await page.getByTestId("back-to-threads").click();
    await page.getByTestId("tab-threads").click();
    await startTask(page, text, mode);
    await page.getByTestId("thread").waitFor();
  };

  before(async () => {
    stack = await startStack({
      name: "threads",
      files: {
        "api/subscribe.js": "export function subscribe(req, res) {\n  res.json({ ok: true });\n}\n",
        "README.md": "# api-service\n",
      },
    });
    ({ tmp, workspace, host, model } = stack);
    ({ context, page, pageErrors } = await openPairedPhone(stack));
  });

  after(() => stack?.stop());

  it("starts a task with an attachment, approves its command from the card, and shows the diff and summary", async () => {
    await shot("empty-list");
    model.push(
      call("read_file", { path: "api/subscribe.js" }, "I'll look at the endpoint first."),
      call(
        "edit_file",
        {
          path: "api/subscribe.js",
          old_text: "export function subscribe",
          new_text: "// 5 requests a minute per IP, 429 with a JSON error\nexport function subscribe",
          reason: "document the limit",
        },
        "Adding the limit.",
      ),
      call("run_command", { command: "node --check api/subscribe.js && echo syntax ok", reason: "check the syntax" }),
      call("finish", { summary: "Added rate limiting notes to /api/subscribe and checked the syntax." }),
    );
    await page.getByTestId("new-task-button").click();
    await page.getByTestId("task-text").fill("Add rate limiting to /api/subscribe, 5 requests a minute per IP");
    await page.getByTestId("task-mode").locator('input[value="auto-edit"]').check();
    const attachment = join(tmp, "sketch.txt");
    writeFileSync(attachment, "limit: 5/min/IP\n");
    await page.getByTestId("task-attach").setInputFiles(attachment);
    await page.getByTestId("attachment-chip").waitFor();
    await shot("new-task");
    await page.getByTestId("task-submit").click();

    const card = page.getByTestId("approval-card");
    await card.waitFor({ timeout: 30_000 });
    assert.match((await card.textContent()) ?? "", /node --check api\/subscribe\.js/);
    assert.match((await card.textContent()) ?? "", /check the syntax/);
    // The gate's reason in plain words, under the command, inside the 360 px screen.
    const why = card.getByTestId("approval-why");
    assert.equal(await why.textContent(), "You chose Auto-edit: commands need your OK.");
    const box = await why.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= 360, JSON.stringify(box));
    await page.getByTestId("diff").first().waitFor();
    await page
      .getByTestId("diff")
      .first()
      .screenshot({ path: screenshotPath("threads-diff-light") });
    await shot("approval");
    await card.getByTestId("approve").click();

    await threadStatus("done");
    await page.getByTestId("summary").waitFor();
    assert.match((await page.getByTestId("summary").textContent()) ?? "", /Added rate limiting/);
    assert.match(readFileSync(join(workspace, "api/subscribe.js"), "utf8"), /5 requests a minute per IP/);
    const attached = model.requests[0]!.body.messages.find((m) => m.role === "user");
    assert.match(String(attached?.content), /\.tether\/attachments\/.+\/sketch\.txt/);
    assert.equal(
      readFileSync(
        join(workspace, ".tether/attachments", readdirOne(join(workspace, ".tether/attachments")), "sketch.txt"),
        "utf8",
      ),
      "limit: 5/min/IP\n",
    );
    await page.getByTestId("decided").first().waitFor();
    await shot("done");
  });

  it("lists the task, then shows the files it changed in the Files tab", async () => {
    await page.getByTestId("show-changed").click();
    await page.locator('[data-testid="dir-entry"][data-name="api"]').waitFor();
    await shot("files-changed");
    await page.locator('[data-testid="dir-entry"][data-name="api"]').click();
    await page.locator('[data-testid="dir-entry"][data-name="subscribe.js"]').click();
    await page.getByTestId("file-view").waitFor();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="file-view"]')?.textContent?.includes("5 requests a minute"),
    );
    await shot("file-view");
    await page.getByTestId("tab-threads").click();
    const row = page.getByTestId("thread-row").first();
    await row.waitFor();
    assert.equal(await row.getAttribute("data-status"), "done");
    await shot("list");
  });

  it("shows each diff once, then says Reverted in the header and the list after a revert", async () => {
    await page.getByTestId("thread-row").first().click();
    await threadStatus("done");
    // The edit's text is read once, as the diff: opening its row does not show it again.
    const diffs = page.getByTestId("diff");
    await diffs.first().waitFor();
    assert.equal(await diffs.count(), 1);
    await page.locator('[data-testid="tool-row"][data-tool="edit_file"] button.row').click();
    await page.locator('[data-testid="tool-row"][data-tool="run_command"] button.row').click();
    await page.getByTestId("terminal").first().waitFor();
    const said = (await page.getByTestId("timeline").innerText()).toLowerCase();
    const times = (text: string): number => said.split(text).length - 1;
    assert.equal(times("// 5 requests a minute per ip, 429"), 1, said);
    // An exit code is said once: in the row's note, not again at the end of the output.
    assert.equal(times("exit code 0"), 1, said);

    await page.getByTestId("revert").click();
    await page.getByTestId("revert-confirm").click();
    await page.getByTestId("item-reverted").waitFor({ timeout: 20_000 });
    const header = page.getByTestId("thread").getByTestId("thread-status").first();
    await header.filter({ hasText: "Reverted" }).waitFor({ timeout: 20_000 });
    assert.equal(await header.textContent(), "Done · Reverted");
    assert.doesNotMatch(readFileSync(join(workspace, "api/subscribe.js"), "utf8"), /5 requests a minute per IP/);
    await shot("reverted");
    await page.evaluate(() => window.scrollTo({ top: 0, behavior: "instant" }));
    await shot("reverted-header");

    await page.getByTestId("back-to-threads").click();
    const row = page.getByTestId("thread-row").first();
    // The list is built from the summary record the host publishes after the revert.
    await row.getByText("Done · Reverted").waitFor({ timeout: 20_000 });
    await shot("list-reverted");
  });

  it("steers a running task with a message the model reads at its next step", async () => {
    // The command runs until the test sees the message in the thread, however busy the machine.
    model.push(call("run_command", { command: "while [ ! -e steered ]; do sleep 0.1; done" }), (req) => {
      const last = req.body.messages.at(-1)!;
      return last.role === "user" && String(last.content).includes("use a sliding window")
        ? call("finish", { summary: "Switched to a sliding window as asked." })
        : { status: 500, message: "the steering message did not arrive" };
    });
    await newTask("Tune the limiter", "full-auto");
    await page.getByTestId("running-bar").waitFor({ timeout: 20_000 });
    await page
      .getByTestId("terminal")
      .first()
      .waitFor()
      .catch(() => undefined);
    await shot("running");
    await page.getByTestId("composer-input").fill("use a sliding window");
    await page.getByTestId("composer-send").click();
    // The host has the message once the thread shows it; then the command may end.
    await page.getByTestId("item-message").filter({ hasText: "use a sliding window" }).waitFor({ timeout: 20_000 });
    writeFileSync(join(workspace, "steered"), "");
    await threadStatus("done");
    assert.match((await page.getByTestId("summary").textContent()) ?? "", /sliding window/);
  });

  it("stops a long command from the phone", async () => {
    model.push(call("run_command", { command: "echo starting; sleep 60" }));
    await newTask("Run the slow suite", "full-auto");
    await page.getByTestId("running-bar").waitFor({ timeout: 20_000 });
    await page.getByTestId("stop").click();
    await threadStatus("stopped");
    // Killed because the person stopped it: stopped, not failed.
    await page.locator('[data-testid="tool-row"][data-tool="run_command"][data-state="stopped"]').waitFor();
    await shot("stopped");
  });

  it("reads a thread offline after a reload, then catches up without duplicates", async () => {
    // The service worker controls the page once it is active; the shell is cached then.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    // What the relay sends the app's sockets from here on: the app says it reads batches, so a
    // host's stored events come as `events` packets, never as single `event`s.
    const frames = { batches: 0, single: 0 };
    page.on("websocket", (ws) =>
      ws.on("framereceived", ({ payload }) => {
        const text = String(payload);
        if (text.startsWith('42["events"')) frames.batches++;
        else if (text.startsWith('42["event"')) frames.single++;
      }),
    );
    await page.reload();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);

    model.push(
      call("run_command", { command: "sleep 3; echo slept" }),
      call("finish", { summary: "Slept while the phone was away." }),
    );
    await newTask("Sleep a little", "full-auto");
    await page.getByTestId("running-bar").waitFor({ timeout: 20_000 });
    await until("the task's events in a batch on the phone's socket", () => frames.batches > 0, 20_000);
    assert.equal(frames.single, 0, "the app said it reads batches, yet got single events");
    const threadUrl = page.url();

    await context.setOffline(true);
    const offlineLoad = await page.reload();
    assert.ok(offlineLoad?.fromServiceWorker(), "the offline reload was not answered by the service worker");
    await page.getByTestId("offline").waitFor();
    await page.getByTestId("thread").waitFor();
    assert.match((await page.getByTestId("thread-title").textContent()) ?? "", /Sleep a little/);
    await shot("offline");

    // The run ends while the phone is away; back online, it catches up.
    await host.waitFor(/"Sleep a little" done/, 20_000);
    await context.setOffline(false);
    await page.getByTestId("offline").waitFor({ state: "detached" });
    await threadStatus("done");
    assert.equal(page.url(), threadUrl);
    const seqs = await page
      .locator('[data-testid^="item-"][data-seq]')
      .evaluateAll((items) => items.map((i) => i.getAttribute("data-seq")));
    assert.ok(seqs.length >= 4, `only ${seqs.length} items`);
    assert.equal(new Set(seqs).size, seqs.length, `an event shows twice: ${seqs.join(",")}`);
    assert.equal(await page.getByTestId("summary").count(), 1);
  });

  it("shows what waits for a person in the list of computers, and the settings screens", async () => {
    model.push(call("run_command", { command: "npm test", reason: "run the tests" }));
    await newTask("Run the tests");
    await page.getByTestId("approval-card").waitFor();
    await page.goto(new URL("/#/hosts", page.url()).href);
    await page.getByTestId("host-row").first().waitFor();
    // The list is built from the summary records, which may reach the page a moment after the card.
    await page
      .getByTestId("host-activity")
      .filter({ hasText: /1 waiting for you/ })
      .waitFor({ timeout: 20_000 });
    await shot("hosts");
    await page.goto(new URL("/#/settings", page.url()).href);
    await page.getByTestId("notifications-state").waitFor();
    await shot("settings");
    await page.goto(new URL("/#/add", page.url()).href);
    await page.getByTestId("scan-qr").waitFor();
    await shot("add-host");
  });

  it("raised no errors in the page", () => {
    assert.deepEqual(pageErrors, []);
  });

  it("has no accessibility violations axe can find on any of these screens, light or dark", () => {
    assert.equal(axe.found.size, 0, `axe found violations:\n${axe.report()}`);
  });
});

function readdirOne(dir: string): string {
  const entries = readdirSync(dir);
  assert.equal(entries.length, 1);
  return entries[0]!;
}

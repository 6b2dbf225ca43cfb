// Retry and Continue in the editor's thread panel, in real Chromium: dist/panel in the page the
// extension gives its webview, fed through the extension's own `PanelFeed` from a real thread
// manager with a scripted model. The page's `acquireVsCodeApi` hands the panel's messages to
// the handling the extension does (`parseFromPanel`, `refusal`, the manager, and a panel that
// becomes the thread a new task it sent started, as extension/vscode/threadPanel.ts does).

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { randomId } from "#protocol";
import { AxeAudit } from "../support/axe";
import { runEnded, type AgentThreads } from "../support/agentThreads";
import { screenshotPath } from "../support/browser";
import type { FakeModelServer, OpenAIBody } from "../support/fakeModels";
import { startPanel, type PanelHarness } from "../support/panelHarness";

const EDITOR = { id: "editor", name: "VS Code" };

describe("end to end: Retry and Continue in the editor's thread panel", function () {
  this.timeout(90_000);
  let panel: PanelHarness;
  let model: FakeModelServer<OpenAIBody>;
  let threads: AgentThreads;
  let page: Page;
  let pageErrors: string[];
  const axe = new AxeAudit();
  /** The thread the panel shows; a new task it starts becomes it. */
  const shown = (): string => panel.shown();

  before(async () => {
    panel = await startPanel({
      files: { "README.md": "# api\n" },
      mode: "full-auto",
      threadId: randomId(12),
      editor: EDITOR,
      title: "Tether",
      viewport: { width: 360, height: 740 },
    });
    ({ model, threads, page, pageErrors } = panel);
  });

  after(() => panel?.stop());

  it("retries a failed task as a new thread the panel then shows, and continues it", async () => {
    const first = shown();
    model.push({ status: 400, message: "This model does not accept that request." });
    await threads.manager.handle({ type: "new-task", threadId: first, text: "Summarise the README", mode: "ask" }, EDITOR);
    await runEnded(threads.manager, first);
    await page.goto(panel.url);
    await page.locator('[data-testid="thread"][data-status="failed"]').waitFor({ timeout: 15_000 });
    const offer = page.getByTestId("ended-offer");
    await offer.waitFor();
    await page.screenshot({ path: screenshotPath("panel-retry-failed-light") });
    await axe.check(page, "panel failed", ["light"]);

    model.push({ toolCalls: [{ name: "finish", args: { summary: "Summarised it." } }] });
    await offer.getByTestId("retry").click();
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor({ timeout: 30_000 });
    assert.notEqual(shown(), first, "the panel shows the new thread");
    const retried = threads.manager.get(shown())!;
    assert.equal(retried.title, "Summarise the README");
    assert.equal(retried.mode, "ask");
    assert.equal(threads.manager.get(first)!.status, "failed", "the failed one stays as it was");

    // Continue, from the same panel, on a run stopped before it finished.
    model.push({ toolCalls: [{ name: "run_command", args: { command: "npm test", reason: "see" } }] });
    await threads.manager.handle({ type: "message", threadId: shown(), text: "Now run the tests" }, EDITOR);
    await page.getByTestId("approval-card").waitFor({ timeout: 30_000 });
    await page.getByTestId("stop").click();
    await page.locator('[data-testid="thread"][data-status="stopped"]').waitFor({ timeout: 15_000 });
    model.push({ toolCalls: [{ name: "finish", args: { summary: "Stopped there." } }] });
    const sameThread = shown();
    await page.getByTestId("ended-offer").getByTestId("continue").click();
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor({ timeout: 30_000 });
    assert.equal(shown(), sameThread);
    assert.match(JSON.stringify(model.requests.at(-1)!.body.messages), /Continue where you stopped\./);
  });

  it("found no axe violations and no page errors", () => {
    assert.equal(axe.report(), "");
    assert.deepEqual(pageErrors, []);
  });
});

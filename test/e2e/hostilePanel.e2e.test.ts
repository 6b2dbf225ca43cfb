// The editor's thread panel against hostile content, in real Chromium: dist/panel loaded in the
// page the extension gives its webview (`panelHtml`, with the same CSP and a nonce), fed the
// thread through the extension's own `PanelFeed` from a real thread manager whose scripted
// model writes, edits, runs and asks with payloads (test/support/hostile.ts). The page's
// `acquireVsCodeApi` is the one stand-in: VS Code defines it in every webview, here it hands
// the panel's messages to the same handling the extension does (`parseFromPanel`, `refusal`,
// the manager). Approving and answering from the panel, opening every row and diff, and
// clicking what looks like links must run nothing and report no CSP violation.

import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { randomId } from "#protocol";
import { nextEvent, type AgentThreads } from "../support/agentThreads";
import { screenshotPath } from "../support/browser";
import {
  anythingHappened,
  assertClean,
  EXPECTED_COLOURS,
  HOSTILE_NAME,
  HOSTILE_WRITTEN,
  hostileFiles,
  hostileScript,
  type HostileWatch,
  JS,
  liveColours,
  watchHostile,
} from "../support/hostile";
import { quietFor, until } from "../support/wait";
import { startPanel, type PanelHarness } from "../support/panelHarness";

const TASK = `${HOSTILE_NAME} fix [it](javascript:${JS})`;
const ANSWER = `<script>${JS}</script> the first`;
/** The person at the editor, as the extension names them to the manager; named with markup. */
const EDITOR = { id: "editor", name: HOSTILE_NAME };

describe("end to end: hostile content in the editor's thread panel runs no script", function () {
  this.timeout(90_000);
  let panel: PanelHarness;
  let threads: AgentThreads;
  let page: Page;
  let watch: HostileWatch;
  const threadId = randomId(12);

  /** Nothing ran, nothing tried to, and nothing in the DOM could. */
  const clean = (where: string): Promise<void> => assertClean(page, watch, where);
  const text = async (testid: string): Promise<string> => (await page.getByTestId(testid).first().textContent()) ?? "";

  before(async () => {
    panel = await startPanel({
      files: hostileFiles(),
      script: hostileScript(),
      mode: "auto-edit",
      threadId,
      editor: EDITOR,
      title: TASK,
      viewport: { width: 720, height: 900 },
      followNewTasks: false,
      prepare: async (context) => (watch = await watchHostile(context)),
    });
    ({ threads, page } = panel);
  });

  after(() => panel?.stop());

  it("loads under the extension's CSP: no inline script, its own files only", async () => {
    const res = await fetch(panel.url);
    const attribute = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(await res.text())?.[1] ?? "";
    const csp = attribute.replaceAll("&#39;", "'").replaceAll("&amp;", "&");
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'nonce-[A-Za-z0-9+/=]+'(;|$)/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
  });

  it("shows the hostile run as text while it streams, approved and answered from the panel", async () => {
    await threads.manager.handle({ type: "new-task", threadId, text: TASK }, EDITOR);
    await page.goto(panel.url);
    // The page's title is the task's first line, escaped by panelHtml as the editor's tab is titled.
    assert.equal(await page.title(), TASK);
    const card = page.getByTestId("approval-card");
    await card.waitFor({ timeout: 30_000 });
    assert.ok((await card.textContent())?.includes('sh show.sh # <img src=x onerror="'), "the command reads as typed");
    await card.getByTestId("approve").click();
    // While the command runs, its colours are drawn, through classes and the CSSOM only.
    const colours = await liveColours(page);
    assert.deepEqual(colours, EXPECTED_COLOURS);
    await page.locator('[data-testid="terminal"][data-live="true"]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath("hostile-panel-terminal-live") });
    await page.getByTestId("question-card").waitFor({ timeout: 30_000 });
    await page.getByTestId("answer-input").fill(ANSWER);
    await page.getByTestId("answer-send").click();
    const ended = await nextEvent(
      threads.manager,
      threadId,
      (e) => e.type === "status" && ["done", "failed", "stopped"].includes(e.status),
      30_000,
    );
    assert.ok(ended.type === "status" && ended.status === "done", JSON.stringify(ended));
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor();

    const closed = page.locator('[data-testid="tool-row"] > button[aria-expanded="false"]');
    while ((await closed.count()) > 0) await closed.first().click();
    const collapsed = page.getByTestId("diff-show");
    while ((await collapsed.count()) > 0) await collapsed.first().click();
    await page.waitForFunction(() => document.querySelector(".d2h-diff-table") !== null);
    const terminal = page.getByTestId("terminal").filter({ hasText: "END-OF-TERMINAL" }).first();
    await terminal.waitFor();

    const thread = await text("thread");
    for (const shown of [
      "END-OF-HOSTILE-MARKDOWN",
      "END-OF-SUMMARY",
      `<script>${JS}</script>`,
      `[js-link](javascript:${JS})`,
      ANSWER,
      HOSTILE_WRITTEN,
    ])
      assert.ok(thread.includes(shown), `the panel does not show ${shown}`);
    assert.ok((await text("decided")).includes(HOSTILE_NAME), await text("decided"));
    const output = await terminal.innerText();
    for (const shown of ["red-text", "orange-256", "true-colour", "osc8-js-link", "osc8-data-link", "osc8-https-link"])
      assert.ok(output.includes(shown), `the terminal does not show ${shown}`);
    assert.ok(output.includes(`<img src=x onerror="${JS}">`), "the output's HTML reads as text");
    const diff = (await page.locator(".d2h-diff-table").first().textContent()) ?? "";
    assert.ok(diff.includes(`<details open ontoggle="${JS}">`), "the diff's HTML reads as text");

    const url = page.url();
    for (const label of ["js-link", "data-link", "vb-link", "html-js-link", "osc8-js-link", "form-submit"]) {
      await page.getByText(label).first().click();
    }
    await quietFor("a clicked label ran, fetched or navigated", 300, () => anythingHappened(page, watch, url));
    await page.screenshot({ path: screenshotPath("hostile-panel-top") });
    await terminal.scrollIntoViewIfNeeded();
    await page.screenshot({ path: screenshotPath("hostile-panel-terminal") });
    await clean("the panel");
    assert.deepEqual(watch.pageErrors, []);
  });

  it("would have seen markup that ran or was blocked", async () => {
    await page.evaluate((js) => document.body.insertAdjacentHTML("beforeend", `<img src=x onerror="${js}">`), JS);
    await until("the CSP report of the inline handler", () => watch.violations.length > 0, 5_000).catch(() => undefined);
    assert.ok(watch.violations.length > 0, "an inline handler was not reported");
    assert.equal((await watch.sentinel(page)).pwned, undefined, "the CSP let an inline handler run");
  });
});

// Large things on a phone, in real Chromium at 360×740: a 10,000-line diff and a command that
// streams far more output than the terminal keeps. Both are drawn a window at a time, so the
// page stays small and answers taps; scrolling reaches their ends. A real relay process and the
// PWA from dist/; the host's side is taken on the wire (bench/lib/rawHost.ts) to publish
// exactly these events. Screenshots in light and dark go to test-results/screenshots/.

import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { sealContext, seal, type LiveEvent, type ThreadEvent, type ThreadSummary } from "#protocol";
import { domNodes, pwaFixture, type PwaFixture } from "../support/pwaFixture";
import { diffText } from "../support/agentEvents";
import { Cleanup } from "../support/cleanup";
import { screenshotPath } from "../support/browser";

const DIST = join(__dirname, "..", "..", "dist");
const DIFF_LINES = 10_000;

function summary(threadId: string, lastSeq: number, status: ThreadSummary["status"]): ThreadSummary {
  const at = Date.now();
  return {
    threadId,
    title: threadId,
    workspace: "e2e",
    status,
    pending: [],
    lastSeq,
    createdAt: at,
    updatedAt: at,
    model: "openai:test",
    mode: "full-auto",
  };
}

const task: ThreadEvent = {
  at: Date.now(),
  type: "task",
  text: "Regenerate the module",
  title: "Regenerate the module",
  workspace: "e2e",
  mode: "full-auto",
  model: "openai:test",
  by: { id: "p", name: "e2e phone" },
};

describe("end to end: a 10,000-line diff and a long command output on the phone", function () {
  this.timeout(120_000);
  const cleanup = new Cleanup();
  let tmp: string;
  let fx: PwaFixture;
  let page: Page;
  const pageErrors: string[] = [];

  const shot = async (name: string): Promise<void> => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.screenshot({ path: screenshotPath(`large-${name}-light`) });
    await page.emulateMedia({ colorScheme: "dark" });
    await page.screenshot({ path: screenshotPath(`large-${name}-dark`) });
    await page.emulateMedia({ colorScheme: "light" });
  };
  const publish = async (threadId: string, events: ThreadEvent[], status: ThreadSummary["status"]): Promise<void> => {
    for (const [i, event] of events.entries()) {
      await fx.host.publish(threadId, i + 1, await fx.host.sealEvent(threadId, i + 1, event));
    }
    await fx.host.putSummary(summary(threadId, events.length, status));
  };
  const openThread = async (threadId: string): Promise<void> => {
    page = await fx.context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
    await page.goto(`${fx.relay.url}/#/h/${fx.host.hostId}/t/${threadId}`);
    await page.getByTestId("thread").waitFor({ timeout: 30_000 });
  };

  before(async () => {
    if (!existsSync(join(DIST, "relay.js"))) throw new Error("dist/ is not built: run `npm run build` first (npm test does)");
    tmp = mkdtempSync(join(tmpdir(), "tether-large-e2e-"));
    fx = await pwaFixture(tmp, cleanup);
    page = fx.page;
  });

  after(async () => {
    await cleanup.run();
    rmSync(tmp, { recursive: true, force: true });
    assert.deepEqual(pageErrors, []);
  });

  it("opens a 10,000-line diff with a few thousand DOM nodes and scrolls to its last line", async () => {
    await publish(
      "big-diff",
      [
        task,
        {
          at: Date.now(),
          type: "file-change",
          path: "src/module.ts",
          change: "modified",
          diff: diffText(DIFF_LINES),
          added: DIFF_LINES / 2,
          removed: DIFF_LINES / 2,
          truncated: false,
        },
      ],
      "done",
    );
    await openThread("big-diff");
    await page.getByTestId("diff-show").click();
    const view = page.getByTestId("diff-window");
    await view.waitFor();
    // The first lines, numbered as in the file, with the hunk header above them.
    await page.locator(".dl.hunk", { hasText: `@@ -1,${DIFF_LINES / 2} +1,${DIFF_LINES / 2} @@` }).waitFor();
    await page.locator(".dl.del", { hasText: "const value0 = compute(0);" }).waitFor();
    assert.equal(await view.getAttribute("data-rows"), String(DIFF_LINES + 1));
    const nodes = await domNodes(page);
    assert.ok(nodes < 5_000, `${nodes} DOM nodes`);
    await view.scrollIntoViewIfNeeded();
    await shot("diff-top");

    // Scrolled to the end, in steps as a thumb does: the last added line is there and on screen.
    const last = `const value${DIFF_LINES / 2 - 1} = computeFaster(${DIFF_LINES / 2 - 1}, options);`;
    for (let i = 0; i < 5; i++) {
      await view.evaluate((el, k) => el.scrollTo(0, (el.scrollHeight * k) / 5), i + 1);
      await page.waitForTimeout(50);
    }
    const lastRow = page.locator(".dl.add", { hasText: last });
    await lastRow.waitFor();
    const [rowBox, viewBox] = await Promise.all([lastRow.boundingBox(), view.boundingBox()]);
    assert.ok(rowBox && viewBox && rowBox.y + rowBox.height <= viewBox.y + viewBox.height + 1, "last line on screen");
    // One gutter: an added line shows its number in the new file.
    assert.equal(await lastRow.locator(".num").textContent(), String(DIFF_LINES / 2));
    assert.ok((await domNodes(page)) < 5_000);
    await shot("diff-end");
    await page.close();
  });

  it("keeps a streaming command's terminal capped and windowed, following its end", async () => {
    const threadId = "long-output";
    const callId = "call_1";
    await publish(
      threadId,
      [
        task,
        { at: Date.now(), type: "status", status: "running" },
        {
          at: Date.now(),
          type: "tool-call",
          callId,
          tool: "run_command",
          args: { command: "yes | head -n 30000" },
          title: "yes | head -n 30000",
        },
      ],
      "running",
    );
    await openThread(threadId);
    const terminal = page.getByTestId("terminal");
    await terminal.waitFor();
    const { hostId, epoch, socket } = fx.host;
    const key = await fx.host.threadKey(threadId);
    // 30,000 numbered lines (with a colour on every tenth) in 300 live chunks.
    let n = 0;
    for (let chunk = 0; chunk < 300; chunk++) {
      let text = "";
      for (let i = chunk * 100; i < (chunk + 1) * 100; i++) {
        text += i % 10 === 0 ? `\x1b[32mline ${i} ok\x1b[0m\n` : `line ${i} of the output, long enough to wrap a phone\n`;
      }
      const event: LiveEvent = { type: "output", callId, chunk: text };
      const box = await seal(key, epoch, event, sealContext.live(hostId, threadId, n));
      const answer = await socket.timeout(10_000).emitWithAck("live:publish", { threadId, n: n++, box });
      assert.ok(answer.ok);
    }
    await page.locator('[data-testid="terminal"] .tl', { hasText: "line 29999 of the output" }).waitFor({ timeout: 30_000 });
    const rows = Number(await page.getByTestId("terminal-lines").getAttribute("data-rows"));
    assert.ok(rows <= 2_000, `${rows} rows kept`);
    assert.ok((await domNodes(page)) < 5_000);
    await page.getByText(/earlier lines/).waitFor();
    await page.locator('[data-testid="terminal"] .ansi-green-fg', { hasText: "line 29990 ok" }).waitFor();
    await terminal.scrollIntoViewIfNeeded();
    await shot("terminal");
  });
});

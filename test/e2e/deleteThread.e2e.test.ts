// A thread deleted on its computer leaves the phone too: at once when the phone is connected,
// and at its next catch-up when it was offline meanwhile, reload included.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { randomId } from "#protocol";
import { startAgentHost, type AgentHost } from "../support/agentHost";
import { launchChromium, phoneContext, screenshotPath } from "../support/browser";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../support/fakeModels";
import { startRelay, type TestRelay } from "../support/relay";
import { makeWorkspace } from "../support/workspace";

const WEB = join(__dirname, "..", "..", "dist", "mobile-web");
const editor = { id: "editor", name: "VS Code" };
const finish = (summary: string) => ({ toolCalls: [{ name: "finish", args: { summary } }] });

describe("end to end: a thread deleted on the computer", function () {
  this.timeout(60_000);
  let relay: TestRelay;
  let model: FakeModelServer<OpenAIBody>;
  let host: AgentHost;
  let workspace: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    relay = await startRelay({ webDir: WEB });
    model = await startFakeOpenAI();
    workspace = makeWorkspace({ "README.md": "# api-service\n" });
    host = await startAgentHost({ relay: relay.url, folder: workspace, modelUrl: model.url });
    browser = await launchChromium();
    context = await phoneContext(browser);
    page = await context.newPage();
  });

  after(async () => {
    await browser?.close();
    await host?.stop();
    await relay?.stop();
    await model?.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  async function finishedTask(title: string): Promise<string> {
    model.push(finish(`Done: ${title}.`));
    const threadId = randomId(12);
    host.threads.newTask({ threadId, text: title }, editor);
    await host.threads.whenIdle();
    await page.getByTestId("thread-row").filter({ hasText: title }).waitFor();
    return threadId;
  }

  it("goes from the list at once, and after the phone was offline", async () => {
    await page.goto((await host.host.openPairing()).url);
    await page.getByTestId("threads").waitFor();
    const kept = await finishedTask("Keep the changelog");
    const first = await finishedTask("Tidy the imports");
    const second = await finishedTask("Rename the helpers");
    await page.screenshot({ path: screenshotPath("delete-before-light") });

    await host.threads.delete(first, editor);
    await page.getByTestId("thread-row").filter({ hasText: "Tidy the imports" }).waitFor({ state: "detached", timeout: 5_000 });

    // Deleted while the phone is offline: gone after it is back and has caught up.
    await context.setOffline(true);
    await host.threads.delete(second, editor);
    await context.setOffline(false);
    await page.reload();
    await page.getByTestId("thread-row").filter({ hasText: "Keep the changelog" }).waitFor();
    await page
      .getByTestId("thread-row")
      .filter({ hasText: "Rename the helpers" })
      .waitFor({ state: "detached", timeout: 10_000 });
    assert.deepEqual(
      await page
        .getByTestId("thread-row")
        .allInnerTexts()
        .then((rows) => rows.map((r) => r.split("\n")[0])),
      ["Keep the changelog"],
    );
    assert.ok(host.threads.get(kept));
    await page.screenshot({ path: screenshotPath("delete-after-light") });
  });
});

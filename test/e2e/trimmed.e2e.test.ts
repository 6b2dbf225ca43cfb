// A thread whose start the relay deleted (retention) before the phone read it: the phone says
// so, shows what is left, and catches up from there instead of asking for the lost start again.

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { randomId } from "#protocol";
import { startAgentHost, type AgentHost } from "../support/agentHost";
import { launchChromium, phoneContext, screenshotPath } from "../support/browser";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../support/fakeModels";
import { startRelay, type TestRelay } from "../support/relay";
import { until } from "../support/wait";
import { makeWorkspace } from "../support/workspace";

const WEB = join(__dirname, "..", "..", "dist", "mobile-web");
const DAY = 24 * 60 * 60 * 1000;
const editor = { id: "editor", name: "VS Code" };
const finish = (summary: string) => ({ toolCalls: [{ name: "finish", args: { summary } }] });

describe("end to end: a thread the relay trimmed", function () {
  this.timeout(60_000);
  let relay: TestRelay;
  let model: FakeModelServer<OpenAIBody>;
  let host: AgentHost;
  let workspace: string;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let t = Date.now();

  before(async () => {
    relay = await startRelay({ webDir: WEB, now: () => t, config: { retention: { days: 30, hostQuotaBytes: 0 } } });
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

  it("says the start is gone, shows the rest, and does not ask for the lost events again", async () => {
    await page.goto((await host.host.openPairing()).url);
    await page.getByTestId("threads").waitFor();

    // Forty days ago, while the phone was away: a task ran and finished.
    await context.setOffline(true);
    const now = Date.now();
    t = now - 40 * DAY;
    model.push(finish("Bumped the version."));
    const old = randomId(12);
    host.threads.newTask({ threadId: old, text: "Bump the version" }, editor);
    await host.threads.whenIdle();
    const published = host.threads.get(old)!.events.length;
    assert.ok(published > 2, `the task made ${published} events`);
    await until("the relay to hold every event of the task", async () => {
      const [hostId] = await relay.store.hostsWithEvents();
      const stored = await relay.store.eventsAfter(hostId ?? "none", {}, 1000);
      return stored.events.filter((e) => e.threadId === old).length === published;
    });
    t = now;
    assert.equal(await relay.retention.sweep(), published);

    const syncs: number[] = [];
    page.on("websocket", (ws) =>
      ws.on("framesent", (frame) => {
        if (typeof frame.payload === "string" && frame.payload.includes('"sync"')) syncs.push(Date.now());
      }),
    );
    await context.setOffline(false);
    await page.reload();
    const row = page.getByTestId("thread-row").filter({ hasText: "Bump the version" });
    await row.waitFor();
    await row.click();
    await page.getByTestId("trimmed").waitFor();
    assert.match(await page.getByTestId("trimmed").innerText(), /steps are no longer on the relay/);
    assert.equal(await page.getByTestId("thread").getAttribute("data-status"), "done");
    await page.screenshot({ path: screenshotPath("trimmed-light") });

    // The cursor moved past what is gone: new events of the thread are read at once, and
    // catching up again does not fetch the trimmed thread's start (there is none to fetch).
    const cursor = await page.evaluate(
      ([threadId]) =>
        new Promise<number>((resolve, reject) => {
          const open = indexedDB.open("tether");
          open.onerror = () => reject(open.error);
          open.onsuccess = () => {
            const db = open.result;
            const all = db.transaction("threads").objectStore("threads").getAll();
            all.onsuccess = () =>
              resolve((all.result as { threadId: string; seq: number }[]).find((r) => r.threadId === threadId)!.seq);
          };
        }),
      [old],
    );
    assert.equal(cursor, published, "the phone's cursor is at the end of what the relay deleted");
    assert.ok(syncs.length >= 1 && syncs.length <= 3, `${syncs.length} catch-ups after the reload`);
  });
});

// Retry and Continue in the editor's thread panel, in real Chromium: dist/panel in the page the
// extension gives its webview, fed through the extension's own `PanelFeed` from a real thread
// manager with a scripted model. The page's `acquireVsCodeApi` hands the panel's messages to
// the handling the extension does (`parseFromPanel`, `refusal`, the manager, and a panel that
// becomes the thread a new task it sent started, as extension/vscode/threadPanel.ts does).

import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { randomId, TetherError, type CommandReply } from "#protocol";
import { makeNonce, PanelFeed, panelHtml, parseFromPanel, refusal } from "../../extension/vscode/panelFeed";
import type { ToPanel } from "#protocol/panel";
import { AxeAudit } from "../support/axe";
import { runEnded, startAgentThreads, type AgentThreads } from "../support/agentThreads";
import { launchChromium, screenshotPath } from "../support/browser";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../support/fakeModels";
import { makeWorkspace } from "../support/workspace";

const PANEL = join(__dirname, "..", "..", "dist", "panel");
const EDITOR = { id: "editor", name: "VS Code" };

describe("end to end: Retry and Continue in the editor's thread panel", function () {
  this.timeout(90_000);
  let workspace: string;
  let model: FakeModelServer<OpenAIBody>;
  let threads: AgentThreads;
  let feed: PanelFeed;
  let server: Server;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const axe = new AxeAudit();
  /** The thread the panel shows; a new task it starts becomes it. */
  let shown = randomId(12);
  let delivering = Promise.resolve();

  const deliver = (message: ToPanel): void => {
    delivering = delivering.then(() =>
      page
        .evaluate((m) => window.postMessage(m, "*"), message)
        .then(
          () => undefined,
          () => undefined,
        ),
    );
  };

  const receive = async (data: unknown): Promise<void> => {
    const message = parseFromPanel(data);
    if (!message) return;
    if (message.type === "ready") {
      const snapshot = feed.snapshot(shown);
      if (snapshot) deliver(snapshot);
    } else if (message.type === "command") {
      let reply: CommandReply | null = refusal(message.command, { threadId: shown });
      if (!reply) {
        try {
          await threads.manager.handle(message.command, EDITOR);
          reply = { ok: true };
        } catch (err) {
          if (!(err instanceof TetherError)) throw err;
          reply = { ok: false, code: err.code, message: err.message };
        }
      }
      deliver({ type: "reply", id: message.id, reply });
      if (reply.ok && message.command.type === "new-task") {
        shown = message.command.threadId;
        const snapshot = feed.snapshot(shown);
        if (snapshot) deliver(snapshot);
      }
    }
  };

  before(async () => {
    workspace = makeWorkspace({ "README.md": "# api\n" });
    model = await startFakeOpenAI();
    threads = await startAgentThreads({ folder: workspace, modelUrl: model.url, mode: "full-auto" });
    feed = new PanelFeed((id, message) => {
      if (id === shown) deliver(message);
    });
    feed.follow(threads.manager);
    server = createServer((req, res) => {
      const origin = `http://${req.headers.host}`;
      const path = new URL(req.url ?? "/", origin).pathname;
      if (path === "/") {
        const html = panelHtml({
          cspSource: origin,
          nonce: makeNonce(),
          script: `${origin}/panel.js`,
          style: `${origin}/panel.css`,
          title: "Tether",
        });
        return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
      }
      const types: Record<string, string> = { "/panel.js": "text/javascript", "/panel.css": "text/css" };
      const type = types[path];
      if (!type) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": type }).end(readFileSync(join(PANEL, path)));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    await context.exposeBinding("__tetherFromPanel", (_source, data: unknown) => void receive(data));
    await context.addInitScript(`window.acquireVsCodeApi = () => ({
      postMessage: (message) => window.__tetherFromPanel(message),
      getState: () => undefined,
      setState: () => undefined,
    });`);
    page = await context.newPage();
    page.on("pageerror", (e) => pageErrors.push(e.message));
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    feed?.close();
    await threads?.close();
    await model?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    if (workspace) rmSync(workspace, { recursive: true, force: true });
    if (threads) rmSync(threads.stateDir, { recursive: true, force: true });
  });

  it("retries a failed task as a new thread the panel then shows, and continues it", async () => {
    const first = shown;
    model.push({ status: 400, message: "This model does not accept that request." });
    await threads.manager.handle({ type: "new-task", threadId: first, text: "Summarise the README", mode: "ask" }, EDITOR);
    await runEnded(threads.manager, first);
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.locator('[data-testid="thread"][data-status="failed"]').waitFor({ timeout: 15_000 });
    const offer = page.getByTestId("ended-offer");
    await offer.waitFor();
    await page.screenshot({ path: screenshotPath("panel-retry-failed-light") });
    await axe.check(page, "panel failed", ["light"]);

    model.push({ toolCalls: [{ name: "finish", args: { summary: "Summarised it." } }] });
    await offer.getByTestId("retry").click();
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor({ timeout: 30_000 });
    assert.notEqual(shown, first, "the panel shows the new thread");
    const retried = threads.manager.get(shown)!;
    assert.equal(retried.title, "Summarise the README");
    assert.equal(retried.mode, "ask");
    assert.equal(threads.manager.get(first)!.status, "failed", "the failed one stays as it was");

    // Continue, from the same panel, on a run stopped before it finished.
    model.push({ toolCalls: [{ name: "run_command", args: { command: "npm test", reason: "see" } }] });
    await threads.manager.handle({ type: "message", threadId: shown, text: "Now run the tests" }, EDITOR);
    await page.getByTestId("approval-card").waitFor({ timeout: 30_000 });
    await page.getByTestId("stop").click();
    await page.locator('[data-testid="thread"][data-status="stopped"]').waitFor({ timeout: 15_000 });
    model.push({ toolCalls: [{ name: "finish", args: { summary: "Stopped there." } }] });
    const sameThread = shown;
    await page.getByTestId("ended-offer").getByTestId("continue").click();
    await page.locator('[data-testid="thread"][data-status="done"]').waitFor({ timeout: 30_000 });
    assert.equal(shown, sameThread);
    assert.match(JSON.stringify(model.requests.at(-1)!.body.messages), /Continue where you stopped\./);
  });

  it("found no axe violations and no page errors", () => {
    assert.equal(axe.report(), "");
    assert.deepEqual(pageErrors, []);
  });
});

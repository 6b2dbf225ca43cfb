// The editor's thread panel in real Chromium, as the extension runs it: dist/panel in the page
// the extension gives its webview (`panelHtml`, its CSP and a nonce), fed through the
// extension's own `PanelFeed` from a real thread manager with a scripted model. The page's
// `acquireVsCodeApi` is the one stand-in: VS Code defines it in every webview, here it hands the
// panel's messages to the handling the extension does (extension/vscode/threadPanel.ts:
// `parseFromPanel`, `refusal`, the manager, and a panel that becomes the thread a new task it
// sent started).

import { readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { TetherError, type CommandReply, type PolicyMode } from "#protocol";
import type { ToPanel } from "#protocol/panel";
import { makeNonce, PanelFeed, panelHtml, parseFromPanel, refusal } from "../../extension/vscode/panelFeed";
import { startAgentThreads, type AgentThreads } from "./agentThreads";
import { launchChromium } from "./browser";
import { Cleanup } from "./cleanup";
import { startFakeOpenAI, type FakeModelServer, type FakeStep, type OpenAIBody } from "./fakeModels";
import { makeWorkspace } from "./workspace";

const PANEL = join(__dirname, "..", "..", "dist", "panel");

export interface PanelOptions {
  /** The workspace's files. */
  files: Record<string, string>;
  script?: FakeStep<OpenAIBody>[];
  mode: PolicyMode;
  /** The thread the panel shows first. */
  threadId: string;
  /** Who acts from the panel, as the extension names them to the manager. */
  editor: { id: string; name: string };
  /** The page's title, as `panelHtml` writes it. */
  title: string;
  viewport: { width: number; height: number };
  /** Whether the panel becomes the thread a new task it sent started (the editor's own panel does). */
  followNewTasks?: boolean;
  /** Runs on the fresh browser context, before anything else is added to it. */
  prepare?: (context: BrowserContext) => Promise<unknown>;
}

export interface PanelHarness {
  workspace: string;
  model: FakeModelServer<OpenAIBody>;
  threads: AgentThreads;
  context: BrowserContext;
  page: Page;
  /** Where the panel's page is served. */
  url: string;
  /** The thread the panel shows now; a new task it starts becomes it. */
  shown(): string;
  pageErrors: string[];
  stop(): Promise<void>;
}

export async function startPanel(options: PanelOptions): Promise<PanelHarness> {
  const cleanup = new Cleanup();
  let shown = options.threadId;
  let page: Page | undefined;
  /** Messages reach the page in the order the feed sends them, as a webview's do. */
  let delivering = Promise.resolve();
  const deliver = (message: ToPanel): void => {
    delivering = delivering.then(() =>
      page!
        .evaluate((m) => window.postMessage(m, "*"), message)
        .then(
          () => undefined,
          () => undefined,
        ),
    );
  };
  try {
    const workspace = cleanup.add(makeWorkspace(options.files), (dir) => rmSync(dir, { recursive: true, force: true }));
    const model = cleanup.add(await startFakeOpenAI(options.script), (m) => m.close());
    const threads = await startAgentThreads({ folder: workspace, modelUrl: model.url, mode: options.mode });
    cleanup.add(threads, (t) => rmSync(t.stateDir, { recursive: true, force: true }));
    cleanup.add(threads, (t) => t.close());
    const feed = cleanup.add(
      new PanelFeed((id, message) => {
        if (id === shown) deliver(message);
      }),
      (f) => f.close(),
    );
    feed.follow(threads.manager);

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
            await threads.manager.handle(message.command, options.editor);
            reply = { ok: true };
          } catch (err) {
            if (!(err instanceof TetherError)) throw err;
            reply = { ok: false, code: err.code, message: err.message };
          }
        }
        deliver({ type: "reply", id: message.id, reply });
        if (reply.ok && message.command.type === "new-task" && options.followNewTasks !== false) {
          shown = message.command.threadId;
          const snapshot = feed.snapshot(shown);
          if (snapshot) deliver(snapshot);
        }
      }
    };

    // The webview's resources, and its page as the extension writes it.
    const server = createServer((req, res) => {
      const origin = `http://${req.headers.host}`;
      const path = new URL(req.url ?? "/", origin).pathname;
      if (path === "/") {
        const html = panelHtml({
          cspSource: origin,
          nonce: makeNonce(),
          script: `${origin}/panel.js`,
          style: `${origin}/panel.css`,
          title: options.title,
        });
        return void res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(html);
      }
      const types: Record<string, string> = { "/panel.js": "text/javascript", "/panel.css": "text/css" };
      const type = types[path];
      if (!type) return void res.writeHead(404).end();
      res.writeHead(200, { "content-type": type }).end(readFileSync(join(PANEL, path)));
    });
    cleanup.add(server, (s) => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(resolve));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));

    const browser = cleanup.add(await launchChromium(), (b) => b.close());
    const context = cleanup.add(await browser.newContext({ viewport: options.viewport }), (c) => c.close());
    await options.prepare?.(context);
    await context.exposeBinding("__tetherFromPanel", (_source, data: unknown) => void receive(data));
    // VS Code's webview defines this before the page's scripts; a page's CSP does not apply to it.
    await context.addInitScript(`window.acquireVsCodeApi = () => ({
      postMessage: (message) => window.__tetherFromPanel(message),
      getState: () => undefined,
      setState: () => undefined,
    });`);
    page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    return {
      workspace,
      model,
      threads,
      context,
      page,
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
      shown: () => shown,
      pageErrors,
      stop: () => cleanup.run(),
    };
  } catch (err) {
    await cleanup.run();
    throw err;
  }
}

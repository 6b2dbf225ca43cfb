// The conversation in Tether's sidebar (a `WebviewView` in the activity-bar container), as in
// Cline and Copilot Chat: the panel's app (dist/panel/) as the sidebar surface of ThreadPanels,
// its composer always there. With no thread shown it starts a new task; then it shows that
// thread's run and approvals, with a way back to a new task, to a recent thread, and out to an
// editor tab. It also answers the composer's `@` completion with the workspace's files, expands
// the mentions into the task (mentions.ts), and takes what "Ask Tether about this" attaches.
//
// Not kept alive while hidden, as the panels: shown again, the page says `ready` and is sent
// what it showed (the thread id stays here), and attached context waits until then.

import * as vscode from "vscode";
import type { Command } from "#protocol";
import type { ContextItem, FromPanel, ToPanel } from "#protocol/panel";
import type { HostSession } from "./hostSession";
import { expandMentions, insideWorkspace } from "./mentions";
import type { Surface, ThreadPanels } from "./threadPanel";

export const SIDEBAR_VIEW = "tether.sidebar";
/** At most this many files are offered for `@` completion: a large repository's list stays quick. */
export const MAX_COMPLETION_FILES = 5_000;
/** Recent threads offered in the sidebar's list. */
const MAX_RECENT = 30;

export class SidebarView implements vscode.WebviewViewProvider, Surface, vscode.Disposable {
  readonly kind = "sidebar";
  threadId: string | undefined;
  private view: vscode.WebviewView | undefined;
  private ready = false;
  /** Messages for a page that is not up yet (attached context, a focus request). */
  private waiting: ToPanel[] = [];
  private readonly subscriptions: vscode.Disposable[] = [];
  private recentTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly panels: ThreadPanels,
    private readonly session: HostSession,
  ) {
    this.subscriptions.push(
      session.onDidStart(({ agent }) => {
        // Summaries change with every event; the list is sent at most twice a second.
        agent.manager.on("summary", () => this.recentSoon());
        agent.manager.on("deleted", () => this.recentSoon());
        this.recentSoon();
      }),
    );
  }

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    view.webview.options = { enableScripts: true, localResourceRoots: this.panels.resourceRoots };
    view.webview.html = this.panels.html(view.webview, "Tether", "sidebar");
    const attached = this.panels.attach(this, view.webview);
    // The page's `ready` is taken by ThreadPanels (it sends the thread or the form); the rest here.
    const ready = view.webview.onDidReceiveMessage((data: { type?: unknown }) => {
      if (data?.type !== "ready") return;
      this.ready = true;
      void this.sendRecent();
      for (const message of this.waiting.splice(0)) void view.webview.postMessage(message);
    });
    view.onDidDispose(() => {
      attached.dispose();
      ready.dispose();
      this.view = undefined;
      this.ready = false;
    });
  }

  post(message: ToPanel): void {
    if (this.view && this.ready) void this.view.webview.postMessage(message);
  }

  retitle(): void {
    // The sidebar's title is Tether's; the thread's title is on its page.
  }

  deleted(): void {
    this.threadId = undefined;
    void this.panels.refresh(this).catch(() => undefined);
  }

  async prepare(command: Command): Promise<Command> {
    if (command.type !== "new-task" && command.type !== "message") return command;
    return { ...command, text: await expandMentions(command.text, readWorkspaceFile) };
  }

  async receive(message: Exclude<FromPanel, { type: "ready" | "command" | "show-changes" | "worktree" }>): Promise<void> {
    switch (message.type) {
      case "find-files":
        this.post({ type: "files", id: message.id, paths: await workspaceFiles() });
        return;
      case "show-thread":
        this.threadId = message.threadId ?? undefined;
        await this.panels.refresh(this);
        return;
      case "open-tab":
        if (this.threadId) await vscode.commands.executeCommand("tether.thread.open", this.threadId);
        return;
    }
  }

  /** Shows the sidebar with the composer for a new task focused, and `items` attached to it. */
  async newTask(items: ContextItem[] = []): Promise<void> {
    await vscode.commands.executeCommand(`${SIDEBAR_VIEW}.focus`);
    if (this.threadId !== undefined) {
      this.threadId = undefined;
      if (this.ready) await this.panels.refresh(this);
    }
    const messages: ToPanel[] = [items.length ? { type: "context", items } : { type: "focus" }];
    if (this.view && this.ready) for (const message of messages) void this.view.webview.postMessage(message);
    else this.waiting.push(...messages);
  }

  private recentSoon(): void {
    this.recentTimer ??= setTimeout(() => {
      this.recentTimer = undefined;
      void this.sendRecent();
    }, 500);
  }

  private async sendRecent(): Promise<void> {
    if (!this.ready) return;
    try {
      const { agent } = await this.session.session();
      const threads = agent.manager.list().slice(0, MAX_RECENT);
      this.post({ type: "recent", threads: threads.map((thread) => agent.manager.summary(thread)) });
    } catch {
      // No host: the list stays as it was; the page says why when a command is refused.
    }
  }

  dispose(): void {
    clearTimeout(this.recentTimer);
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}

/** The workspace's files, relative, as the editor lists them: `files.exclude` applies, capped. */
async function workspaceFiles(): Promise<string[]> {
  const uris = await vscode.workspace.findFiles("**/*", undefined, MAX_COMPLETION_FILES);
  return uris.map((uri) => vscode.workspace.asRelativePath(uri, false)).sort();
}

/** A mentioned file's text, when the path is a file inside the first workspace folder. */
async function readWorkspaceFile(path: string): Promise<string | null> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || !insideWorkspace(path)) return null;
  try {
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(folder.uri, path));
    // Binary files are not pasted into a prompt.
    if (bytes.includes(0)) return null;
    return new TextDecoder().decode(bytes);
  } catch {
    return null;
  }
}

// The thread panel: a webview per thread that shows what the phone shows (streaming text, tool
// calls, terminal output, diffs, approval and question cards) with a composer to steer, built
// from the phone app's own Svelte components (dist/panel/, from mobile-web/src/panel/). The
// editor is the host, so the panel is fed from the thread manager directly, no relay between;
// its commands go through the manager as the editor's own device, like the phone's.
//
// Panels are not kept alive while hidden: shown again, the page reloads, says `ready`, and is
// sent the thread anew (events from the manager, live text and output from the feed).

import * as vscode from "vscode";
import {
  BUILTIN_AGENT,
  ENDED_STATUSES,
  ErrorCode,
  TetherError,
  randomId,
  type Command,
  type CommandReply,
  type DeviceRef,
  type ThreadEvent,
} from "#protocol";
import type { FromPanel, ToPanel } from "#protocol/panel";
import { DisposableStore } from "../core/disposable";
import type { ThreadManager } from "../core/threads/threadManager";
import { offeredChoice, rememberChoice, type ChoiceMemory } from "./agentChoice";
import { withAgentOption } from "./approvalChoices";
import type { HostSession, Running } from "./hostSession";
import { PanelFeed, makeNonce, panelHtml, parseFromPanel, refusal } from "./panelFeed";
import { readSettings } from "./settings";
import { ThreadItem } from "./views/threadsView";

const VIEW_TYPE = "tether.thread";
const NEW_TASK_TITLE = "New Task";

/** Where the panel's app runs: an editor tab (`ThreadPanel`), or the sidebar (sidebarView.ts). */
export interface Surface {
  readonly kind: "tab" | "sidebar";
  /** The thread shown, or undefined for the new-task form. */
  threadId: string | undefined;
  post(message: ToPanel): void;
  /** The thread shown has a new title. */
  retitle(title: string): void;
  /** The thread shown was deleted. */
  deleted(): void;
  /** A command from this surface as the host gets it (the sidebar expands its @ mentions). */
  prepare?(command: Command): Promise<Command>;
  /** The messages only this surface sends; the others are the panels' own. */
  receive?(message: Exclude<FromPanel, { type: "ready" | "command" | "show-changes" | "worktree" }>): Promise<void>;
}

/** One webview panel: a thread's, or the new-task form until the task it starts begins. */
class ThreadPanel implements Surface {
  readonly kind = "tab";
  /** Undone when the editor closes the panel: from then on nothing is posted to it. */
  readonly closing = new DisposableStore();

  constructor(
    public threadId: string | undefined,
    readonly webview: vscode.WebviewPanel,
  ) {}

  post(message: ToPanel): void {
    if (!this.closing.isDisposed) void this.webview.webview.postMessage(message);
  }

  retitle(title: string): void {
    if (this.webview.title !== title) this.webview.title = title;
  }

  deleted(): void {
    this.webview.dispose();
  }
}

export class ThreadPanels implements vscode.Disposable {
  private readonly panels = new Set<ThreadPanel>();
  /** Every surface: the panels, and the sidebar once it is shown. */
  private readonly surfaces = new Set<Surface>();
  private readonly feed = new PanelFeed((threadId, message) => {
    for (const surface of this.surfaces) {
      if (surface.threadId !== threadId) continue;
      if (message.type === "events") surface.retitle(message.summary.title);
      surface.post(message);
    }
  });
  private readonly root: vscode.Uri;
  private readonly store = new DisposableStore();

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly session: HostSession,
    private readonly self: () => DeviceRef,
    private readonly log: vscode.LogOutputChannel,
    /** The workspace's state: the agent its last New Task chose. */
    private readonly memory: ChoiceMemory,
  ) {
    this.root = vscode.Uri.joinPath(extensionUri, "dist", "panel");
    this.store.add(session.onDidStart((running) => this.bind(running)));
    // Undone newest first: the feed stops, the open panels close, then off the session.
    this.store.defer(() => {
      for (const panel of [...this.panels]) panel.webview.dispose();
    });
    this.store.defer(() => this.feed.close());
    this.store.defer(() => this.agentsChanged?.());
  }

  /** Opens (or shows) the panel of a thread. */
  async open(threadId: string): Promise<void> {
    const { agent } = await this.session.session();
    const thread = agent.manager.get(threadId);
    if (!thread) throw new Error("There is no such task in this workspace.");
    const existing = this.panelOf(threadId);
    if (existing) existing.webview.reveal();
    else this.create(threadId, thread.title);
  }

  /** Opens (or shows) the new-task form. */
  openNewTask(): void {
    const existing = [...this.panels].find((p) => p.threadId === undefined);
    if (existing) existing.webview.reveal();
    else this.create(undefined, NEW_TASK_TITLE);
  }

  /** Starts a task from the editor without the form; answers its thread id. */
  async startTask(text: string): Promise<string> {
    const { agent } = await this.session.session();
    const threadId = randomId(12);
    await agent.manager.handle({ type: "new-task", threadId, text }, this.self());
    return threadId;
  }

  private create(threadId: string | undefined, title: string): void {
    const webview = vscode.window.createWebviewPanel(VIEW_TYPE, title, vscode.ViewColumn.Active, {
      enableScripts: true,
      localResourceRoots: [this.root],
    });
    webview.iconPath = vscode.Uri.joinPath(this.extensionUri, "media", "tether.svg");
    webview.webview.html = this.html(webview.webview, title);
    const panel = new ThreadPanel(threadId, webview);
    this.panels.add(panel);
    panel.closing.defer(() => this.panels.delete(panel));
    panel.closing.add(this.attach(panel, webview.webview));
    webview.onDidDispose(() => panel.closing.dispose());
  }

  /** Feeds `surface` (whose page runs in `webview`) and acts on its messages, until disposed. */
  attach(surface: Surface, webview: vscode.Webview): vscode.Disposable {
    this.surfaces.add(surface);
    const listener = webview.onDidReceiveMessage((data: unknown) => void this.receive(surface, data));
    return new vscode.Disposable(() => {
      this.surfaces.delete(surface);
      listener.dispose();
    });
  }

  /** Sends `surface` what it shows now (after it changed thread); nothing while the host is down. */
  async refresh(surface: Surface): Promise<void> {
    this.show(surface, await this.session.session());
  }

  html(webview: vscode.Webview, title: string, surface: "panel" | "sidebar" = "panel"): string {
    const file = (name: string): string => webview.asWebviewUri(vscode.Uri.joinPath(this.root, name)).toString();
    return panelHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      script: file("panel.js"),
      style: file("panel.css"),
      title,
      surface,
    });
  }

  /** Where a webview may load files from: the panel's bundle. */
  get resourceRoots(): vscode.Uri[] {
    return [this.root];
  }

  private async receive(panel: Surface, data: unknown): Promise<void> {
    const message = parseFromPanel(data);
    if (!message) {
      this.log.warn("thread panel: ignored a message that does not parse");
      return;
    }
    let running: Running;
    try {
      running = await this.session.session();
    } catch (err) {
      if (message.type === "command") {
        panel.post({
          type: "reply",
          id: message.id,
          reply: { ok: false, code: ErrorCode.HostOffline, message: (err as Error).message },
        });
      }
      return;
    }
    const manager = running.agent.manager;
    switch (message.type) {
      case "ready":
        this.show(panel, running);
        return;
      case "show-changes": {
        const thread = panel.threadId ? manager.get(panel.threadId) : undefined;
        if (thread) await vscode.commands.executeCommand("tether.thread.showChanges", new ThreadItem(manager.summary(thread)));
        return;
      }
      case "worktree":
        if (panel.threadId) {
          const command = message.action === "open-folder" ? "tether.thread.openWorktree" : "tether.thread.mergeWorktree";
          await vscode.commands.executeCommand(command, panel.threadId);
        }
        return;
      case "command": {
        const refused = refusal(message.command, panel);
        const prepared = refused || !panel.prepare ? message.command : await panel.prepare(message.command);
        const command = withAgentOption(prepared, requestOf(manager, prepared));
        const reply = refused ?? (await this.apply(manager, command));
        panel.post({ type: "reply", id: message.id, reply });
        if (reply.ok && message.command.type === "new-task") {
          await rememberChoice(this.memory, message.command, manager.agents?.defaultAgent ?? BUILTIN_AGENT);
          // The form becomes the new thread's panel.
          panel.threadId = message.command.threadId;
          this.show(panel, running);
        }
        return;
      }
      default:
        await panel.receive?.(message);
    }
  }

  private async apply(manager: ThreadManager, command: Command): Promise<CommandReply> {
    try {
      await manager.handle(command, this.self());
      return { ok: true };
    } catch (err) {
      // "Already decided by Pixel 8 (approve)": the phone was quicker; the card says so.
      if (err instanceof TetherError) return { ok: false, code: err.code, message: err.message };
      this.log.error(`thread panel: ${command.type} failed: ${(err as Error).message}`);
      return { ok: false, code: ErrorCode.Internal, message: (err as Error).message };
    }
  }

  /** Sends a panel everything it shows: its thread, or the new-task form. */
  private show(panel: Surface, { host, agent }: Running): void {
    const snapshot = panel.threadId ? this.feed.snapshot(panel.threadId) : null;
    if (snapshot?.type === "thread") {
      panel.retitle(snapshot.summary.title);
      panel.post(snapshot);
      return;
    }
    panel.threadId = undefined;
    const models = host.profile.models;
    const agents = agent.manager.agents;
    const offered = agents?.list();
    panel.post({
      type: "new-task",
      workspace: vscode.workspace.workspaceFolders?.[0]?.name ?? "",
      mode: readSettings().mode,
      ...(models ? { models: [...models] } : {}),
      ...(agents && offered ? { agents: offered, chosen: offeredChoice(this.memory, offered, agents.defaultAgent) } : {}),
      ...worktreeOffer(agent.manager),
    });
  }

  /** A (re)started host: follow its manager, and show each open panel's thread as it has it. */
  private bind(running: Running): void {
    this.feed.follow(running.agent.manager);
    // A deleted thread's panel has nothing left to show.
    running.agent.manager.on("deleted", (threadId) => {
      for (const surface of [...this.surfaces]) if (surface.threadId === threadId) surface.deleted();
    });
    for (const surface of this.surfaces) this.show(surface, running);
    // Whether the workspace is a git repository is known a moment after the start: the forms
    // shown before then offer a worktree once it is.
    void running.agent.manager.whenWorktreesChecked().then(() => {
      for (const surface of this.surfaces) if (surface.threadId === undefined) this.show(surface, running);
    });
    // Other agents (a settings change), or what one offers learnt from a session: the forms show them.
    this.agentsChanged?.();
    this.agentsChanged = running.agent.manager.agents?.onChange(() => {
      for (const surface of this.surfaces) if (surface.threadId === undefined) this.show(surface, running);
    });
  }

  private agentsChanged: (() => void) | undefined;

  private panelOf(threadId: string): ThreadPanel | undefined {
    for (const panel of this.panels) if (panel.threadId === threadId) return panel;
    return undefined;
  }

  dispose(): void {
    this.store.dispose();
  }
}

/**
 * "Run in its own worktree" for the form, when the workspace is a git repository: checked when
 * the host's setting says so, and whenever another task works in the workspace itself (as the
 * host decides for a task that does not say).
 */
function worktreeOffer(manager: ThreadManager): { worktrees?: { default: boolean } } {
  const offered = manager.worktreesProfile;
  if (!offered) return {};
  const busy = manager.list().some((thread) => !ENDED_STATUSES.includes(thread.status) && !manager.worktreeOf(thread.id));
  return { worktrees: { default: offered.default || busy } };
}

/** The approval request a `decide` answers, from its thread's events. */
function requestOf(manager: ThreadManager, command: Command): Extract<ThreadEvent, { type: "approval-requested" }> | undefined {
  if (command.type !== "decide") return undefined;
  for (const { event } of manager.get(command.threadId)?.events ?? []) {
    if (event.type === "approval-requested" && event.approvalId === command.approvalId) return event;
  }
  return undefined;
}

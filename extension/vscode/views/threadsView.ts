// The Threads view: every thread of this window's workspace, those waiting for a person
// first, then running, then the rest by last activity. Follows the thread manager's summaries,
// and rebinds when the host restarts.

import * as vscode from "vscode";
import type { ThreadStatus, ThreadSummary } from "#protocol";
import type { ThreadManager } from "../../core/threads/threadManager";
import { threadOrder } from "../../core/threads/ordering";
import type { HostSession } from "../hostSession";

const ICONS: Record<ThreadStatus, [string, string?]> = {
  queued: ["clock"],
  running: ["sync~spin"],
  "awaiting-approval": ["warning", "list.warningForeground"],
  "awaiting-answer": ["question", "list.warningForeground"],
  done: ["pass", "testing.iconPassed"],
  failed: ["error", "list.errorForeground"],
  stopped: ["debug-stop"],
};

const WORDS: Record<ThreadStatus, string> = {
  queued: "queued",
  running: "running",
  "awaiting-approval": "needs approval",
  "awaiting-answer": "has a question",
  done: "done",
  failed: "failed",
  stopped: "stopped",
};

export class ThreadItem extends vscode.TreeItem {
  constructor(readonly summary: ThreadSummary) {
    super(summary.title, vscode.TreeItemCollapsibleState.None);
    const [icon, color] = ICONS[summary.status];
    this.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    const waiting = summary.pending.length;
    const state = waiting > 1 ? `${waiting} approvals waiting` : WORDS[summary.status];
    // A task in a worktree of its own says on which branch; once merged or discarded, that too.
    const where = summary.branch
      ? `${summary.branch}${summary.worktree && summary.worktree !== "open" ? ` (${summary.worktree})` : ""}`
      : "";
    this.description = where ? `${state} · ${where}` : state;
    this.tooltip = new vscode.MarkdownString(
      [
        `**${escape(summary.title)}**`,
        `${WORDS[summary.status]} · ${summary.model || "default model"}`,
        ...(where ? [`$(git-branch) ${escape(where)}`] : []),
        ...summary.pending.map((p) => `- ${escape(p.title)}`),
      ].join("\n\n"),
      true,
    );
    // Menus pick their actions by this: `thread:running`, `thread:done`, and `:worktree` for a
    // task whose worktree is still there to merge, keep or discard.
    this.contextValue = `thread:${summary.status}${summary.worktree === "open" ? ":worktree" : ""}`;
    this.id = summary.threadId;
    // A click opens the thread's panel.
    this.command = { command: "tether.thread.open", title: "Open", arguments: [summary.threadId] };
  }
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, "\\$&");
}

export class ThreadsView implements vscode.TreeDataProvider<ThreadItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private manager: ThreadManager | undefined;
  private readonly onSummary = (): void => this.changed.fire();
  private readonly subscription: vscode.Disposable;

  constructor(session: HostSession) {
    this.subscription = session.onDidStart(({ agent }) => {
      this.manager?.off("summary", this.onSummary);
      this.manager?.off("deleted", this.onSummary);
      this.manager = agent.manager;
      this.manager.on("summary", this.onSummary);
      this.manager.on("deleted", this.onSummary);
      this.changed.fire();
    });
  }

  getTreeItem(item: ThreadItem): ThreadItem {
    return item;
  }

  getChildren(): ThreadItem[] {
    const manager = this.manager;
    if (!manager) return [];
    return manager
      .list()
      .map((thread) => manager.summary(thread))
      .sort(threadOrder)
      .map((summary) => new ThreadItem(summary));
  }

  dispose(): void {
    this.manager?.off("summary", this.onSummary);
    this.manager?.off("deleted", this.onSummary);
    this.subscription.dispose();
    this.changed.dispose();
  }
}

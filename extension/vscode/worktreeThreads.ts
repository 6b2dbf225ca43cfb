// The threads that run in a worktree of their own, as the editor's worktree commands find them:
// the one a Threads view item, a panel or a thread id names, or a pick among those with a
// worktree (from the palette). Their worktree comes from the thread manager (`GitThreads`).

import * as vscode from "vscode";
import type { ThreadWorktree } from "../core/git/gitThreads";
import type { ThreadManager } from "../core/threads/threadManager";
import type { HostSession } from "./hostSession";

/** A thread with its worktree, as the commands act on it. */
export interface WorktreeThread {
  manager: ThreadManager;
  threadId: string;
  title: string;
  worktree: ThreadWorktree;
}

/** The thread's worktree; undefined for a thread that runs in the workspace. */
export function worktreeOf(manager: ThreadManager, threadId: string): ThreadWorktree | undefined {
  return manager.worktreeOf(threadId);
}

/** What the commands are given: a Threads view item, a thread id, or nothing (the palette). */
export type ThreadTarget = { summary: { threadId: string } } | string | undefined;

/**
 * The worktree thread `target` names, or the one picked among this workspace's worktree threads;
 * undefined (with a word to the person) when there is none or the pick was dismissed.
 */
export async function worktreeThread(
  session: HostSession,
  target: ThreadTarget,
  purpose: string,
  open = false,
): Promise<WorktreeThread | undefined> {
  const { agent } = await session.session();
  const manager = agent.manager;
  const threadId = typeof target === "string" ? target : target?.summary.threadId;
  if (threadId !== undefined) {
    const thread = manager.get(threadId);
    if (!thread) throw new Error("There is no such task in this workspace.");
    const worktree = worktreeOf(manager, threadId);
    if (!worktree) {
      void vscode.window.showInformationMessage(`Tether: "${thread.title}" runs in the workspace, not in a worktree of its own.`);
      return undefined;
    }
    return { manager, threadId, title: thread.title, worktree };
  }
  const candidates = manager.list().flatMap((thread) => {
    const worktree = worktreeOf(manager, thread.id);
    return worktree && (!open || worktree.state === "open") ? [{ thread, worktree }] : [];
  });
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`Tether: no task in this workspace has ${open ? "an open " : "a "}worktree.`);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map(({ thread, worktree }) => ({
      label: thread.title,
      description: `$(git-branch) ${worktree.worktree.branch}`,
      detail: worktree.state === "open" ? undefined : worktree.state,
      threadId: thread.id,
      worktree,
    })),
    { title: `Tether: ${purpose}`, placeHolder: "Which task's worktree?" },
  );
  return picked && { manager, threadId: picked.threadId, title: picked.label, worktree: picked.worktree };
}

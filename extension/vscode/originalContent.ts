// The "before" side of Tether: Show Changes (commands/showChanges.ts): each file as it was before
// a thread first touched it, from the thread's checkpoint, at tether-original:/<threadId>/<path>;
// for a thread in a worktree of its own, the file at its branch point (`?at=base`) or at its
// branch's tip (`?at=branch`), read with git from the workspace's repository (worktreeDiffs.ts).

import * as vscode from "vscode";
import type { HostSession } from "./hostSession";
import { formatOriginal, parseOriginal, versionText, type OriginalRef } from "./worktreeDiffs";
import { worktreeOf } from "./worktreeThreads";

export const ORIGINAL_SCHEME = "tether-original";

/** The URI that shows `ref`. */
export function originalUri(ref: OriginalRef): vscode.Uri {
  return vscode.Uri.from({ scheme: ORIGINAL_SCHEME, ...formatOriginal(ref) });
}

/** Serves the checkpoint's or the worktree's "before" content. */
function originalContent(session: HostSession): vscode.TextDocumentContentProvider {
  return {
    async provideTextDocumentContent(uri) {
      const { threadId, path, at } = parseOriginal(uri.path, uri.query);
      const { agent } = await session.session();
      if (at === "checkpoint") {
        const entry = agent.store.checkpoint(threadId)[path];
        // A file the thread created was not there before: an empty left side.
        return entry?.before ?? "";
      }
      const worktree = at === "none" ? undefined : worktreeOf(agent.manager, threadId)?.worktree;
      return worktree && at !== "none" ? versionText(worktree, path, at) : "";
    },
  };
}

export function registerOriginalContent(session: HostSession): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(ORIGINAL_SCHEME, originalContent(session));
}

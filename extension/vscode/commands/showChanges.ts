// "Tether: Show Changes": what a thread changed, as the editor's own diff. A thread in the
// workspace: each file as it was before the thread first touched it (originalContent.ts) against
// the file now. A thread in a worktree of its own: every file its worktree changed, at the branch
// point against the worktree (or the branch, once the folder is gone; once merged, what the task
// wrote against the workspace, as for a thread in the workspace). One file opens
// `vscode.diff`; several open the multi-file changes editor.

import { existsSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { TaskWorktrees, type TaskWorktree } from "../../core/git/worktrees";
import { originalUri } from "../originalContent";
import { worktreeDiffs, type DiffSide } from "../worktreeDiffs";
import { worktreeOf } from "../worktreeThreads";
import { showFailure, type EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

interface Pair {
  path: string;
  original: vscode.Uri;
  modified: vscode.Uri;
}

export const showChanges: EditorCommand<typeof COMMAND_IDS.showChanges> = {
  id: COMMAND_IDS.showChanges,
  async run(deps, item: { summary: { threadId: string; title: string } }) {
    const { threadId, title } = item.summary;
    try {
      const { agent } = await deps.session.session();
      const worktree = worktreeOf(agent.manager, threadId);
      if (worktree?.state === "discarded") {
        void vscode.window.showInformationMessage(
          `Tether: "${title}" was discarded with its branch; there is nothing left to show.`,
        );
        return;
      }
      // Merged: the branch is gone, its work is in the workspace; what the task wrote shows there.
      const pairs =
        worktree && worktree.state !== "merged"
          ? await worktreePairs(threadId, worktree.worktree)
          : checkpointPairs(agent.workspace.root, threadId, Object.keys(agent.store.checkpoint(threadId)));
      if (pairs.length === 0) {
        void vscode.window.showInformationMessage(`Tether: "${title}" changed no files.`);
        return;
      }
      const label = worktree ? `Tether: ${title} (${worktree.worktree.branch})` : `Tether: ${title}`;
      if (pairs.length === 1) {
        const [only] = pairs;
        await vscode.commands.executeCommand("vscode.diff", only!.original, only!.modified, `${only!.path} (${label})`);
        return;
      }
      await vscode.commands.executeCommand(
        "vscode.changes",
        label,
        pairs.map((p) => [p.modified, p.original, p.modified]),
      );
    } catch (err) {
      showFailure(err);
    }
  },
};

/** The files a workspace thread changed (its checkpoint's paths), before it against now. */
function checkpointPairs(root: string, threadId: string, paths: readonly string[]): Pair[] {
  return [...paths].sort().map((path) => ({
    path,
    original: originalUri({ threadId, path, at: "checkpoint" }),
    modified: vscode.Uri.file(join(root, path)),
  }));
}

/** Every file the worktree changed since its branch point, committed or not. */
async function worktreePairs(threadId: string, worktree: TaskWorktree): Promise<Pair[]> {
  const files = await new TaskWorktrees().changedFiles(worktree);
  const folder = existsSync(worktree.path) ? worktree.path : undefined;
  const uri = (side: DiffSide): vscode.Uri => ("file" in side ? vscode.Uri.file(side.file) : originalUri(side.original));
  return worktreeDiffs(threadId, folder, files).map((d) => ({
    path: d.path,
    original: uri(d.original),
    modified: uri(d.modified),
  }));
}

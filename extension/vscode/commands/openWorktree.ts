// "Tether: Open Worktree Folder": a task's worktree (under the host's state folder, outside the
// workspace) in a new window, to look around, build or test the task's branch there.

import { existsSync } from "node:fs";
import * as vscode from "vscode";
import { worktreeThread, type ThreadTarget } from "../worktreeThreads";
import { showFailure, type EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

export const openWorktree: EditorCommand<typeof COMMAND_IDS.openWorktree> = {
  id: COMMAND_IDS.openWorktree,
  async run(deps, target?: ThreadTarget) {
    try {
      const found = await worktreeThread(deps.session, target, "open a task's worktree folder", true);
      if (!found) return;
      const { path, branch } = found.worktree.worktree;
      if (!existsSync(path)) {
        void vscode.window.showInformationMessage(`Tether: the worktree of ${branch} is gone (${found.worktree.state}).`);
        return;
      }
      await vscode.commands.executeCommand("vscode.openFolder", vscode.Uri.file(path), { forceNewWindow: true });
    } catch (err) {
      showFailure(err);
    }
  },
};

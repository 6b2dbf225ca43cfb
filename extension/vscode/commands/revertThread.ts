// "Revert Changes" on an ended thread: after a modal confirmation, each file it changed goes back
// to how it was before (through the thread manager, as the phone's Revert).

import * as vscode from "vscode";
import type { ThreadItem } from "../views/threadsView";
import { sendAsEditor, type EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

export const revertThread: EditorCommand<typeof COMMAND_IDS.revertThread> = {
  id: COMMAND_IDS.revertThread,
  async run(deps, item: ThreadItem) {
    const pick = await vscode.window.showWarningMessage(
      `Revert the files "${item.summary.title}" changed?`,
      {
        modal: true,
        detail:
          "Each file goes back to how it was before the task first changed it. Files changed since by someone else are left alone.",
      },
      "Revert",
    );
    if (pick === "Revert") await sendAsEditor(deps, { type: "revert", threadId: item.summary.threadId });
  },
};

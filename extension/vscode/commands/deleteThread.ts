// "Delete" on an ended thread: after a modal confirmation, its history goes from this editor, the
// relay and every paired phone.

import * as vscode from "vscode";
import type { ThreadItem } from "../views/threadsView";
import { showFailure, type EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

export const deleteThread: EditorCommand<typeof COMMAND_IDS.deleteThread> = {
  id: COMMAND_IDS.deleteThread,
  async run(deps, item: ThreadItem) {
    const pick = await vscode.window.showWarningMessage(
      `Delete "${item.summary.title}"?`,
      {
        modal: true,
        detail:
          "Its history goes from this editor, the relay and every paired phone. The files it changed stay as they are; revert first to undo them.",
      },
      "Delete",
    );
    if (pick !== "Delete") return;
    try {
      const { agent } = await deps.session.session();
      await agent.manager.delete(item.summary.threadId, deps.self());
    } catch (err) {
      showFailure(err);
    }
  },
};

// Commands on threads: stop one, revert what one changed, delete an ended one (a task starts from the thread
// panel's form, threadPanel.ts). They go through the thread manager like the phone's commands,
// as the editor's own device.

import * as vscode from "vscode";
import { TetherError, type Command, type DeviceRef } from "#protocol";
import type { HostSession } from "./hostSession";
import type { ThreadItem } from "./views/threadsView";

export function registerThreadCommands(session: HostSession, self: () => DeviceRef): vscode.Disposable {
  const send = async (command: Command): Promise<void> => {
    try {
      const { agent } = await session.session();
      await agent.manager.handle(command, self());
    } catch (err) {
      void vscode.window.showErrorMessage(`Tether: ${err instanceof TetherError ? err.message : (err as Error).message}`);
    }
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand("tether.thread.stop", (item: ThreadItem) =>
      send({ type: "stop", threadId: item.summary.threadId }),
    ),
    vscode.commands.registerCommand("tether.thread.revert", async (item: ThreadItem) => {
      const pick = await vscode.window.showWarningMessage(
        `Revert the files "${item.summary.title}" changed?`,
        {
          modal: true,
          detail:
            "Each file goes back to how it was before the task first changed it. Files changed since by someone else are left alone.",
        },
        "Revert",
      );
      if (pick === "Revert") await send({ type: "revert", threadId: item.summary.threadId });
    }),
    vscode.commands.registerCommand("tether.thread.delete", async (item: ThreadItem) => {
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
        const { agent } = await session.session();
        agent.manager.delete(item.summary.threadId, self());
      } catch (err) {
        void vscode.window.showErrorMessage(`Tether: ${err instanceof TetherError ? err.message : (err as Error).message}`);
      }
    }),
  );
}

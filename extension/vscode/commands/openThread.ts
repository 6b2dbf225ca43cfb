// "Tether: Open Task": a thread's panel, from a Threads view item (a click, or its menu), with a
// thread id, or from the palette (a pick among this workspace's threads).

import * as vscode from "vscode";
import type { HostSession } from "../hostSession";
import { ThreadItem } from "../views/threadsView";
import { showFailure, type EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

export const openThread: EditorCommand<typeof COMMAND_IDS.openThread> = {
  id: COMMAND_IDS.openThread,
  async run(deps, target?: ThreadItem | string) {
    try {
      const threadId = typeof target === "string" ? target : (target?.summary.threadId ?? (await pickThread(deps.session)));
      if (threadId) await deps.panels.open(threadId);
    } catch (err) {
      showFailure(err);
    }
  },
};

/** Picks a thread of this workspace, waiting ones first. */
async function pickThread(session: HostSession): Promise<string | undefined> {
  const { agent } = await session.session();
  const items = agent.manager.list().map((thread) => new ThreadItem(agent.manager.summary(thread)));
  if (items.length === 0) {
    void vscode.window.showInformationMessage("Tether: no tasks in this workspace yet.");
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    items.map((item) => ({ label: item.summary.title, description: String(item.description ?? ""), id: item.summary.threadId })),
    { title: "Tether: open a task" },
  );
  return picked?.id;
}

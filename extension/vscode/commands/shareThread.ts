// "Share Read-Only…" on a thread: its links, a new one (copied to the clipboard), or revoking one.
// Whoever has a link sees that thread and nothing else of this computer, live, until it is revoked.

import * as vscode from "vscode";
import type { ThreadItem } from "../views/threadsView";
import { showFailure, type EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

type Pick =
  (vscode.QuickPickItem & { action: "create" }) | (vscode.QuickPickItem & { action: "revoke"; shareId: string; link: string });

export const shareThread: EditorCommand<typeof COMMAND_IDS.shareThread> = {
  id: COMMAND_IDS.shareThread,
  async run(deps, item: ThreadItem) {
    try {
      const { host } = await deps.session.session();
      const shares = host.shares;
      if (!shares) throw new Error("This window does not run tasks, so it has no threads to share.");
      const { threadId, title } = item.summary;
      const picks: Pick[] = [
        {
          label: "$(link) New read-only link",
          detail: "Copied to the clipboard: that thread only, live, nothing to send with.",
          action: "create",
        },
        ...shares.list(threadId).map((s): Pick => ({
          label: `$(close) Revoke the link made ${new Date(s.createdAt).toLocaleString()}`,
          detail: s.link.replace(/#share=.*$/, "#share=…"),
          action: "revoke",
          shareId: s.shareId,
          link: s.link,
        })),
      ];
      const pick = await vscode.window.showQuickPick(picks, { title: `Share "${title}" read-only` });
      if (!pick) return;
      if (pick.action === "create") {
        const made = await shares.create(threadId);
        await vscode.env.clipboard.writeText(made.link);
        void vscode.window.showInformationMessage(`Tether: a read-only link to "${title}" is on the clipboard.`);
      } else {
        await shares.revoke(pick.shareId);
        void vscode.window.showInformationMessage(`Tether: that link to "${title}" no longer opens it.`);
      }
    } catch (err) {
      showFailure(err);
    }
  },
};

// "Tether: Show Changes": what a thread changed, as the editor's own diff: each file as it was
// before the thread first touched it (originalContent.ts) against the file now. One file opens
// `vscode.diff`; several open the multi-file changes editor.

import { join } from "node:path";
import * as vscode from "vscode";
import { ORIGINAL_SCHEME } from "../originalContent";
import type { ThreadItem } from "../views/threadsView";
import type { EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

export const showChanges: EditorCommand<typeof COMMAND_IDS.showChanges> = {
  id: COMMAND_IDS.showChanges,
  async run(deps, item: ThreadItem) {
    const { agent } = await deps.session.session();
    const root = agent.workspace.root;
    const paths = Object.keys(agent.store.checkpoint(item.summary.threadId)).sort();
    if (paths.length === 0) {
      void vscode.window.showInformationMessage(`Tether: "${item.summary.title}" changed no files.`);
      return;
    }
    const pairs = paths.map((path) => {
      const current = vscode.Uri.file(join(root, path));
      const original = vscode.Uri.from({ scheme: ORIGINAL_SCHEME, path: `/${item.summary.threadId}/${path}` });
      return { path, current, original };
    });
    const title = `Tether: ${item.summary.title}`;
    if (pairs.length === 1) {
      const [only] = pairs;
      await vscode.commands.executeCommand("vscode.diff", only!.original, only!.current, `${only!.path} (${title})`);
      return;
    }
    await vscode.commands.executeCommand(
      "vscode.changes",
      title,
      pairs.map((p) => [p.current, p.original, p.current]),
    );
  },
};

// "Tether: Show Changes": what a thread changed, as the editor's own diff: each file as it was
// before the thread first touched it (from the thread's checkpoint) against the file now.
// One file opens `vscode.diff`; several open the multi-file changes editor.

import { join } from "node:path";
import * as vscode from "vscode";
import type { HostSession } from "./hostSession";
import type { ThreadItem } from "./views/threadsView";

export const ORIGINAL_SCHEME = "tether-original";

/** Serves the checkpoint's "before" content at tether-original:/<threadId>/<path>. */
function originalContent(session: HostSession): vscode.TextDocumentContentProvider {
  return {
    async provideTextDocumentContent(uri) {
      const [, threadId, ...rest] = uri.path.split("/");
      const { agent } = await session.session();
      const entry = agent.store.checkpoint(threadId ?? "")[rest.join("/")];
      // A file the thread created was not there before: an empty left side.
      return entry?.before ?? "";
    },
  };
}

export function registerShowChanges(session: HostSession): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.workspace.registerTextDocumentContentProvider(ORIGINAL_SCHEME, originalContent(session)),
    vscode.commands.registerCommand("tether.thread.showChanges", async (item: ThreadItem) => {
      const { agent } = await session.session();
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
    }),
  );
}

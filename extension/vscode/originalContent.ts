// The "before" side of Tether: Show Changes (commands/showChanges.ts): each file as it was before
// a thread first touched it, from the thread's checkpoint, at tether-original:/<threadId>/<path>.

import * as vscode from "vscode";
import type { HostSession } from "./hostSession";

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

export function registerOriginalContent(session: HostSession): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(ORIGINAL_SCHEME, originalContent(session));
}

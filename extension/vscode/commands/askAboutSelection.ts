// "Ask Tether about this": brings the editor's selection, or files from the explorer, to the
// sidebar's composer, revealed and focused.

import * as vscode from "vscode";
import type { ContextItem } from "#protocol/panel";
import type { EditorCommand } from "./command";
import { COMMAND_IDS } from "./ids";

/** A selection longer than this is cut: a prompt has room for 32,000 characters in all. */
const MAX_SELECTION_CHARS = 16_000;

export const askAboutSelection: EditorCommand<typeof COMMAND_IDS.askAboutSelection> = {
  id: COMMAND_IDS.askAboutSelection,
  // From the editor's context menu (the document's uri), the explorer's (the clicked file and
  // every selected one), or the palette (none: the active editor).
  async run(deps, uri?: unknown, uris?: unknown) {
    const items = contextFor(uri instanceof vscode.Uri ? uri : undefined, Array.isArray(uris) ? uris : []);
    if (items.length === 0) {
      void vscode.window.showInformationMessage("Tether: select some code, or a file in the explorer, to ask about it.");
      return;
    }
    await deps.sidebar.newTask(items);
  },
};

/** What to attach: the active editor's selection when the command came from it, else the files. */
function contextFor(uri: vscode.Uri | undefined, uris: unknown[]): ContextItem[] {
  const editor = vscode.window.activeTextEditor;
  const fromEditor = editor && (!uri || uri.toString() === editor.document.uri.toString());
  if (fromEditor && !editor.selection.isEmpty) return [selectionItem(editor)];
  const files = uris.filter((u): u is vscode.Uri => u instanceof vscode.Uri);
  const chosen = files.length ? files : uri ? [uri] : [];
  return chosen
    .filter((file) => vscode.workspace.getWorkspaceFolder(file))
    .map((file) => ({ path: vscode.workspace.asRelativePath(file, false) }));
}

function selectionItem(editor: vscode.TextEditor): ContextItem {
  const { selection, document } = editor;
  // A selection that ends at the start of a line does not take that line.
  const endLine =
    selection.end.character === 0 && selection.end.line > selection.start.line ? selection.end.line - 1 : selection.end.line;
  const text = document.getText(selection);
  return {
    path: vscode.workspace.asRelativePath(document.uri, false),
    startLine: selection.start.line + 1,
    endLine: endLine + 1,
    text: text.length > MAX_SELECTION_CHARS ? `${text.slice(0, MAX_SELECTION_CHARS)}\n… (cut)` : text,
  };
}

// Runs inside VS Code: the conversation in Tether's sidebar, used as a person at the editor uses
// it (the desk types and clicks in its webview, see test/support/vscodeDesk.ts). A task typed in
// the sidebar's composer with a file chosen from its `@` completion runs there, and its approval
// is answered there; "Ask Tether about this" brings the editor's selection to the composer; the
// New Task keybinding clashes with none of VS Code's own.

import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { README_TITLE, finch, kestrel, owl } from "../scenarios";
import { until } from "../../support/wait";
import { desk, onlyInPhase } from "../support/desk";

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const TEXT = "[data-testid=sidebar-text]";

/**
 * Screenshots of the sidebar (and the workbench around it) in the editor's dark and light
 * themes, and axe's audit of the sidebar's page in each: none found.
 */
async function captureBothThemes(name: string): Promise<void> {
  const theme = vscode.workspace.getConfiguration("workbench");
  for (const [look, id] of [
    ["dark", "Default Dark Modern"],
    ["light", "Default Light Modern"],
  ] as const) {
    await theme.update("colorTheme", id, vscode.ConfigurationTarget.Global);
    // The webview takes the theme's variables a moment after the workbench.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await desk.capture({ name: `vscode-${name}-${look}` });
    await desk.capture({ name: `vscode-${name}-${look}-sidebar`, selector: ".part.sidebar" });
    assert.deepEqual(await desk.axe({ selector: "[data-surface=sidebar]" }), [], `axe, ${name} in the ${look} theme`);
  }
  await theme.update("colorTheme", undefined, vscode.ConfigurationTarget.Global);
}

describe("Tether in VS Code: the sidebar", function () {
  this.timeout(90_000);
  const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;

  before(onlyInPhase(undefined));
  after(async () => {
    rmSync(join(root, kestrel.file), { force: true });
    // The panel suite's closing screenshot shows the Threads view listing its thread, the oldest
    // of this window's: the conversation's view is hidden so that list has the sidebar's height.
    await vscode.commands.executeCommand("tether.sidebar.removeView");
  });

  it("runs a task typed in the sidebar with an @ file, and takes its approval there", async () => {
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await vscode.commands.executeCommand("tether.sidebar.newTask");
    await desk.webviewText({ pattern: "What should the agent do\\?[\\s\\S]*Type @ to mention a file" });
    // Typing @READ offers the workspace's README; clicking it writes the mention.
    await desk.webviewFill({ selector: TEXT, text: `${kestrel.typed} @READ` });
    await desk.webviewClick({ selector: "[data-testid=sidebar-files] [role=option]", hasText: "README.md" });
    await desk.webviewClick({ selector: "[data-testid=sidebar-start]" });

    // The sidebar now shows the run, with the card for the command.
    await desk.webviewText({ pattern: `Run this command\\?[\\s\\S]*${escape(kestrel.command)}[\\s\\S]*Approve` });
    await captureBothThemes("sidebar-approval");
    await desk.webviewClick({ selector: "[data-testid=approve]" });
    await desk.webviewText({ pattern: `Approved by[\\s\\S]*${escape(kestrel.withReadme)}` });
    assert.equal(readFileSync(join(root, kestrel.file), "utf8"), "perch-kestrel\n");
    await captureBothThemes("sidebar-thread");
    // Out to an editor tab on request, and back to a new task in the sidebar.
    await desk.webviewClick({ selector: "[data-testid=sidebar-open-tab]" });
    await until("the thread open as an editor tab", () =>
      vscode.window.tabGroups.all.some((g) =>
        g.tabs.some((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith(kestrel.task)),
      ),
    );
    await desk.webviewClick({ selector: "[data-testid=sidebar-new]" });
    await desk.webviewText({ pattern: "What should the agent do\\?" });
  });

  it("attaches the editor's selection with Ask Tether about this, and sends it with the task", async () => {
    const readme = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, "README.md");
    const editor = await vscode.window.showTextDocument(readme);
    assert.equal(editor.document.lineAt(0).text, `# ${README_TITLE}`);
    editor.selection = new vscode.Selection(0, 0, 1, 0);
    // As the editor's context menu runs it: with the document's uri.
    await vscode.commands.executeCommand("tether.askAboutSelection", readme);
    // The sidebar left the thread it showed for a new task, with the selection as a chip.
    await desk.webviewText({ pattern: "What should the agent do\\?[\\s\\S]*README\\.md, line 1" });
    await captureBothThemes("sidebar-selection");
    await desk.webviewFill({ selector: TEXT, text: finch.task });
    await desk.webviewClick({ selector: "[data-testid=sidebar-start]" });
    await desk.webviewText({ pattern: escape(finch.withSelection) });
  });

  it("sends a file from the explorer as a mention, and the New Task key puts the typing in the composer", async () => {
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    const readme = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, "README.md");
    // As the explorer's context menu runs it: the clicked file and the selected ones.
    await vscode.commands.executeCommand("tether.askAboutSelection", readme, [readme]);
    await desk.webviewText({ pattern: "What should the agent do\\?" });
    // The focus elsewhere, then the keybinding: what is typed next lands in the composer.
    await vscode.commands.executeCommand("tether.threads.focus");
    await desk.press({ key: "Control+Shift+Alt+T" });
    await new Promise((resolve) => setTimeout(resolve, 500));
    await desk.type({ text: `${owl.task} ` });
    await desk.webviewClick({ selector: "[data-testid=sidebar-start]" });
    await desk.webviewText({ pattern: escape(owl.withFile) });
  });

  it("binds New Task in the Sidebar to a key none of VS Code's own commands use", async () => {
    await vscode.commands.executeCommand("workbench.action.openDefaultKeybindingsFile");
    const text = vscode.window.activeTextEditor?.document.getText() ?? "";
    assert.match(text, /"key":/, "the default keybindings did not open");
    const manifest = JSON.parse(
      readFileSync(join(vscode.extensions.getExtension("tether.tether")?.extensionPath ?? "", "package.json"), "utf8"),
    ) as { contributes: { keybindings: { key: string; linux?: string; mac?: string }[] } };
    const binding = manifest.contributes.keybindings[0]!;
    const key = process.platform === "darwin" ? binding.mac : process.platform === "linux" ? binding.linux : binding.key;
    const users = [...text.matchAll(/"key":\s*"([^"]+)",\s*"command":\s*"([^"]+)"/g)]
      .filter((m) => m[1] === key)
      .map((m) => m[2]);
    assert.deepEqual(users, ["tether.sidebar.newTask"]);
    assert.ok(existsSync(join(root, "README.md")));
  });
});

// Runs inside VS Code: the thread panel, the phone app's thread components in a webview. A phone
// paired through the editor starts a task that needs an approval; the panel shows the run and
// the card, the phone decides, and the card closes in the panel. What the panel shows is read
// from its page as a person sees it (the desk's `webview-text`, see test/support/vscodeServer.ts).

import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { randomId } from "#protocol";
import type { PairedPhone } from "../../support/phone";
import { until } from "../../support/wait";
import { heron } from "../scenarios";
import { desk, onlyInPhase } from "../support/desk";
import { ended, pairThroughEditor } from "../support/phones";

const PHONE = "Pixel beside the panel";

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const tabs = (): vscode.Tab[] => vscode.window.tabGroups.all.flatMap((group) => group.tabs);

/** The active webview tab titled `title`, once the workbench shows it (tabs arrive a moment later). */
async function activePanel(title: string, ms = 10_000): Promise<vscode.Tab> {
  const active = (): vscode.Tab | undefined =>
    tabs().find((t) => t.input instanceof vscode.TabInputWebview && t.label === title && t.isActive);
  return until(`an active panel titled "${title}"`, active, ms).catch((err: Error) => {
    const labels = tabs().map((t) => `${t.label}${t.isActive ? " (active)" : ""}`);
    throw new Error(`${err.message}; the tabs: ${labels.join(", ")}`);
  });
}

/** The thread this suite ran, shown again at the very end for the outer test's screenshot. */
let shown: string | undefined;

describe("Tether in VS Code: the thread panel", function () {
  this.timeout(60_000);
  const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  let phone: PairedPhone;

  before(onlyInPhase(undefined));
  before(async () => {
    phone = await pairThroughEditor(PHONE);
  });

  after(() => {
    phone?.close();
    rmSync(join(root, heron.file), { force: true });
  });

  it("opens Tether: New Task as the phone's new-task form", async () => {
    await vscode.commands.executeCommand("tether.newTask");
    const tab = await activePanel("New Task");
    // The phone's form, with the workspace it runs in and the modes up to the editor's own.
    await desk.webviewText({
      pattern: String.raw`What should the agent do\?(?![\s\S]*Full-auto)[\s\S]*Auto-edit[\s\S]*allows up to Auto-edit`,
    });
    // A second New Task shows the same panel rather than opening another.
    await vscode.commands.executeCommand("tether.newTask");
    assert.equal(tabs().filter((t) => t.label === "New Task").length, 1);
    await vscode.window.tabGroups.close(tab);
  });

  it("shows a thread's run with its approval card, and closes the card when the phone decides", async () => {
    const threadId = randomId(12);
    await phone.send({ type: "new-task", threadId, text: heron.task, mode: "auto-edit" });
    const asked = await phone.waitFor(threadId, (e) => e.type === "approval-requested");
    assert.ok(asked.type === "approval-requested");

    // As a click on the thread in the Threads view opens it.
    await vscode.commands.executeCommand("tether.thread.open", threadId);
    await activePanel(heron.task);
    // What the phone shows: the agent's words, the file it wrote with its diff, and the card
    // with the command waiting for a decision.
    await desk.webviewText({
      pattern: [
        "Run this command\\?",
        escape(heron.command),
        "check the count",
        "Approve",
        "Reading the notes first",
        escape(heron.file),
        "pond: 2",
      ].join("[\\s\\S]*"),
    });

    await phone.send({ type: "decide", threadId, approvalId: asked.approvalId, decision: "approve" });
    // The card is no longer pinned and waiting: the timeline says who approved it.
    await desk.webviewText({
      pattern: `^(?![\\s\\S]*Waiting for your decision)[\\s\\S]*Approved by ${escape(PHONE)}`,
    });
    const end = await phone.waitFor(threadId, ended);
    assert.equal(end.type === "status" && end.status, "done", JSON.stringify(end));
    // The command's output in the terminal view, and the agent's summary.
    await desk.webviewText({ pattern: `herons: 2[\\s\\S]*${escape(heron.summary)}` });
    // Closed and opened again, the panel's page asks for the thread anew; opening it once more
    // shows the same panel rather than a second one.
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await vscode.commands.executeCommand("tether.thread.open", threadId);
    await activePanel(heron.task);
    await desk.webviewText({ pattern: escape(heron.summary) });
    await vscode.commands.executeCommand("tether.thread.open", threadId);
    assert.equal(tabs().filter((t) => t.label === heron.task).length, 1);
    shown = threadId;
  });
});

// A root hook, after every suite and whatever they left open: the workbench for the outer
// test's screenshot, taken while the extension host runs (its views are empty once it exits):
// the Tether views beside this suite's thread in its panel.
after(async function () {
  if (!shown) return;
  this.timeout(30_000);
  await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  await vscode.commands.executeCommand("workbench.action.closePanel");
  await vscode.commands.executeCommand("notifications.clearAll");
  await vscode.commands.executeCommand("tether.threads.focus");
  await vscode.commands.executeCommand("tether.thread.open", shown);
  // The panel has drawn the thread, and the Threads view lists it.
  await desk.webviewText({ pattern: escape(heron.summary) });
  await desk.webviewText({ pattern: `THREADS(?:(?!DEVICES)[\\s\\S])*${escape(heron.task)}` });
  await desk.screenshot();
});

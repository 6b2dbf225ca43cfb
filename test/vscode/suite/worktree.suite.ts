// Runs inside VS Code, in the outer test's "worktree" phase (test/vscode/worktree.vscode.test.ts):
// the workspace is a git repository. The person starts a task from New Task with "Run in its own
// worktree"; it runs on a tether/… branch and leaves the workspace alone; Show Changes diffs the
// worktree against its branch point; a phone paired through the editor commits the worktree;
// Merge Worktree… (the real quick pick) merges the branch into main, and says so. The outer test
// checks the workspace's files and git log afterwards.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import * as vscode from "vscode";
import { randomId, type ThreadEvent } from "#protocol";
import type { PairedPhone } from "../../support/phone";
import { until } from "../../support/wait";
import { dipper, ouzel } from "../scenarios";
import { desk, onlyInPhase } from "../support/desk";
import { pairThroughEditor, syncedThread } from "../support/phones";

const PHONE = "Pixel reviewing the branch";
const WORKTREE = '#app:not([data-surface]) [data-testid="task-worktree"]';
const TEXT = '#app:not([data-surface]) [data-testid="new-task"] [data-testid="task-text"]';
const START = '#app:not([data-surface]) [data-testid="new-task"] button[type="submit"]';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const tabs = (): vscode.Tab[] => vscode.window.tabGroups.all.flatMap((group) => group.tabs);

async function activeTab(what: string, match: (tab: vscode.Tab) => boolean): Promise<vscode.Tab> {
  return until(`${what} as the active tab`, () => tabs().find((t) => t.isActive && match(t)), 15_000).catch((err: Error) => {
    throw new Error(
      `${err.message}; the tabs: ${tabs()
        .map((t) => `${t.label}${t.isActive ? " (active)" : ""}`)
        .join(", ")}`,
    );
  });
}

const gitEvent = (action: string) => (e: ThreadEvent) => e.type === "git" && e.action === action;

describe("Tether in VS Code: a task in its own worktree", function () {
  this.timeout(120_000);
  const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  let phone: PairedPhone;
  let threadId: string;
  let branch: string;
  const item = () => ({ summary: { threadId, title: dipper.task } });

  before(onlyInPhase("worktree"));
  before(async () => {
    phone = await pairThroughEditor(PHONE);
  });
  after(() => phone?.close());

  it("starts the task in its own worktree from New Task, leaving the workspace as it was", async () => {
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await vscode.commands.executeCommand("tether.newTask");
    await activeTab('the "New Task" panel', (t) => t.input instanceof vscode.TabInputWebview && t.label === "New Task");
    // Offered in a git repository; not checked while the setting is off and nothing else runs.
    await desk.webviewWait({ selector: `${WORKTREE}:not(:checked)` });
    await desk.webviewClick({ selector: WORKTREE });
    await desk.webviewWait({ selector: `${WORKTREE}:checked` });
    await desk.capture({ name: "vscode-worktree-new-task" });
    await desk.webviewFill({ selector: TEXT, text: dipper.task });
    await desk.webviewClick({ selector: START, hasText: "Start task" });
    await activeTab("the task's panel", (t) => t.input instanceof vscode.TabInputWebview && t.label === dipper.task);
    await desk.webviewWait({ selector: '[data-testid="thread"][data-status="done"]' });

    const { summary, events } = await syncedThread(phone, dipper.task, (s) => s.status === "done");
    threadId = summary.threadId;
    branch = summary.branch ?? "";
    assert.match(branch, /^tether\//);
    assert.equal(summary.worktree, "open");
    const made = events.find(gitEvent("worktree"));
    assert.ok(made?.type === "git" && made.ok && made.baseBranch === "main", JSON.stringify(made));
    // The task edited its own copy: the workspace's file is as it was.
    assert.equal(readFileSync(join(root, dipper.file), "utf8"), dipper.before);

    // The panel and the Threads view say on which branch it ran.
    await desk.webviewText({ pattern: `${escape(branch)}[\\s\\S]*in its own worktree` });
    await vscode.commands.executeCommand("tether.threads.focus");
    const rows = await desk.viewRows({ view: "Threads" });
    const row = rows.find((r) => r.label === dipper.task);
    assert.ok(row, JSON.stringify(rows));
    assert.equal(row.description, `done · ${branch}`);
    await desk.capture({ name: "vscode-worktree-thread" });
  });

  it("shows the worktree's changes against the branch point", async () => {
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await vscode.commands.executeCommand("tether.thread.showChanges", item());
    const tab = await activeTab(`the diff of ${dipper.file}`, (t) => t.input instanceof vscode.TabInputTextDiff);
    const input = tab.input as vscode.TabInputTextDiff;
    // Left: the file at the branch point, from git; right: the worktree's file, outside the workspace.
    assert.equal(input.original.scheme, "tether-original");
    assert.equal((await vscode.workspace.openTextDocument(input.original)).getText(), dipper.before);
    assert.equal(input.modified.scheme, "file");
    assert.ok(relative(root, input.modified.fsPath).startsWith(".."), `${input.modified.fsPath} is in the workspace`);
    assert.equal((await vscode.workspace.openTextDocument(input.modified)).getText(), dipper.after);
    const folder = dirname(input.modified.fsPath);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");

    // The person adds a note in the worktree: now two files, in the multi-file changes editor.
    writeFileSync(join(folder, dipper.sighting.file), dipper.sighting.text);
    await vscode.commands.executeCommand("tether.thread.showChanges", item());
    // The multi-file changes editor, titled with the task and its branch (VS Code adds the count).
    await activeTab("the changes editor", (t) => t.label.startsWith(`Tether: ${dipper.task} (${branch})`));
    await desk.capture({ name: "vscode-worktree-changes" });
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");

    // Committed from the phone, as a person reviewing on the way would.
    await phone.send({ type: "git-stage", threadId, paths: [dipper.file, dipper.sighting.file] });
    await phone.send({ type: "git-commit", threadId, opId: randomId(12), message: dipper.sighting.message });
    const committed = await phone.waitFor(threadId, gitEvent("commit"), 30_000);
    assert.ok(committed.type === "git" && committed.ok, JSON.stringify(committed));
  });

  it("merges the branch back into main from Merge Worktree…", async () => {
    // From the thread's panel, whose Merge… runs the command for its thread.
    await vscode.commands.executeCommand("tether.thread.open", threadId);
    await activeTab("the task's panel", (t) => t.input instanceof vscode.TabInputWebview && t.label === dipper.task);
    await desk.webviewClick({ selector: '[data-testid="worktree-end"]', hasText: "Merge…" });
    const rows = await desk.quickPick({ title: branch });
    assert.equal(rows.length, 4, rows.join("\n"));
    assert.match(rows[0] ?? "", /Merge into main\s*fast-forward, or a merge commit/);
    assert.match(rows[3] ?? "", /Discard[\s\S]*with the 2 files the task changed/);
    await desk.capture({ name: "vscode-worktree-merge-pick" });
    await desk.type({ text: "fast-forward, or" });
    await desk.press({ key: "Enter" });

    const merged = await phone.waitFor(threadId, gitEvent("merge"), 30_000);
    assert.ok(merged.type === "git" && merged.ok, JSON.stringify(merged));
    assert.equal(merged.by.name, vscode.env.appName);
    // The outcome, as the editor's notification.
    const toast = await desk.notification({ contains: merged.text.slice(0, 60) });
    assert.doesNotMatch(toast, /Files:/);
    await desk.capture({ name: "vscode-worktree-merged", selector: ".notification-toast" });
    assert.equal(readFileSync(join(root, dipper.file), "utf8"), dipper.after);
    assert.equal(readFileSync(join(root, dipper.sighting.file), "utf8"), dipper.sighting.text);
    const { summary } = await syncedThread(phone, dipper.task, (s) => s.worktree === "merged");
    assert.equal(summary.branch, branch);

    // Merged, its branch gone: Show Changes shows what the task wrote, now in the workspace.
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await vscode.commands.executeCommand("tether.thread.showChanges", item());
    const tab = await activeTab(`the diff of ${dipper.file}`, (t) => t.input instanceof vscode.TabInputTextDiff);
    const input = tab.input as vscode.TabInputTextDiff;
    assert.equal(input.modified.fsPath, join(root, dipper.file));
    assert.equal((await vscode.workspace.openTextDocument(input.original)).getText(), dipper.before);
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
  });

  it("reports a conflicting merge with its files, and discards the task after asking with its count", async () => {
    const other = randomId(12);
    await phone.send({ type: "new-task", threadId: other, text: ouzel.task, mode: "auto-edit", worktree: true });
    const done = await phone.waitFor(other, (e) => e.type === "status" && e.status === "done", 30_000);
    assert.ok(done);
    await phone.send({ type: "git-stage", threadId: other, paths: [dipper.file] });
    await phone.send({ type: "git-commit", threadId: other, opId: randomId(12), message: ouzel.message });
    await phone.waitFor(other, gitEvent("commit"), 30_000);
    // Meanwhile main moves on: the same line, another count (git here runs with the test's author).
    writeFileSync(join(root, dipper.file), ouzel.onMain);
    execFileSync("git", ["commit", "-q", "-am", "Five nests on main"], { cwd: root });
    const { summary } = await syncedThread(phone, ouzel.task, (s) => s.status === "done" && s.worktree === "open");
    const otherItem = { summary: { threadId: other, title: ouzel.task } };

    const merging = vscode.commands.executeCommand("tether.thread.mergeWorktree", otherItem);
    await desk.quickPick({ title: summary.branch ?? "" });
    await desk.type({ text: "fast-forward, or" });
    await desk.press({ key: "Enter" });
    await merging;
    const refused = await phone.waitFor(other, gitEvent("merge"), 30_000);
    assert.ok(refused.type === "git" && !refused.ok && refused.files?.includes(dipper.file), JSON.stringify(refused));
    const toast = await desk.notification({ contains: `conflicts in ${dipper.file}` });
    assert.match(toast, /Could not merge/);
    await desk.capture({ name: "vscode-worktree-conflict", selector: ".notification-toast" });
    // Nothing was merged, and the task's worktree is still there to resolve or discard.
    assert.equal(readFileSync(join(root, dipper.file), "utf8"), ouzel.onMain);
    assert.equal((await syncedThread(phone, ouzel.task)).summary.worktree, "open");
    await vscode.commands.executeCommand("notifications.clearAll");

    // Discard, after the question that says what is lost (a modal, answered where it opens).
    type Show = (m: string, ...rest: unknown[]) => Thenable<unknown>;
    const window = vscode.window as unknown as { showWarningMessage: Show; showInformationMessage: Show };
    const original = window.showWarningMessage;
    const originalInfo = window.showInformationMessage;
    const asked: string[] = [];
    // The outcome's toast is told here too: on a loaded machine VS Code may have hidden the toast
    // again before the desk looks for it.
    const told: string[] = [];
    window.showWarningMessage = (message, ...rest) => {
      asked.push(message);
      return Promise.resolve(rest.includes("Discard") ? "Discard" : undefined);
    };
    window.showInformationMessage = (message, ...rest) => {
      told.push(message);
      return originalInfo.call(vscode.window, message, ...rest);
    };
    try {
      const discarding = vscode.commands.executeCommand("tether.thread.mergeWorktree", otherItem);
      await desk.quickPick({ title: summary.branch ?? "" });
      await desk.type({ text: "Discard" });
      await desk.press({ key: "Enter" });
      await discarding;
    } finally {
      window.showWarningMessage = original;
      window.showInformationMessage = originalInfo;
    }
    assert.deepEqual(asked, [`Discard ${summary.branch} and its worktree? 1 file changed by the task will be lost.`]);
    const discarded = await phone.waitFor(other, gitEvent("discard"), 30_000);
    assert.ok(discarded.type === "git" && discarded.ok, JSON.stringify(discarded));
    assert.ok(
      told.some((message) => message.includes(discarded.text.slice(0, 40))),
      `the editor told the discard's outcome: ${JSON.stringify(told)}`,
    );
    assert.equal((await syncedThread(phone, ouzel.task, (s) => s.worktree === "discarded")).summary.branch, summary.branch);
    // Both gone: the branch from the repository, the worktree from git's list.
    const git = (...args: string[]): string => execFileSync("git", args, { cwd: root, encoding: "utf8" });
    assert.equal(git("branch", "--list", summary.branch ?? ""), "");
    assert.doesNotMatch(git("worktree", "list"), new RegExp(escape(summary.branch ?? "")));
  });
});

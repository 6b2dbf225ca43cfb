// Runs inside VS Code: tasks in the editor's workspace with a phone paired through the editor and
// a real relay (both started by the outer test; the model is its scripted OpenAI-compatible
// server, see ../scenarios.ts). What the agent did is checked where a person would see it: files
// on disk, the editor's notifications, tabs and terminals, and the phone's decrypted events.

import assert from "node:assert/strict";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as vscode from "vscode";
import { randomId } from "#protocol";
import type { PairedPhone } from "../../support/phone";
import { ledger, plover, robin, siskin, summarise, wren } from "../scenarios";
import { desk, onlyInPhase } from "../support/desk";
import { ended, pairThroughEditor } from "../support/phones";

const PHONE = "Pixel in the editor tests";

describe("Tether in VS Code: tasks with a paired phone", function () {
  this.timeout(60_000);
  const root = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
  let phone: PairedPhone;

  before(onlyInPhase(undefined));
  before(async () => {
    phone = await pairThroughEditor(PHONE);
  });

  after(() => {
    phone?.close();
    for (const file of [ledger.file, wren.file]) rmSync(join(root, file), { force: true });
  });

  it("offers Always on this computer in the editor too, and the phone's choice adds the user's rule without a restart", async () => {
    const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration("tether");
    const before = config().inspect<string[]>("policy.allow")?.globalValue;
    try {
      const threadId = randomId(12);
      await phone.send({ type: "new-task", threadId, text: siskin.task });
      const asked = await phone.waitFor(threadId, (e) => e.type === "approval-requested");
      assert.ok(asked.type === "approval-requested");
      assert.equal(asked.computerRule, siskin.rule);
      const toast = await desk.notification({ contains: siskin.command });
      assert.match(toast, /You chose Auto-edit: commands need your OK\./);
      // Short words on the toast's buttons, each shown whole (VS Code cuts long ones to "Ap…").
      const buttons = await desk.notificationButtons({ contains: siskin.command });
      assert.deepEqual(
        buttons.map((b) => b.label),
        ["Approve", "Always for this task", "Deny", "More…"],
      );
      assert.deepEqual(
        buttons.filter((b) => b.cut).map((b) => b.label),
        [],
        "buttons cut short",
      );

      await phone.send({ type: "decide", threadId, approvalId: asked.approvalId, decision: "approve-on-computer" });
      const end = await phone.waitFor(threadId, ended);
      assert.equal(end.type === "status" && end.status, "done", "the run went on: adding the rule restarted nothing");
      const said = await desk.notification({ contains: "now runs without asking" });
      assert.match(said, new RegExp(`\`${siskin.rule}\` now runs without asking on this computer \\(chosen on ${PHONE}\\)`));
      assert.match(said, /Undo/);
      assert.deepEqual(config().inspect<string[]>("policy.allow")?.globalValue, [...(before ?? []), siskin.rule]);

      // The next `ls` in another task runs without asking.
      const again = randomId(12);
      await phone.send({ type: "new-task", threadId: again, text: siskin.task });
      const next = await phone.waitFor(again, ended);
      assert.equal(next.type === "status" && next.status, "done");
      assert.ok(!phone.events(again).some((o) => o.event.type === "approval-requested"), "the second task did not ask");
    } finally {
      await config().update("policy.allow", before, vscode.ConfigurationTarget.Global);
    }
  });

  it("runs a task started with Tether: New Task", async () => {
    // With a text (a keybinding's `args`) the command starts the task at once and answers its id.
    const threadId = await vscode.commands.executeCommand<string | undefined>("tether.newTask", summarise.task);
    assert.ok(threadId, "Tether: New Task started no task");
    const end = await phone.waitFor(threadId, ended);
    assert.equal(end.type === "status" && end.status, "done", JSON.stringify(end));

    const events = phone.events(threadId).map((o) => o.event);
    const task = events.find((e) => e.type === "task");
    assert.equal(task?.type === "task" && task.by.name, vscode.env.appName, "the task came from the editor");
    // The model got the README's text from the workspace and said so.
    assert.deepEqual(
      events.filter((e) => e.type === "summary").map((e) => e.type === "summary" && e.text),
      [summarise.found],
    );
  });

  it("asks in VS Code before an edit that writes a token, in auto-edit, with the finding redacted", async () => {
    const threadId = randomId(12);
    await phone.send({ type: "new-task", threadId, text: robin.task });
    const asked = await phone.waitFor(threadId, (e) => e.type === "approval-requested");
    assert.ok(asked.type === "approval-requested");
    assert.equal(asked.rule, "secret scan");
    const toast = await desk.notification({ contains: robin.file });
    assert.ok(toast.includes(robin.why), toast);
    assert.ok(!toast.includes(robin.content.slice(24, 50)), "the editor shows the token");
    assert.equal(existsSync(join(root, robin.file)), false, "written before anyone decided");
    await phone.send({ type: "decide", threadId, approvalId: asked.approvalId, decision: "deny" });
    const end = await phone.waitFor(threadId, ended);
    assert.equal(end.type === "status" && end.status, "done", JSON.stringify(end));
    assert.equal(existsSync(join(root, robin.file)), false);
  });

  it("asks in VS Code before a command, takes the phone's approval through the relay, and the command writes the file", async () => {
    const threadId = randomId(12);
    const file = join(root, ledger.file);
    await phone.send({ type: "new-task", threadId, text: ledger.task });

    const asked = await phone.waitFor(threadId, (e) => e.type === "approval-requested");
    assert.equal(asked.type === "approval-requested" && asked.command, ledger.command);
    // The editor asks too, with Approve / Deny / Show, while the command waits.
    const toast = await desk.notification({ contains: ledger.command });
    assert.match(toast, /Approve/);
    assert.match(toast, /Always for this task/);
    assert.equal(existsSync(file), false, "the command ran before anyone approved it");

    assert.ok(asked.type === "approval-requested");
    await phone.send({ type: "decide", threadId, approvalId: asked.approvalId, decision: "approve" });
    const resolved = await phone.waitFor(threadId, (e) => e.type === "approval-resolved");
    assert.equal(resolved.type === "approval-resolved" && resolved.by.name, PHONE);
    const end = await phone.waitFor(threadId, ended);
    assert.equal(end.type === "status" && end.status, "done", JSON.stringify(end));
    assert.equal(readFileSync(file, "utf8"), ledger.content);
    // It ran in the open: a terminal named after the thread shows it.
    assert.ok(
      vscode.window.terminals.some((t) => t.name === `Tether: ${ledger.task.slice(0, 40)}`),
      `no terminal for the thread among ${vscode.window.terminals.map((t) => t.name).join(", ")}`,
    );
  });

  it("Show Changes opens the editor's diff of what a task changed", async () => {
    const threadId = randomId(12);
    const file = join(root, wren.file);
    writeFileSync(file, wren.before);
    await phone.send({ type: "new-task", threadId, text: wren.task, mode: "auto-edit" });
    const end = await phone.waitFor(threadId, ended);
    assert.equal(end.type === "status" && end.status, "done", JSON.stringify(end));
    assert.equal(readFileSync(file, "utf8"), wren.after);

    // As the Threads view's context menu calls it, with the thread's item.
    await vscode.commands.executeCommand("tether.thread.showChanges", { summary: { threadId, title: wren.task } });
    const tabs = vscode.window.tabGroups.all.flatMap((group) => group.tabs);
    const diff = tabs.find((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.fsPath === file);
    assert.ok(diff, `no diff of ${wren.file} among the tabs: ${tabs.map((t) => t.label).join(", ")}`);
    assert.ok(diff.isActive);
    const input = diff.input as vscode.TabInputTextDiff;
    // The left side is the file before the task touched it, from the thread's checkpoint.
    assert.equal((await vscode.workspace.openTextDocument(input.original)).getText(), wren.before);
    await vscode.window.tabGroups.close(diff);
  });

  it("deletes an ended thread from the Threads view, on the phone too", async () => {
    const threadId = await vscode.commands.executeCommand<string | undefined>("tether.newTask", plover.task);
    assert.ok(threadId);
    await phone.waitFor(threadId, ended);
    const told = new Promise<unknown>((resolve) => phone.socket.once("thread:deleted", resolve));
    const window = vscode.window as unknown as { showWarningMessage: (m: string, ...rest: unknown[]) => Thenable<unknown> };
    const original = window.showWarningMessage;
    const asked: string[] = [];
    // The confirmation is a modal, which VS Code does not open in tests: answered where it opens.
    window.showWarningMessage = (message, ...rest) => {
      asked.push(message);
      return Promise.resolve(rest.includes("Delete") ? "Delete" : undefined);
    };
    try {
      await vscode.commands.executeCommand("tether.thread.delete", { summary: { threadId, title: plover.task } });
    } finally {
      window.showWarningMessage = original;
    }
    assert.deepEqual(asked, [`Delete "${plover.task}"?`]);
    assert.deepEqual(await told, { hostId: phone.hostId, threadId });
    const { summaries, events } = await phone.sync();
    assert.ok(!summaries.some((s) => s.threadId === threadId), "the relay still has its summary");
    assert.ok(!events.some((e) => e.threadId === threadId), "the relay still has its events");
  });
});

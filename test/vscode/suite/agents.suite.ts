// Runs inside VS Code, in the outer test's "acp-agent" phase (test/vscode/agents.vscode.test.ts):
// the person's machine settings name a scripted ACP agent; New Task offers it beside Tether's own
// and the known agents (those not installed with their install command), the task runs with it,
// the agent's permission request comes up as the editor's notification with short buttons, the
// person approves there, and the thread finishes. Then the form offers the agent's models, with
// the agent chosen last, and a change to `tether.agents` reaches the form without a restart.

import assert from "node:assert/strict";
import * as vscode from "vscode";
import { otters } from "../agentScenario";
import { desk, onlyInPhase } from "../support/desk";
import { until } from "../../support/wait";

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const tabs = (): vscode.Tab[] => vscode.window.tabGroups.all.flatMap((group) => group.tabs);
// In the editor tab's form (the sidebar's Task view has its own, when it is open).
const AGENT = '#app:not([data-surface]) [data-testid="task-agent"]';
const TEXT = '[data-testid="new-task"] [data-testid="task-text"]';
const START = '[data-testid="new-task"] button[type="submit"]';

async function activePanel(title: string): Promise<vscode.Tab> {
  const active = (): vscode.Tab | undefined =>
    tabs().find((t) => t.input instanceof vscode.TabInputWebview && t.label === title && t.isActive);
  return until(`an active panel titled "${title}"`, active, 15_000);
}

describe("Tether in VS Code: an outside agent over ACP", function () {
  this.timeout(120_000);
  before(onlyInPhase("acp-agent"));

  it("offers the agents from the settings in New Task, and runs the chosen one", async () => {
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await vscode.commands.executeCommand("workbench.action.closePanel");
    await vscode.commands.executeCommand("tether.newTask");
    await activePanel("New Task");
    // Tether's own is the default; a known agent that is not installed says how to install it.
    assert.deepEqual(await desk.webviewValue({ selector: AGENT }), { value: "tether", text: "Tether" });
    await desk.webviewSelect({ selector: AGENT, value: "codex" });
    await desk.webviewText({
      pattern: String.raw`Codex is not installed on this computer\.\s*Install it with npm install -g @agentclientprotocol/codex-acp`,
    });
    await desk.webviewSelect({ selector: AGENT, value: otters.agent });
    await desk.webviewFill({ selector: TEXT, text: otters.task });
    await desk.webviewClick({ selector: START, hasText: "Start task" });

    // The form became the thread's panel, and its header says which agent runs it.
    await activePanel(otters.task);
    // The thread's header names the agent that runs it (the phone's own header, in the panel).
    await desk.webviewText({ pattern: `${otters.agent}[\\s\\S]*${escape(otters.opening)}` });

    // The agent's permission request, as the editor's notification: short words, none cut.
    const toast = await desk.notification({ contains: otters.command });
    assert.match(toast, /You chose Auto-edit: commands need your OK\./);
    const buttons = await desk.notificationButtons({ contains: otters.command });
    assert.deepEqual(
      buttons.map((b) => b.label),
      ["Approve", "Always for this task", "Deny", "More…"],
    );
    assert.deepEqual(
      buttons.filter((b) => b.cut).map((b) => b.label),
      [],
      `buttons cut short: ${JSON.stringify(buttons)}`,
    );
    await desk.capture({ name: "vscode-acp-agent-asks" });
    await desk.capture({ name: "vscode-acp-agent-toast", selector: ".notification-toast" });
    await desk.notificationClick({ contains: otters.command, button: "Approve" });

    await desk.webviewText({ pattern: `Approved by ${escape(vscode.env.appName)}` });
    await desk.webviewText({ pattern: escape(otters.summary) });
    await desk.webviewWait({ selector: '[data-testid="thread"][data-status="done"]' });
    await vscode.commands.executeCommand("notifications.clearAll");
    await vscode.commands.executeCommand("workbench.action.closePanel");
    await desk.capture({ name: "vscode-acp-agent-thread" });
  });

  it("offers the agent's models next time, with the agent chosen last, and a settings change at once", async () => {
    await vscode.commands.executeCommand("tether.newTask");
    await activePanel("New Task");
    // Remembered for this workspace; its models are known since its session started.
    assert.equal((await desk.webviewValue({ selector: AGENT })).value, otters.agent);
    assert.deepEqual(await desk.webviewValue({ selector: '#app:not([data-surface]) [data-testid="task-agent-model"]' }), {
      value: "",
      text: "Its default",
    });
    await desk.webviewText({ pattern: `${otters.agent}'s model[\\s\\S]*Brook[\\s\\S]*Estuary` });
    await desk.capture({ name: "vscode-acp-agent-new-task" });
    assert.deepEqual(await desk.axe({ selector: '[data-testid="agent-picker"]' }), [], "axe, New Task with the agent's choices");

    const config = (): vscode.WorkspaceConfiguration => vscode.workspace.getConfiguration("tether");
    const before = config().inspect<Record<string, string>>("agents")?.globalValue;
    try {
      // A new agent and a broken entry: the form lists the first at once, the second is said and left out.
      await config().update(
        "agents",
        { ...before, heron: "no-such-heron-agent --acp", "Bad Name": "x --acp" },
        vscode.ConfigurationTarget.Global,
      );
      const warning = await desk.notification({ contains: "Bad Name" });
      assert.match(warning, /tether\.agents "Bad Name": an agent name is lower-case letters/);
      await desk.webviewText({ pattern: String.raw`heron \(not installed\)` });
      assert.doesNotMatch(await desk.webviewText({ pattern: "Agent[\\s\\S]*" }), /Bad Name/);
      // The task that ran is still there: nothing restarted.
      await vscode.commands.executeCommand("tether.threads.focus");
      const rows = await desk.viewRows({ view: "Threads", atLeast: 1 });
      assert.ok(
        rows.some((r) => r.label === otters.task && r.description === "done"),
        JSON.stringify(rows),
      );
    } finally {
      await config().update("agents", before, vscode.ConfigurationTarget.Global);
    }
  });

  it("takes a decision from the panel's card as the agent's own option of its kind", async () => {
    await vscode.commands.executeCommand("workbench.action.closeAllEditors");
    await vscode.commands.executeCommand("tether.newTask");
    await activePanel("New Task");
    await desk.webviewFill({ selector: TEXT, text: otters.again });
    await desk.webviewClick({ selector: START, hasText: "Start task" });
    await activePanel(otters.again);
    await desk.notification({ contains: otters.command });
    await vscode.commands.executeCommand("notifications.clearAll");
    // The card offers the agent's own choices, by kind: its "reject once".
    await desk.webviewClick({ selector: '[data-testid="agent-option"][data-kind="reject_once"]' });
    await desk.webviewText({ pattern: `Denied by ${escape(vscode.env.appName)}` });
    await desk.webviewText({ pattern: escape(otters.refused) });
    await desk.webviewWait({ selector: '[data-testid="thread"][data-status="done"]' });
  });
});

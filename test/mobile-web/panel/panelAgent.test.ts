// The editor's New Task with an outside agent: the form's message carries the agents and the
// remembered choice, the task goes with the agent, its mode and its model, a retry runs with the
// agent its task had, and the extension keeps the choice per workspace.

import assert from "node:assert/strict";
import type { AgentInfo, Command } from "#protocol";
import { nextView, taskAgentOf, withAgent, LOADING } from "../../../mobile-web/src/panel/panelModel";
import { offeredChoice, rememberChoice, type ChoiceMemory } from "../../../extension/vscode/agentChoice";

const AGENTS: AgentInfo[] = [
  { id: "tether", name: "Tether", installed: true },
  { id: "claude", name: "Claude Code", installed: false, install: "npm install -g @agentclientprotocol/claude-agent-acp" },
  { id: "mine", name: "mine", installed: true, modes: [{ id: "plan", name: "Plan" }], models: [{ id: "m2", name: "M2" }] },
];

const task = (extra: Partial<Extract<Command, { type: "new-task" }>> = {}): Command => ({
  type: "new-task",
  threadId: "t1",
  text: "tidy the notes",
  mode: "ask",
  model: "gpt-4.1",
  ...extra,
});

function memory(): ChoiceMemory & { kept: Map<string, unknown> } {
  const kept = new Map<string, unknown>();
  return { kept, get: (k) => kept.get(k), update: async (k, v) => void kept.set(k, v) };
}

describe("the editor's New Task with an agent", () => {
  it("shows the agents and the choice the extension offers", () => {
    const view = nextView(LOADING, {
      type: "new-task",
      workspace: "notes",
      mode: "ask",
      agents: AGENTS,
      chosen: { agent: "mine", agentMode: "plan" },
    });
    assert.equal(view.kind, "new-task");
    assert.deepEqual(view.kind === "new-task" && view.agents?.map((a) => a.id), ["tether", "claude", "mine"]);
    assert.deepEqual(view.kind === "new-task" && view.chosen, { agent: "mine", agentMode: "plan" });
  });

  it("sends an outside agent with its mode and its own model, not Tether's", () => {
    assert.deepEqual(withAgent(task(), { agent: "mine", agentMode: "plan", model: "m2" }), {
      ...task(),
      agent: "mine",
      agentMode: "plan",
      model: "m2",
    });
    const { model: _dropped, ...bare } = task() as Extract<Command, { type: "new-task" }>;
    assert.deepEqual(withAgent(task(), { agent: "mine" }), { ...bare, agent: "mine" });
    // Tether's own keeps the form's model and takes no agent mode.
    assert.deepEqual(withAgent(task(), { agent: "tether", agentMode: "plan" }), { ...task(), agent: "tether" });
    // Nothing chosen (no picker): the host's default agent.
    assert.deepEqual(withAgent(task(), null), task());
    const attach: Command = { type: "attach", threadId: "t1", name: "a.txt", mime: "text/plain", data: "" };
    assert.deepEqual(withAgent(attach, { agent: "mine" }), attach);
  });

  it("retries with the agent and mode the task ran with", () => {
    const events = [
      {
        seq: 1,
        event: {
          type: "task" as const,
          at: 1,
          text: "tidy",
          mode: "ask" as const,
          model: "mine",
          by: { id: "editor", name: "Code" },
          agent: { id: "mine", name: "mine" },
          agentMode: "plan",
        },
      },
    ];
    assert.deepEqual(taskAgentOf(events as never), { agent: "mine", agentMode: "plan" });
    assert.equal(taskAgentOf([]), null);
  });

  it("remembers the last choice in the workspace, and offers the host's default when that agent is gone", async () => {
    const kept = memory();
    assert.deepEqual(offeredChoice(kept, AGENTS, "claude"), { agent: "claude" });
    assert.deepEqual(offeredChoice(kept, AGENTS, "gone"), { agent: "tether" });
    await rememberChoice(kept, task({ agent: "mine", agentMode: "plan", model: "m2" }), "tether");
    assert.deepEqual(offeredChoice(kept, AGENTS, "claude"), { agent: "mine", agentMode: "plan", model: "m2" });
    // The settings no longer name it: the default again.
    assert.deepEqual(offeredChoice(kept, AGENTS.slice(0, 2), "claude"), { agent: "claude" });
    // Tether's own model is the editor's setting, not remembered here; a retry changes nothing.
    await rememberChoice(kept, task(), "tether");
    assert.deepEqual(kept.kept.get("tether.taskAgent"), { agent: "tether" });
    await rememberChoice(kept, task({ agent: "mine", retryOf: "t0" }), "tether");
    assert.deepEqual(kept.kept.get("tether.taskAgent"), { agent: "tether" });
    // Whatever else the state holds is not taken for a choice.
    kept.kept.set("tether.taskAgent", { agent: "Not An Id" });
    assert.deepEqual(offeredChoice(kept, AGENTS, "tether"), { agent: "tether" });
  });
});

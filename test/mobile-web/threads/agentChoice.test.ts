import assert from "node:assert/strict";
import type { AgentInfo, ThreadEvent } from "#protocol";
import { readAgentChoice, saveAgentChoice, startingAgent } from "../../../mobile-web/src/threads/agentChoice";
import { retryTask } from "../../../mobile-web/src/threads/retry";
import { taskCommands } from "../../../mobile-web/src/threads/taskCommands";

function memory(): Pick<Storage, "getItem" | "setItem" | "removeItem"> {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

const agents: AgentInfo[] = [
  { id: "tether", name: "Tether", installed: true },
  { id: "claude", name: "Claude Code", installed: true },
  { id: "gemini", name: "Gemini CLI", installed: false, install: "npm i -g @google/gemini-cli" },
];

describe("the new-task form's agent", () => {
  it("starts on the agent chosen on that computer before, per computer", () => {
    const storage = memory();
    saveAgentChoice(storage, "laptop", "claude");
    assert.equal(readAgentChoice(storage, "laptop"), "claude");
    assert.equal(readAgentChoice(storage, "desk"), null);
    assert.equal(startingAgent(agents, readAgentChoice(storage, "laptop"), "tether")?.id, "claude");
    assert.equal(startingAgent(agents, readAgentChoice(storage, "desk"), "gemini")?.id, "gemini");
  });

  it("falls back to the computer's default, then the first, when the remembered one is gone", () => {
    assert.equal(startingAgent(agents, "codex", "claude")?.id, "claude");
    assert.equal(startingAgent(agents, "codex", undefined)?.id, "tether");
    assert.equal(startingAgent([], "codex", undefined), undefined);
  });

  it("sends the agent, its model and its mode on the new-task command", () => {
    const commands = taskCommands("thread-0001", {
      text: "Fix it",
      mode: "ask",
      model: "opus",
      agent: "claude",
      agentMode: "plan",
      attachments: [],
    });
    assert.deepEqual(commands, [
      {
        type: "new-task",
        threadId: "thread-0001",
        text: "Fix it",
        mode: "ask",
        model: "opus",
        agent: "claude",
        agentMode: "plan",
      },
    ]);
  });

  it("retries an outside agent's task with the same agent and mode", () => {
    const task: ThreadEvent = {
      at: 1,
      type: "task",
      text: "Fix it",
      title: "Fix it",
      workspace: "w",
      mode: "ask",
      model: "",
      by: { id: "p", name: "Pixel" },
      agent: { id: "claude", name: "Claude Code" },
      agentMode: "plan",
    };
    const retry = retryTask([{ seq: 1, event: task }]);
    assert.equal(retry?.agent, "claude");
    assert.equal(retry?.agentMode, "plan");
  });
});

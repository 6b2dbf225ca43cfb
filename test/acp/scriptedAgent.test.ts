// The scripted ACP agent that Tether's host tests stand in for Claude Code, Codex and Gemini CLI:
// proven here against the SDK's own client side over a real child process, so a host test that
// fails against it fails because of the host, not because the agent did not do what its script
// said. Each describe starts one child and plays several turns on it.

import assert from "node:assert/strict";
import type { SessionUpdate } from "@agentclientprotocol/sdk";
import { CWD, codeOf, newSession, ofKind, prompt, textOf, withAgent } from "../support/acpAgent/harness";
import { exchange, step } from "../support/acpAgent/script";

const EVERY_UPDATE: SessionUpdate[] = [
  { sessionUpdate: "user_message_chunk", content: { type: "text", text: "echoed prompt" } },
  { sessionUpdate: "agent_thought_chunk", content: { type: "text", text: "thinking" } },
  { sessionUpdate: "agent_message_chunk", content: { type: "text", text: "hello" } },
  { sessionUpdate: "plan", entries: [{ content: "edit a.ts", priority: "high", status: "pending" }] },
  {
    sessionUpdate: "tool_call",
    toolCallId: "t1",
    title: "Edit a.ts",
    kind: "edit",
    status: "pending",
    locations: [{ path: "/work/project/a.ts" }],
  },
  {
    sessionUpdate: "tool_call_update",
    toolCallId: "t1",
    status: "completed",
    content: [
      { type: "content", content: { type: "text", text: "done" } },
      { type: "diff", path: "/work/project/a.ts", oldText: "a", newText: "b" },
      { type: "terminal", terminalId: "term-9" },
    ],
  },
  {
    sessionUpdate: "available_commands_update",
    availableCommands: [{ name: "review", description: "Review", input: { hint: "what" } }],
  },
  { sessionUpdate: "current_mode_update", currentModeId: "code" },
  { sessionUpdate: "session_info_update", title: "Fix a.ts" },
  { sessionUpdate: "usage_update", used: 1200, size: 200000, cost: { amount: 0.01, currency: "USD" } },
];

describe("scripted ACP agent: initialize, updates, modes and options", function () {
  const modelOption = {
    type: "select" as const,
    id: "model",
    name: "Model",
    category: "model",
    currentValue: "fast",
    options: [
      { value: "fast", name: "Fast" },
      { value: "smart", name: "Smart" },
    ],
  };
  const modeOption = {
    type: "select" as const,
    id: "mode",
    name: "Mode",
    category: "mode",
    currentValue: "ask",
    options: [
      { value: "ask", name: "Ask" },
      { value: "code", name: "Code" },
    ],
  };
  const live = withAgent({
    initialize: {
      agentCapabilities: {
        loadSession: true,
        sessionCapabilities: { list: {} },
        promptCapabilities: { image: true, embeddedContext: true },
      },
      authMethods: [{ id: "token", name: "Token" }],
    },
    sessionIds: ["s-main"],
    modes: {
      currentModeId: "ask",
      availableModes: [
        { id: "ask", name: "Ask" },
        { id: "code", name: "Code" },
      ],
    },
    configOptions: [modelOption, modeOption],
    turns: [
      [
        ...EVERY_UPDATE.map(step.update),
        step.update({
          sessionUpdate: "config_option_update",
          configOptions: [
            { ...modelOption, currentValue: "smart" },
            { ...modeOption, currentValue: "code" },
          ],
        }),
      ],
      [step.say("partial"), step.stop("max_tokens")],
      [step.stop("refusal")],
    ],
  });

  it("answers initialize with the script's version, capabilities and auth methods, and records the call", async function () {
    const records = live.agent.records();
    const init = ofKind(records, "reply").find((r) => r.method === "initialize");
    assert.deepEqual(init?.result, {
      protocolVersion: 1,
      agentCapabilities: {
        loadSession: true,
        sessionCapabilities: { list: {} },
        promptCapabilities: { image: true, embeddedContext: true },
      },
      authMethods: [{ id: "token", name: "Token" }],
      agentInfo: { name: "scripted-agent", version: "1.0.0" },
    });
    // Params are recorded as the SDK parsed them, defaults filled in.
    const request = ofKind(records, "request").find((r) => r.method === "initialize");
    const { fs, terminal } = (request?.params as { clientCapabilities: { fs: unknown; terminal: unknown } }).clientCapabilities;
    assert.deepEqual({ fs, terminal }, { fs: { readTextFile: true, writeTextFile: true }, terminal: true });
  });

  it("opens a session with the script's id, modes and config options", async function () {
    const session = await newSession(live.client);
    assert.equal(session.sessionId, "s-main");
    assert.equal(session.modes?.currentModeId, "ask");
    assert.deepEqual(
      session.configOptions?.map((o) => [o.id, o.currentValue]),
      [
        ["model", "fast"],
        ["mode", "ask"],
      ],
    );
  });

  it("sends every kind of session/update in order, then ends the turn", async function () {
    const from = live.client.notifications.length;
    const answer = await prompt(live.client, "s-main", "fix a.ts");
    assert.equal(answer.stopReason, "end_turn");
    const got = await live.client
      .waitForUpdate((u) => u.sessionUpdate === "config_option_update", from)
      .then(() => live.client.updates("s-main", from));
    assert.deepEqual(got.slice(0, EVERY_UPDATE.length), EVERY_UPDATE);
    assert.deepEqual(got.map((u) => u.sessionUpdate).slice(EVERY_UPDATE.length), ["config_option_update"]);
    const asked = ofKind(live.agent.records(), "request").find((r) => r.method === "session/prompt");
    assert.deepEqual(asked?.params, { sessionId: "s-main", prompt: [{ type: "text", text: "fix a.ts" }] });
  });

  it("ends later turns with the stop reason the script gives", async function () {
    assert.equal((await prompt(live.client, "s-main", "more")).stopReason, "max_tokens");
    assert.equal((await prompt(live.client, "s-main", "again")).stopReason, "refusal");
    assert.deepEqual(
      ofKind(live.agent.records(), "turn").map((t) => t.stopReason),
      ["end_turn", "max_tokens", "refusal"],
    );
  });

  it("sets a config option and answers with every option; a value it does not offer is refused", async function () {
    const answer = await live.client.agent.request("session/set_config_option", {
      sessionId: "s-main",
      configId: "model",
      value: "fast",
    });
    assert.deepEqual(
      answer.configOptions.map((o) => [o.id, o.currentValue]),
      [
        ["model", "fast"],
        ["mode", "code"],
      ],
    );
    const code = await codeOf(
      live.client.agent.request("session/set_config_option", { sessionId: "s-main", configId: "model", value: "huge" }),
    );
    assert.equal(code, -32602);
  });

  it("keeps the mode and the mode option in step, telling the client of the one it did not set", async function () {
    const from = live.client.notifications.length;
    await live.client.agent.request("session/set_config_option", { sessionId: "s-main", configId: "mode", value: "ask" });
    await live.client.waitForUpdate((u) => u.sessionUpdate === "current_mode_update" && u.currentModeId === "ask", from);
    const from2 = live.client.notifications.length;
    await live.client.agent.request("session/set_mode", { sessionId: "s-main", modeId: "code" });
    const update = await live.client.waitForUpdate((u) => u.sessionUpdate === "config_option_update", from2);
    assert.equal(
      update.sessionUpdate === "config_option_update" && update.configOptions.find((o) => o.id === "mode")?.currentValue,
      "code",
    );
    assert.equal(await codeOf(live.client.agent.request("session/set_mode", { sessionId: "s-main", modeId: "yolo" })), -32602);
  });

  it("refuses a prompt past the script's last turn, and a session it never opened", async function () {
    assert.equal(await codeOf(prompt(live.client, "s-main", "one too many")), -32603);
    assert.equal(await codeOf(prompt(live.client, "nope", "hi")), -32002);
  });
});

describe("scripted ACP agent: load and list", function () {
  const live = withAgent({
    initialize: { agentCapabilities: { loadSession: true, sessionCapabilities: { list: {} } } },
    sessions: [
      { sessionId: "old-1", cwd: CWD, title: "Earlier work" },
      { sessionId: "old-2", cwd: "/elsewhere" },
    ],
    history: { "old-1": [...exchange("first question", "first answer"), ...exchange("second question", "second answer")] },
    turns: [[step.think("hmm"), step.say("fresh answer")]],
  });

  it("lists the script's sessions, filtered by cwd", async function () {
    const all = await live.client.agent.request("session/list", {});
    assert.deepEqual(
      all.sessions.map((s) => s.sessionId),
      ["old-1", "old-2"],
    );
    const here = await live.client.agent.request("session/list", { cwd: CWD });
    assert.deepEqual(here.sessions, [{ sessionId: "old-1", cwd: CWD, title: "Earlier work" }]);
  });

  it("replays an earlier conversation before it answers session/load", async function () {
    const from = live.client.notifications.length;
    await live.client.agent.request("session/load", { sessionId: "old-1", cwd: CWD, mcpServers: [] });
    const replayed = live.client.updates("old-1", from);
    assert.deepEqual(
      replayed.map((u) => [u.sessionUpdate, textOf(u)]),
      [
        ["user_message_chunk", "first question"],
        ["agent_message_chunk", "first answer"],
        ["user_message_chunk", "second question"],
        ["agent_message_chunk", "second answer"],
      ],
    );
  });

  it("replays a session played in this process: the prompt and what the agent said", async function () {
    const { sessionId } = await newSession(live.client);
    await prompt(live.client, sessionId, "new question");
    const from = live.client.notifications.length;
    await live.client.agent.request("session/load", { sessionId, cwd: CWD, mcpServers: [] });
    assert.deepEqual(
      live.client.updates(sessionId, from).map((u) => [u.sessionUpdate, textOf(u)]),
      [
        ["user_message_chunk", "new question"],
        ["agent_thought_chunk", "hmm"],
        ["agent_message_chunk", "fresh answer"],
      ],
    );
  });

  it("answers a load of a session it does not know with resource not found", async function () {
    assert.equal(
      await codeOf(live.client.agent.request("session/load", { sessionId: "ghost", cwd: CWD, mcpServers: [] })),
      -32002,
    );
  });
});

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { step } from "../../support/acpAgent/script";
import {
  alive,
  ended,
  eventsOf,
  pendingApproval,
  phone,
  promptText,
  requests,
  said,
  scriptedDefinition,
  scriptedModels as configOptions,
  scriptedModes as modes,
  send,
  startAcpHost,
  tempFolder,
  threadId,
} from "../../support/acpHost";
import { Cleanup } from "../../support/cleanup";
import { until } from "../../support/wait";

describe("an outside agent's session across messages and modes", function () {
  this.timeout(60_000);
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  it("sends a message that came during a turn as the next prompt, once, and a later one to the same process", async () => {
    const { definition, agent } = scriptedDefinition(
      {
        modes,
        turns: [
          [
            step.permission({ toolCallId: "w", title: "Run make", kind: "execute", rawInput: { command: "make" } }),
            step.say("one"),
          ],
          [step.say("two")],
          [step.say("three")],
        ],
      },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "first", agent: "scripted" }, phone);
    const ask = await pendingApproval(host, id);
    host.manager.message(id, "second", phone);
    await host.manager.handle({ type: "decide", threadId: id, approvalId: ask.approvalId, decision: "approve" }, phone);
    assert.equal(await ended(host, id), "done");
    assert.deepEqual(requests(agent.recordPath, "session/prompt").map(promptText), ["first", "second"]);
    assert.deepEqual(said(eventsOf(host, id)), ["one", "two"]);
    const pid = host.agents.live(id)?.process.pid;
    assert.ok(pid);

    await send(host, id, "third");
    assert.deepEqual(requests(agent.recordPath, "session/prompt").map(promptText), ["first", "second", "third"]);
    assert.equal(host.agents.live(id)?.process.pid, pid);
    assert.equal(requests(agent.recordPath, "session/new").length, 1);
    assert.equal(requests(agent.recordPath, "initialize").length, 1);
  });

  it("a message that comes as a turn ends is not lost, and the next run gets the session to itself", async () => {
    const folder = tempFolder(cleanup);
    writeFileSync(join(folder, "n.txt"), "note");
    const { definition, agent } = scriptedDefinition(
      { turns: [[step.say("one")], [step.say("two"), step.read(join(folder, "n.txt"), { echo: true })]] },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition], folder });
    const id = threadId();
    // The moment the first run says "done" (it is still closing up), a message comes.
    let sent = false;
    host.manager.on("event", (thread, numbered) => {
      if (thread.id !== id || sent || numbered.event.type !== "status" || numbered.event.status !== "done") return;
      sent = true;
      host.manager.message(id, "again", phone);
    });
    host.manager.newTask({ threadId: id, text: "first", agent: "scripted" }, phone);
    await until("the second run to end", () => {
      const endings = eventsOf(host, id).filter((e) => e.type === "status" && e.status === "done").length;
      return endings >= 2 && !host.manager.busy;
    });
    assert.equal(host.manager.get(id)?.status, "done");
    assert.deepEqual(said(eventsOf(host, id)), ["one", "twonote"]);
    assert.deepEqual(requests(agent.recordPath, "session/prompt").map(promptText), ["first", "again"]);
  });

  it("keeps the mode within the host's ceiling, and sets the model", async () => {
    const { definition, agent } = scriptedDefinition({ modes, configOptions, turns: [[step.say("hi")]] }, cleanup);
    const host = await startAcpHost({ cleanup, definitions: [definition], mode: "full-auto" });
    const asking = threadId();
    host.manager.newTask({ threadId: asking, text: "go", agent: "scripted", mode: "ask" }, phone);
    assert.equal(await ended(host, asking), "done");
    const state = eventsOf(host, asking).find((e) => e.type === "agent-state");
    assert.equal(state?.type === "agent-state" && state.mode, "default");
    assert.deepEqual(state?.type === "agent-state" && state.modes?.map((m) => m.id), ["default"]);
    await assert.rejects(
      host.manager.handle({ type: "agent-mode", threadId: asking, mode: "yolo" }, phone),
      /cannot switch to "yolo"/,
    );
    assert.equal(requests(agent.recordPath, "session/set_mode").length, 0);
    await assert.rejects(
      host.manager.handle({ type: "agent-option", threadId: asking, option: "model", value: "huge" }, phone),
      /not one of Model's values/,
    );
    await host.manager.handle({ type: "agent-option", threadId: asking, option: "model", value: "large" }, phone);
    const set = requests(agent.recordPath, "session/set_config_option");
    assert.deepEqual(
      set.map((r) => (r.params as { value: string }).value),
      ["large"],
    );
    const last = eventsOf(host, asking)
      .filter((e) => e.type === "agent-state")
      .at(-1);
    assert.equal(last?.type === "agent-state" && last.options?.[0]?.value, "large");

    // The same host in full-auto: an unasked mode is allowed.
    const { definition: second, agent: secondAgent } = scriptedDefinition(
      { modes, configOptions, turns: [[step.say("hi")]] },
      cleanup,
      { id: "second", name: "Second" },
    );
    const full = await startAcpHost({ cleanup, definitions: [second], mode: "full-auto", folder: host.folder });
    const auto = threadId();
    full.manager.newTask({ threadId: auto, text: "go", agent: "second", agentMode: "yolo" }, phone);
    assert.equal(await ended(full, auto), "done");
    const modesSet = requests(secondAgent.recordPath, "session/set_mode").map((r) => (r.params as { modeId: string }).modeId);
    assert.deepEqual(modesSet, ["yolo"]);
    await full.manager.handle({ type: "agent-mode", threadId: auto, mode: "default" }, phone);
    assert.equal(full.agents.live(auto)?.mode, "default");
  });

  it("starts on the model a task names, tells phones what the agent offers, and ends a session left idle", async () => {
    const { definition, agent } = scriptedDefinition({ modes, configOptions, turns: [[step.say("hi")]] }, cleanup);
    const host = await startAcpHost({ cleanup, definitions: [definition], idleMs: 300 });
    let changed = 0;
    host.agents.onChange(() => changed++);
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "go", agent: "scripted", model: "large" }, phone);
    assert.equal(await ended(host, id), "done");
    const set = requests(agent.recordPath, "session/set_config_option").map((r) => r.params);
    assert.deepEqual(set, [{ sessionId: "session-1", configId: "model", value: "large" }]);
    const listed = host.agents.list().find((a) => a.id === "scripted");
    assert.deepEqual(
      listed?.modes?.map((m) => m.id),
      ["default"],
    );
    assert.deepEqual(
      listed?.models?.map((m) => m.id),
      ["small", "large"],
    );
    assert.ok(changed >= 1);
    const pid = host.agents.live(id)!.process.pid!;
    await until("the idle session to end", () => host.agents.live(id) === undefined);
    await until("its process to end", () => !alive(pid));
  });

  it("puts an agent that switches itself to an unasked mode back in its asking mode", async () => {
    const { definition, agent } = scriptedDefinition(
      { modes, turns: [[step.update({ sessionUpdate: "current_mode_update", currentModeId: "yolo" }), step.say("hi")]] },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "go", agent: "scripted" }, phone);
    assert.equal(await ended(host, id), "done");
    // It started in "default" already: the one switch is the one back.
    await until("the mode to be set back", () => requests(agent.recordPath, "session/set_mode").length > 0);
    assert.deepEqual(
      requests(agent.recordPath, "session/set_mode").map((r) => (r.params as { modeId: string }).modeId),
      ["default"],
    );
    // The phone hears of it once the agent has answered.
    await until("the phone to be told", () => {
      const states = eventsOf(host, id).flatMap((e) => (e.type === "agent-state" && e.mode ? [e.mode] : []));
      return states.at(-1) === "default" && states.includes("yolo");
    });
    assert.equal(host.agents.live(id)?.mode, "default");
  });

  it("refuses a task in an unasked mode when the host is not full-auto", async () => {
    const { definition, agent } = scriptedDefinition({ modes, turns: [[step.say("hi")]] }, cleanup);
    const host = await startAcpHost({ cleanup, definitions: [definition], mode: "auto-edit" });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "go", agent: "scripted", agentMode: "yolo" }, phone);
    assert.equal(await ended(host, id), "failed");
    const error = eventsOf(host, id).find((e) => e.type === "error");
    assert.match(error?.type === "error" ? error.message : "", /full-auto/);
    assert.equal(requests(agent.recordPath, "session/prompt").length, 0);
  });

  it("runs a task that names no agent with the host's default, and Tether's own when asked for", async () => {
    const { definition, agent } = scriptedDefinition({ turns: [[step.say("from the default")]] }, cleanup);
    const host = await startAcpHost({ cleanup, definitions: [definition], defaultAgent: "scripted" });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "go" }, phone);
    assert.equal(await ended(host, id), "done");
    assert.deepEqual(said(eventsOf(host, id)), ["from the default"]);
    const task = eventsOf(host, id)[0];
    assert.deepEqual(task?.type === "task" && task.agent, { id: "scripted", name: "Scripted" });
    const own = threadId();
    host.manager.newTask({ threadId: own, text: "go", agent: "tether" }, phone);
    assert.equal(await ended(host, own), "failed");
    const error = eventsOf(host, own).find((e) => e.type === "error");
    assert.match(error?.type === "error" ? error.message : "", /no model in these tests/);
    assert.equal(requests(agent.recordPath, "session/prompt").length, 1);
  });
});

import assert from "node:assert/strict";
import { readRecords } from "../../support/acpAgent/launch";
import { exchange, step, type AgentScript } from "../../support/acpAgent/script";
import {
  ended,
  eventsOf,
  phone,
  promptText,
  requests,
  said,
  scriptedDefinition,
  scriptedModes as modes,
  send,
  startAcpHost,
  tempFolder,
  threadId,
} from "../../support/acpHost";
import { Cleanup } from "../../support/cleanup";
import { until } from "../../support/wait";

describe("an outside agent's session after its process ended", function () {
  this.timeout(60_000);
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  it("continues a thread after the host restarted with session/load, without recording the replay again", async () => {
    const script: AgentScript = {
      initialize: { agentCapabilities: { loadSession: true } },
      sessionIds: ["sess-a"],
      history: {
        "sess-a": [
          ...Array.from({ length: 40 }, (_, n) => exchange(`q${n}`, `a${n}`)).flat(),
          ...exchange("first", "answer one"),
        ],
      },
      // The agent's own default runs tools unasked: a loaded session starts there too.
      modes: { ...modes!, currentModeId: "yolo" },
      turns: [[step.say("answer one")], [step.say("answer two")]],
    };
    const { definition, agent } = scriptedDefinition(script, cleanup);
    const folder = tempFolder(cleanup);
    const stateDir = tempFolder(cleanup, "state");
    const before = await startAcpHost({ cleanup, definitions: [definition], folder, stateDir });
    const id = threadId();
    before.manager.newTask({ threadId: id, text: "first", agent: "scripted" }, phone);
    assert.equal(await ended(before, id), "done");
    await before.close();

    // The new process plays the script from its start: its first turn is the restarted thread's.
    const after2 = scriptedDefinition({ ...script, turns: [[step.say("answer two")]] }, cleanup);
    const restarted = await startAcpHost({
      cleanup,
      definitions: [{ ...after2.definition, env: { ...after2.definition.env, TETHER_ACP_RECORD: agent.recordPath } }],
      folder,
      stateDir,
    });
    await send(restarted, id, "second");
    assert.equal(restarted.manager.get(id)?.status, "done");
    const loads = requests(agent.recordPath, "session/load");
    assert.deepEqual(
      loads.map((r) => (r.params as { sessionId: string }).sessionId),
      ["sess-a"],
    );
    assert.deepEqual(requests(agent.recordPath, "session/prompt").map(promptText), ["first", "second"]);
    assert.deepEqual(said(eventsOf(restarted, id)), ["answer one", "answer two"]);
    // Each process was put in the asking mode before it was prompted.
    const records = readRecords(agent.recordPath).filter((r) => r.kind === "request");
    assert.deepEqual(
      records.flatMap((r) =>
        r.kind === "request" && ["session/set_mode", "session/prompt"].includes(r.method)
          ? [r.method === "session/prompt" ? "prompt" : (r.params as { modeId: string }).modeId]
          : [],
      ),
      ["default", "prompt", "default", "prompt"],
    );
    assert.equal(restarted.agents.live(id)?.mode, "default");
  });

  it("loads the session in a new process when the agent's process ended while the thread sat idle", async () => {
    const { definition, agent } = scriptedDefinition(
      {
        initialize: { agentCapabilities: { loadSession: true } },
        sessionIds: ["sess-k"],
        history: { "sess-k": exchange("first", "reply") },
        turns: [[step.say("reply")]],
      },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "first", agent: "scripted" }, phone);
    assert.equal(await ended(host, id), "done");
    const pid = host.agents.live(id)!.process.pid!;
    process.kill(pid, "SIGKILL");
    await until("the idle session to be dropped", () => host.agents.live(id) === undefined);
    await send(host, id, "second");
    assert.equal(host.manager.get(id)?.status, "done");
    assert.deepEqual(said(eventsOf(host, id)), ["reply", "reply"]);
    assert.equal(requests(agent.recordPath, "initialize").length, 2);
    assert.deepEqual(
      requests(agent.recordPath, "session/load").map((r) => (r.params as { sessionId: string }).sessionId),
      ["sess-k"],
    );
  });

  it("fails a thread it cannot continue after a restart when the agent cannot load sessions", async () => {
    const { definition } = scriptedDefinition({ turns: [[step.say("one")], [step.say("two")]] }, cleanup);
    const folder = tempFolder(cleanup);
    const stateDir = tempFolder(cleanup, "state");
    const before = await startAcpHost({ cleanup, definitions: [definition], folder, stateDir });
    const id = threadId();
    before.manager.newTask({ threadId: id, text: "first", agent: "scripted" }, phone);
    assert.equal(await ended(before, id), "done");
    await before.close();
    const restarted = await startAcpHost({ cleanup, definitions: [definition], folder, stateDir });
    await send(restarted, id, "second");
    assert.equal(restarted.manager.get(id)?.status, "failed");
    const error = eventsOf(restarted, id).findLast((e) => e.type === "error");
    assert.match(error?.type === "error" ? error.message : "", /Scripted cannot load an earlier session.*cannot continue/s);
  });
});

import assert from "node:assert/strict";
import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ThreadEvent } from "#protocol";
import { readRecords } from "../../support/acpAgent/launch";
import { exchange, step, type AgentRecord, type AgentScript } from "../../support/acpAgent/script";
import {
  alive,
  ended,
  eventsOf,
  pendingApproval,
  phone,
  scriptedDefinition,
  startAcpHost,
  tempFolder,
  threadId,
  type AcpHost,
} from "../../support/acpHost";
import { until } from "../../support/wait";
import { Cleanup } from "../../support/cleanup";

type Request = Extract<AgentRecord, { kind: "request" }>;
const requests = (path: string, method: string): Request[] =>
  readRecords(path).filter((r): r is Request => r.kind === "request" && r.method === method);
const promptText = (r: Request): string =>
  (r.params as { prompt: { type: string; text?: string }[] }).prompt.map((p) => p.text ?? "").join("");
const said = (events: ThreadEvent[]): string[] => events.flatMap((e) => (e.type === "assistant-text" ? [e.text] : []));

const modes: AgentScript["modes"] = {
  currentModeId: "default",
  availableModes: [
    { id: "default", name: "Ask first" },
    { id: "yolo", name: "Run everything" },
  ],
};
const configOptions: AgentScript["configOptions"] = [
  {
    type: "select",
    id: "model",
    name: "Model",
    category: "model",
    currentValue: "small",
    options: [
      { value: "small", name: "Small" },
      { value: "large", name: "Large" },
    ],
  },
];

describe("an outside agent's session across messages, modes and restarts", function () {
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

  it("fails with the login an agent needs, and the agent list says so", async () => {
    const { definition } = scriptedDefinition(
      {
        authRequired: true,
        initialize: { authMethods: [{ id: "browser", name: "Log in with a browser", description: "opens a page" }] },
        turns: [],
      },
      cleanup,
      { login: "run `scripted login` once" },
    );
    const host = await startAcpHost({ cleanup, definitions: [definition] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "go", agent: "scripted" }, phone);
    assert.equal(await ended(host, id), "failed");
    const error = eventsOf(host, id).find((e) => e.type === "error");
    const message = error?.type === "error" ? error.message : "";
    assert.match(message, /needs a login on test-host/);
    assert.match(message, /scripted login/);
    assert.match(message, /Log in with a browser/);
    const listed = host.agents.list().find((a) => a.id === "scripted");
    assert.match(listed?.login ?? "", /scripted login/);
  });

  it("fails with the agent's last stderr lines when it crashes mid-turn", async () => {
    const { definition } = scriptedDefinition(
      { turns: [[step.say("starting"), step.crash(["warming up", "fatal: out of tokens"], 7)]] },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "go", agent: "scripted" }, phone);
    assert.equal(await ended(host, id), "failed");
    const events = eventsOf(host, id);
    const error = events.find((e) => e.type === "error");
    const message = error?.type === "error" ? error.message : "";
    assert.match(message, /exited during its turn \(code 7\)/);
    assert.match(message, /warming up\nfatal: out of tokens/);
    assert.deepEqual(said(events), ["starting"]);
    assert.equal(host.agents.live(id), undefined);
  });

  it("says an agent is not installed: refused at once when PATH lacks it, failed with the install command when it vanished", async () => {
    const missing = { id: "ghost", name: "Ghost", command: ["tether-no-such-agent"], install: "npm i -g ghost" };
    const bin = tempFolder(cleanup, "bin");
    writeFileSync(join(bin, "tether-no-such-agent"), "#!/bin/sh\nexit 1\n");
    chmodSync(join(bin, "tether-no-such-agent"), 0o755);
    const host = await startAcpHost({ cleanup, definitions: [missing] });
    assert.equal(host.agents.list().find((a) => a.id === "ghost")?.installed, false);
    assert.equal(host.agents.list().find((a) => a.id === "ghost")?.install, "npm i -g ghost");
    assert.throws(
      () => host.manager.newTask({ threadId: threadId(), text: "go", agent: "ghost" }, phone),
      /Ghost is not installed on this computer. Install it with: npm i -g ghost/,
    );
    assert.throws(() => host.manager.newTask({ threadId: threadId(), text: "go", agent: "nobody" }, phone), /no agent "nobody"/);

    // Found on the PATH the host looks in, gone from the one it starts agents with.
    const seen = await startAcpHost({ cleanup, definitions: [missing], path: bin });
    const id = threadId();
    seen.manager.newTask({ threadId: id, text: "go", agent: "ghost" }, phone);
    assert.equal(await ended(seen, id), "failed");
    const error = eventsOf(seen, id).find((e) => e.type === "error");
    assert.match(error?.type === "error" ? error.message : "", /Ghost is not installed.*Install it with: npm i -g ghost/);
  });

  it("fails with the agent's stderr when it exits as it starts", async () => {
    const broken = { id: "broken", name: "Broken", command: ["/bin/sh", "-c", "echo 'no config file' >&2; exit 4"] };
    const host = await startAcpHost({ cleanup, definitions: [broken] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "go", agent: "broken" }, phone);
    assert.equal(await ended(host, id), "failed");
    const error = eventsOf(host, id).find((e) => e.type === "error");
    assert.equal(error?.type === "error" && error.message, "Broken exited as it started (code 4):\nno config file");
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

  it("fails a turn the agent ended short (refusal, length limit) and goes on in the same session", async () => {
    const { definition, agent } = scriptedDefinition(
      { turns: [[step.say("no"), step.stop("refusal")], [step.stop("max_tokens")], [step.say("fine")]] },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "go", agent: "scripted" }, phone);
    assert.equal(await ended(host, id), "failed");
    const errors = (): string[] => eventsOf(host, id).flatMap((e) => (e.type === "error" ? [e.message] : []));
    assert.deepEqual(errors(), ["Scripted declined to go on with this request."]);
    await send(host, id, "please");
    assert.equal(host.manager.get(id)?.status, "failed");
    assert.equal(errors()[1], "Scripted stopped: its answer reached its length limit.");
    await send(host, id, "shorter");
    assert.equal(host.manager.get(id)?.status, "done");
    assert.deepEqual(said(eventsOf(host, id)), ["no", "fine"]);
    assert.equal(requests(agent.recordPath, "initialize").length, 1);
  });
});

/** Sends a message to a thread that has ended and waits for the run it starts to end. */
async function send(host: AcpHost, id: string, text: string): Promise<void> {
  const endings = (): number =>
    eventsOf(host, id).filter((e) => e.type === "status" && ["done", "failed", "stopped"].includes(e.status)).length;
  const before = endings();
  host.manager.message(id, text, phone);
  await until("the run the message started to end", () => endings() > before, 20_000);
}

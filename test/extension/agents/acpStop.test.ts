import assert from "node:assert/strict";
import { readRecords } from "../../support/acpAgent/launch";
import { step, type AgentRecord } from "../../support/acpAgent/script";
import {
  alive,
  ended,
  eventsOf,
  pendingApproval,
  phone,
  scriptedDefinition,
  startAcpHost,
  threadId,
} from "../../support/acpHost";
import { Cleanup } from "../../support/cleanup";
import { until } from "../../support/wait";

describe("Stop on a thread an outside agent runs", function () {
  this.timeout(60_000);
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  it("answers the pending permission 'cancelled', sends session/cancel, and ends the thread stopped", async () => {
    const { definition, agent } = scriptedDefinition(
      {
        turns: [
          [
            step.permission({ toolCallId: "x", title: "Run make", kind: "execute", rawInput: { command: "make" } }),
            step.ifAllowed([step.say("ran")], [step.say("not run")]),
          ],
          // Outlasts the grace a stopped agent has to end its turn.
          [step.wait(5500), step.say("still here")],
        ],
      },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "build", agent: "scripted" }, phone);
    await pendingApproval(host, id);
    host.manager.stop(id, phone);
    assert.equal(await ended(host, id), "stopped");
    const records = await until("the turn to end", () => {
      const all = readRecords(agent.recordPath);
      return all.some((r) => r.kind === "turn") ? all : undefined;
    });
    const permission = records.find((r) => r.kind === "permission") as Extract<AgentRecord, { kind: "permission" }>;
    assert.deepEqual(permission.outcome, { outcome: "cancelled" });
    assert.ok(records.some((r) => r.kind === "notification" && r.method === "session/cancel"));
    assert.equal((records.find((r) => r.kind === "turn") as { stopReason: string }).stopReason, "cancelled");
    const events = eventsOf(host, id);
    assert.ok(!events.some((e) => e.type === "assistant-text" && e.text === "ran"));
    const status = events.filter((e) => e.type === "status").at(-1);
    assert.match((status as { detail?: string }).detail ?? "", /Pixel/);

    // The agent ended its turn as asked: its session stays open, and the next message goes on in it.
    const pid = host.agents.live(id)?.process.pid;
    assert.ok(pid);
    host.manager.message(id, "go on", phone);
    await until(
      "the next turn to end",
      () =>
        eventsOf(host, id).filter((e) => e.type === "status").length > events.filter((e) => e.type === "status").length + 1 &&
        ["done", "failed"].includes(host.manager.get(id)!.status),
      15_000,
    );
    assert.equal(host.manager.get(id)?.status, "done");
    assert.ok(eventsOf(host, id).some((e) => e.type === "assistant-text" && e.text === "still here"));
    assert.equal(host.agents.live(id)?.process.pid, pid);
  });

  it("ends an agent that ignores the cancel within the grace, and the thread still ends", async () => {
    const { definition, agent } = scriptedDefinition({ turns: [[step.say("working"), step.hang()]] }, cleanup);
    const host = await startAcpHost({ cleanup, definitions: [definition] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "hang", agent: "scripted" }, phone);
    await until("the agent to speak", () =>
      readRecords(agent.recordPath).some((r) => r.kind === "request" && r.method === "session/prompt"),
    );
    const pid = await until("the session", () => host.agents.live(id)?.process.pid);
    const started = Date.now();
    host.manager.stop(id, phone);
    assert.equal(await ended(host, id, 15_000), "stopped");
    assert.ok(Date.now() - started < 12_000);
    await until("the agent's process to end", () => !alive(pid), 2000);
    assert.equal(host.agents.live(id), undefined);
  });

  it("a Stop while the agent is still starting ends the thread without the task ever being prompted", async () => {
    const { definition, agent } = scriptedDefinition({ turns: [[step.say("should not run")]] }, cleanup);
    const host = await startAcpHost({ cleanup, definitions: [definition] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "go", agent: "scripted" }, phone);
    host.manager.stop(id, phone);
    assert.equal(await ended(host, id), "stopped");
    // Whatever the run sent the agent, it sent before it ended.
    const prompts = readRecords(agent.recordPath).filter((r) => r.kind === "request" && r.method === "session/prompt");
    assert.equal(prompts.length, 0);
    assert.ok(!eventsOf(host, id).some((e) => e.type === "assistant-text"));
    // The task was never sent: the next message carries it.
    host.manager.message(id, "now go", phone);
    await until("the next prompt", () =>
      readRecords(agent.recordPath).find((r) => r.kind === "request" && r.method === "session/prompt"),
    ).then((r) => assert.deepEqual((r as { params: { prompt: { text: string }[] } }).params.prompt[0]!.text, "go\n\nnow go"));
  });
});

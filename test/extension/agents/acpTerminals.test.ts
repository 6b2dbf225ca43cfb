import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import type { LiveEvent } from "#protocol";
import { readRecords } from "../../support/acpAgent/launch";
import { step, type AgentRecord } from "../../support/acpAgent/script";
import { ended, eventsOf, pendingApproval, phone, scriptedDefinition, startAcpHost, threadId } from "../../support/acpHost";
import { Cleanup } from "../../support/cleanup";
import { until } from "../../support/wait";

type Answer = Extract<AgentRecord, { kind: "answer" }>;

const shows = (id: string): ReturnType<typeof step.toolCall> =>
  step.toolCall({ toolCallId: id, title: "Terminal", kind: "execute", status: "pending" });

/** Whether a process whose command line holds `marker` is running. */
function running(marker: string): boolean {
  try {
    return execFileSync("pgrep", ["-f", marker], { encoding: "utf8" }).trim() !== "";
  } catch {
    return false;
  }
}

describe("an outside agent's terminals, through the host's process runner", function () {
  this.timeout(60_000);
  const cleanup = new Cleanup();
  after(() => cleanup.run());

  it("runs a command with live output under the call that shows it, its exit code, and kill", async () => {
    const { definition, agent } = scriptedDefinition(
      {
        turns: [
          [
            shows("t1"),
            step.terminal("echo", ["hello from the terminal"], { toolCallId: "t1", echo: true }),
            step.terminal("sh", ["-c", "exit 3"], { calls: ["wait_for_exit", "release"] }),
            shows("t3"),
            step.terminal("sleep", ["41.5"], { toolCallId: "t3", calls: ["kill", "wait_for_exit", "release"] }),
          ],
        ],
      },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition], mode: "full-auto" });
    const live: LiveEvent[] = [];
    host.manager.on("live", (_id, e) => live.push(e));
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "run", agent: "scripted" }, phone);
    assert.equal(await ended(host, id), "done");
    const answers = readRecords(agent.recordPath).filter((r): r is Answer => r.kind === "answer");
    const exits = answers.filter((a) => a.method === "terminal/wait_for_exit").map((a) => a.result);
    assert.deepEqual(exits[0], { exitCode: 0, signal: null });
    assert.deepEqual(exits[1], { exitCode: 3, signal: null });
    const killed = exits[2] as { exitCode: number | null; signal: string | null };
    // Killed as it started or while it ran: it never reports a clean exit.
    assert.notEqual(killed.exitCode, 0, JSON.stringify(killed));
    assert.ok(!running("sleep 41.5"));
    const said = eventsOf(host, id).flatMap((e) => (e.type === "assistant-text" ? [e.text] : []));
    assert.deepEqual(said, ["hello from the terminal\n"]);
    const output = live.filter((e): e is Extract<LiveEvent, { type: "output" }> => e.type === "output");
    assert.equal(
      output
        .filter((o) => o.callId === "t1")
        .map((o) => o.chunk)
        .join(""),
      "hello from the terminal\n",
    );
  });

  it("asks before a terminal's command in ask mode", async () => {
    const { definition, agent } = scriptedDefinition(
      { turns: [[step.terminal("touch", ["made.txt"], { echo: true })]] },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition] });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "run", agent: "scripted" }, phone);
    const ask = await pendingApproval(host, id);
    assert.equal(ask.command, "touch made.txt");
    await host.manager.handle({ type: "decide", threadId: id, approvalId: ask.approvalId, decision: "deny" }, phone);
    assert.equal(await ended(host, id), "done");
    const create = readRecords(agent.recordPath).find((r): r is Answer => r.kind === "answer" && r.method === "terminal/create");
    assert.ok(create?.error, "a denied terminal must not be created");
  });

  it("Stop kills a terminal still running and ends the thread stopped", async () => {
    const { definition } = scriptedDefinition(
      { turns: [[shows("s1"), step.terminal("sleep", ["42.5"], { toolCallId: "s1", calls: ["wait_for_exit"] })]] },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition], mode: "full-auto" });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "run", agent: "scripted" }, phone);
    await until("the sleep to run", () => running("sleep 42.5"));
    host.manager.stop(id, phone);
    assert.equal(await ended(host, id), "stopped");
    await until("the sleep to end", () => !running("sleep 42.5"));
  });

  it("streams output a terminal wrote before the agent named the call that shows it", async () => {
    const { definition } = scriptedDefinition(
      {
        turns: [
          [
            shows("late"),
            // The command has ended before the agent puts its terminal in the call.
            step.terminal("echo", ["early words"], { calls: ["wait_for_exit"] }),
            step.toolUpdate({ toolCallId: "late", content: [{ type: "terminal", terminalId: "term-1" }] }),
            step.toolUpdate({ toolCallId: "late", status: "completed" }),
          ],
        ],
      },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition], mode: "full-auto" });
    const live: LiveEvent[] = [];
    host.manager.on("live", (_id, e) => live.push(e));
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "run", agent: "scripted" }, phone);
    assert.equal(await ended(host, id), "done");
    const output = live.filter((e): e is Extract<LiveEvent, { type: "output" }> => e.type === "output");
    assert.equal(
      output
        .filter((o) => o.callId === "late")
        .map((o) => o.chunk)
        .join(""),
      "early words\n",
    );
  });

  it("runs a terminal with the agent's environment, in a folder of the workspace only", async () => {
    const { definition, agent } = scriptedDefinition(
      {
        turns: [
          [
            step.terminal("sh", ["-c", "echo $GREETING"], { env: [{ name: "GREETING", value: "bonjour" }], echo: true }),
            step.terminal("pwd", [], { cwd: "/", echo: true }),
          ],
        ],
      },
      cleanup,
    );
    const host = await startAcpHost({ cleanup, definitions: [definition], mode: "full-auto" });
    const id = threadId();
    host.manager.newTask({ threadId: id, text: "run", agent: "scripted" }, phone);
    assert.equal(await ended(host, id), "done");
    const said = eventsOf(host, id).flatMap((e) => (e.type === "assistant-text" ? [e.text] : []));
    assert.equal(said.length, 1);
    assert.match(said[0]!, /^bonjour\nterminal failed: Tether runs commands only inside the workspace/);
    const creates = readRecords(agent.recordPath).filter(
      (r): r is Answer => r.kind === "answer" && r.method === "terminal/create",
    );
    assert.ok(creates[1]?.error);
  });
});

// Keeping the computer awake while the agent has work: the real thread manager runs tasks
// against a scripted model; the inhibitor is a recording fake, and the Node inhibitor's child
// process is checked for real.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KeepAwake, type SleepInhibitor } from "../../../extension/core/power/keepAwake";
import { holdWith, inhibitCommand } from "../../../extension/node/sleepInhibitor";
import { runEnded, startAgentThreads, type AgentThreads } from "../../support/agentThreads";
import { startFakeOpenAI, type FakeModelServer, type OpenAIBody } from "../../support/fakeModels";
import { quietLog } from "../../support/host";
import { until } from "../../support/wait";
import { makeWorkspace } from "../../support/workspace";

class RecordingInhibitor implements SleepInhibitor {
  held = 0;
  acquired = 0;
  fail = false;
  acquire(): () => void {
    if (this.fail) throw new Error("systemd-inhibit is not available");
    this.acquired++;
    this.held++;
    let released = false;
    return () => {
      if (!released) this.held--;
      released = true;
    };
  }
}

const phone = { id: "phone-1", name: "Pixel 8" };

describe("keeping the computer awake", function () {
  this.timeout(30_000);
  let model: FakeModelServer<OpenAIBody>;
  let workspace: string;
  let threads: AgentThreads;

  beforeEach(async () => {
    model = await startFakeOpenAI();
    workspace = makeWorkspace({ "README.md": "hello\n" });
    threads = await startAgentThreads({ folder: workspace, modelUrl: model.url, mode: "full-auto" });
  });

  afterEach(async () => {
    await threads.close();
    await model.close();
    rmSync(threads.stateDir, { recursive: true, force: true });
    rmSync(workspace, { recursive: true, force: true });
  });

  it("holds off sleep while a task runs or waits, and lets go when the last one ends", async () => {
    const inhibitor = new RecordingInhibitor();
    const keepAwake = new KeepAwake(inhibitor, threads.manager, [], quietLog);
    assert.equal(inhibitor.held, 0);
    // The two threads ask the model at once: each answer is chosen by the asking thread, not by
    // the order the requests arrive in.
    const turn = (request: { body: { messages: { role: string; content?: unknown }[] } }) => {
      const said = JSON.stringify(request.body.messages);
      if (said.includes("and this")) return { toolCalls: [{ name: "finish", args: { summary: "second" } }] };
      if (request.body.messages.some((m) => m.role === "tool"))
        return { toolCalls: [{ name: "finish", args: { summary: "slept" } }] };
      return { toolCalls: [{ name: "run_command", args: { command: "sleep 1" } }] };
    };
    model.push(turn, turn, turn);
    const first = threads.manager.newTask({ threadId: "t-one", text: "sleep a second" }, phone);
    const second = threads.manager.newTask({ threadId: "t-two", text: "and this" }, phone);
    assert.equal(inhibitor.held, 1, "one hold for any number of tasks");
    await runEnded(threads.manager, second.id);
    assert.equal(inhibitor.held, 1, "still held while the first task runs");
    await runEnded(threads.manager, first.id);
    assert.equal(inhibitor.held, 0);
    assert.equal(inhibitor.acquired, 1);
    keepAwake.close();
  });

  it("holds for threads already under way when it starts, and releases on close", () => {
    const inhibitor = new RecordingInhibitor();
    const keepAwake = new KeepAwake(inhibitor, threads.manager, [{ threadId: "t-x", status: "awaiting-approval" }], quietLog);
    assert.equal(inhibitor.held, 1);
    keepAwake.close();
    keepAwake.close();
    assert.equal(inhibitor.held, 0);
  });

  it("runs tasks anyway when the platform cannot keep awake, and says so once", async () => {
    const inhibitor = new RecordingInhibitor();
    inhibitor.fail = true;
    const warnings: string[] = [];
    const log = { ...quietLog, warn: (message: string) => void warnings.push(message) };
    const keepAwake = new KeepAwake(inhibitor, threads.manager, [], log);
    model.push(
      { toolCalls: [{ name: "finish", args: { summary: "done" } }] },
      { toolCalls: [{ name: "finish", args: { summary: "done" } }] },
    );
    await runEnded(threads.manager, threads.manager.newTask({ threadId: "t-a", text: "one" }, phone).id);
    await runEnded(threads.manager, threads.manager.newTask({ threadId: "t-b", text: "two" }, phone).id);
    assert.equal(threads.manager.get("t-b")?.status, "done");
    assert.deepEqual(warnings, ["cannot keep the computer awake"]);
    keepAwake.close();
  });
});

describe("the platform's sleep inhibitor", () => {
  it("uses systemd-inhibit, caffeinate or SetThreadExecutionState, and nothing elsewhere", () => {
    assert.equal(inhibitCommand("linux", "why")?.command, "systemd-inhibit");
    assert.ok(inhibitCommand("linux", "why")?.args.includes("--what=idle:sleep"));
    assert.deepEqual(inhibitCommand("darwin", "why", 42), { command: "caffeinate", args: ["-i", "-w", "42"] });
    assert.match(inhibitCommand("win32", "why")?.args.join(" ") ?? "", /SetThreadExecutionState\(0x80000001\)/);
    assert.equal(inhibitCommand("aix", "why"), null);
  });

  it("keeps its process alive while held and ends it on release", async () => {
    const dir = mkdtempSync(join(tmpdir(), "tether-inhibit-"));
    const pidFile = join(dir, "pid");
    const release = holdWith({ command: "sh", args: ["-c", `echo $$ > "${pidFile}"; exec cat`] });
    const pid = await until(
      "the inhibitor to start",
      () => Number(readFileSync(pidFile, { encoding: "utf8", flag: "a+" }).trim()) || undefined,
      2_000,
    );
    assert.doesNotThrow(() => process.kill(pid, 0));
    release();
    await until(
      "the inhibitor to end on its release",
      () => {
        try {
          process.kill(pid, 0);
          return false;
        } catch {
          return true;
        }
      },
      2_000,
    );
    rmSync(dir, { recursive: true, force: true });
  });
});

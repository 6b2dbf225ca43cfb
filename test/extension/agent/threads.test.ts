// The agent end to end in one process: a real relay on a port, a host running the thread
// manager with the real OpenAI SDK against a scripted server, and a phone client that pairs,
// sends commands and reads the sealed events the relay carries.

import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, TetherError, randomId, threadRecordKey, toBase64Url, type ThreadEvent } from "#protocol";
import { startAgentHost, type AgentHost } from "../../support/agentHost";
import {
  startFakeAnthropic,
  startFakeOpenAI,
  type FakeModelServer,
  type FakeStep,
  type FakeTurn,
  type OpenAIBody,
} from "../../support/fakeModels";
import { connect, connected, pairPhone, type PairedPhone } from "../../support/phone";
import { startRelay, type TestRelay } from "../../support/relay";
import { delay, until } from "../../support/wait";
import { makeWorkspace } from "../../support/workspace";

type Step = FakeStep<OpenAIBody>;
const call = (name: string, args: object): FakeTurn => ({ toolCalls: [{ name, args }] });
const finish = (summary: string): FakeTurn => call("finish", { summary });

/** Text of every message of a recorded request, for asserting what the model was told. */
const said = (body: OpenAIBody): string => JSON.stringify(body.messages);

const kinds = (events: readonly ThreadEvent[]): string[] =>
  events.map((e) => (e.type === "status" ? `status:${e.status}` : e.type === "tool-call" ? `call:${e.tool}` : e.type));

/** Running, not merely a zombie waiting for an init process that may reap it late. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("agent threads through a real relay", function () {
  this.timeout(60_000);
  let relay: TestRelay;
  let model: FakeModelServer<OpenAIBody>;
  let workspace: string;
  let host: AgentHost;
  let phone: PairedPhone;
  const extra: AgentHost[] = [];

  const startHost = async (options: Partial<Parameters<typeof startAgentHost>[0]> = {}): Promise<AgentHost> => {
    // The host allows every mode: each task below asks for the one it means.
    const h = await startAgentHost({ relay: relay.url, folder: workspace, modelUrl: model.url, mode: "full-auto", ...options });
    extra.push(h);
    return h;
  };
  const newTask = async (text: string, mode: "ask" | "auto-edit" | "full-auto" = "ask"): Promise<string> => {
    const threadId = randomId(12);
    const outcome = await phone.send({ type: "new-task", threadId, text, mode });
    assert.equal(outcome.queued, false);
    return threadId;
  };
  const events = (threadId: string): ThreadEvent[] => phone.events(threadId).map((o) => o.event);
  const ended = (threadId: string): Promise<ThreadEvent> =>
    phone.waitFor(threadId, (e) => e.type === "status" && ["done", "failed", "stopped"].includes(e.status), 30_000);

  beforeEach(async () => {
    relay = await startRelay();
    model = await startFakeOpenAI();
    workspace = makeWorkspace({
      "src/limit.js": "export const LIMIT = 10;\n",
      "check.js":
        "import('./src/limit.js').then((m) => { console.log('limit is', m.LIMIT); process.exit(m.LIMIT === 5 ? 0 : 1); });\n",
      "package.json": '{ "type": "module" }\n',
      "AGENTS.md": "Always answer in haiku.\n",
    });
    host = await startHost();
    phone = await pairPhone((await host.host.openPairing()).url, "Pixel 8");
  });

  afterEach(async () => {
    phone.close();
    for (const h of extra.splice(0)) {
      await h.stop();
      rmSync(h.stateDir, { recursive: true, force: true });
    }
    await model.close();
    await relay.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it("reads, edits, asks to run a command, runs it once approved from the phone, and finishes", async () => {
    model.push(
      call("read_file", { path: "src/limit.js" }),
      {
        text: "The limit is 10; I will make it 5.",
        ...call("edit_file", { path: "src/limit.js", old_text: "LIMIT = 10", new_text: "LIMIT = 5" }),
      },
      call("run_command", { command: "node check.js", reason: "check the new limit" }),
      finish("Set LIMIT to 5 and checked it with node check.js."),
    );
    const threadId = await newTask("Make the limit 5 and check it", "auto-edit");

    const asked = await phone.waitFor(threadId, (e) => e.type === "approval-requested");
    assert.ok(asked.type === "approval-requested");
    assert.equal(asked.kind, "command");
    assert.equal(asked.command, "node check.js");
    assert.equal(asked.cwd, ".");
    assert.equal(asked.reason, "check the new limit");
    assert.match(asked.rule, /command/i);
    assert.equal(
      readFileSync(join(workspace, "src/limit.js"), "utf8"),
      "export const LIMIT = 5;\n",
      "the edit needed no approval",
    );

    // The person takes a while to decide (time passing for the host, kept on purpose); that wait
    // is not the command's time.
    await delay(1500);
    await phone.send({ type: "decide", threadId, approvalId: asked.approvalId, decision: "approve" });
    const end = await ended(threadId);
    assert.ok(end.type === "status" && end.status === "done");

    const all = events(threadId);
    assert.deepEqual(
      phone.events(threadId).map((o) => o.seq),
      all.map((_, i) => i + 1),
      "numbered 1, 2, 3 … in order",
    );
    assert.deepEqual(kinds(all), [
      "task",
      "status:queued",
      "status:running",
      "call:read_file",
      "tool-result",
      "assistant-text",
      "call:edit_file",
      "file-change",
      "tool-result",
      "call:run_command",
      "approval-requested",
      "status:awaiting-approval",
      "approval-resolved",
      "status:running",
      "tool-result",
      "call:finish",
      "tool-result",
      "summary",
      "status:done",
    ]);
    const change = all.find((e) => e.type === "file-change");
    assert.ok(change?.type === "file-change");
    assert.match(change.diff, /-export const LIMIT = 10;\n\+export const LIMIT = 5;/);
    const ran = all.filter((e) => e.type === "tool-result")[2];
    assert.ok(ran?.type === "tool-result");
    assert.equal(ran.ok, true);
    assert.equal(ran.exitCode, 0);
    assert.match(ran.output, /limit is 5/);
    assert.ok(ran.durationMs !== undefined && ran.durationMs < 1400, `took ${ran.durationMs} ms, the wait for approval counted`);
    const resolved = all.find((e) => e.type === "approval-resolved");
    assert.ok(resolved?.type === "approval-resolved");
    assert.equal(resolved.by.name, "Pixel 8");
    assert.ok(
      phone.live.some((l) => l.event.type === "output" && l.event.chunk.includes("limit is 5")),
      "output streamed live",
    );

    // The project's instructions reached the model.
    assert.match(model.requests[0]!.body.messages[0]!.content as string, /Always answer in haiku/);
    // The summary record lists the thread as done.
    // (The summary record follows the events by a moment: it is put at most every 50 ms.)
    const summary = await until("the summary record to say done", async () => {
      const found = (await phone.sync()).summaries.find((s) => s.threadId === threadId);
      return found?.status === "done" && found;
    });
    assert.equal(summary.status, "done");
    assert.equal(summary?.title, "Make the limit 5 and check it");
    assert.equal(summary?.lastSeq, all.length);

    // A second decision on the same approval is told who decided first.
    await assert.rejects(
      phone.send({ type: "decide", threadId, approvalId: asked.approvalId, decision: "deny" }),
      (err: TetherError) => err.code === ErrorCode.Conflict && /Pixel 8/.test(err.message),
    );

    // Revert puts the file back and says so.
    await phone.send({ type: "revert", threadId });
    await phone.waitFor(threadId, (e) => e.type === "reverted");
    assert.equal(readFileSync(join(workspace, "src/limit.js"), "utf8"), "export const LIMIT = 10;\n");
    // The list learns it from the summary record, which said nothing of a revert before.
    assert.equal(summary.reverted, undefined);
    const after = await until("the summary record to say reverted", async () => {
      const found = (await phone.sync()).summaries.find((s) => s.threadId === threadId);
      return found?.reverted === true && found;
    });
    assert.equal(after.status, "done");
  });

  it("asks before each edit in ask mode, shows the diff, and stops asking once told always", async () => {
    model.push(
      call("edit_file", { path: "src/limit.js", old_text: "10", new_text: "7", reason: "lower it" }),
      call("write_file", { path: "src/extra.js", content: "export const EXTRA = 1;\n" }),
      finish("Two edits."),
    );
    const threadId = await newTask("Edit twice");
    const asked = await phone.waitFor(threadId, (e) => e.type === "approval-requested");
    assert.ok(asked.type === "approval-requested");
    assert.equal(asked.kind, "edit");
    assert.equal(asked.path, "src/limit.js");
    assert.equal(asked.reason, "lower it");
    assert.match(asked.diff ?? "", /-export const LIMIT = 10;\n\+export const LIMIT = 7;/);
    assert.equal(
      readFileSync(join(workspace, "src/limit.js"), "utf8"),
      "export const LIMIT = 10;\n",
      "nothing written before the decision",
    );
    await phone.send({ type: "decide", threadId, approvalId: asked.approvalId, decision: "approve-always" });
    const end = await ended(threadId);
    assert.ok(end.type === "status" && end.status === "done");
    assert.equal(events(threadId).filter((e) => e.type === "approval-requested").length, 1, "the second edit did not ask");
    assert.equal(readFileSync(join(workspace, "src/extra.js"), "utf8"), "export const EXTRA = 1;\n");
  });

  it("keeps asking for edits of a protected place after all edits were approved, and says why on the card", async () => {
    model.push(
      call("edit_file", { path: "src/limit.js", old_text: "10", new_text: "7", reason: "lower it" }),
      call("write_file", { path: ".vscode/settings.json", content: "{}\n" }),
      call("run_command", { command: "find . -name limit.js -exec touch found ';'" }),
      finish("Done."),
    );
    const threadId = await newTask("Edit, configure, look", "auto-edit");
    // auto-edit: the workspace edit goes through without asking; the protected one asks.
    const first = await phone.waitFor(threadId, (e) => e.type === "approval-requested");
    assert.ok(first.type === "approval-requested");
    assert.equal(first.path, ".vscode/settings.json");
    assert.equal(first.rule, "protected place: .vscode/");
    assert.equal(first.why, "The agent wants to change .vscode/settings.json, in .vscode/, a protected place.");
    await phone.send({ type: "decide", threadId, approvalId: first.approvalId, decision: "approve-always" });
    const second = await phone.waitFor(threadId, (e) => e.type === "approval-requested" && e.approvalId !== first.approvalId);
    assert.ok(second.type === "approval-requested");
    assert.equal(second.kind, "command");
    assert.equal(second.why, "`find -exec` runs a program.");
    await phone.send({ type: "decide", threadId, approvalId: second.approvalId, decision: "deny" });
    await ended(threadId);
    assert.equal(readFileSync(join(workspace, ".vscode/settings.json"), "utf8"), "{}\n");
  });

  it("does not let approving all edits lift a protected place's ask", async () => {
    model.push(
      call("edit_file", { path: "src/limit.js", old_text: "10", new_text: "7", reason: "lower it" }),
      call("write_file", { path: ".github/workflows/ci.yml", content: "on: push\n" }),
      finish("Done."),
    );
    const threadId = await newTask("Edit then add a workflow");
    const first = await phone.waitFor(threadId, (e) => e.type === "approval-requested");
    assert.ok(first.type === "approval-requested" && first.path === "src/limit.js");
    await phone.send({ type: "decide", threadId, approvalId: first.approvalId, decision: "approve-always" });
    const second = await phone.waitFor(threadId, (e) => e.type === "approval-requested" && e.approvalId !== first.approvalId);
    assert.ok(second.type === "approval-requested");
    assert.equal(second.path, ".github/workflows/ci.yml", "the blanket did not lift the protected place");
    await phone.send({ type: "decide", threadId, approvalId: second.approvalId, decision: "deny" });
    const end = await ended(threadId);
    assert.ok(end.type === "status" && end.status === "done");
    assert.equal(readFileSync(join(workspace, "src/limit.js"), "utf8"), "export const LIMIT = 7;\n");
  });

  it("refuses a destructive command without asking anyone, and the agent is told why", async () => {
    model.push(call("run_command", { command: "git status; rm -rf /" }), (req) => {
      assert.match(said(req.body), /Not allowed/);
      return finish("Could not do that.");
    });
    const threadId = await newTask("Clean everything", "full-auto");
    const end = await ended(threadId);
    assert.ok(end.type === "status" && end.status === "done");
    const result = events(threadId).find((e) => e.type === "tool-result");
    assert.ok(result?.type === "tool-result");
    assert.equal(result.ok, false);
    assert.match(result.output, /built-in/);
    assert.ok(!events(threadId).some((e) => e.type === "approval-requested"));
  });

  it("puts a question to the phone and gives the answer to the model", async () => {
    model.push(call("ask_user", { question: "Per IP or per user?" }), (req) => {
      assert.match(said(req.body), /per IP, please/);
      return finish("Limited per IP.");
    });
    const threadId = await newTask("Add rate limiting");
    const question = await phone.waitFor(threadId, (e) => e.type === "question");
    assert.ok(question.type === "question");
    assert.equal(question.text, "Per IP or per user?");
    await phone.waitFor(threadId, (e) => e.type === "status" && e.status === "awaiting-answer");
    await phone.send({ type: "answer", threadId, questionId: question.questionId, text: "per IP, please" });
    const end = await ended(threadId);
    assert.ok(end.type === "status" && end.status === "done");
    await assert.rejects(
      phone.send({ type: "answer", threadId, questionId: question.questionId, text: "again" }),
      (err: TetherError) => err.code === ErrorCode.Conflict,
    );
  });

  it("runs a task on an Anthropic model through the same loop", async () => {
    const claude = await startFakeAnthropic([
      { text: "Reading.", toolCalls: [{ name: "read_file", args: { path: "src/limit.js" } }] },
      (req) => {
        const last = req.body.messages.at(-1)!;
        assert.equal(last.role, "user");
        assert.match(JSON.stringify(last.content), /tool_result/);
        return { toolCalls: [{ name: "finish", args: { summary: "The limit is 10." } }] };
      },
    ]);
    const other = await startHost({
      modelUrl: undefined,
      env: { TETHER_MODEL: "anthropic:test-claude", ANTHROPIC_API_KEY: "k", ANTHROPIC_BASE_URL: claude.url },
    });
    const otherPhone = await pairPhone((await other.host.openPairing()).url, "Pixel 8");
    try {
      const threadId = randomId(12);
      await otherPhone.send({ type: "new-task", threadId, text: "What is the limit?" });
      const summary = await otherPhone.waitFor(threadId, (e) => e.type === "summary");
      assert.ok(summary.type === "summary");
      assert.equal(summary.text, "The limit is 10.");
      const task = otherPhone.events(threadId)[0]!.event;
      assert.ok(task.type === "task");
      assert.equal(task.model, "anthropic:test-claude");
    } finally {
      otherPhone.close();
      await claude.close();
    }
  });

  it("writes a task's attachments under .tether/attachments and names them in the task", async () => {
    model.push(finish("Saw the screenshot."));
    const threadId = randomId(12);
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    await phone.send({ type: "attach", threadId, name: "../../screen shot.png", mime: "image/png", data: toBase64Url(png) });
    await phone.send({
      type: "new-task",
      threadId,
      text: "Fix what the screenshot shows",
      attachments: ["../../screen shot.png", "lost.txt"],
    });
    await ended(threadId);
    const saved = join(workspace, ".tether/attachments", threadId, "screen shot.png");
    assert.deepEqual(new Uint8Array(readFileSync(saved)), png);
    assert.match(readFileSync(join(workspace, ".tether/.gitignore"), "utf8"), /^\*$/m);
    const task = events(threadId)[0]!;
    assert.ok(task.type === "task");
    assert.match(task.text, new RegExp(`\\.tether/attachments/${threadId}/screen shot\\.png \\(11 B\\)`));
    assert.match(task.text, /lost\.txt: did not arrive/);
    await assert.rejects(
      phone.send({ type: "attach", threadId, name: "late.txt", mime: "text/plain", data: "" }),
      (err: TetherError) => err.code === ErrorCode.Conflict,
    );
  });

  it("passes a denial's message to the model, which tries another way", async () => {
    model.push(call("run_command", { command: "rm -rf build", reason: "clean up" }), (req) => {
      assert.match(said(req.body), /use npm run clean instead/);
      return finish("Left build alone as asked.");
    });
    const threadId = await newTask("Clean the build");
    const asked = await phone.waitFor(threadId, (e) => e.type === "approval-requested");
    assert.ok(asked.type === "approval-requested");
    await phone.send({
      type: "decide",
      threadId,
      approvalId: asked.approvalId,
      decision: "deny",
      message: "use npm run clean instead",
    });
    const end = await ended(threadId);
    assert.ok(end.type === "status" && end.status === "done");
    assert.equal(model.remaining, 0);
  });

  it("stops a long command at once and kills what it started", async () => {
    model.push(call("run_command", { command: "sleep 30 & echo $! > sleeper.pid; echo started; wait" }));
    const threadId = await newTask("Wait a long time", "full-auto");
    await phone.waitFor(threadId, (e) => e.type === "tool-call");
    const pidFile = join(workspace, "sleeper.pid");
    const pid = await until("the command's child's pid on disk", () => Number(readFileSync(pidFile, "utf8")) || undefined);
    assert.ok(pid > 0 && alive(pid), "the command's child is running");
    const stoppedAt = Date.now();
    await phone.send({ type: "stop", threadId });
    const end = await ended(threadId);
    assert.ok(end.type === "status" && end.status === "stopped");
    assert.ok(Date.now() - stoppedAt < 5000, "stopped within seconds");
    await until("the background child to be killed with its process group", () => !alive(pid), 2_000);
  });

  it("reads a steering message at its next step", async () => {
    model.push(call("run_command", { command: "sleep 1" }), (req) => {
      const last = req.body.messages.at(-1)!;
      assert.equal(last.role, "user");
      assert.match(String(last.content), /also bump the version/);
      return finish("Done, version bumped too.");
    });
    const threadId = await newTask("Tidy up", "full-auto");
    await phone.waitFor(threadId, (e) => e.type === "tool-call");
    await phone.send({ type: "message", threadId, text: "also bump the version" });
    const end = await ended(threadId);
    assert.ok(end.type === "status" && end.status === "done");
    assert.ok(events(threadId).some((e) => e.type === "user-message" && e.by.name === "Pixel 8"));
  });

  it("runs two threads at once and queues a third", async () => {
    const byTask = (req: { body: OpenAIBody }): string => String(req.body.messages[1]?.content ?? "");
    const step: Step = (req) => {
      const task = byTask(req);
      const done = req.body.messages.some((m) => m.role === "tool");
      if (done) return finish(`finished ${task}`);
      return call("run_command", { command: "sleep 1" });
    };
    model.push(step, step, step, step, step, step);
    const a = await newTask("task A", "full-auto");
    const b = await newTask("task B", "full-auto");
    const c = await newTask("task C", "full-auto");
    await phone.waitFor(a, (e) => e.type === "tool-call");
    await phone.waitFor(b, (e) => e.type === "tool-call");
    assert.ok(!events(c).some((e) => e.type === "status" && e.status === "running"), "the third waits in the queue");
    for (const id of [a, b, c]) {
      const end = await ended(id);
      assert.ok(end.type === "status" && end.status === "done");
    }
    const at = (id: string, status: string): number => events(id).find((e) => e.type === "status" && e.status === status)!.at;
    assert.ok(at(a, "running") < at(b, "done") && at(b, "running") < at(a, "done"), "A and B overlapped");
    assert.ok(at(c, "running") >= Math.min(at(a, "done"), at(b, "done")), "C started when a slot freed");
  });

  it("retries a rate-limited model call with a visible status, then goes on", async () => {
    model.push({ status: 429, message: "Rate limit reached for requests", retryAfterMs: 20 }, finish("All good."));
    const threadId = await newTask("Say hello");
    const end = await ended(threadId);
    assert.ok(end.type === "status" && end.status === "done");
    const retry = events(threadId).find((e) => e.type === "retry");
    assert.ok(retry?.type === "retry");
    assert.equal(retry.attempt, 1);
    assert.match(retry.message, /retrying in/);
  });

  it("fails a run on a provider error that retrying will not fix, with the provider's message", async () => {
    model.push({ status: 401, message: "Incorrect API key provided" });
    const threadId = await newTask("Say hello");
    const end = await ended(threadId);
    assert.ok(end.type === "status" && end.status === "failed");
    const error = events(threadId).find((e) => e.type === "error");
    assert.ok(error?.type === "error");
    assert.match(error.message, /Incorrect API key provided/);
  });

  it("fails a task at once, saying what to set, when no model is configured", async () => {
    const bare = await startHost({ modelUrl: undefined, env: {} });
    const other = await pairPhone((await bare.host.openPairing()).url, "Pixel 8");
    try {
      const threadId = randomId(12);
      await other.send({ type: "new-task", threadId, text: "Do something" });
      const end = await other.waitFor(threadId, (e) => e.type === "status" && e.status === "failed");
      assert.ok(end);
      const error = other.events(threadId).find((o) => o.event.type === "error")?.event;
      assert.ok(error?.type === "error");
      assert.match(error.message, /TETHER_MODEL/);
    } finally {
      other.close();
    }
  });

  it("keeps threads across a host restart, ends an interrupted run clearly, and takes commands sent while it was away", async () => {
    model.push(call("read_file", { path: "src/limit.js" }), finish("Read it."));
    const done = await newTask("Read the limit");
    await ended(done);
    model.push(call("run_command", { command: "node check.js" }));
    const waiting = await newTask("Check the limit");
    await phone.waitFor(waiting, (e) => e.type === "approval-requested");

    await host.stop();
    const queuedId = randomId(12);
    const outcome = await phone.send({ type: "new-task", threadId: queuedId, text: "Task sent while away", mode: "ask" });
    assert.equal(outcome.queued, true, "the relay keeps it for the host");

    model.push(finish("Did the task sent while away."));
    host = await startHost({ stateDir: host.stateDir });
    const restarted = host.threads.get(done);
    assert.ok(restarted, "the finished thread is back");
    assert.deepEqual(
      restarted.events.map((n) => n.event.type),
      events(done).map((e) => e.type),
      "with its whole history",
    );
    const interrupted = await phone.waitFor(waiting, (e) => e.type === "status" && e.status === "stopped");
    assert.ok(interrupted.type === "status");
    assert.match(interrupted.detail ?? "", /interrupted/);
    const end = await ended(queuedId);
    assert.ok(end.type === "status" && end.status === "done");

    // Continuing the finished thread gives the model its earlier conversation.
    model.push((req) => {
      assert.match(said(req.body), /Read the limit/);
      assert.match(said(req.body), /LIMIT = 10/);
      return finish("Still 10.");
    });
    await phone.send({ type: "message", threadId: done, text: "What was it again?" });
    await phone.waitFor(done, (e) => e.type === "summary" && e.text === "Still 10.");
  });

  it("deletes an ended thread on the host and at the relay, now or once the relay is back", async () => {
    const editor = { id: "editor", name: "VS Code" };
    model.push(call("run_command", { command: "sleep 5" }));
    const running = await newTask("Wait a while");
    await phone.waitFor(running, (e) => e.type === "approval-requested");
    await assert.rejects(host.threads.delete(running, editor), /stop it before deleting/);

    model.push(finish("Nothing to do."));
    const first = await newTask("Say nothing", "full-auto");
    await ended(first);
    const told = new Promise<{ hostId: string; threadId: string }>((resolve) => phone.socket.once("thread:deleted", resolve));
    await host.threads.delete(first, editor);
    assert.deepEqual(await told, { hostId: phone.hostId, threadId: first });
    assert.equal(host.threads.get(first), undefined);
    const synced = await phone.sync();
    assert.equal(synced.events.filter((e) => e.threadId === first).length, 0, "the relay kept its events");
    assert.equal(synced.summaries.filter((t) => t.threadId === first).length, 0, "the relay kept its summary");
    assert.ok(
      synced.events.some((e) => e.threadId === running),
      "another thread went too",
    );

    // Deleted while the relay is away: forgotten there once the host is back.
    model.push(finish("Still nothing."));
    const second = await newTask("Say nothing again", "full-auto");
    await ended(second);
    const { dataDir, port } = relay;
    await relay.stop({ keepData: true });
    await host.threads.delete(second, editor);
    relay = await startRelay({ dataDir, config: { port } });
    // The phone connects again (as the app does) and asks what the relay keeps of the host.
    const again = connect(relay.url, { token: phone.token });
    await connected(again);
    const stored = async (): Promise<string[]> => {
      const page = await again.timeout(5_000).emitWithAck("sync", { hostId: phone.hostId, cursors: {} });
      return page.ok
        ? [
            ...page.records.map((r: { key: string }) => r.key),
            ...page.events.map((e: { threadId: string; seq: number }) => `${e.threadId}#${e.seq}`),
          ]
        : [];
    };
    await until(
      "the relay to drop the thread deleted while it was away",
      async () => !(await stored()).some((k) => k.includes(second)),
      15_000,
    );
    assert.ok((await stored()).includes(threadRecordKey(running)), "the other thread is still there");
    again.close();
    // A restarted host does not bring it back.
    await host.stop();
    host = await startHost({ stateDir: host.stateDir });
    assert.equal(host.threads.get(second), undefined);
    await relay.stop();
    rmSync(dataDir, { recursive: true, force: true });
    relay = await startRelay();
  });
});

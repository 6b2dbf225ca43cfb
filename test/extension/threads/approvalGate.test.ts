// The gate and the wait for a person, driven the way a run without Tether's model loop (an
// outside agent) would: a tool call goes to the gate, the person decides on the thread, and what
// they chose holds for the task, for this computer, or stops the run.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ErrorCode, TetherError, type DeviceRef, type PolicyMode, type ThreadEvent } from "#protocol";
import { Policy } from "../../../extension/core/agent/policy/policy";
import { ApprovalGate, type Gated } from "../../../extension/core/threads/approvalGate";
import { PersonWait, isAbort } from "../../../extension/core/threads/personWait";
import { Thread } from "../../../extension/core/threads/thread";
import { ThreadStore } from "../../../extension/core/threads/threadStore";
import { quietLog } from "../../support/host";
import { shellGrammar } from "../../support/shellGrammar";
import { until } from "../../support/wait";

const ROOT = "/home/dev/project";
const pixel: DeviceRef = { id: "p", name: "Pixel" };

describe("the approval gate and the wait for a person, without a model loop", () => {
  let dir: string;
  let store: ThreadStore;
  let thread: Thread;
  let abort: AbortController;
  let waits: PersonWait;
  const hostRules: string[] = [];

  const gateIn = async (mode: PolicyMode, offerHostRule = true): Promise<ApprovalGate> => {
    const policy = new Policy({
      mode,
      rules: { allow: [], deny: [] },
      workspaceRoot: ROOT,
      homeDir: "/home/dev",
      grammar: await shellGrammar(),
    });
    return new ApprovalGate({
      thread,
      store,
      policy,
      waits,
      ...(offerHostRule ? { addHostRule: (rule: string) => void hostRules.push(rule) } : {}),
    });
  };
  const command = (gate: ApprovalGate, line: string): Promise<Gated> =>
    gate.command({
      callId: "c1",
      tool: "session/request_permission",
      reason: "to check",
      command: line,
      cwd: undefined,
      absCwd: ROOT,
    });
  /** The approval the thread waits on, once it is recorded. */
  const requested = async (): Promise<Extract<ThreadEvent, { type: "approval-requested" }>> => {
    await until("the request on the thread", () => thread.status === "awaiting-approval");
    const events = thread.events.map((n) => n.event);
    const last = events.filter((e) => e.type === "approval-requested").at(-1);
    assert.ok(last && last.type === "approval-requested");
    return last;
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tether-gate-"));
    store = new ThreadStore(dir, quietLog);
    store.create("t1");
    thread = new Thread("t1", store, Date.now);
    thread.append({ type: "task", text: "go", title: "go", workspace: "w", mode: "ask", model: "m", by: pixel });
    thread.setStatus("running");
    abort = new AbortController();
    waits = new PersonWait({ thread, signal: abort.signal });
    hostRules.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("lets through what the mode allows without asking, and refuses with the person's words", async () => {
    assert.deepEqual(await command(await gateIn("full-auto"), "npm test"), { go: true, asked: false });
    const gate = await gateIn("ask");
    const pending = command(gate, "npm test");
    const asked = await requested();
    assert.equal(asked.command, "npm test");
    assert.equal(asked.computerRule, "npm test");
    waits.decide(asked.approvalId, "deny", "use pnpm", pixel);
    assert.deepEqual(await pending, { go: false, output: "The user denied this command. Their message: use pnpm" });
    assert.equal(thread.status, "running");
  });

  it("keeps 'approve always' for the task, on disk, so the same command no longer asks", async () => {
    const pending = command(await gateIn("ask"), "npm test");
    waits.decide((await requested()).approvalId, "approve-always", undefined, pixel);
    assert.deepEqual(await pending, { go: true, asked: true });
    // A gate made later, by a host started again, reads the standing approval from disk.
    await store.flushed();
    store = new ThreadStore(dir, quietLog);
    assert.deepEqual(await command(await gateIn("ask"), "npm test"), { go: true, asked: false });
    const again = command(await gateIn("ask"), "npm run build");
    assert.equal((await requested()).command, "npm run build");
    abort.abort();
    await assert.rejects(again, (err) => isAbort(err));
  });

  it("adds the host rule for 'approve on this computer', and refuses that choice where none was offered", async () => {
    const gate = await gateIn("ask", false);
    const pending = command(gate, "npm test");
    const asked = await requested();
    assert.equal(asked.computerRule, undefined);
    assert.throws(
      () => waits.decide(asked.approvalId, "approve-on-computer", undefined, pixel),
      (err) => err instanceof TetherError && err.code === ErrorCode.BadRequest,
    );
    assert.equal(thread.status, "awaiting-approval", "the request still waits for a decision it can take");
    waits.decide(asked.approvalId, "approve", undefined, pixel);
    assert.deepEqual(await pending, { go: true, asked: true });

    const offered = command(await gateIn("ask"), "npm test -- --grep login");
    waits.decide((await requested()).approvalId, "approve-on-computer", undefined, pixel);
    assert.deepEqual(await offered, { go: true, asked: true });
    assert.deepEqual(hostRules, ["npm test"]);
  });

  it("records a stop while waiting, ends the wait, and refuses a second decision", async () => {
    const pending = command(await gateIn("ask"), "npm test");
    const asked = await requested();
    waits.stopPending(pixel);
    await assert.rejects(pending, (err) => isAbort(err));
    const resolved = thread.events.map((n) => n.event).filter((e) => e.type === "approval-resolved");
    assert.deepEqual(
      resolved.map((e) => e.type === "approval-resolved" && [e.approvalId, e.decision, e.by.name]),
      [[asked.approvalId, "stop", "Pixel"]],
    );
    assert.throws(
      () => waits.decide(asked.approvalId, "approve", undefined, pixel),
      (err) => err instanceof TetherError && err.code === ErrorCode.Conflict,
    );
  });

  it("waits for an answer to a question and ends the wait when the run stops", async () => {
    const answer = waits.ask("Which branch?");
    await until("the question on the thread", () => thread.status === "awaiting-answer");
    const question = thread.events.map((n) => n.event).find((e) => e.type === "question");
    assert.ok(question && question.type === "question");
    waits.answer(question.questionId, "main", pixel);
    assert.equal(await answer, "main");
    assert.equal(thread.status, "running");
    const unanswered = waits.ask("And the remote?");
    abort.abort();
    await assert.rejects(unanswered, (err) => isAbort(err));
  });
});

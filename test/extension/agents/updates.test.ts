import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as acp from "@agentclientprotocol/sdk";
import type { LiveEvent, NewThreadEvent } from "#protocol";
import { UpdateRecorder } from "../../../extension/core/agents/updates";
import { Thread } from "../../../extension/core/threads/thread";
import { ThreadStore } from "../../../extension/core/threads/threadStore";
import { quietLog } from "../../support/host";

const task: NewThreadEvent = {
  type: "task",
  text: "go",
  title: "go",
  workspace: "w",
  mode: "ask",
  model: "",
  by: { id: "p", name: "Pixel" },
};
const ROOT = "/work/project";

describe("UpdateRecorder: an outside agent's updates as thread events", () => {
  let dir: string;
  let store: ThreadStore;
  let thread: Thread;
  let live: LiveEvent[];
  let recorder: UpdateRecorder;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tether-updates-"));
    store = new ThreadStore(dir, quietLog);
    store.create("t");
    thread = new Thread("t", store, () => 1);
    thread.append(task);
    live = [];
    recorder = new UpdateRecorder({ thread, root: ROOT, live: (e) => live.push(e) });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The events after the task, without their time. */
  const events = (): NewThreadEvent[] =>
    thread.events.slice(1).map((n) => {
      const { at: _at, ...rest } = n.event;
      return rest as NewThreadEvent;
    });
  const say = (text: string): acp.SessionUpdate => ({ sessionUpdate: "agent_message_chunk", content: { type: "text", text } });
  const think = (text: string): acp.SessionUpdate => ({
    sessionUpdate: "agent_thought_chunk",
    content: { type: "text", text },
  });

  it("lands text once per step: thinking and speaking alternate, blanks are dropped, live carries each chunk", () => {
    recorder.update(think("hmm"));
    recorder.update(say("a"));
    recorder.update(say("b"));
    recorder.update(think("  "));
    recorder.update(say("c"));
    recorder.update({ sessionUpdate: "user_message_chunk", content: { type: "text", text: "my own words" } });
    recorder.update({ sessionUpdate: "agent_message_chunk", content: { type: "image", data: "", mimeType: "image/png" } });
    recorder.endTurn();
    assert.deepEqual(events(), [
      { type: "thought", text: "hmm" },
      { type: "assistant-text", text: "ab" },
      { type: "assistant-text", text: "c" },
    ]);
    assert.deepEqual(
      live.map((e) => (e.type === "text" ? `${e.thought ? "~" : ""}${e.delta}` : e.type)),
      ["~hmm", "a", "b", "~  ", "c"],
    );
  });

  it("announces a call first heard of in a permission request or an update, and fills a bare request from what it knows", () => {
    const filled = recorder.ensureCall({ toolCallId: "p", title: "Run ls", kind: "execute", rawInput: { command: "ls" } });
    assert.equal(filled.title, "Run ls");
    const bare = recorder.ensureCall({ toolCallId: "p" });
    assert.deepEqual([bare.title, bare.kind, bare.rawInput], ["Run ls", "execute", { command: "ls" }]);
    recorder.update({ sessionUpdate: "tool_call_update", toolCallId: "u", kind: "read", status: "completed" });
    recorder.update({ sessionUpdate: "tool_call", toolCallId: "p", title: "Run ls -la", kind: "execute" });
    const kinds = events().map((e) => `${e.type}:${"callId" in e ? e.callId : ""}`);
    assert.deepEqual(kinds, ["tool-call:p", "tool-call:u", "tool-result:u", "tool-update:p"]);
    assert.deepEqual(events()[0], {
      type: "tool-call",
      callId: "p",
      tool: "execute",
      args: { command: "ls" },
      title: "Run ls",
      kind: "execute",
    });
  });

  it("ends calls still open at the end of the turn as failed, and keeps a tool's raw output when it gave no text", () => {
    recorder.update({ sessionUpdate: "tool_call", toolCallId: "a", title: "A", kind: "fetch" });
    recorder.update({ sessionUpdate: "tool_call", toolCallId: "b", title: "B", kind: "search" });
    recorder.update({ sessionUpdate: "tool_call_update", toolCallId: "b", status: "completed", rawOutput: { hits: 2 } });
    recorder.endTurn();
    const results = events().filter((e) => e.type === "tool-result");
    assert.deepEqual(
      results.map((r) => (r.type === "tool-result" ? [r.callId, r.ok, r.output] : [])),
      [
        ["b", true, '{"hits":2}'],
        ["a", false, "The agent ended its turn before this call finished."],
      ],
    );
  });

  it("cuts a long output in the middle and says so", () => {
    const long = `${"a".repeat(40_000)}${"b".repeat(40_000)}`;
    recorder.update({
      sessionUpdate: "tool_call",
      toolCallId: "x",
      title: "X",
      status: "completed",
      content: [{ type: "content", content: { type: "text", text: long } }],
    });
    const result = events().find((e) => e.type === "tool-result");
    assert.ok(result?.type === "tool-result");
    assert.ok(result.output.startsWith("aaa") && result.output.endsWith("bbb"));
    assert.ok(result.output.length < 61_000);
    assert.equal(result.truncated, "the middle of a long output");
  });

  it("makes paths workspace-relative only inside the workspace", () => {
    assert.equal(recorder.relative(`${ROOT}/src/a.ts`), "src/a.ts");
    assert.equal(recorder.relative(ROOT), ".");
    assert.equal(recorder.relative("/work/project-other/a.ts"), "/work/project-other/a.ts");
    assert.equal(recorder.relative("/etc/passwd"), "/etc/passwd");
    assert.equal(recorder.relative("relative/b.ts"), "relative/b.ts");
  });

  it("records the plan and the agent state only when they change, and usage once per turn when it changed", () => {
    const plan: acp.SessionUpdate = { sessionUpdate: "plan", entries: [{ content: "x", status: "pending", priority: "low" }] };
    recorder.update(plan);
    recorder.update(plan);
    recorder.update({ sessionUpdate: "current_mode_update", currentModeId: "m" });
    recorder.update({ sessionUpdate: "current_mode_update", currentModeId: "m" });
    recorder.update({ sessionUpdate: "usage_update", used: 10.4, size: 100 });
    recorder.endTurn();
    recorder.endTurn();
    recorder.update({ sessionUpdate: "usage_update", used: 20, size: 100 });
    recorder.endTurn();
    assert.deepEqual(
      events().map((e) => (e.type === "usage" ? `usage ${e.used}` : e.type)),
      ["plan", "agent-state", "usage 10", "usage 20"],
    );
  });

  it("knows which call shows a terminal, and records nothing while muted (a replayed session)", () => {
    recorder.update({
      sessionUpdate: "tool_call",
      toolCallId: "t",
      title: "T",
      content: [{ type: "terminal", terminalId: "term-9" }],
    });
    assert.equal(recorder.callOfTerminal("term-9"), "t");
    const before = events().length;
    recorder.muted = true;
    recorder.update(say("old"));
    recorder.update({ sessionUpdate: "tool_call", toolCallId: "old", title: "old" });
    recorder.muted = false;
    recorder.endTurn();
    assert.equal(
      events()
        .slice(before)
        .filter((e) => e.type !== "tool-result").length,
      0,
    );
    assert.equal(live.length, 0);
  });
});

import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NewThreadEvent, ThreadEvent } from "#protocol";
import { UNFINISHED_CALL, conversationOf } from "../../../extension/core/threads/conversation";
import { unifiedDiff } from "../../../extension/core/threads/diff";
import { Thread } from "../../../extension/core/threads/thread";
import { ThreadStore } from "../../../extension/core/threads/threadStore";
import { quietLog } from "../../support/host";

const by = { id: "p", name: "Pixel" };
const at = (events: NewThreadEvent[]): ThreadEvent[] => events.map((e, i) => ({ ...e, at: i }) as ThreadEvent);
const task: NewThreadEvent = { type: "task", text: "fix it", title: "fix it", workspace: "w", mode: "ask", model: "m", by };

describe("conversation from thread events", () => {
  it("groups a step's text and tool calls into one assistant turn followed by its results", () => {
    const messages = conversationOf(
      at([
        task,
        { type: "status", status: "running" },
        { type: "assistant-text", text: "Looking." },
        { type: "tool-call", callId: "c1", tool: "read_file", args: { path: "a" }, title: "a" },
        { type: "tool-call", callId: "c2", tool: "read_file", args: { path: "b" }, title: "b" },
        { type: "tool-result", callId: "c1", tool: "read_file", ok: true, output: "A" },
        { type: "tool-result", callId: "c2", tool: "read_file", ok: false, output: "missing", truncated: "cut" },
        { type: "assistant-text", text: "Done." },
      ]),
    );
    assert.deepEqual(messages, [
      { role: "user", content: "fix it" },
      {
        role: "assistant",
        content: "Looking.",
        toolCalls: [
          { id: "c1", name: "read_file", args: '{"path":"a"}' },
          { id: "c2", name: "read_file", args: '{"path":"b"}' },
        ],
      },
      { role: "tool", callId: "c1", name: "read_file", content: "A", isError: false },
      { role: "tool", callId: "c2", name: "read_file", content: "missing\n[cut]", isError: true },
      { role: "assistant", content: "Done.", toolCalls: [] },
    ]);
  });

  it("places a steering message that arrived while a tool ran after the tool's result", () => {
    const messages = conversationOf(
      at([
        task,
        { type: "tool-call", callId: "c1", tool: "run_command", args: { command: "sleep 1" }, title: "sleep 1" },
        { type: "user-message", text: "also do B", by },
        { type: "tool-result", callId: "c1", tool: "run_command", ok: true, output: "" },
      ]),
    );
    assert.deepEqual(
      messages.map((m) => m.role),
      ["user", "assistant", "tool", "user"],
    );
    assert.equal(messages[3]!.role === "user" && messages[3]!.content, "also do B");
  });

  it("answers a call the run never finished, so the next request is well-formed", () => {
    const messages = conversationOf(
      at([
        task,
        { type: "tool-call", callId: "c1", tool: "run_command", args: { command: "npm test" }, title: "npm test" },
        { type: "status", status: "stopped" },
        { type: "user-message", text: "try again", by },
      ]),
    );
    assert.deepEqual(
      messages.map((m) => m.role),
      ["user", "assistant", "tool", "user"],
    );
    assert.equal(messages[2]!.role === "tool" && messages[2]!.content, UNFINISHED_CALL);
  });

  it("tells the model when a person reverted the thread's changes", () => {
    const messages = conversationOf(at([task, { type: "reverted", files: ["src/a.ts"], by }]));
    assert.match(messages[1]!.role === "user" ? messages[1]!.content : "", /Pixel reverted .* src\/a\.ts/);
  });
});

describe("thread storage", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tether-threads-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("reloads a thread's events and what follows from them", async () => {
    const store = new ThreadStore(dir, quietLog);
    store.create("thread-1");
    const thread = new Thread("thread-1", store, () => 42);
    thread.append(task);
    thread.setStatus("running");
    thread.append({
      type: "approval-requested",
      approvalId: "a1",
      callId: "c1",
      tool: "run_command",
      kind: "command",
      command: "npm test",
      reason: "check",
      rule: "mode ask: commands ask",
    });
    thread.setStatus("awaiting-approval");
    await store.flushed();

    const again = new Thread("thread-1", store, () => 43, store.events("thread-1"));
    assert.equal(again.lastSeq, 4);
    assert.equal(again.status, "awaiting-approval");
    assert.equal(again.title, "fix it");
    assert.deepEqual(again.summary("w").pending, [{ approvalId: "a1", title: "npm test" }]);
    assert.deepEqual(store.list(), ["thread-1"]);
  });

  it("drops a torn last line left by a crash mid-write, keeping the events before it", async () => {
    const store = new ThreadStore(dir, quietLog);
    store.create("thread-2");
    const thread = new Thread("thread-2", store, () => 1);
    thread.append(task);
    thread.setStatus("running");
    await store.flushed();
    appendFileSync(join(dir, "threads", "thread-2", "events.jsonl"), '{"seq":3,"event":{"type":"assis');
    const events = store.events("thread-2");
    assert.equal(events.length, 2);
  });

  it("refuses thread ids that could name another folder", () => {
    const store = new ThreadStore(dir, quietLog);
    assert.throws(() => store.create("../escape"), /invalid thread id/);
  });
});

describe("unified diffs", () => {
  it("counts lines and marks created and deleted files", () => {
    const edit = unifiedDiff("a.txt", "one\ntwo\n", "one\n2\n");
    assert.match(edit.diff, /^--- a\/a\.txt\n\+\+\+ b\/a\.txt\n@@ -1,2 \+1,2 @@\n one\n-two\n\+2\n$/);
    assert.deepEqual([edit.added, edit.removed, edit.truncated], [1, 1, false]);
    assert.match(unifiedDiff("new.txt", null, "x\n").diff, /^--- \/dev\/null\n\+\+\+ b\/new\.txt/);
    assert.match(unifiedDiff("old.txt", "x\n", null).diff, /^--- a\/old\.txt\n\+\+\+ \/dev\/null/);
  });

  it("cuts a huge diff with a note", () => {
    const big = Array.from({ length: 50_000 }, (_, i) => `line ${i}`).join("\n");
    const d = unifiedDiff("big.txt", null, big);
    assert.equal(d.truncated, true);
    assert.match(d.diff, /diff cut at/);
    assert.equal(d.added, 50_000);
  });
});

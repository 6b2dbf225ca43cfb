// The thread panel's messages: what the webview accepts from the extension, and what the
// extension accepts from the webview (parseFromPanel), both by the bridge's schemas.

import assert from "node:assert/strict";
import { ErrorCode, TetherError, type ThreadSummary } from "#protocol";
import { fromPanelSchema, toPanelSchema } from "#protocol/panel";
import { Requests } from "../../mobile-web/src/panel/requests";
import { parseFromPanel } from "../../extension/vscode/panelFeed";

const summary: ThreadSummary = {
  threadId: "t-rate-limit",
  title: "Add rate limiting",
  workspace: "api-service",
  status: "awaiting-approval",
  pending: [{ approvalId: "a1", title: "npm test" }],
  lastSeq: 2,
  createdAt: 1,
  updatedAt: 2,
  model: "vscode:default",
  mode: "ask",
};
const by = { id: "editor", name: "Visual Studio Code" };
const events = [
  {
    seq: 1,
    event: {
      type: "task",
      at: 1,
      text: "Add rate limiting",
      title: "Add rate limiting",
      workspace: "api-service",
      mode: "ask",
      model: "",
      by,
    },
  },
  { seq: 2, event: { type: "status", at: 2, status: "running" } },
];

describe("thread panel bridge: extension → panel", () => {
  it("accepts a snapshot, events, live events, the new-task form and replies", () => {
    for (const message of [
      { type: "thread", summary, events, live: { text: { "2": "Looking at" }, output: {} } },
      { type: "events", threadId: summary.threadId, events: [events[1]], summary },
      { type: "live", threadId: summary.threadId, events: [{ type: "output", callId: "c1", chunk: "ok\n" }] },
      { type: "new-task", workspace: "api-service", mode: "ask", models: ["vscode:default", "openai:gpt-4.1"] },
      { type: "reply", id: "r1", reply: { ok: true } },
      { type: "reply", id: "r2", reply: { ok: false, code: "conflict", message: "Already decided by Pixel 8 (approve)." } },
    ]) {
      assert.equal(toPanelSchema.safeParse(message).success, true, JSON.stringify(message));
    }
  });

  it("refuses what is not a thread as the protocol defines it", () => {
    for (const message of [
      { type: "thread", summary, events: [{ seq: 0, event: events[0]!.event }], live: { text: {}, output: {} } },
      {
        type: "thread",
        summary,
        events: [{ seq: 3, event: { type: "status", at: 3, status: "sleeping" } }],
        live: { text: {}, output: {} },
      },
      { type: "thread", summary: { ...summary, status: "lost" }, events, live: { text: {}, output: {} } },
      { type: "events", threadId: summary.threadId, events: [], summary },
      { type: "live", threadId: "../etc", events: [{ type: "output", callId: "c1", chunk: "x" }] },
      { type: "new-task", workspace: "api-service", mode: "yolo" },
      { type: "reply", id: "r1", reply: { ok: false, code: "nope", message: "x" } },
      { type: "navigate", url: "https://example.com" },
      "thread",
      null,
    ]) {
      assert.equal(toPanelSchema.safeParse(message).success, false, JSON.stringify(message));
    }
  });
});

describe("thread panel bridge: panel → extension", () => {
  it("accepts ready, show-changes and every command a phone may send", () => {
    for (const command of [
      { type: "message", threadId: summary.threadId, text: "Use a sliding window" },
      { type: "decide", threadId: summary.threadId, approvalId: "a1", decision: "deny", message: "not on main" },
      { type: "answer", threadId: summary.threadId, questionId: "q1", text: "Redis" },
      { type: "stop", threadId: summary.threadId },
      { type: "revert", threadId: summary.threadId },
      { type: "new-task", threadId: "abcdefgh1234", text: "Fix the date test", mode: "auto-edit", model: "vscode:default" },
      { type: "attach", threadId: "abcdefgh1234", name: "log.txt", mime: "text/plain", data: "aGVsbG8" },
    ]) {
      assert.deepEqual(parseFromPanel({ type: "command", id: "r1", command }), { type: "command", id: "r1", command });
    }
    assert.deepEqual(parseFromPanel({ type: "ready" }), { type: "ready" });
    assert.deepEqual(parseFromPanel({ type: "show-changes" }), { type: "show-changes" });
  });

  it("ignores anything else: unknown types, bad commands, extra fields, no id", () => {
    for (const data of [
      { type: "run", command: "rm -rf /" },
      { type: "command", id: "r1", command: { type: "decide", threadId: summary.threadId, approvalId: "a1", decision: "maybe" } },
      { type: "command", id: "r1", command: { type: "message", threadId: summary.threadId, text: "   " } },
      { type: "command", id: "r1", command: { type: "new-task", threadId: "short", text: "x" } },
      { type: "command", id: "r1", command: { type: "stop", threadId: summary.threadId, force: true } },
      { type: "command", command: { type: "stop", threadId: summary.threadId } },
      { type: "command", id: "", command: { type: "stop", threadId: summary.threadId } },
      { type: "ready", extra: 1 },
      "ready",
      undefined,
    ]) {
      assert.equal(parseFromPanel(data), null, JSON.stringify(data));
      assert.equal(fromPanelSchema.safeParse(data).success, false);
    }
  });
});

describe("thread panel requests", () => {
  it("settles each command with its reply, refusals as the host's words", async () => {
    const sent: { id: string; type: string }[] = [];
    const requests = new Requests((m) => sent.push(m as { id: string; type: string }));
    const stop = requests.send({ type: "stop", threadId: summary.threadId });
    const decide = requests.send({ type: "decide", threadId: summary.threadId, approvalId: "a1", decision: "approve" });
    assert.equal(sent.length, 2);
    assert.notEqual(sent[0]!.id, sent[1]!.id);
    requests.settle(sent[1]!.id, { ok: false, code: ErrorCode.Conflict, message: "Already decided by Pixel 8 (approve)." });
    requests.settle(sent[0]!.id, { ok: true });
    await stop;
    await assert.rejects(decide, (err: unknown) => err instanceof TetherError && /Already decided by Pixel 8/.test(err.message));
    // A stray or repeated reply changes nothing.
    requests.settle(sent[0]!.id, { ok: false, code: ErrorCode.Internal, message: "late" });
    assert.equal(requests.waiting, 0);
  });
});

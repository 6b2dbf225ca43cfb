// What the thread panel shows from the extension's messages: the snapshot, durable events as
// they come, the live stream, and a card that goes when its approval is decided elsewhere.

import assert from "node:assert/strict";
import type { ThreadEvent, ThreadSummary } from "#protocol";
import { LOADING, nextView, type PanelView } from "../../../mobile-web/src/panel/panelModel";
import { buildTimeline } from "../../../mobile-web/src/threads/timeline";
import { pendingApprovals } from "../../../mobile-web/src/threads/threadQueries";
import type { NumberedEvent } from "../../../mobile-web/src/threads/timelineItems";

const editor = { id: "editor", name: "Visual Studio Code" };
const phone = { id: "p1", name: "Pixel 8" };
type NewEvent = ThreadEvent extends infer E ? (E extends ThreadEvent ? Omit<E, "at"> : never) : never;
const numbered = (seq: number, event: NewEvent): NumberedEvent => ({ seq, event: { ...event, at: seq * 1000 } as ThreadEvent });

const base: ThreadSummary = {
  threadId: "t1",
  title: "Add rate limiting",
  workspace: "api-service",
  status: "running",
  pending: [],
  lastSeq: 3,
  createdAt: 1000,
  updatedAt: 3000,
  model: "vscode:default",
  mode: "ask",
};
const history = [
  numbered(1, {
    type: "task",
    text: "Add rate limiting",
    title: "Add rate limiting",
    workspace: "api-service",
    mode: "ask",
    model: "",
    by: editor,
  }),
  numbered(2, { type: "status", status: "running" }),
  numbered(3, { type: "tool-call", callId: "c1", tool: "run_command", args: { command: "npm test" }, title: "npm test" }),
];
const request = numbered(4, {
  type: "approval-requested",
  approvalId: "a1",
  callId: "c1",
  tool: "run_command",
  kind: "command",
  command: "npm test",
  cwd: ".",
  reason: "check the limit",
  rule: "mode ask: commands ask",
});

function thread(view: PanelView): Extract<PanelView, { kind: "thread" }> {
  assert.equal(view.kind, "thread");
  return view as Extract<PanelView, { kind: "thread" }>;
}

describe("thread panel view", () => {
  it("starts from a snapshot with its live state, in seq order", () => {
    const view = thread(
      nextView(LOADING, {
        type: "thread",
        summary: base,
        events: [history[2]!, history[0]!, history[1]!],
        live: { text: {}, output: { c1: "1 passing\n" } },
      }),
    );
    assert.deepEqual(
      view.events.map((e) => e.seq),
      [1, 2, 3],
    );
    const tool = buildTimeline(view.events, view.live).find((i) => i.kind === "tool");
    assert.equal(tool?.kind === "tool" && tool.liveOutput, "1 passing\n");
  });

  it("adds events and the summary after them; a repeated event is shown once", () => {
    let view: PanelView = nextView(LOADING, { type: "thread", summary: base, events: history, live: { text: {}, output: {} } });
    const waiting = {
      ...base,
      status: "awaiting-approval" as const,
      pending: [{ approvalId: "a1", title: "npm test" }],
      lastSeq: 4,
      updatedAt: 4000,
    };
    view = nextView(view, { type: "events", threadId: "t1", events: [request], summary: waiting });
    view = nextView(view, { type: "events", threadId: "t1", events: [request], summary: waiting });
    const shown = thread(view);
    assert.equal(shown.events.length, 4);
    assert.equal(shown.summary.status, "awaiting-approval");
    assert.deepEqual(
      pendingApprovals(shown.events).map((a) => a.approvalId),
      ["a1"],
    );
  });

  it("drops the approval card when a phone decided it (approval-resolved arrives)", () => {
    let view: PanelView = nextView(LOADING, {
      type: "thread",
      summary: base,
      events: [...history, request],
      live: { text: {}, output: {} },
    });
    assert.equal(pendingApprovals(thread(view).events).length, 1);
    const resolved = numbered(5, { type: "approval-resolved", approvalId: "a1", decision: "approve", by: phone });
    view = nextView(view, {
      type: "events",
      threadId: "t1",
      events: [resolved],
      summary: { ...base, lastSeq: 5, updatedAt: 5000 },
    });
    assert.deepEqual(pendingApprovals(thread(view).events), []);
    const card = buildTimeline(thread(view).events).find((i) => i.kind === "approval");
    assert.deepEqual(card?.kind === "approval" && card.resolved?.by, phone);
  });

  it("streams text and output, and lets the durable event replace them", () => {
    let view: PanelView = nextView(LOADING, { type: "thread", summary: base, events: history, live: { text: {}, output: {} } });
    view = nextView(view, {
      type: "live",
      threadId: "t1",
      events: [
        { type: "output", callId: "c1", chunk: "> api@1.0.0 test\n" },
        { type: "output", callId: "c1", chunk: "1 passing\n" },
        { type: "text", step: 3, delta: "All " },
        { type: "text", step: 3, delta: "green." },
      ],
    });
    assert.equal(thread(view).live.output.c1, "> api@1.0.0 test\n1 passing\n");
    assert.equal(thread(view).live.text[3], "All green.");
    const result = numbered(4, {
      type: "tool-result",
      callId: "c1",
      tool: "run_command",
      ok: true,
      output: "1 passing",
      exitCode: 0,
    });
    const text = numbered(5, { type: "assistant-text", text: "All green." });
    view = nextView(view, {
      type: "events",
      threadId: "t1",
      events: [result, text],
      summary: { ...base, lastSeq: 5, updatedAt: 5000 },
    });
    assert.deepEqual(thread(view).live, { text: {}, output: {} });
  });

  it("ignores messages about another thread, and an older summary", () => {
    const view = nextView(LOADING, { type: "thread", summary: base, events: history, live: { text: {}, output: {} } });
    const other = numbered(4, { type: "status", status: "done" });
    assert.equal(nextView(view, { type: "events", threadId: "t2", events: [other], summary: { ...base, threadId: "t2" } }), view);
    assert.equal(nextView(view, { type: "live", threadId: "t2", events: [{ type: "text", step: 1, delta: "x" }] }), view);
    assert.equal(nextView(LOADING, { type: "live", threadId: "t1", events: [{ type: "text", step: 1, delta: "x" }] }), LOADING);
    const stale = nextView(view, {
      type: "events",
      threadId: "t1",
      events: [other],
      summary: { ...base, status: "queued", updatedAt: 10 },
    });
    assert.equal(thread(stale).summary.status, "running");
  });

  it("shows the new-task form, and the thread once its task began", () => {
    const form = nextView(LOADING, { type: "new-task", workspace: "api-service", mode: "auto-edit", models: ["vscode:default"] });
    assert.deepEqual(form, { kind: "new-task", workspace: "api-service", mode: "auto-edit", models: ["vscode:default"] });
    assert.equal(nextView(form, { type: "live", threadId: "t1", events: [{ type: "text", step: 1, delta: "x" }] }), form);
    const started = nextView(form, { type: "thread", summary: base, events: history, live: { text: {}, output: {} } });
    assert.equal(thread(started).summary.threadId, "t1");
  });
});

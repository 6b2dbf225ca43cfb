import assert from "node:assert/strict";
import type { ThreadEvent } from "#protocol";
import { runningCommand } from "../../../mobile-web/src/threads/threadQueries";
import { buildTimeline } from "../../../mobile-web/src/threads/timeline";
import type { NumberedEvent, TimelineItem } from "../../../mobile-web/src/threads/timelineItems";

const phone = { id: "p1", name: "Pixel 8" };
const T0 = Date.UTC(2026, 11, 7, 4, 0, 0);

type NewEvent = ThreadEvent extends infer E ? (E extends ThreadEvent ? Omit<E, "at"> : never) : never;

function thread(...events: NewEvent[]): NumberedEvent[] {
  return events.map((event, i) => ({ seq: i + 1, event: { ...event, at: T0 + i * 1000 } as ThreadEvent }));
}

const only = <K extends TimelineItem["kind"]>(items: TimelineItem[], kind: K): Extract<TimelineItem, { kind: K }>[] =>
  items.filter((i): i is Extract<TimelineItem, { kind: K }> => i.kind === kind);

const base = {
  type: "task",
  text: "Add a date helper",
  title: "Add a date helper",
  workspace: "api",
  mode: "ask",
  model: "",
  by: phone,
} as const;
const agentTask: NewEvent = { ...base, agent: { id: "claude", name: "Claude Code" }, agentMode: "default" };
const ownTask: NewEvent = { ...base, model: "gpt-5" };

const call = (callId: string, title: string, extra: Partial<Extract<NewEvent, { type: "tool-call" }>> = {}): NewEvent => ({
  type: "tool-call",
  callId,
  tool: "acp",
  args: {},
  title,
  ...extra,
});
const result = (callId: string, extra: Partial<Extract<NewEvent, { type: "tool-result" }>> = {}): NewEvent => ({
  type: "tool-result",
  callId,
  tool: "acp",
  ok: true,
  output: "",
  ...extra,
});

describe("timeline: an outside agent's thread", () => {
  it("keeps parallel tool calls open until each one's result or the run's end", () => {
    const events = thread(
      agentTask,
      { type: "status", status: "running" },
      call("c1", "Read src/a.ts", { kind: "read" }),
      call("c2", "Read src/b.ts", { kind: "read" }),
      { type: "assistant-text", text: "Both files are read in parallel." },
      call("c3", "npm test", { kind: "execute" }),
      result("c2"),
    );
    const tools = only(buildTimeline(events), "tool");
    assert.deepEqual(
      tools.map((t) => [t.callId, t.state, t.running]),
      [
        ["c1", "running", true],
        ["c2", "ok", false],
        ["c3", "running", true],
      ],
    );
    const ended = buildTimeline([...events, { seq: 8, event: { type: "status", status: "done", at: T0 + 8000 } }]);
    assert.deepEqual(
      only(ended, "tool").map((t) => [t.callId, t.state, t.interrupted]),
      [
        ["c1", "failed", true],
        ["c2", "ok", false],
        ["c3", "failed", true],
      ],
    );
  });

  it("still closes earlier calls on a new one for Tether's own agent", () => {
    const tools = only(buildTimeline(thread(ownTask, call("c1", "a"), call("c2", "b"))), "tool");
    assert.deepEqual(
      tools.map((t) => t.state),
      ["failed", "running"],
    );
  });

  it("carries a call's kind and files, and a tool-update changes them in place", () => {
    const events = thread(
      agentTask,
      call("c1", "Edit", { kind: "edit", locations: [{ path: "src/a.ts", line: 3 }] }),
      { type: "tool-update", callId: "c1", title: "Edit src/date.ts", locations: [{ path: "src/date.ts", line: 12 }] },
      { type: "tool-update", callId: "c1", kind: "move" },
      { type: "tool-update", callId: "gone", title: "nothing to change" },
    );
    const items = buildTimeline(events);
    const [tool] = only(items, "tool");
    assert.equal(only(items, "tool").length, 1, "an update never adds a row");
    assert.equal(tool!.title, "Edit src/date.ts");
    assert.equal(tool!.toolKind, "move");
    assert.deepEqual(tool!.locations, [{ path: "src/date.ts", line: 12 }]);
  });

  it("keeps a result's diffs on its call", () => {
    const diff = { path: "src/date.ts", diff: "@@ -1 +1 @@\n-a\n+b\n", added: 1, removed: 1 };
    const [tool] = only(buildTimeline(thread(agentTask, call("c1", "Edit"), result("c1", { diffs: [diff] }))), "tool");
    assert.deepEqual(tool!.result?.diffs, [diff]);
  });

  it("shows a thought as its own item, and live reasoning until its thought lands", () => {
    const events = thread(agentTask, { type: "status", status: "running" });
    const streaming = buildTimeline(events, { thought: { 2: "Looking at the <b>tests</b> first" }, text: { 2: "I will" } });
    assert.deepEqual(
      streaming.map((i) => [i.kind, "streaming" in i ? i.streaming : null]),
      [
        ["task", null],
        ["thought", true],
        ["text", true],
      ],
    );
    assert.equal(only(streaming, "thought")[0]!.text, "Looking at the <b>tests</b> first");
    const landed = thread(
      agentTask,
      { type: "status", status: "running" },
      { type: "thought", text: "Looking at the tests first" },
    );
    const items = buildTimeline(landed, { thought: { 2: "Looking at the tests first" } });
    assert.deepEqual(
      only(items, "thought").map((t) => t.streaming),
      [false],
    );
  });

  it("marks a message sent mid-step until the agent's next turn picks it up", () => {
    const sent = thread(agentTask, { type: "status", status: "running" }, call("c1", "Read"), {
      type: "user-message",
      text: "Use dayjs",
      by: phone,
    });
    assert.equal(only(buildTimeline(sent), "message")[0]!.waitsForTurn, true);
    const picked = [
      ...sent,
      { seq: 5, event: { type: "assistant-text", text: "Switching to dayjs.", at: T0 + 5000 } as ThreadEvent },
    ];
    assert.equal(only(buildTimeline(picked), "message")[0]!.waitsForTurn, false);
  });

  it("does not mark a message that starts the next run, nor one to Tether's own agent", () => {
    const after = thread(
      agentTask,
      { type: "status", status: "done" },
      { type: "user-message", text: "Now the docs", by: phone },
    );
    assert.equal(only(buildTimeline(after), "message")[0]!.waitsForTurn, undefined);
    const own = thread(ownTask, { type: "status", status: "running" }, { type: "user-message", text: "Hurry", by: phone });
    assert.equal(only(buildTimeline(own), "message")[0]!.waitsForTurn, undefined);
  });

  it("keeps the option an agent's approval was decided with", () => {
    const events = thread(
      agentTask,
      call("c1", "rm -rf build", { kind: "execute" }),
      {
        type: "approval-requested",
        approvalId: "a1",
        callId: "c1",
        tool: "acp",
        kind: "command",
        command: "rm -rf build",
        reason: "Clean the build",
        rule: "mode ask: commands ask",
        options: [
          { optionId: "ok", name: "Allow", kind: "allow_once" },
          { optionId: "never", name: "Never", kind: "reject_always" },
        ],
      },
      { type: "approval-resolved", approvalId: "a1", decision: "deny", by: phone, optionId: "never" },
    );
    const [approval] = only(buildTimeline(events), "approval");
    assert.equal(approval!.resolved?.optionId, "never");
    assert.equal(approval!.resolved?.decision, "deny");
  });

  it("draws no item for the session's plan, state and usage", () => {
    const events = thread(
      agentTask,
      { type: "plan", entries: [{ content: "Write it", status: "pending" }] },
      { type: "agent-state", mode: "plan" },
      { type: "usage", used: 10, size: 100 },
    );
    assert.deepEqual(
      buildTimeline(events).map((i) => i.kind),
      ["task"],
    );
  });

  it("puts an agent's running execute call in the running bar, with its live output", () => {
    const events = thread(agentTask, { type: "status", status: "running" }, call("c1", "npm test", { kind: "execute" }));
    const running = runningCommand(events, { output: { c1: "1 passing\n2 passing\n" } });
    assert.equal(running?.callId, "c1");
    assert.equal(running?.command, "npm test");
    assert.equal(running?.lastLine, "2 passing");
  });
});

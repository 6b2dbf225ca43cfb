// A command killed because its run was stopped reads as stopped, not failed; a step's time
// leaves out the wait for approval.

import assert from "node:assert/strict";
import type { ThreadEvent } from "#protocol";
import { buildTimeline } from "../../../mobile-web/src/threads/timeline";
import type { NumberedEvent, ToolItem } from "../../../mobile-web/src/threads/timelineItems";

const phone = { id: "p1", name: "Pixel 8" };
const T0 = Date.UTC(2025, 4, 2, 9, 0, 0);

type NewEvent = ThreadEvent extends infer E ? (E extends ThreadEvent ? Omit<E, "at"> : never) : never;

/** Events at the given seconds after T0. */
function thread(...events: [number, NewEvent][]): NumberedEvent[] {
  return events.map(([s, event], i) => ({ seq: i + 1, event: { ...event, at: T0 + s * 1000 } as ThreadEvent }));
}

const tools = (events: NumberedEvent[]): ToolItem[] => buildTimeline(events).filter((i): i is ToolItem => i.kind === "tool");

const call: NewEvent = { type: "tool-call", callId: "c1", tool: "run_command", args: { command: "npm test" }, title: "npm test" };
const killed: NewEvent = {
  type: "tool-result",
  callId: "c1",
  tool: "run_command",
  ok: false,
  output: "stopped by the user after 3.0 s; the command and everything it started were killed",
  exitCode: null,
  durationMs: 3000,
};

describe("stopped commands and step durations", () => {
  it("shows a command killed by a stop of its run as stopped", () => {
    const [row] = tools(thread([0, call], [3, killed], [3, { type: "status", status: "stopped", detail: "stopped by Pixel 8" }]));
    assert.equal(row?.state, "stopped");
  });

  it("keeps a command that failed or timed out, and went on, as failed", () => {
    const exited: NewEvent = { ...killed, output: "exit code 1", exitCode: 1 };
    const [failedThenStopped] = tools(
      thread([0, call], [3, exited], [3, { type: "status", status: "stopped", detail: "stopped by Pixel 8" }]),
    );
    assert.equal(failedThenStopped?.state, "failed", "a command that exited 1 failed, whatever came after");
    const [timedOut] = tools(
      thread(
        [0, call],
        [3, killed],
        [4, { type: "assistant-text", text: "It timed out." }],
        [5, { type: "status", status: "stopped", detail: "stopped by Pixel 8" }],
      ),
    );
    assert.equal(timedOut?.state, "failed", "killed by its timeout, then the run went on");
    const [crashed] = tools(thread([0, call], [3, { type: "status", status: "failed", detail: "model error" }]));
    assert.equal(crashed?.state, "failed");
  });

  it("does not count the wait for approval in a step's time", () => {
    const events = thread(
      [0, call],
      [
        0,
        {
          type: "approval-requested",
          approvalId: "a1",
          callId: "c1",
          tool: "run_command",
          kind: "command",
          command: "npm test",
          cwd: ".",
          reason: "run the tests",
          rule: "mode ask: commands ask",
        },
      ],
      [120, { type: "approval-resolved", approvalId: "a1", decision: "approve", by: phone }],
      // An older host counted the two minutes of waiting in the step's time.
      [125, { type: "tool-result", callId: "c1", tool: "run_command", ok: true, output: "ok", exitCode: 0, durationMs: 125_000 }],
    );
    const [row] = tools(events);
    assert.equal(row?.state, "ok");
    assert.equal(row?.result?.durationMs, 5000);
  });

  it("keeps the time a host measured when no approval was asked", () => {
    const [row] = tools(
      thread(
        [0, call],
        [2, { type: "tool-result", callId: "c1", tool: "run_command", ok: true, output: "", exitCode: 0, durationMs: 1500 }],
      ),
    );
    assert.equal(row?.result?.durationMs, 1500);
  });
});

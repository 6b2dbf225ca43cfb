import assert from "node:assert/strict";
import type { ThreadStatus } from "#protocol";
import { threadOrder } from "../../../extension/core/threads/ordering";

describe("the order of thread lists", () => {
  it("puts what waits for a person first, then running and queued, then ended, newest first within each", () => {
    const threads: { id: string; status: ThreadStatus; updatedAt: number }[] = [
      { id: "done-new", status: "done", updatedAt: 90 },
      { id: "running", status: "running", updatedAt: 10 },
      { id: "question", status: "awaiting-answer", updatedAt: 5 },
      { id: "failed-old", status: "failed", updatedAt: 1 },
      { id: "approval", status: "awaiting-approval", updatedAt: 50 },
      { id: "queued", status: "queued", updatedAt: 60 },
    ];
    assert.deepEqual(
      [...threads].sort(threadOrder).map((t) => t.id),
      ["approval", "question", "queued", "running", "done-new", "failed-old"],
    );
  });
});

import assert from "node:assert/strict";
import { taskCommands } from "../../../mobile-web/src/threads/taskCommands";

describe("a new task's worktree choice", () => {
  const form = { text: "Add rate limiting", mode: "ask" as const, attachments: [] };

  it("asks for a worktree, or for none, as the person chose", () => {
    const on = taskCommands("thread-0001", { ...form, worktree: true }).at(-1)!;
    const off = taskCommands("thread-0001", { ...form, worktree: false }).at(-1)!;
    assert.ok(on.type === "new-task" && on.worktree === true);
    assert.ok(off.type === "new-task" && off.worktree === false);
  });

  it("leaves it to the computer when the form offered no choice", () => {
    const task = taskCommands("thread-0001", form).at(-1)!;
    assert.ok(task.type === "new-task" && !("worktree" in task));
  });
});

import assert from "node:assert/strict";
import { refusal } from "../../../extension/vscode/panelFeed";

describe("thread panel: Retry", () => {
  const panelOf = { threadId: "thread-one" };

  it("lets a thread's panel start the retry of its own thread, and no other task", () => {
    const retry = { type: "new-task", threadId: "thread-two", text: "x", retryOf: "thread-one" } as const;
    assert.equal(refusal(retry, panelOf), null);
    assert.equal(refusal({ ...retry, retryOf: "thread-nine" }, panelOf)?.ok, false);
    assert.equal(refusal({ type: "new-task", threadId: "thread-two", text: "x" }, panelOf)?.ok, false);
    // A retry takes the earlier task's files on the host; it sends none of its own from here.
    assert.equal(
      refusal({ type: "attach", threadId: "thread-two", name: "a", mime: "text/plain", data: "" }, panelOf)?.ok,
      false,
    );
  });
});

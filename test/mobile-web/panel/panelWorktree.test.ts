// The editor's New Task in a git repository: the form's message offers "Run in its own
// worktree" with the host's default, and the task goes with the person's choice, or the default
// they saw; outside a repository nothing is offered and nothing is sent.

import assert from "node:assert/strict";
import { commandSchema, type Command } from "#protocol";
import { toPanelSchema } from "#protocol/panel";
import { LOADING, nextView, withWorktree } from "../../../mobile-web/src/panel/panelModel";

const task: Command = { type: "new-task", threadId: "thread-one", text: "count the nests", mode: "auto-edit" };

describe("the editor's New Task with a worktree", () => {
  /** The form as the extension's message (parsed as the panel parses it) makes it. */
  const offered = (checked: boolean) => {
    const message = toPanelSchema.parse({ type: "new-task", workspace: "birds", mode: "ask", worktrees: { default: checked } });
    assert.ok(message.type === "new-task");
    return nextView(LOADING, message);
  };

  it("sends the default the form showed, or what the person chose instead", () => {
    const sent = (view: ReturnType<typeof offered>, chosen: boolean | null) => withWorktree(task, view, chosen);
    assert.deepEqual(sent(offered(true), null), { ...task, worktree: true });
    assert.deepEqual(sent(offered(false), null), { ...task, worktree: false });
    assert.deepEqual(sent(offered(true), false), { ...task, worktree: false });
    assert.deepEqual(sent(offered(false), true), { ...task, worktree: true });
    assert.deepEqual(commandSchema.parse(sent(offered(false), true)), { ...task, worktree: true });
  });

  it("offers and sends nothing outside a git repository, and leaves attachments and other commands alone", () => {
    const plain = nextView(LOADING, { type: "new-task", workspace: "birds", mode: "ask" });
    assert.equal(plain.kind === "new-task" && plain.worktrees, undefined);
    assert.deepEqual(withWorktree(task, plain, true), task);
    const attach: Command = { type: "attach", threadId: "thread-one", name: "a.txt", mime: "text/plain", data: "" };
    assert.deepEqual(withWorktree(attach, offered(true), true), attach);
  });
});

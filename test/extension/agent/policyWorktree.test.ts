// A task in a worktree of its own: its policy's workspace is the worktree, so the main workspace
// (and every other task's worktree) is outside it, as any folder outside the workspace is.

import assert from "node:assert/strict";
import { Policy } from "../../../extension/core/agent/policy/policy";
import type { ShellGrammar } from "../../../extension/core/agent/policy/grammar";
import { shellGrammar } from "../../support/shellGrammar";

const WORKSPACE = "/home/dev/project";
const WORKTREE = "/home/dev/.tether/worktrees/0123456789abcdef/t-1";

describe("a task's policy in its worktree", () => {
  let grammar: ShellGrammar;
  before(async () => {
    grammar = await shellGrammar();
  });

  it("writes inside the worktree as inside the workspace, and asks before writing into the workspace", () => {
    const workspace = new Policy({
      mode: "auto-edit",
      rules: { allow: ["echo"], deny: [] },
      workspaceRoot: WORKSPACE,
      homeDir: "/home/dev",
      grammar,
    });
    const task = workspace.withWorkspace(WORKTREE).withMode("auto-edit");
    const intoWorktree = `echo hi > ${WORKTREE}/notes.txt`;
    const intoWorkspace = `echo hi > ${WORKSPACE}/notes.txt`;
    assert.equal(workspace.checkCommand(`echo hi > ${WORKSPACE}/notes.txt`, WORKSPACE).decision, "allow");
    assert.equal(task.checkCommand(intoWorktree, WORKTREE).decision, "allow");
    assert.equal(task.checkCommand("echo hi > notes.txt", WORKTREE).decision, "allow");
    assert.notEqual(task.checkCommand(intoWorkspace, WORKTREE).decision, "allow", "the workspace is outside the task's folder");
    assert.notEqual(workspace.checkCommand(intoWorktree, WORKSPACE).decision, "allow");
    // Rules added later reach the task's copy too.
    workspace.setAllowRules([]);
    assert.notEqual(task.checkCommand(intoWorktree, WORKTREE).decision, "allow");
  });
});

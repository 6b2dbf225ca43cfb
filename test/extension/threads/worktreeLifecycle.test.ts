// What becomes of a task's worktree: deleting the thread removes a clean one (its branch stays)
// and refuses a dirty one; a restarted host removes those of deleted threads but spares work not
// yet committed; a revert acts in the worktree; the git service's view of the threads.

import assert from "node:assert/strict";
import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, TetherError, toBase64Url, type ThreadSummary } from "#protocol";
import { workspaceStateDir } from "../../../extension/core/threads/threadStore";
import { runEnded } from "../../support/agentThreads";
import { call, phone, runTask, worktreeBench, worktreePath, type WorktreeBench } from "../../support/worktreeTasks";

const conflict = (pattern: RegExp) => (err: unknown) =>
  err instanceof TetherError && err.code === ErrorCode.Conflict && pattern.test(err.message);

describe("a task's worktree, from start to end", function () {
  this.timeout(60_000);
  let bench: WorktreeBench;

  afterEach(async () => {
    await bench?.close();
  });

  it("deleting the thread removes a clean worktree and keeps its branch; a dirty one is refused", async () => {
    bench = await worktreeBench({ worktrees: true });
    const { manager } = bench.threads;
    const { fx } = bench;
    bench.plan.set("Dirty", [call("write_file", { path: "draft.txt", content: "half done\n" })]);
    await runTask(manager, "t-clean", "Clean: only look");
    await runTask(manager, "t-dirty", "Dirty: write a draft");
    const clean = manager.worktreeOf("t-clean")!.worktree;
    const dirty = manager.worktreeOf("t-dirty")!.worktree;

    await manager.delete("t-clean", phone);
    assert.equal(manager.get("t-clean"), undefined);
    assert.equal(existsSync(clean.path), false, "the worktree folder is gone");
    assert.equal(fx.git(fx.workspace, "branch", "--list", clean.branch).trim(), clean.branch, "the branch stays");

    await assert.rejects(
      manager.delete("t-dirty", phone),
      conflict(/uncommitted changes in draft\.txt; merge, keep or discard it first/),
    );
    assert.ok(manager.get("t-dirty"), "the thread stays");
    assert.equal(readFileSync(join(dirty.path, "draft.txt"), "utf8"), "half done\n", "and its work");
  });

  it("a restarted host removes the worktrees of threads that are gone, sparing uncommitted work", async () => {
    bench = await worktreeBench({ worktrees: true });
    bench.plan.set("Busy", [call("write_file", { path: "work.txt", content: "unsaved\n" })]);
    await runTask(bench.threads.manager, "t-idle", "Idle: only look");
    await runTask(bench.threads.manager, "t-busy", "Busy: write");
    await runTask(bench.threads.manager, "t-live", "Live: only look");
    const idle = worktreePath(bench.threads.manager, "t-idle");
    const busy = worktreePath(bench.threads.manager, "t-busy");
    const live = worktreePath(bench.threads.manager, "t-live");
    await bench.threads.close();
    // Their history went while the host was away (deleted by hand, or a crash mid-delete).
    const threadsDir = join(workspaceStateDir(bench.fx.stateDir, realpathSync(bench.fx.workspace)), "threads");
    for (const id of ["t-idle", "t-busy"]) rmSync(join(threadsDir, id), { recursive: true });

    const again = await bench.restart();
    assert.equal(existsSync(idle), false, "a clean orphan is removed");
    assert.equal(readFileSync(join(busy, "work.txt"), "utf8"), "unsaved\n", "uncommitted work is spared");
    assert.ok(existsSync(live), "a live thread's worktree stays");
    assert.ok(again.manager.worktreeOf("t-live"));
  });

  it("reverts in the worktree, leaving the workspace alone", async () => {
    bench = await worktreeBench({ worktrees: true });
    const { manager } = bench.threads;
    writeFileSync(join(bench.fx.workspace, "src", "app.ts"), "export const app = 'mine';\n");
    bench.plan.set("Edit", [call("write_file", { path: "src/app.ts", content: "export const app = 2;\n" })]);
    await runTask(manager, "t-edit", "Edit the app");
    const wt = worktreePath(manager, "t-edit");
    assert.equal(readFileSync(join(wt, "src", "app.ts"), "utf8"), "export const app = 2;\n");
    const reverted = await manager.revert("t-edit", phone);
    assert.deepEqual(reverted.files, ["src/app.ts"]);
    assert.equal(readFileSync(join(wt, "src", "app.ts"), "utf8"), "export const app = 1;\n");
    assert.equal(readFileSync(join(bench.fx.workspace, "src", "app.ts"), "utf8"), "export const app = 'mine';\n");
  });

  it("brings a phone's attachments into the worktree, where its agent reads them", async () => {
    bench = await worktreeBench({ worktrees: true });
    const { manager } = bench.threads;
    const data = toBase64Url(new TextEncoder().encode("the wombat spec\n"));
    await manager.handle({ type: "attach", threadId: "t-att", name: "spec.md", mime: "text/markdown", data }, phone);
    bench.plan.set("Read the spec", [call("read_file", { path: ".tether/attachments/t-att/spec.md" })]);
    const ended = runEnded(manager, "t-att");
    await manager.handle({ type: "new-task", threadId: "t-att", text: "Read the spec", attachments: ["spec.md"] }, phone);
    await ended;
    const read = manager
      .get("t-att")!
      .events.map((n) => n.event)
      .find((e) => e.type === "tool-result");
    assert.ok(read?.type === "tool-result" && read.ok && read.output.includes("the wombat spec"), JSON.stringify(read));
    const wt = worktreePath(manager, "t-att");
    assert.equal(bench.fx.git(wt, "status", "--porcelain"), "", "attachments are never part of the task's changes");
  });

  it("gives the git service the thread's worktree, its history and its end", async () => {
    bench = await worktreeBench();
    const { manager } = bench.threads;
    await runTask(manager, "t-git", "Git: only look", true);
    await runTask(manager, "t-plain", "Plain: only look", false);
    assert.equal(manager.worktreeOf("t-plain"), undefined);
    assert.throws(
      () => manager.worktreeOf("t-none"),
      (e: unknown) => e instanceof TetherError && e.code === ErrorCode.NotFound,
    );
    assert.equal(manager.isActive("t-git"), false);
    assert.equal(manager.draftModel("t-git").id, manager.draftModel().id);

    manager.recordGit("t-git", { action: "keep", ok: true, by: phone, text: "Kept branch tether/git-only-look" });
    const summaries: ThreadSummary[] = [];
    manager.on("summary", (s) => summaries.push(s));
    manager.setWorktreeState("t-git", "kept");
    assert.equal(manager.worktreeOf("t-git")!.state, "kept");
    assert.equal(summaries.at(-1)?.worktree, "kept", "phones hear the new state");
    const last = manager.get("t-git")!.events.at(-1)!.event;
    assert.ok(last.type === "git" && last.action === "keep" && last.by.name === "Pixel 8");

    // A kept worktree has no folder to work in: a new message fails saying so.
    await manager.handle({ type: "message", threadId: "t-git", text: "Go on" }, phone);
    await manager.whenIdle();
    const events = manager.get("t-git")!.events.map((n) => n.event);
    assert.ok(events.some((e) => e.type === "error" && /worktree was kept/.test(e.message)));
    assert.equal(manager.get("t-git")!.status, "failed");
  });
});

// Tasks in git worktrees of their own, with real git and the real thread manager: two tasks that
// run at once each work in their own folder on their own branch, and neither touches the
// workspace; the host's default and the "another task works here" rule; refusals in words.

import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode, TetherError, type HostProfile, type ThreadEvent } from "#protocol";
import { worktreesFolder } from "../../../extension/core/git/worktrees";
import { Host } from "../../../extension/core/host";
import { Mirror } from "../../../extension/core/mirror/mirror";
import { nodeFileSystem } from "../../../extension/node/nodeFileSystem";
import { quietLog } from "../../support/host";
import { nextEvent, runEnded, startAgentThreads, type AgentThreads } from "../../support/agentThreads";
import { startFakeOpenAI } from "../../support/fakeModels";
import { until } from "../../support/wait";
import { makeWorkspace } from "../../support/workspace";
import type { ThreadManager } from "../../../extension/core/threads/threadManager";
import { call, phone, runTask, worktreeBench, worktreePath, type WorktreeBench } from "../../support/worktreeTasks";
import { gitFixture } from "../git/gitFixture";

const refused = (pattern: RegExp) => (err: unknown) =>
  err instanceof TetherError && err.code === ErrorCode.BadRequest && pattern.test(err.message);

/** The thread's next run to end, after the one that ended before. */
async function endedAgain(manager: ThreadManager, threadId: string): Promise<void> {
  const thread = manager.get(threadId)!;
  const from = thread.lastSeq;
  await until("the next run ends", () =>
    thread.events.slice(from).some((n) => n.event.type === "status" && ["done", "failed", "stopped"].includes(n.event.status)),
  );
}

/** What the host's profile tells phones of worktrees. */
async function profileWorktrees(threads: AgentThreads, folder: string): Promise<HostProfile["worktrees"]> {
  const host = new Host({
    relay: "http://127.0.0.1:9",
    name: "test-host",
    identity: threads.identity,
    mirror: await Mirror.open({ fs: nodeFileSystem, root: folder }),
    confirmPairing: async () => false,
    threads: { manager: threads.manager, store: threads.store },
    log: quietLog,
  });
  try {
    return host.profile.worktrees;
  } finally {
    host.close();
  }
}

const output = (events: readonly { event: ThreadEvent }[], tool: string): string =>
  events
    .map((n) => n.event)
    .filter((e): e is Extract<ThreadEvent, { type: "tool-result" }> => e.type === "tool-result" && e.tool === tool)
    .map((e) => e.output)
    .join("\n");

describe("tasks in worktrees of their own", function () {
  this.timeout(60_000);
  let bench: WorktreeBench;

  afterEach(async () => {
    await bench?.close();
  });

  it("runs two tasks at once in two worktrees that never touch each other's files nor the workspace", async () => {
    bench = await worktreeBench();
    const { threads, fx, plan } = bench;
    plan.set("Alpha", [
      call("write_file", { path: "notes.txt", content: "from alpha\n" }),
      call("run_command", { command: "pwd" }),
    ]);
    plan.set("Bravo", [
      call("write_file", { path: "notes.txt", content: "from bravo\n" }),
      call("run_command", { command: "pwd" }),
    ]);
    const [a, b] = await Promise.all([
      runTask(threads.manager, "t-alpha", "Alpha: write the notes", true),
      runTask(threads.manager, "t-bravo", "Bravo: write the notes", true),
    ]);
    assert.deepEqual([a.type === "status" && a.status, b.type === "status" && b.status], ["done", "done"]);

    const alpha = worktreePath(threads.manager, "t-alpha");
    const bravo = worktreePath(threads.manager, "t-bravo");
    assert.notEqual(alpha, bravo);
    assert.equal(readFileSync(join(alpha, "notes.txt"), "utf8"), "from alpha\n");
    assert.equal(readFileSync(join(bravo, "notes.txt"), "utf8"), "from bravo\n");
    assert.equal(existsSync(join(fx.workspace, "notes.txt")), false, "the workspace never got a task's file");
    assert.equal(fx.git(fx.workspace, "status", "--porcelain"), "", "the workspace is as it was");
    assert.ok(!alpha.startsWith(fx.workspace) && !bravo.startsWith(fx.workspace), "worktrees live outside the workspace");

    // Commands ran in the task's own folder.
    assert.equal(output(threads.manager.get("t-alpha")!.events, "run_command").includes(alpha), true);
    assert.equal(output(threads.manager.get("t-bravo")!.events, "run_command").includes(bravo), true);

    // The history says where it works, and the summary shows its branch.
    for (const id of ["t-alpha", "t-bravo"]) {
      const thread = threads.manager.get(id)!;
      const made = thread.events.map((n) => n.event).find((e) => e.type === "git");
      assert.ok(made?.type === "git" && made.action === "worktree" && made.ok);
      assert.match(made.text, /^Works in its own worktree on branch tether\/\S+, from main at [0-9a-f]{7}$/);
      assert.equal(made.by.id, "host");
      const summary = threads.manager.summary(thread);
      assert.equal(summary.worktree, "open");
      assert.equal(summary.branch, made.branch);
      assert.equal(fx.git(worktreePath(threads.manager, id), "branch", "--show-current").trim(), made.branch);
      const change = thread.events.map((n) => n.event).find((e) => e.type === "file-change");
      assert.ok(change?.type === "file-change" && change.path === "notes.txt" && change.change === "created");
    }
  });

  it("refuses a worktree outside a repository, on a detached HEAD, and with no commits, saying why", async () => {
    const model = await startFakeOpenAI();
    const plain = makeWorkspace({ "README.md": "hello\n" });
    const bare = gitFixture();
    try {
      const notRepo = await startAgentThreads({ folder: plain, modelUrl: model.url, worktrees: true });
      await assert.rejects(
        notRepo.manager.handle({ type: "new-task", threadId: "t-1", text: "Go", worktree: true }, phone),
        refused(/not a git repository/),
      );
      assert.equal(await profileWorktrees(notRepo, plain), undefined, "phones are not offered worktrees");
      assert.equal(notRepo.manager.get("t-1"), undefined);
      await notRepo.close();

      bare.git(bare.workspace, "checkout", "-q", "--detach");
      const detached = await startAgentThreads({ folder: bare.workspace, modelUrl: model.url, gitEnv: bare.env });
      await assert.rejects(
        detached.manager.handle({ type: "new-task", threadId: "t-2", text: "Go", worktree: true }, phone),
        refused(/not on a branch \(detached HEAD\)/),
      );
      await detached.close();

      const empty = join(bare.root, "empty");
      bare.git(bare.root, "init", "-q", "-b", "main", empty);
      const fresh = await startAgentThreads({ folder: empty, modelUrl: model.url, gitEnv: bare.env });
      await assert.rejects(
        fresh.manager.handle({ type: "new-task", threadId: "t-3", text: "Go", worktree: true }, phone),
        refused(/main has no commits yet/),
      );
      await fresh.close();
    } finally {
      await model.close();
      bare.dispose();
    }
  });

  it("ends the task failed with git's own words when its worktree cannot be made", async () => {
    bench = await worktreeBench();
    const { manager } = bench.threads;
    // Something already sits where the task's worktree would go.
    const folder = worktreesFolder(bench.fx.stateDir, realpathSync(bench.fx.workspace));
    mkdirSync(join(folder, "t-blocked"), { recursive: true });
    writeFileSync(join(folder, "t-blocked", "stray.txt"), "in the way\n");
    const end = await runTask(manager, "t-blocked", "Blocked: try", true);
    assert.ok(end.type === "status" && end.status === "failed");
    const events = manager.get("t-blocked")!.events.map((n) => n.event);
    const made = events.find((e) => e.type === "git");
    assert.ok(made?.type === "git" && !made.ok && made.action === "worktree");
    assert.match(made.text, /already exists/, "git's own words");
    assert.ok(
      events.some((e) => e.type === "error" && /Could not make the task's worktree: [\s\S]*already exists/.test(e.message)),
      JSON.stringify(events),
    );
    assert.equal(bench.model.requests.length, 0, "the model was never asked");
  });

  it("follows the host's default unless the task says otherwise", async () => {
    bench = await worktreeBench({ worktrees: true });
    assert.deepEqual(bench.threads.manager.worktreesProfile, { default: true });
    await runTask(bench.threads.manager, "t-default", "Default place");
    assert.ok(bench.threads.manager.worktreeOf("t-default"), "the default is a worktree");
    await runTask(bench.threads.manager, "t-here", "In the workspace", false);
    assert.equal(bench.threads.manager.worktreeOf("t-here"), undefined);
    assert.equal(bench.threads.manager.summary(bench.threads.manager.get("t-here")!).branch, undefined);

    const off = await bench.restart({ worktrees: false });
    assert.deepEqual(off.manager.worktreesProfile, { default: false });
    assert.deepEqual(await profileWorktrees(off, bench.fx.workspace), { default: false }, "phones are told");
    await runTask(off.manager, "t-off", "Nothing else runs");
    assert.equal(off.manager.worktreeOf("t-off"), undefined, "alone and without the default: the workspace");
  });

  it("gives a task a worktree when another task already works in the workspace", async () => {
    bench = await worktreeBench({ mode: "ask" });
    const { manager } = bench.threads;
    bench.plan.set("First", [call("write_file", { path: "first.txt", content: "1\n" })]);
    await manager.handle({ type: "new-task", threadId: "t-first", text: "First: write" }, phone);
    await nextEvent(manager, "t-first", (e) => e.type === "approval-requested");
    assert.equal(manager.worktreeOf("t-first"), undefined, "alone, it works in the workspace");

    await runTask(manager, "t-second", "Second: look around");
    const second = manager.worktreeOf("t-second");
    assert.ok(second, "the second task got a worktree of its own");
    assert.equal(second.state, "open");

    const stopped = runEnded(manager, "t-first");
    manager.stop("t-first", phone);
    await stopped;
    await runTask(manager, "t-third", "Third: alone again");
    assert.equal(manager.worktreeOf("t-third"), undefined);
  });

  it("keeps a worktree thread across a restart and goes on in the same worktree", async () => {
    bench = await worktreeBench();
    bench.plan.set("Keeper", [call("write_file", { path: "one.txt", content: "one\n" })]);
    await runTask(bench.threads.manager, "t-keep", "Keeper: first part", true);
    const before = bench.threads.manager.worktreeOf("t-keep")!;

    const again = await bench.restart();
    const after = again.manager.worktreeOf("t-keep");
    assert.deepEqual(after, before);
    assert.equal(again.manager.summary(again.manager.get("t-keep")!).branch, before.worktree.branch);
    assert.ok(existsSync(before.worktree.path), "a live thread's worktree is not cleaned up");

    bench.plan.set("Keeper", [call("write_file", { path: "one.txt", content: "one\n" })]);
    bench.plan.set("second part", [call("write_file", { path: "two.txt", content: "two\n" })]);
    await again.manager.handle({ type: "message", threadId: "t-keep", text: "Now the second part" }, phone);
    await endedAgain(again.manager, "t-keep");
    assert.ok(existsSync(join(before.worktree.path, "two.txt")));
    assert.equal(existsSync(join(bench.fx.workspace, "two.txt")), false);
    const made = again.manager.get("t-keep")!.events.filter((n) => n.event.type === "git");
    assert.equal(made.length, 1, "the worktree was made once");
  });
});

import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { TaskWorktrees, WorktreeRefusal, worktreesFolder } from "../../../extension/core/git/worktrees";
import { gitFixture, type GitFixture } from "./gitFixture";

async function refused(promise: Promise<unknown>, code: string): Promise<WorktreeRefusal> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof WorktreeRefusal, `expected a refusal, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected a "${code}" refusal, but it went ahead`);
}

describe("task worktrees (real git)", () => {
  let fx: GitFixture;
  let worktrees: TaskWorktrees;
  const read = (folder: string, path: string) => readFileSync(join(folder, path), "utf8");
  const create = (threadId: string, title = "Fix the login") =>
    worktrees.createTaskWorktree({ repo: fx.workspace, stateDir: fx.stateDir, threadId, title });
  const branches = () => fx.git(fx.workspace, "branch", "--format=%(refname:short)").split("\n");
  const workspaceStatus = () => fx.git(fx.workspace, "status", "--porcelain");

  beforeEach(() => {
    fx = gitFixture({ "README.md": "hello\n", "src/app.ts": "export const a = 1;\n" });
    worktrees = new TaskWorktrees(fx.env);
  });
  afterEach(() => fx.dispose());

  it("tells a repository from a plain or missing folder", async () => {
    assert.equal(await worktrees.isRepository(fx.workspace), true);
    assert.equal(await worktrees.isRepository(join(fx.workspace, "src")), true);
    mkdirSync(join(fx.root, "plain"));
    assert.equal(await worktrees.isRepository(join(fx.root, "plain")), false);
    assert.equal(await worktrees.isRepository(join(fx.root, "nowhere")), false);
  });

  it("takes a thread id that starts with - or _, as base64url ids do, and still refuses ..", async () => {
    for (const threadId of ["-tPk-pby562MMkGc", "_a1"]) {
      const wt = await create(threadId, `Task ${threadId}`);
      assert.equal(wt.path, join(worktreesFolder(fx.stateDir, fx.workspace), threadId));
      assert.equal(read(wt.path, "src/app.ts"), "export const a = 1;\n");
    }
    await refused(create(".."), "bad-thread-id");
  });

  it("creates the worktree on a new branch from HEAD, under the state folder, never in the workspace", async () => {
    const head = fx.git(fx.workspace, "rev-parse", "HEAD").trim();
    const wt = await create("thread-1");
    assert.equal(wt.branch, "tether/fix-the-login");
    assert.equal(wt.baseBranch, "main");
    assert.equal(wt.baseCommit, head);
    assert.equal(wt.path, join(worktreesFolder(fx.stateDir, fx.workspace), "thread-1"));
    assert.ok(relative(fx.workspace, wt.path).startsWith(".."), "worktree is outside the workspace");
    assert.equal(read(wt.path, "src/app.ts"), "export const a = 1;\n");
    assert.equal(fx.git(wt.path, "rev-parse", "--abbrev-ref", "HEAD").trim(), wt.branch);
    assert.equal(workspaceStatus(), "", "the workspace sees nothing of the task");
    assert.equal(fx.git(fx.workspace, "rev-parse", "--abbrev-ref", "HEAD").trim(), "main");
  });

  it("refuses a state folder inside the workspace, and a thread id that is not a folder name", async () => {
    await refused(
      worktrees.createTaskWorktree({
        repo: fx.workspace,
        stateDir: join(fx.workspace, ".tether"),
        threadId: "t1",
        title: "x",
      }),
      "inside-workspace",
    );
    assert.equal(existsSync(join(fx.workspace, ".tether")), false);
    await refused(create("../escape"), "bad-thread-id");
    await refused(
      worktrees.createTaskWorktree({
        repo: join(fx.root, "nope"),
        stateDir: fx.stateDir,
        threadId: "t1",
        title: "x",
      }),
      "not-a-repository",
    );
  });

  it("keeps two tasks edited at once apart from each other and from the workspace", async () => {
    const [a, b] = await Promise.all([create("ta", "Task A"), create("tb", "Task B")]);
    fx.write(a.path, "README.md", "from A\n");
    fx.write(b.path, "README.md", "from B\n");
    fx.write(a.path, "src/only-a.ts", "a\n");
    fx.write(b.path, "docs/only-b.md", "b\n");
    fx.commitAll(a.path, "A's work");
    fx.write(a.path, "scratch-a.txt", "not committed\n");

    assert.equal(read(a.path, "README.md"), "from A\n");
    assert.equal(read(b.path, "README.md"), "from B\n");
    assert.equal(existsSync(join(b.path, "src/only-a.ts")), false);
    assert.equal(existsSync(join(a.path, "docs/only-b.md")), false);
    assert.equal(read(fx.workspace, "README.md"), "hello\n");
    assert.equal(workspaceStatus(), "");

    const changedA = await worktrees.changedFiles(a);
    assert.deepEqual(changedA, [
      { path: "README.md", kind: "modified" },
      { path: "scratch-a.txt", kind: "untracked" },
      { path: "src/only-a.ts", kind: "added" },
    ]);
    assert.deepEqual(
      (await worktrees.changedFiles(b)).map((f) => f.path),
      ["README.md", "docs/only-b.md"],
    );
  });

  it("names branches from any title: accents, other scripts, shell characters, long, taken", async () => {
    const titles = [
      ["Réparer le café ☕", "tether/reparer-le-cafe"],
      ["日本語のタスク", "tether/task"],
      ["$(rm -rf ~); `echo hi` && x", "tether/rm-rf-echo-hi-x"],
    ];
    for (const [i, [title, branch]] of titles.entries()) {
      assert.equal((await create(`u${i}`, title)).branch, branch);
    }
    const long = await create("long", "Refactor the authentication middleware so that sessions expire properly everywhere");
    assert.equal(long.branch, "tether/refactor-the-authentication-middleware");
    assert.ok(!long.branch.endsWith("-"));

    fx.git(fx.workspace, "branch", "tether/fix-the-login");
    const first = await create("d1");
    const second = await create("d2");
    assert.equal(first.branch, "tether/fix-the-login-2");
    assert.equal(second.branch, "tether/fix-the-login-3");
    assert.ok(branches().includes("tether/fix-the-login-3"));
  });

  it("gives two tasks of one title created at the same moment two branches", async () => {
    const made = await Promise.all(["r1", "r2", "r3"].map((id) => create(id, "Same title")));
    assert.deepEqual(made.map((wt) => wt.branch).sort(), ["tether/same-title", "tether/same-title-2", "tether/same-title-3"]);
    for (const wt of made) {
      assert.equal(fx.git(wt.path, "rev-parse", "--abbrev-ref", "HEAD").trim(), wt.branch);
    }
  });

  it("merges back fast-forward", async () => {
    const wt = await create("t1");
    fx.write(wt.path, "src/app.ts", "export const a = 2;\n");
    const taskCommit = fx.commitAll(wt.path, "Change a");
    const outcome = await worktrees.mergeBack(wt, { strategy: "ff-only" });
    assert.deepEqual(outcome, { commit: taskCommit, fastForward: true });
    assert.equal(read(fx.workspace, "src/app.ts"), "export const a = 2;\n");
    assert.equal(workspaceStatus(), "");
  });

  it("merges back with a merge commit when main moved on, and refuses fast-forward then", async () => {
    const wt = await create("t1");
    fx.write(wt.path, "src/app.ts", "export const a = 2;\n");
    const taskCommit = fx.commitAll(wt.path, "Change a");
    fx.write(fx.workspace, "NOTES.md", "meanwhile\n");
    const mainCommit = fx.commitAll(fx.workspace, "Meanwhile on main");

    await refused(worktrees.mergeBack(wt, { strategy: "ff-only" }), "not-fast-forward");
    assert.equal(fx.git(fx.workspace, "rev-parse", "HEAD").trim(), mainCommit);

    const outcome = await worktrees.mergeBack(wt, { strategy: "merge-commit" });
    assert.equal(outcome.fastForward, false);
    const parents = fx.git(fx.workspace, "rev-list", "--parents", "-n", "1", "HEAD").trim();
    assert.deepEqual(parents.split(" ").slice(1), [mainCommit, taskCommit]);
    assert.equal(read(fx.workspace, "src/app.ts"), "export const a = 2;\n");
    assert.equal(read(fx.workspace, "NOTES.md"), "meanwhile\n");
  });

  it("reports a conflict with its files, aborts the merge and keeps the worktree", async () => {
    const wt = await create("t1");
    fx.write(wt.path, "README.md", "task version\n");
    fx.write(wt.path, "src/app.ts", "export const a = 3;\n");
    const taskCommit = fx.commitAll(wt.path, "Task edits");
    fx.write(fx.workspace, "README.md", "main version\n");
    fx.write(fx.workspace, "src/app.ts", "export const a = 4;\n");
    const mainCommit = fx.commitAll(fx.workspace, "Main edits");

    const refusal = await refused(worktrees.mergeBack(wt, { strategy: "merge-commit" }), "conflict");
    assert.deepEqual([...refusal.files].sort(), ["README.md", "src/app.ts"]);
    assert.equal(fx.git(fx.workspace, "rev-parse", "HEAD").trim(), mainCommit);
    assert.equal(workspaceStatus(), "", "no half-merged files left in the workspace");
    assert.equal(existsSync(join(fx.workspace, ".git", "MERGE_HEAD")), false);
    assert.equal(read(fx.workspace, "README.md"), "main version\n");
    assert.equal(fx.git(wt.path, "rev-parse", "HEAD").trim(), taskCommit);
    assert.equal(read(wt.path, "README.md"), "task version\n");
  });

  it("leaves git's own words when it declines a merge, and changes nothing", async () => {
    const wt = await create("t1");
    fx.write(wt.path, "notes.txt", "from the task\n");
    fx.commitAll(wt.path, "Add notes");
    const mainHead = fx.git(fx.workspace, "rev-parse", "HEAD").trim();
    fx.write(fx.workspace, "notes.txt", "mine, untracked\n");
    const refusal = await refused(worktrees.mergeBack(wt, { strategy: "ff-only" }), "merge-failed");
    assert.match(refusal.message, /untracked working tree files would be overwritten/);
    assert.equal(read(fx.workspace, "notes.txt"), "mine, untracked\n");
    assert.equal(fx.git(fx.workspace, "rev-parse", "HEAD").trim(), mainHead);
  });

  it("fast-forward with nothing new on the task is a no-op, not a refusal", async () => {
    const wt = await create("t1");
    fx.write(fx.workspace, "NOTES.md", "meanwhile\n");
    const mainCommit = fx.commitAll(fx.workspace, "Meanwhile on main");
    assert.deepEqual(await worktrees.mergeBack(wt, { strategy: "ff-only" }), {
      commit: mainCommit,
      fastForward: false,
    });
  });

  it("refuses to merge into another branch, a dirty workspace, or past uncommitted task work", async () => {
    const wt = await create("t1");
    fx.write(wt.path, "src/app.ts", "export const a = 2;\n");
    fx.commitAll(wt.path, "Change a");
    const mainHead = fx.git(fx.workspace, "rev-parse", "HEAD").trim();

    fx.git(fx.workspace, "switch", "-q", "-c", "other");
    const wrong = await refused(worktrees.mergeBack(wt, { strategy: "ff-only" }), "wrong-branch");
    assert.match(wrong.message, /on other, not main/);
    fx.git(fx.workspace, "switch", "-q", "main");

    fx.write(fx.workspace, "README.md", "edited, not committed\n");
    const dirty = await refused(worktrees.mergeBack(wt, { strategy: "ff-only" }), "workspace-dirty");
    assert.deepEqual(dirty.files, ["README.md"]);
    fx.git(fx.workspace, "checkout", "--", "README.md");

    fx.write(wt.path, "later.txt", "not yet committed\n");
    await refused(worktrees.mergeBack(wt, { strategy: "ff-only" }), "worktree-dirty");
    assert.equal(fx.git(fx.workspace, "rev-parse", "HEAD").trim(), mainHead, "nothing merged");
  });

  it("keep removes the worktree and keeps the branch with its commits", async () => {
    const wt = await create("t1");
    fx.write(wt.path, "new.txt", "work\n");
    const taskCommit = fx.commitAll(wt.path, "Work");
    fx.write(wt.path, "draft.txt", "uncommitted\n");
    await refused(worktrees.keep(wt), "worktree-dirty");
    assert.ok(existsSync(join(wt.path, "draft.txt")));

    fx.git(wt.path, "clean", "-fq");
    await worktrees.keep(wt);
    assert.equal(existsSync(wt.path), false);
    assert.equal(fx.git(fx.workspace, "rev-parse", wt.branch).trim(), taskCommit);
    assert.ok(!fx.git(fx.workspace, "worktree", "list").includes(wt.path));
  });

  it("discard asks for the number of changed files and for uncommitted work, then removes both", async () => {
    const wt = await create("t1");
    fx.write(wt.path, "a.txt", "a\n");
    fx.write(wt.path, "README.md", "changed\n");
    fx.commitAll(wt.path, "Work");
    fx.write(wt.path, "b.txt", "uncommitted\n");
    assert.equal((await worktrees.changedFiles(wt)).length, 3);

    await refused(worktrees.discard(wt, { confirmChangedFiles: 2 }), "count-mismatch");
    await refused(worktrees.discard(wt, { confirmChangedFiles: 3 }), "worktree-dirty");
    assert.ok(existsSync(join(wt.path, "b.txt")), "nothing removed after a refusal");
    assert.ok(branches().includes(wt.branch));

    await worktrees.discard(wt, { confirmChangedFiles: 3, force: true });
    assert.equal(existsSync(wt.path), false);
    assert.ok(!branches().includes(wt.branch));
    assert.equal(workspaceStatus(), "");
  });

  it("after keep, still counts the branch's files before discarding it", async () => {
    const wt = await create("t1");
    fx.write(wt.path, "a.txt", "a\n");
    fx.write(wt.path, "b.txt", "b\n");
    fx.commitAll(wt.path, "Work");
    await worktrees.keep(wt);
    assert.deepEqual(
      (await worktrees.changedFiles(wt)).map((f) => f.path),
      ["a.txt", "b.txt"],
    );
    await refused(worktrees.discard(wt, { confirmChangedFiles: 0 }), "count-mismatch");
    assert.ok(branches().includes(wt.branch));
    await worktrees.discard(wt, { confirmChangedFiles: 2 });
    assert.ok(!branches().includes(wt.branch));
  });

  it("discards a clean task given the right count", async () => {
    const wt = await create("t1");
    fx.write(wt.path, "a.txt", "a\n");
    fx.commitAll(wt.path, "Work");
    await worktrees.discard(wt, { confirmChangedFiles: 1 });
    assert.equal(existsSync(wt.path), false);
    assert.ok(!branches().includes(wt.branch));
  });

  it("cleans up worktrees of deleted threads, sparing one with uncommitted changes", async () => {
    const live = await create("live", "Live");
    const gone = await create("gone", "Gone");
    const dirty = await create("dirty", "Dirty");
    const vanished = await create("vanished", "Vanished");
    fx.write(gone.path, "done.txt", "done\n");
    const goneCommit = fx.commitAll(gone.path, "Done");
    fx.write(dirty.path, "wip.txt", "work in progress\n");
    fx.write(live.path, "live.txt", "busy\n");
    // A folder deleted behind git's back leaves a stale registration for prune to clear.
    rmSync(vanished.path, { recursive: true });

    const report = await worktrees.cleanupOrphans({
      repo: fx.workspace,
      stateDir: fx.stateDir,
      liveThreadIds: ["live"],
    });
    assert.deepEqual(
      report.removed.map((r) => [r.threadId, r.branch]),
      [["gone", "tether/gone"]],
    );
    assert.deepEqual(
      report.spared.map((s) => [s.threadId, s.files]),
      [["dirty", ["wip.txt"]]],
    );
    assert.equal(existsSync(gone.path), false);
    assert.equal(fx.git(fx.workspace, "rev-parse", "tether/gone").trim(), goneCommit);
    assert.equal(read(dirty.path, "wip.txt"), "work in progress\n");
    assert.equal(read(live.path, "live.txt"), "busy\n");
    const listed = fx.git(fx.workspace, "worktree", "list", "--porcelain");
    assert.ok(!listed.includes(vanished.path), "stale registration pruned");
    assert.ok(listed.includes(live.path) && listed.includes(dirty.path));
  });
});

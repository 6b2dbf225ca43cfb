import assert from "node:assert/strict";
import { chmodSync, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ErrorCode } from "#protocol";
import type { GitService } from "../../../extension/core/git/gitService";
import type { TaskWorktrees } from "../../../extension/core/git/worktrees";
import { gitFixture, type GitFixture } from "./gitFixture";
import { fakeGh, makeService, phone, rejection, settled, type TestThreads } from "./gitServiceHarness";
import { isolateGit } from "./shipRepo";
import { until } from "../../support/wait";

const OP = (n: number) => `op-${String(n).padStart(6, "0")}`;

describe("git service: commit, push, pull request, a worktree's end (real git)", () => {
  let fx: GitFixture;
  let restore: () => void;
  let service: GitService;
  let threads: TestThreads;
  let worktrees: TaskWorktrees;

  beforeEach(async () => {
    restore = isolateGit();
    fx = gitFixture({ "README.md": "hello\n", "src/app.ts": "export const a = 1;\n" });
    ({ service, threads, worktrees } = await makeService(fx.workspace, fx.stateDir, { ghPath: join(fx.root, "no-gh") }));
  });
  afterEach(() => {
    fx.dispose();
    restore();
  });

  const task = async (threadId: string, title = "Add rate limiting") => {
    const wt = await worktrees.createTaskWorktree({ repo: fx.workspace, stateDir: fx.stateDir, threadId, title });
    threads.add(threadId, wt);
    return wt;
  };

  it("commits what is staged as a run that goes from running to done, and records who did it", async () => {
    const wt = await task("t1");
    fx.write(wt.path, "src/app.ts", "export const a = 2;\n");
    fx.write(wt.path, "src/limit.ts", "export const limit = 10;\n");
    fx.git(wt.path, "add", "-A");
    const seen: string[] = [];
    service.onOp((op, threadId) => seen.push(`${op.action}:${op.state}:${threadId ?? "workspace"}`));
    await service.handle(
      { type: "git-commit", threadId: "t1", opId: OP(1), message: "Add rate limiting\n\nTen a second." },
      phone,
    );
    const running = await service.state("t1");
    assert.equal(running.op?.state, "running");
    assert.equal(running.op?.by, "Ada's phone");
    const state = await settled(service, "t1");
    assert.equal(state.op?.state, "done");
    const head = fx.git(wt.path, "rev-parse", "HEAD").trim();
    assert.equal(state.op?.commit, head);
    assert.equal(state.op?.message, `Committed 2 files as ${head.slice(0, 7)}: Add rate limiting`);
    assert.deepEqual(state.worktree, {
      branch: wt.branch,
      baseBranch: "main",
      baseCommit: wt.baseCommit,
      state: "open",
      commits: 1,
    });
    const [event] = threads.events("t1");
    assert.deepEqual(event, {
      action: "commit",
      ok: true,
      by: phone,
      text: state.op?.message,
      branch: wt.branch,
      commit: head,
      files: ["src/app.ts", "src/limit.ts"],
    });
    assert.deepEqual(seen, ["commit:running:t1", "commit:done:t1"]);
    // The workspace itself was not touched.
    assert.equal(fx.git(fx.workspace, "status", "--porcelain"), "");
  });

  it("fails a commit with nothing staged in words, and refuses a second run while one goes on", async () => {
    writeFileSync(join(fx.workspace, ".git/hooks/pre-commit"), "#!/bin/sh\nsleep 1\n");
    chmodSync(join(fx.workspace, ".git/hooks/pre-commit"), 0o755);
    fx.write(fx.workspace, "src/app.ts", "export const a = 3;\n");
    fx.git(fx.workspace, "add", "-A");
    await service.handle({ type: "git-commit", opId: OP(1), message: "Slow hook" }, phone);
    const busy = await rejection(service.handle({ type: "git-push", opId: OP(2) }, phone));
    assert.equal(busy.code, ErrorCode.Conflict);
    assert.match(busy.message, /A commit is running/);
    fx.write(fx.workspace, "README.md", "changed while committing\n");
    const staging = await rejection(service.handle({ type: "git-stage", paths: ["README.md"] }, phone));
    assert.equal(staging.code, ErrorCode.Conflict);
    // The same command again is not a second run.
    await service.handle({ type: "git-commit", opId: OP(1), message: "Slow hook" }, phone);
    assert.equal((await settled(service)).op?.state, "done");
    await service.handle({ type: "git-commit", opId: OP(3), message: "Again" }, phone);
    const failed = await settled(service);
    assert.equal(failed.op?.opId, OP(3));
    assert.equal(failed.op?.state, "failed");
    assert.equal(failed.op?.code, "nothing-staged");
    assert.equal(failed.op?.message, "Nothing is staged to commit.");
  });

  it("pushes a task's branch to origin, then reports a rejected push in git's words", async () => {
    const wt = await task("t1");
    fx.write(wt.path, "a.txt", "a\n");
    fx.commitAll(wt.path, "A");
    await service.handle({ type: "git-push", threadId: "t1", opId: OP(1) }, phone);
    const pushed = await settled(service, "t1");
    assert.equal(pushed.op?.state, "done", pushed.op?.message);
    assert.equal(pushed.op?.message, `Pushed ${wt.branch} to origin`);
    assert.equal(pushed.upstream, `origin/${wt.branch}`);
    // Git's own progress lines were followed while it ran; the last one stays with the run.
    assert.match(pushed.op?.progress ?? "", /^(Writing objects: 100%|Total \d)/);
    assert.equal(
      fx.git(fx.root, "--git-dir", join(fx.root, "origin.git"), "rev-parse", wt.branch),
      fx.git(wt.path, "rev-parse", "HEAD"),
    );

    // Someone else pushes to the same branch first.
    const other = join(fx.root, "other");
    fx.git(fx.root, "clone", "-q", "-b", wt.branch, join(fx.root, "origin.git"), other);
    fx.write(other, "b.txt", "theirs\n");
    fx.commitAll(other, "Theirs");
    fx.git(other, "push", "-q", "origin", wt.branch);
    fx.write(wt.path, "c.txt", "mine\n");
    fx.commitAll(wt.path, "Mine");
    await service.handle({ type: "git-push", threadId: "t1", opId: OP(2) }, phone);
    const rejected = await settled(service, "t1");
    assert.equal(rejected.op?.state, "failed");
    assert.equal(rejected.op?.code, "rejected");
    assert.match(rejected.op?.message ?? "", /\[rejected\]/);
    const last = threads.events("t1").at(-1);
    assert.equal(last?.ok, false);
    assert.match(last?.text ?? "", /\[rejected\]/);
  });

  it("opens a pull request with the gh on PATH after pushing, and shows it with its checks", async () => {
    const gh = fakeGh(fx.root);
    process.env.PATH = `${gh.bin}:${process.env.PATH ?? ""}`;
    ({ service, threads, worktrees } = await makeService(fx.workspace, fx.stateDir));
    const wt = await task("t1");
    fx.write(wt.path, "a.txt", "a\n");
    fx.commitAll(wt.path, "A");
    assert.equal((await service.state("t1")).canCreatePullRequest, true);
    const body = "--body looks like a flag\nbut is text";
    await service.handle({ type: "git-pull-request", threadId: "t1", opId: OP(1), title: "-t Add A", body }, phone);
    const state = await settled(service, "t1");
    assert.equal(state.op?.state, "done", state.op?.message);
    assert.equal(state.op?.url, "https://github.com/acme/widgets/pull/7");
    assert.equal(state.upstream, `origin/${wt.branch}`);
    const create = gh.calls().find((argv) => argv[0] === "pr" && argv[1] === "create");
    assert.deepEqual(create, ["pr", "create", "--title=-t Add A", `--body=${body}`, "--base=main", `--head=${wt.branch}`]);
    const withChecks = await service.state("t1", true);
    assert.deepEqual(withChecks.pullRequest, {
      url: "https://github.com/acme/widgets/pull/7",
      checks: [{ name: "build", state: "pass", link: "https://ci.example/1" }],
    });
    assert.equal(threads.events("t1").at(-1)?.text, "Pull request opened: https://github.com/acme/widgets/pull/7");
    // Remembered for the branch after a restart.
    const again = await makeService(fx.workspace, fx.stateDir);
    again.threads.add("t1", wt);
    assert.equal((await again.service.state("t1")).pullRequest?.url, "https://github.com/acme/widgets/pull/7");
  });

  it("does not keep the dashboard waiting on a slow gh, and asks it at most once a minute", async () => {
    const gh = fakeGh(fx.root, { authDelaySeconds: 3 });
    ({ service } = await makeService(fx.workspace, fx.stateDir, { ghPath: join(gh.bin, "gh") }));
    const started = Date.now();
    assert.equal((await service.state()).canCreatePullRequest, false);
    assert.ok(Date.now() - started < 2_500, `state took ${Date.now() - started} ms`);
    await until("gh to answer", async () => (await service.state()).canCreatePullRequest, 8_000);
    assert.equal(gh.calls().filter((argv) => argv[0] === "auth").length, 1);
  });

  it("without gh, pushes and fails the pull request with the compare link to open it by hand", async () => {
    fx.git(fx.workspace, "remote", "set-url", "origin", "https://github.com/acme/widgets.git");
    fx.git(fx.workspace, "remote", "set-url", "--push", "origin", join(fx.root, "origin.git"));
    const wt = await task("t1");
    fx.write(wt.path, "a.txt", "a\n");
    fx.commitAll(wt.path, "A");
    const before = await service.state("t1");
    assert.equal(before.canCreatePullRequest, false);
    const compare = `https://github.com/acme/widgets/compare/main...${wt.branch}?expand=1`;
    assert.equal(before.compareUrl, compare);
    await service.handle({ type: "git-pull-request", threadId: "t1", opId: OP(1), title: "Add A", body: "" }, phone);
    const state = await settled(service, "t1");
    assert.equal(state.op?.state, "failed");
    assert.equal(state.op?.code, "gh-missing");
    assert.equal(state.op?.url, compare);
    assert.equal(state.upstream, `origin/${wt.branch}`);
  });

  it("merges a finished task back by fast-forward, removing its worktree", async () => {
    const wt = await task("t1");
    fx.write(wt.path, "a.txt", "a\n");
    fx.commitAll(wt.path, "A");
    await service.handle({ type: "worktree", threadId: "t1", opId: OP(1), action: "merge" }, phone);
    const state = await settled(service, "t1");
    assert.equal(state.op?.state, "done", state.op?.message);
    assert.equal(state.op?.message, `Merged ${wt.branch} into main (fast-forward)`);
    assert.equal(state.worktree?.state, "merged");
    assert.equal(fx.git(fx.workspace, "log", "-1", "--format=%s").trim(), "A");
    assert.equal(existsSync(wt.path), false);
    const event = threads.events("t1").at(-1);
    assert.equal(event?.action, "merge");
    assert.equal(event?.baseBranch, "main");
    const again = await rejection(service.handle({ type: "worktree", threadId: "t1", opId: OP(2), action: "keep" }, phone));
    assert.equal(again.code, ErrorCode.Conflict);
  });

  it("merges with a merge commit when the workspace's branch moved on without touching the same lines", async () => {
    const wt = await task("t1");
    fx.write(wt.path, "task.txt", "task\n");
    fx.commitAll(wt.path, "Task file");
    fx.write(fx.workspace, "desk.txt", "desk\n");
    fx.commitAll(fx.workspace, "Desk file");
    await service.handle({ type: "worktree", threadId: "t1", opId: OP(1), action: "merge" }, phone);
    const state = await settled(service, "t1");
    assert.equal(state.op?.message, `Merged ${wt.branch} into main (merge commit)`);
    assert.equal(fx.git(fx.workspace, "rev-list", "--parents", "-n", "1", "HEAD").trim().split(" ").length, 3);
    assert.equal(state.op?.commit, fx.git(fx.workspace, "rev-parse", "HEAD").trim());
    // A fast-forward asked for explicitly is refused in words once the base moved on.
    const other = await task("t2", "Other");
    fx.write(other.path, "other.txt", "o\n");
    fx.commitAll(other.path, "Other");
    fx.write(fx.workspace, "desk2.txt", "d\n");
    fx.commitAll(fx.workspace, "Desk again");
    await service.handle({ type: "worktree", threadId: "t2", opId: OP(2), action: "merge", strategy: "ff-only" }, phone);
    const refused = await settled(service, "t2");
    assert.equal(refused.op?.code, "not-fast-forward");
    assert.match(refused.op?.message ?? "", /cannot be fast-forwarded/);
  });

  it("reports a conflicting merge's files and leaves the worktree and the workspace as they were", async () => {
    const wt = await task("t1");
    fx.write(wt.path, "src/app.ts", "export const a = 'task';\n");
    fx.commitAll(wt.path, "Task edit");
    fx.write(fx.workspace, "src/app.ts", "export const a = 'desk';\n");
    fx.commitAll(fx.workspace, "Desk edit");
    await service.handle({ type: "worktree", threadId: "t1", opId: OP(1), action: "merge" }, phone);
    const state = await settled(service, "t1");
    assert.equal(state.op?.state, "failed");
    assert.equal(state.op?.code, "conflict");
    assert.deepEqual(state.op?.files, ["src/app.ts"]);
    assert.equal(threads.events("t1").at(-1)?.text, "Could not merge: conflicts in src/app.ts");
    assert.equal(state.worktree?.state, "open");
    assert.equal(existsSync(wt.path), true);
    assert.equal(fx.git(fx.workspace, "status", "--porcelain"), "");
  });

  it("refuses to end the worktree of a running task", async () => {
    await task("t1");
    const thread = threads.threads.get("t1");
    if (thread) thread.active = true;
    const refused = await rejection(service.handle({ type: "worktree", threadId: "t1", opId: OP(1), action: "keep" }, phone));
    assert.equal(refused.code, ErrorCode.Conflict);
    assert.match(refused.message, /stop the task first/);
  });

  it("keeps the branch, or discards it only with the count of changed files the person saw", async () => {
    const kept = await task("keep-me", "Keep me");
    fx.write(kept.path, "k.txt", "k\n");
    fx.commitAll(kept.path, "K");
    await service.handle({ type: "worktree", threadId: "keep-me", opId: OP(1), action: "keep" }, phone);
    const keptState = await settled(service, "keep-me");
    assert.equal(keptState.op?.state, "done", keptState.op?.message);
    assert.equal(keptState.worktree?.state, "kept");
    assert.equal(existsSync(kept.path), false);
    assert.match(fx.git(fx.workspace, "branch", "--list", kept.branch), /keep-me/);
    // A kept branch can still be thrown away later, counted from its commits.
    await service.handle({ type: "worktree", threadId: "keep-me", opId: OP(9), action: "discard", changedFiles: 1 }, phone);
    assert.equal((await settled(service, "keep-me")).worktree?.state, "discarded");
    assert.equal(fx.git(fx.workspace, "branch", "--list", kept.branch), "");

    const wt = await task("t2", "Throw away");
    fx.write(wt.path, "a.txt", "a\n");
    fx.write(wt.path, "b.txt", "b\n");
    await service.handle({ type: "worktree", threadId: "t2", opId: OP(2), action: "discard", changedFiles: 1 }, phone);
    const mismatch = await settled(service, "t2");
    assert.equal(mismatch.op?.code, "count-mismatch");
    await service.handle({ type: "worktree", threadId: "t2", opId: OP(3), action: "discard", changedFiles: 2 }, phone);
    const dirty = await settled(service, "t2");
    assert.equal(dirty.op?.code, "worktree-dirty");
    assert.deepEqual(dirty.op?.files, ["a.txt", "b.txt"]);
    await service.handle(
      { type: "worktree", threadId: "t2", opId: OP(4), action: "discard", changedFiles: 2, force: true },
      phone,
    );
    const gone = await settled(service, "t2");
    assert.equal(gone.op?.state, "done", gone.op?.message);
    assert.equal(gone.worktree?.state, "discarded");
    assert.equal(existsSync(wt.path), false);
    assert.equal(fx.git(fx.workspace, "branch", "--list", wt.branch), "");
    assert.deepEqual(
      threads.events("t2").map((e) => `${e.action}:${e.ok}`),
      ["discard:false", "discard:false", "discard:true"],
    );
  });
});

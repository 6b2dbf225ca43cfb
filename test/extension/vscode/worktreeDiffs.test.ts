// "Tether: Show Changes" for a task in a worktree of its own, without an editor: the diffs it
// opens (each changed file, its branch point against the worktree or the branch) and the "before"
// text served for them, with real git in a throwaway repository.

import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { TaskWorktrees, type TaskWorktree } from "../../../extension/core/git/worktrees";
import {
  formatOriginal,
  parseOriginal,
  versionText,
  worktreeDiffs,
  type DiffSide,
  type OriginalRef,
} from "../../../extension/vscode/worktreeDiffs";
import { gitFixture, type GitFixture } from "../git/gitFixture";

describe("Show Changes of a worktree thread", () => {
  let fx: GitFixture;
  let worktrees: TaskWorktrees;
  let wt: TaskWorktree;

  beforeEach(async () => {
    fx = gitFixture({ "wren-notes.md": "nests: 3\n", "old.txt": "going\n", "src/keep.ts": "same\n" });
    worktrees = new TaskWorktrees(fx.env);
    wt = await worktrees.createTaskWorktree({
      repo: fx.workspace,
      stateDir: fx.stateDir,
      threadId: "thread-1",
      title: "Count nests",
    });
    // The task: one edit committed, a file deleted, one added and staged, one left untracked.
    fx.write(wt.path, "wren-notes.md", "nests: 4\n");
    fx.commitAll(wt.path, "Count the fourth nest");
    rmSync(join(wt.path, "old.txt"));
    fx.write(wt.path, "src/new.ts", "export const born = true;\n");
    fx.git(wt.path, "add", "src/new.ts");
    fx.write(wt.path, "scratch.md", "untracked\n");
  });
  afterEach(() => fx.dispose());

  /** What a side shows: the file on disk, or the text the content provider serves for it. */
  async function text(side: DiffSide): Promise<string> {
    if ("file" in side) return readFileSync(side.file, "utf8");
    const { threadId, path, at } = roundTrip(side.original);
    assert.equal(threadId, "thread-1");
    return at === "base" || at === "branch" ? versionText(wt, path, at, fx.env) : "";
  }

  /** Through the URI's path and query and back, as the editor carries it. */
  function roundTrip(ref: OriginalRef): OriginalRef {
    const { path, query } = formatOriginal(ref);
    return parseOriginal(path, query);
  }

  it("diffs every file the worktree changed, committed or not, against the branch point", async () => {
    const diffs = worktreeDiffs("thread-1", wt.path, await worktrees.changedFiles(wt));
    assert.deepEqual(
      diffs.map((d) => d.path),
      ["old.txt", "scratch.md", "src/new.ts", "wren-notes.md"],
    );
    const shown = await Promise.all(diffs.map(async (d) => [d.path, await text(d.original), await text(d.modified)]));
    assert.deepEqual(shown, [
      ["old.txt", "going\n", ""],
      ["scratch.md", "", "untracked\n"],
      ["src/new.ts", "", "export const born = true;\n"],
      ["wren-notes.md", "nests: 3\n", "nests: 4\n"],
    ]);
    // The right side is the worktree's own file, where the person can go on editing.
    assert.deepEqual(diffs[3]!.modified, { file: join(wt.path, "wren-notes.md") });
  });

  it("reads the branch point, not the workspace, after the workspace moved on", async () => {
    fx.write(fx.workspace, "wren-notes.md", "nests: 7\n");
    fx.commitAll(fx.workspace, "Elsewhere");
    assert.equal(await versionText(wt, "wren-notes.md", "base", fx.env), "nests: 3\n");
  });

  it("shows a kept branch's commits once its worktree folder is gone", async () => {
    fx.git(wt.path, "add", "-A");
    fx.git(wt.path, "commit", "-q", "-m", "The rest");
    await worktrees.keep(wt);
    const diffs = worktreeDiffs("thread-1", undefined, await worktrees.changedFiles(wt));
    const notes = diffs.find((d) => d.path === "wren-notes.md")!;
    assert.deepEqual(roundTrip((notes.modified as { original: OriginalRef }).original).at, "branch");
    assert.equal(await text(notes.modified), "nests: 4\n");
    assert.equal(await text(notes.original), "nests: 3\n");
  });

  it("keeps a checkpoint URI as it was, and takes no other version from a URI", () => {
    assert.deepEqual(formatOriginal({ threadId: "t", path: "a/b.md", at: "checkpoint" }), { path: "/t/a/b.md", query: "" });
    assert.deepEqual(parseOriginal("/t/a/b.md", ""), { threadId: "t", path: "a/b.md", at: "checkpoint" });
    assert.equal(parseOriginal("/t/a.md", "at=HEAD~3").at, "checkpoint");
  });
});

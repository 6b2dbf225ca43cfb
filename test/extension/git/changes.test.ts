import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { spawnSync } from "node:child_process";
import { chmodSync, rmSync } from "node:fs";
import { join } from "node:path";
import { listChanges, stage, unstage, stageHunk, unstageHunk, type FileChange } from "../../../extension/core/git/changes";
import { isolateGit, lines, makeRepo, sh, write, type Fixture } from "./shipRepo";

function byPath(changes: FileChange[], path: string): FileChange {
  const found = changes.find((c) => c.path === path);
  assert.ok(found, `no change listed for ${path}: ${changes.map((c) => c.path).join(", ")}`);
  return found;
}

describe("git changes: list, stage and unstage", () => {
  let restore: () => void;
  let fx: Fixture;
  before(() => (restore = isolateGit()));
  after(() => restore());
  beforeEach(() => {
    fx = makeRepo();
    write(fx.repo, "edit.txt", lines());
    write(fx.repo, "gone.txt", "bye\n");
    write(fx.repo, 'say "hi".txt', "hi\n");
    write(fx.repo, "old name.txt", "moving text\nthat stays the same\nover several lines\n");
    sh(fx.repo, "add", "-A");
    sh(fx.repo, "commit", "-q", "-m", "files");
  });
  afterEach(() => fx.cleanup());

  it("lists modified, added, deleted, renamed and untracked files with their diffs", async () => {
    write(
      fx.repo,
      "edit.txt",
      lines((n) => (n === 3 ? "line three" : `line ${n}`)),
    );
    write(fx.repo, "new.txt", "brand new\n");
    sh(fx.repo, "add", "new.txt");
    sh(fx.repo, "rm", "-q", "gone.txt");
    sh(fx.repo, "mv", "old name.txt", "new name.txt");
    write(fx.repo, "notes/untracked ü.md", "scribble\n");
    // git quotes this name in diff headers: it is diffed on its own rather than found in the batch.
    write(fx.repo, 'say "hi".txt', "hello\n");

    const changes = await listChanges(fx.repo);
    assert.equal(changes.length, 6);
    assert.match(byPath(changes, 'say "hi".txt').unstagedDiff?.text ?? "", /^-hi\n\+hello$/m);
    const edit = byPath(changes, "edit.txt");
    assert.deepEqual([edit.kind, edit.staged, edit.unstaged], ["modified", false, true]);
    assert.match(edit.unstagedDiff?.text ?? "", /^-line 3\n\+line three$/m);
    assert.equal(edit.stagedDiff, undefined);

    const added = byPath(changes, "new.txt");
    assert.deepEqual([added.kind, added.staged, added.unstaged], ["added", true, false]);
    assert.match(added.stagedDiff?.text ?? "", /^\+brand new$/m);

    const gone = byPath(changes, "gone.txt");
    assert.deepEqual([gone.kind, gone.staged], ["deleted", true]);
    assert.match(gone.stagedDiff?.text ?? "", /^-bye$/m);

    const moved = byPath(changes, "new name.txt");
    assert.equal(moved.kind, "renamed");
    assert.equal(moved.origPath, "old name.txt");
    assert.match(moved.stagedDiff?.text ?? "", /^rename from old name\.txt$/m);

    const loose = byPath(changes, "notes/untracked ü.md");
    assert.deepEqual([loose.kind, loose.staged, loose.unstaged], ["untracked", false, true]);
    assert.match(loose.unstagedDiff?.text ?? "", /^\+scribble$/m);
  });

  it("cuts a large diff at the cap and marks a binary one", async () => {
    write(fx.repo, "big.txt", "x".repeat(100) + "\n".repeat(1) + "y\n".repeat(5000));
    write(fx.repo, "blob.bin", randomBytes(2048));
    sh(fx.repo, "add", "blob.bin");
    write(fx.repo, "edit.txt", "changed line\n".repeat(2000));
    write(fx.repo, "gone.txt", "small\n");
    const changes = await listChanges(fx.repo, { maxDiffBytes: 1000 });
    const edited = byPath(changes, "edit.txt");
    assert.equal(edited.unstagedDiff?.truncated, true);
    assert.ok(Buffer.byteLength(edited.unstagedDiff?.text ?? "") <= 1000);
    assert.match(edited.unstagedDiff?.text ?? "", /^diff --git a\/edit\.txt b\/edit\.txt$/m);
    assert.equal(byPath(changes, "gone.txt").unstagedDiff?.truncated, false);
    const big = byPath(changes, "big.txt");
    assert.equal(big.unstagedDiff?.truncated, true);
    assert.ok((big.unstagedDiff?.text.length ?? 0) <= 1000);
    assert.equal(byPath(changes, "blob.bin").stagedDiff?.binary, true);
  });

  it("shows new files exactly as git diffs them against nothing", async () => {
    const files: [string, string | Buffer][] = [
      ["lines.txt", "one\ntwo\nthree\n"],
      ["one line.txt", "only\n"],
      ["no newline.txt", "a\nb"],
      ["empty.txt", ""],
      ["bin/tool.sh", "#!/bin/sh\necho hi\n"],
      ["größe.md", "ünïcode\n"],
      ["blob.bin", Buffer.from([1, 2, 0, 3, 4])],
      ['quote".txt', "q\n"],
    ];
    for (const [path, text] of files) write(fx.repo, path, text);
    chmodSync(join(fx.repo, "bin/tool.sh"), 0o755);
    const changes = await listChanges(fx.repo);
    for (const [path] of files) {
      const real = spawnSync("git", ["-c", "core.quotepath=off", "diff", "--no-index", "--no-color", "--", "/dev/null", path], {
        cwd: fx.repo,
        encoding: "utf8",
      }).stdout.replace(/^index [0-9a-f]+\.\.[0-9a-f]+\n/m, "");
      const ours = (byPath(changes, path).unstagedDiff?.text ?? "").replace(/^index [0-9a-f]+\.\.[0-9a-f]+\n/m, "");
      assert.equal(ours, real, path);
    }
    assert.equal(byPath(changes, "blob.bin").unstagedDiff?.binary, true);
  });

  it("stages and unstages whole files, deletions included", async () => {
    write(fx.repo, "edit.txt", "changed\n");
    rmSync(join(fx.repo, "gone.txt"));
    write(fx.repo, "loose.txt", "new\n");
    await stage(fx.repo, ["edit.txt", "loose.txt", "gone.txt"]);
    assert.equal(sh(fx.repo, "diff", "--cached", "--name-status"), "M\tedit.txt\nD\tgone.txt\nA\tloose.txt\n");
    await unstage(fx.repo, ["edit.txt", "loose.txt"]);
    assert.equal(sh(fx.repo, "diff", "--cached", "--name-status"), "D\tgone.txt\n");
    const after = await listChanges(fx.repo);
    assert.equal(byPath(after, "loose.txt").kind, "untracked");
    assert.equal(byPath(after, "edit.txt").unstaged, true);
  });

  it("unstages a staged rename as a whole", async () => {
    sh(fx.repo, "mv", "old name.txt", "new name.txt");
    await unstage(fx.repo, ["new name.txt"]);
    assert.equal(sh(fx.repo, "diff", "--cached", "--name-status"), "");
    const changes = await listChanges(fx.repo);
    assert.deepEqual(
      changes.map((c) => [c.path, c.kind]),
      [
        ["old name.txt", "deleted"],
        ["new name.txt", "untracked"],
      ],
    );
  });

  it("lists a file left conflicted by a merge", async () => {
    sh(fx.repo, "checkout", "-q", "-b", "other");
    write(fx.repo, "gone.txt", "theirs\n");
    sh(fx.repo, "commit", "-q", "-am", "theirs");
    sh(fx.repo, "checkout", "-q", "main");
    write(fx.repo, "gone.txt", "ours\n");
    sh(fx.repo, "commit", "-q", "-am", "ours");
    assert.throws(() => sh(fx.repo, "merge", "-q", "other"));
    const changes = await listChanges(fx.repo);
    const conflicted = byPath(changes, "gone.txt");
    assert.equal(conflicted.kind, "conflicted");
    assert.match(conflicted.unstagedDiff?.text ?? "", /<<<<<<< HEAD/);
  });

  it("unstages before the first commit, when there is no HEAD", async () => {
    const empty = makeRepo({ commit: false });
    try {
      write(empty.repo, "a.txt", "a\n");
      await stage(empty.repo, ["a.txt"]);
      assert.equal(byPath(await listChanges(empty.repo), "a.txt").kind, "added");
      await unstage(empty.repo, ["a.txt"]);
      assert.equal(byPath(await listChanges(empty.repo), "a.txt").kind, "untracked");
    } finally {
      empty.cleanup();
    }
  });

  it("stages and unstages a single hunk", async () => {
    write(
      fx.repo,
      "edit.txt",
      lines((n) => (n === 1 ? "TOP" : n === 20 ? "BOTTOM" : `line ${n}`)),
    );
    const result = await stageHunk(fx.repo, "edit.txt", 1);
    assert.deepEqual(result, { ok: true });
    const staged = sh(fx.repo, "diff", "--cached");
    assert.match(staged, /^\+BOTTOM$/m);
    assert.doesNotMatch(staged, /TOP/);
    assert.match(sh(fx.repo, "diff"), /^\+TOP$/m);

    assert.deepEqual(await stageHunk(fx.repo, "edit.txt", 0), { ok: true });
    assert.equal(sh(fx.repo, "diff"), "");
    assert.deepEqual(await unstageHunk(fx.repo, "edit.txt", 0), { ok: true });
    assert.match(sh(fx.repo, "diff"), /^\+TOP$/m);
    assert.doesNotMatch(sh(fx.repo, "diff", "--cached"), /TOP/);
    assert.match(sh(fx.repo, "diff", "--cached"), /^\+BOTTOM$/m);
  });

  it("refuses hunks of binary, large, untracked files and a hunk that is not there", async () => {
    write(fx.repo, "blob.bin", randomBytes(1024));
    sh(fx.repo, "add", "blob.bin");
    sh(fx.repo, "commit", "-q", "-m", "blob");
    write(fx.repo, "blob.bin", randomBytes(1024));
    const binary = await stageHunk(fx.repo, "blob.bin", 0);
    assert.equal(binary.ok ? "ok" : binary.code, "binary");

    write(fx.repo, "edit.txt", "z\n".repeat(100_000));
    const large = await stageHunk(fx.repo, "edit.txt", 0);
    assert.equal(large.ok ? "ok" : large.code, "too-large");
    assert.match(large.ok ? "" : large.message, /stage or unstage it whole/);

    write(fx.repo, "fresh.txt", "fresh\n");
    const untracked = await stageHunk(fx.repo, "fresh.txt", 0);
    assert.equal(untracked.ok ? "ok" : untracked.code, "untracked");

    write(fx.repo, "gone.txt", "bye\nagain\n");
    const missing = await stageHunk(fx.repo, "gone.txt", 3);
    assert.equal(missing.ok ? "ok" : missing.code, "no-such-hunk");
    assert.equal(sh(fx.repo, "diff", "--cached"), "");
  });
});

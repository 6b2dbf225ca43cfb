import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, renameSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dirEntrySchema } from "#protocol";
import { GitMarks, cachedGitStatus, markOfStatus, type GitStatusOutput } from "../../../extension/core/mirror/gitStatus";
import { Mirror } from "../../../extension/core/mirror/mirror";
import { nodeFileSystem } from "../../../extension/node/nodeFileSystem";
import { createNodeGitStatus } from "../../../extension/node/nodeGitStatus";
import { makeWorkspace } from "../../support/workspace";

function git(cwd: string, ...args: string[]): string {
  return execFileSync(
    "git",
    ["-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", ...args],
    {
      cwd,
      encoding: "utf8",
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1" },
    },
  );
}

/** A repository with `files` committed on `main`. */
function makeRepo(files: Record<string, string>): string {
  const root = makeWorkspace(files);
  git(root, "init", "-q", "-b", "main");
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "initial");
  return root;
}

/** name → mark ("" for none) of one folder's listing, checked against the wire schema. */
async function marks(mirror: Mirror, path: string): Promise<Record<string, string>> {
  const listing = await mirror.listDir(path);
  for (const entry of listing.entries) dirEntrySchema.parse(entry);
  return Object.fromEntries(listing.entries.map((e) => [e.name, e.git ?? ""]));
}

const openMirror = (root: string): Promise<Mirror> =>
  Mirror.open({ fs: nodeFileSystem, root, gitStatus: createNodeGitStatus(root) });

describe("git status marks", () => {
  const roots: string[] = [];
  after(() => {
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  describe("in a repository with every kind of change", () => {
    let mirror: Mirror;

    before(async () => {
      const root = makeRepo({
        "README.md": "# app\n",
        "package.json": "{}\n",
        "src/index.ts": "export {};\n",
        "src/old-name.ts": "export const a = 1;\n",
        "src/deep/er/leaf.ts": "export const leaf = 1;\n",
        "docs/guide.md": "guide\n",
        "docs/gone.md": "gone\n",
        "lib/keep.ts": "keep\n",
        "lib/staged-gone.ts": "gone\n",
      });
      roots.push(root);
      writeFileSync(join(root, "README.md"), "# app, changed\n");
      writeFileSync(join(root, "src/deep/er/leaf.ts"), "export const leaf = 2;\n");
      writeFileSync(join(root, "notes.txt"), "untracked\n");
      mkdirSync(join(root, "scratch/inner"), { recursive: true });
      writeFileSync(join(root, "scratch/inner/a.txt"), "untracked folder\n");
      writeFileSync(join(root, "added.ts"), "new\n");
      git(root, "add", "added.ts");
      unlinkSync(join(root, "docs/gone.md"));
      git(root, "rm", "-q", "lib/staged-gone.ts");
      git(root, "mv", "src/old-name.ts", "src/new-name.ts");
      mirror = await openMirror(root);
    });

    it("marks modified, added, untracked and renamed files, and leaves the rest unmarked", async () => {
      const top = await marks(mirror, "");
      assert.equal(top["README.md"], "M");
      assert.equal(top["added.ts"], "A");
      assert.equal(top["notes.txt"], "?");
      assert.equal(top["package.json"], "");
      assert.equal((await marks(mirror, "src"))["new-name.ts"], "R");
      assert.equal((await marks(mirror, "src"))["index.ts"], "");
    });

    it("marks a folder by what changed inside it, at every depth", async () => {
      const top = await marks(mirror, "");
      // A modified leaf and a rename: mixed, so "M".
      assert.equal(top["src"], "M");
      assert.equal((await marks(mirror, "src"))["deep"], "M");
      assert.equal((await marks(mirror, "src/deep"))["er"], "M");
      assert.equal((await marks(mirror, "src/deep/er"))["leaf.ts"], "M");
    });

    it("marks the folder a file was deleted from, staged or not", async () => {
      const top = await marks(mirror, "");
      assert.equal(top["docs"], "D");
      assert.equal(top["lib"], "D");
      assert.deepEqual(await marks(mirror, "docs"), { "guide.md": "" });
    });

    it("marks an untracked folder and everything in it as untracked", async () => {
      assert.equal((await marks(mirror, ""))["scratch"], "?");
      assert.deepEqual(await marks(mirror, "scratch"), { inner: "?" });
      assert.deepEqual(await marks(mirror, "scratch/inner"), { "a.txt": "?" });
    });
  });

  it("marks a file with a merge conflict, and its folder", async () => {
    const root = makeRepo({ "src/app.ts": "one\n" });
    roots.push(root);
    git(root, "checkout", "-q", "-b", "other");
    writeFileSync(join(root, "src/app.ts"), "two\n");
    git(root, "commit", "-q", "-am", "two");
    git(root, "checkout", "-q", "main");
    writeFileSync(join(root, "src/app.ts"), "three\n");
    git(root, "commit", "-q", "-am", "three");
    assert.throws(() => git(root, "merge", "-q", "other"));
    const mirror = await openMirror(root);
    assert.equal((await marks(mirror, ""))["src"], "U");
    assert.equal((await marks(mirror, "src"))["app.ts"], "U");
  });

  it("names paths from the workspace when it is a folder inside the repository", async () => {
    const repo = makeRepo({ "packages/web/src/app.ts": "app\n", "packages/api/main.go": "package main\n" });
    roots.push(repo);
    writeFileSync(join(repo, "packages/web/src/app.ts"), "app, changed\n");
    writeFileSync(join(repo, "packages/api/main.go"), "package main // changed\n");
    const mirror = await openMirror(join(repo, "packages/web"));
    assert.deepEqual(await marks(mirror, ""), { src: "M" });
    assert.deepEqual(await marks(mirror, "src"), { "app.ts": "M" });
  });

  it("shows no marks outside a repository, or without git", async () => {
    const root = makeWorkspace({ "a.ts": "a\n", "src/b.ts": "b\n" });
    roots.push(root);
    assert.deepEqual(await marks(await openMirror(root), ""), { src: "", "a.ts": "" });
    const noGit = await Mirror.open({
      fs: nodeFileSystem,
      root,
      gitStatus: createNodeGitStatus(root, { git: join(root, "no-such-git") }),
    });
    assert.deepEqual(await marks(noGit, ""), { src: "", "a.ts": "" });
  });

  it("sees a change after the cache's second is up, not before", async () => {
    const root = makeRepo({ "a.ts": "a\n" });
    roots.push(root);
    let clock = 0;
    const mirror = await Mirror.open({
      fs: nodeFileSystem,
      root,
      gitStatus: createNodeGitStatus(root, { now: () => clock }),
    });
    assert.equal((await marks(mirror, ""))["a.ts"], "");
    writeFileSync(join(root, "a.ts"), "changed\n");
    clock = 500;
    assert.equal((await marks(mirror, ""))["a.ts"], "");
    clock = 1500;
    assert.equal((await marks(mirror, ""))["a.ts"], "M");
    renameSync(join(root, "a.ts"), join(root, "b.ts"));
    clock = 3000;
    assert.deepEqual(await marks(mirror, ""), { "b.ts": "?" });
  });
});

describe("git status parsing and caching", () => {
  it("reads -z records, renames with their source, and drops a record cut short", () => {
    const output = " M src/a.ts\0R  lib/new.ts\0old/moved.ts\0?? tmp/\0A  cut/off/in-the-mid";
    const marks = GitMarks.parse(output);
    assert.equal(marks.markOf("src/a.ts", false), "M");
    assert.equal(marks.markOf("lib/new.ts", false), "R");
    assert.equal(marks.markOf("old", true), "R");
    assert.equal(marks.markOf("tmp/x/y.txt", false), "?");
    assert.equal(marks.markOf("cut", true), undefined);
  });

  it("takes names with spaces, quotes and newlines as they are", () => {
    const marks = GitMarks.parse(' M with space.ts\0?? "quoted".md\0 M new\nline.txt\0');
    assert.equal(marks.markOf("with space.ts", false), "M");
    assert.equal(marks.markOf('"quoted".md', false), "?");
    assert.equal(marks.markOf("new\nline.txt", false), "M");
  });

  it("reduces each status pair to the letter a person expects", () => {
    const cases: [string, string | null][] = [
      [" M", "M"],
      ["MM", "M"],
      [" T", "M"],
      ["A ", "A"],
      ["AM", "A"],
      [" A", "A"],
      ["AD", "D"],
      [" D", "D"],
      ["D ", "D"],
      ["R ", "R"],
      ["RM", "R"],
      ["??", "?"],
      ["UU", "U"],
      ["AA", "U"],
      ["DU", "U"],
      ["!!", null],
    ];
    for (const [xy, mark] of cases) assert.equal(markOfStatus(xy[0]!, xy[1]!), mark, JSON.stringify(xy));
  });

  it("runs git once for calls within a second, and once for calls at the same time", async () => {
    let runs = 0;
    let clock = 0;
    const status = cachedGitStatus(
      async () => {
        runs++;
        // A git run takes a moment (kept on purpose): the three calls overlap it.
        await new Promise((r) => setTimeout(r, 5));
        return { output: " M a.ts\0", prefix: "" };
      },
      { now: () => clock },
    );
    await Promise.all([status.current(), status.current(), status.current()]);
    assert.equal(runs, 1);
    clock = 900;
    await status.current();
    assert.equal(runs, 1);
    clock = 1000;
    assert.equal((await status.current()).markOf("a.ts", false), "M");
    assert.equal(runs, 2);
  });

  it("answers the last run's marks at once, without waiting, and starts no run for them", async () => {
    let runs = 0;
    let clock = 0;
    const status = cachedGitStatus(
      async () => {
        runs++;
        return { output: "?? new.ts\0", prefix: "" };
      },
      { now: () => clock },
    );
    assert.equal(status.latest().size, 0);
    assert.equal(runs, 0);
    await status.current();
    clock = 60_000;
    assert.equal(status.latest().markOf("new.ts", false), "?");
    assert.equal(runs, 1);
    // No wait at all: the previous marks now, and a run begun for the next caller.
    assert.equal((await status.current(0)).markOf("new.ts", false), "?");
    assert.equal(runs, 2);
  });

  it("answers with the previous marks while a slow run goes on, and with none after a failure", async () => {
    let clock = 0;
    let release!: (value: GitStatusOutput | null) => void;
    let fail = false;
    const status = cachedGitStatus(
      () => {
        if (fail) return Promise.reject(new Error("git broke"));
        if (clock === 0) return Promise.resolve({ output: " M a.ts\0", prefix: "" });
        return new Promise((resolve) => (release = resolve));
      },
      { now: () => clock, maxWaitMs: 20 },
    );
    assert.equal((await status.current()).markOf("a.ts", false), "M");
    clock = 5000;
    assert.equal((await status.current()).markOf("a.ts", false), "M");
    release({ output: "?? b.ts\0", prefix: "" });
    assert.equal((await status.current()).markOf("b.ts", false), "?");
    fail = true;
    clock = 10_000;
    assert.equal((await status.current()).size, 0);
  });
});

import assert from "node:assert/strict";
import type { ChangedFileInfo } from "#protocol";
import { groupChanges, hunkDiff, splitHunks } from "../../../mobile-web/src/git/changeGroups";

const file = (path: string, fields: Partial<ChangedFileInfo>): ChangedFileInfo => ({
  path,
  kind: "modified",
  staged: false,
  unstaged: true,
  ...fields,
});

describe("the Changes list", () => {
  it("groups files as Staged and Not staged, a half-staged file in both, by path", () => {
    const groups = groupChanges([
      file("src/z.ts", { staged: true, unstaged: false, kind: "added" }),
      file("src/a.ts", { staged: true, unstaged: true }),
      file("notes.md", { kind: "untracked", unstaged: false }),
    ]);
    assert.deepEqual(
      groups.staged.map((r) => r.file.path),
      ["src/a.ts", "src/z.ts"],
    );
    assert.deepEqual(
      groups.unstaged.map((r) => r.file.path),
      ["notes.md", "src/a.ts"],
    );
    assert.deepEqual(groups.toStage, ["notes.md", "src/a.ts"]);
    assert.equal(groups.count, 3);
    assert.equal(new Set([...groups.staged, ...groups.unstaged].map((r) => r.key)).size, 4);
  });

  it("groups 2,000 files quickly enough for a first screen", () => {
    const many = Array.from({ length: 2000 }, (_, i) => file(`src/f${i}.ts`, { staged: i % 2 === 0 }));
    const started = performance.now();
    const groups = groupChanges(many);
    assert.equal(groups.unstaged.length, 2000);
    assert.ok(performance.now() - started < 50);
  });
});

describe("a diff by hunk", () => {
  const diff = [
    "diff --git a/x.ts b/x.ts",
    "--- a/x.ts",
    "+++ b/x.ts",
    "@@ -1,2 +1,2 @@",
    "-a",
    "+b",
    "@@ -10,1 +10,2 @@",
    " c",
    "+d",
    "",
  ].join("\n");

  it("splits at each @@ and keeps the file's header for each", () => {
    const split = splitHunks(diff);
    assert.equal(split.hunks.length, 2);
    assert.equal(split.header, "diff --git a/x.ts b/x.ts\n--- a/x.ts\n+++ b/x.ts");
    assert.equal(hunkDiff(split, 1), "diff --git a/x.ts b/x.ts\n--- a/x.ts\n+++ b/x.ts\n@@ -10,1 +10,2 @@\n c\n+d\n");
  });

  it("has no hunks for a diff without any (a binary file)", () => {
    assert.deepEqual(splitHunks("Binary files a/x and b/x differ\n").hunks, []);
  });
});

import assert from "node:assert/strict";
import { ChangedPaths, normalizeChangedPath } from "../../../mobile-web/src/files/changedPaths";
import { gitMarkLabel, gitMarkTone } from "../../../mobile-web/src/files/gitMarks";

describe("changed-in-this-thread filter", () => {
  const changed = new ChangedPaths(["src/routes/subscribe.ts", "./README.md", "src/routes/subscribe.ts", "docs//guide/"]);

  it("shows changed files and the folders that lead to them, nothing else", () => {
    assert.equal(changed.size, 3);
    for (const shown of ["src", "src/routes", "src/routes/subscribe.ts", "README.md", "docs", "docs/guide"]) {
      assert.ok(changed.includes(shown), shown);
    }
    for (const hidden of ["src/index.ts", "src/route", "src/routes/subscribe", "srcx", "guide", "", "docs/guide/a.md"]) {
      assert.ok(!changed.includes(hidden), hidden);
    }
  });

  it("writes paths the way listings do", () => {
    assert.equal(normalizeChangedPath("./a//b/./c.ts/"), "a/b/c.ts");
    assert.equal(normalizeChangedPath("/"), "");
    assert.equal(new ChangedPaths(["", "/", "."]).size, 0);
  });
});

describe("git marks on the phone", () => {
  it("names each mark, for files and for folders", () => {
    assert.equal(gitMarkLabel("M", false), "Modified");
    assert.equal(gitMarkLabel("?", false), "Untracked");
    assert.equal(gitMarkLabel("U", false), "Conflict");
    assert.equal(gitMarkLabel("M", true), "Changes inside");
    assert.equal(gitMarkLabel("D", true), "Deleted files inside");
    assert.equal(gitMarkTone("R"), "renamed");
  });
});

import assert from "node:assert/strict";
import { DIFF_WINDOW_LINES, changeWords, diffLineCount, diffRows, diffStats } from "../../../mobile-web/src/threads/diff";

describe("diff size", () => {
  it("counts changed lines, not the file headers", () => {
    const diff = "--- a/x.ts\n+++ b/x.ts\n@@ -1,3 +1,3 @@\n keep\n-old\n+new\n+more\n--- not a header inside a hunk\n";
    assert.deepEqual(diffStats(diff), { added: 2, removed: 2 });
    assert.equal(changeWords(812, 40), "+812 \u221240");
  });
});

describe("diff rows for a windowed view", () => {
  it("numbers lines as in the old and new file, and ends a hunk by its counts", () => {
    const diff =
      "diff --git a/x.ts b/x.ts\nindex 1..2 100644\n--- a/x.ts\n+++ b/x.ts\n" +
      "@@ -9,4 +9,4 @@ function f() {\n keep\n-old\n--- a removed line that looks like a header\n+new\n+more\n keep2\n" +
      "\\ No newline at end of file\n";
    const { rows, widest, digits } = diffRows(diff);
    assert.deepEqual(
      rows.map((r) => [r.kind, r.old, r.new]),
      [
        ["hunk", null, null],
        ["ctx", 9, 9],
        ["del", 10, null],
        ["del", 11, null],
        ["add", null, 10],
        ["add", null, 11],
        ["ctx", 12, 12],
        ["info", null, null],
      ],
    );
    assert.equal(rows[3]!.text, "--- a removed line that looks like a header");
    assert.equal(widest, "--- a removed line that looks like a header".length);
    assert.equal(digits, 2);
  });

  it("names each file when a diff spans several, and none when it has one", () => {
    const one = "--- a/a.ts\n+++ b/a.ts\n@@ -1 +1 @@\n-a\n+b\n";
    const two = one + "--- a/b.ts\n+++ b/b.ts\n@@ -1,0 +1 @@\n+c\n";
    assert.deepEqual(
      diffRows(one).rows.map((r) => r.kind),
      ["hunk", "del", "add"],
    );
    const rows = diffRows(two).rows;
    assert.deepEqual(
      rows.map((r) => r.kind),
      ["file", "hunk", "del", "add", "file", "hunk", "add"],
    );
    assert.equal(rows[4]!.text, "b.ts");
    assert.equal(rows[6]!.new, 1);
  });

  it("counts lines to decide when a diff is drawn a window at a time", () => {
    assert.equal(diffLineCount(""), 0);
    assert.equal(diffLineCount("a"), 1);
    assert.equal(diffLineCount("a\nb\n"), 2);
    assert.equal(diffLineCount("a\nb"), 2);
    assert.ok(diffLineCount("x\n".repeat(DIFF_WINDOW_LINES + 1)) > DIFF_WINDOW_LINES);
  });
});

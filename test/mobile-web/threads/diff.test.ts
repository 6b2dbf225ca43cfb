import assert from "node:assert/strict";
import { changeWords, diffStats } from "../../../mobile-web/src/threads/diff";

describe("diff size", () => {
  it("counts changed lines, not the file headers", () => {
    const diff = "--- a/x.ts\n+++ b/x.ts\n@@ -1,3 +1,3 @@\n keep\n-old\n+new\n+more\n--- not a header inside a hunk\n";
    assert.deepEqual(diffStats(diff), { added: 2, removed: 2 });
    assert.equal(changeWords(812, 40), "+812 \u221240");
  });
});

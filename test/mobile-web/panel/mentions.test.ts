// The sidebar composer's `@` mentions: which `@…` the caret is in, what choosing a file writes,
// which files are offered first, which paths a text mentions, and how a selection is quoted.

import assert from "node:assert/strict";
import { mentionedPaths } from "#protocol/panel";
import { describeItem, insertMention, mentionAt, rankFiles, withContext } from "../../../mobile-web/src/panel/mentions";

const FILES = [
  "README.md",
  "src/date.ts",
  "src/date.test.ts",
  "src/util/dates/format.ts",
  "docs/update-notes.md",
  "test/e2e/sidebar.e2e.ts",
];

describe("sidebar @ mentions", () => {
  it("finds the mention the caret is in, from its @ to the caret", () => {
    assert.deepEqual(mentionAt("fix @src/da", 11), { start: 4, query: "src/da" });
    assert.deepEqual(mentionAt("@", 1), { start: 0, query: "" });
    assert.deepEqual(mentionAt("look at (@dat", 13), { start: 9, query: "dat" });
    // The caret in the middle of the word: what is before it is the query.
    assert.deepEqual(mentionAt("fix @src/date.ts now", 9), { start: 4, query: "src/" });
  });

  it("takes no e-mail address, finished word or text after a space for a mention", () => {
    assert.equal(mentionAt("mail me@example.com", 19), null);
    assert.equal(mentionAt("fix @src/date.ts now", 20), null);
    assert.equal(mentionAt("no mention here", 7), null);
    assert.equal(mentionAt("@a@b", 4), null);
  });

  it("writes the chosen file as @path with a space after, replacing the rest of the word", () => {
    const text = "fix @da tests";
    assert.deepEqual(insertMention(text, { start: 4, query: "da" }, 7, "src/date.ts"), {
      text: "fix @src/date.ts tests",
      caret: 17,
    });
    // Mid-word: the whole word goes, not just the part before the caret.
    assert.deepEqual(insertMention("@srcx", { start: 0, query: "sr" }, 3, "src/date.ts"), {
      text: "@src/date.ts ",
      caret: 13,
    });
  });

  it("offers names that start with the query first, then names and paths that hold it, then abbreviations", () => {
    assert.deepEqual(rankFiles(FILES, "date"), [
      "src/date.ts",
      "src/date.test.ts",
      "docs/update-notes.md",
      "src/util/dates/format.ts",
    ]);
    assert.deepEqual(rankFiles(FILES, "DATE.TE"), ["src/date.test.ts"]);
    // The letters in order, as the editor's quick open takes them.
    assert.deepEqual(rankFiles(FILES, "sbe2e"), ["test/e2e/sidebar.e2e.ts"]);
    assert.deepEqual(rankFiles(FILES, "zebra"), []);
  });

  it("offers at most the limit, the shortest paths for an empty query", () => {
    const many = Array.from({ length: 40 }, (_, i) => `src/file${i}.ts`);
    assert.equal(rankFiles(many, "file").length, 12);
    assert.deepEqual(rankFiles(FILES, "", 2), ["README.md", "src/date.ts"]);
  });

  it("lists the paths a text mentions, once each, without the punctuation after them", () => {
    assert.deepEqual(mentionedPaths("Compare @src/date.ts with @README.md. Then (@src/date.ts)."), ["src/date.ts", "README.md"]);
    assert.deepEqual(mentionedPaths("@docs/a.md\n@b"), ["docs/a.md", "b"]);
    assert.deepEqual(mentionedPaths("write to me@example.com"), []);
  });

  it("quotes a selection after the task with its file and lines, in a fence its text cannot close", () => {
    const item = { path: "src/a.md", startLine: 3, endLine: 5, text: "```js\nx\n```\n" };
    assert.equal(describeItem(item), "src/a.md, lines 3–5");
    assert.equal(describeItem({ path: "b.ts", startLine: 7, endLine: 7 }), "b.ts, line 7");
    assert.equal(withContext("Why?", [item]), "Why?\n\nSelected in src/a.md, lines 3–5:\n````\n```js\nx\n```\n````");
    // A whole file has no text to quote: it goes in as a mention, not here.
    assert.equal(withContext("Why?", [{ path: "b.ts" }]), "Why?");
  });
});

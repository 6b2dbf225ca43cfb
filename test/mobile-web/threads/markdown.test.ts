import assert from "node:assert/strict";
import { readInline, readMarkdown } from "../../../mobile-web/src/threads/markdown";

describe("assistant text", () => {
  it("reads paragraphs, keeping their line breaks", () => {
    const blocks = readMarkdown("First line\nsecond line\n\n\nNext paragraph");
    assert.deepEqual(blocks, [
      { kind: "paragraph", spans: [{ kind: "text", text: "First line\nsecond line" }] },
      { kind: "paragraph", spans: [{ kind: "text", text: "Next paragraph" }] },
    ]);
  });

  it("reads fenced code, and runs an unclosed fence to the end while text streams", () => {
    assert.deepEqual(readMarkdown("Run:\n```sh\nnpm test\n```\nDone."), [
      { kind: "paragraph", spans: [{ kind: "text", text: "Run:" }] },
      { kind: "code", lang: "sh", text: "npm test" },
      { kind: "paragraph", spans: [{ kind: "text", text: "Done." }] },
    ]);
    assert.deepEqual(readMarkdown("```ts\nconst a = 1;\n"), [{ kind: "code", lang: "ts", text: "const a = 1;\n" }]);
  });

  it("reads inline code and bold, and leaves HTML as text", () => {
    assert.deepEqual(readInline("Edit `src/<a>.ts` **now** <b>x</b>"), [
      { kind: "text", text: "Edit " },
      { kind: "code", text: "src/<a>.ts" },
      { kind: "text", text: " " },
      { kind: "strong", text: "now" },
      { kind: "text", text: " <b>x</b>" },
    ]);
    assert.deepEqual(readInline("`` a ` b ``"), [{ kind: "code", text: "a ` b" }]);
    assert.deepEqual(readInline("an ` unmatched tick"), [{ kind: "text", text: "an ` unmatched tick" }]);
  });

  it("reads headings", () => {
    assert.deepEqual(readMarkdown("## Summary\nAll good"), [
      { kind: "heading", spans: [{ kind: "text", text: "Summary" }] },
      { kind: "paragraph", spans: [{ kind: "text", text: "All good" }] },
    ]);
  });
});

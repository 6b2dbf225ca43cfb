// The sidebar's @ mentions as the agent gets them: each mentioned workspace file's content after
// the text, nothing for a mention of no file, a long file named instead of pasted, and no path
// that leaves the workspace.

import assert from "node:assert/strict";
import { MAX_MENTION_CHARS, MAX_MENTIONED_FILES, expandMentions, insideWorkspace } from "../../../extension/vscode/mentions";

const files: Record<string, string> = {
  "src/date.ts": "export const today = () => new Date();\n",
  "notes.md": "Some ```fenced``` text\n",
  "big.log": "x".repeat(MAX_MENTION_CHARS + 1),
};
const read = (path: string): Promise<string | null> => Promise.resolve(files[path] ?? null);

describe("sidebar @ mentions, expanded for the agent", () => {
  it("puts each mentioned file's content after the text, in a fence its content cannot close", async () => {
    const text = await expandMentions("Explain @src/date.ts and @notes.md.", read);
    assert.equal(
      text,
      "Explain @src/date.ts and @notes.md.\n\n" +
        "Content of @src/date.ts:\n```\nexport const today = () => new Date();\n```\n\n" +
        "Content of @notes.md:\n````\nSome ```fenced``` text\n````",
    );
  });

  it("leaves a text without mentions of files as it is", async () => {
    assert.equal(await expandMentions("Ping @someone about it", read), "Ping @someone about it");
    assert.equal(await expandMentions("No mention", read), "No mention");
  });

  it("names a file too long to paste, and includes a bounded number of files", async () => {
    const long = await expandMentions("Look at @big.log", read);
    assert.match(long, /@big\.log is 24,001 characters long: read it from the workspace\.$/);
    assert.ok(!long.includes("xxxx"));
    const many = Array.from({ length: MAX_MENTIONED_FILES + 2 }, (_, i) => `f${i}.ts`);
    const text = await expandMentions(many.map((f) => `@${f}`).join(" "), (path) => Promise.resolve(`// ${path}`));
    assert.equal(text.match(/Content of @/g)?.length, MAX_MENTIONED_FILES);
    assert.match(text, /only the first 5 are included/);
  });

  it("takes relative paths inside the workspace only", () => {
    assert.ok(insideWorkspace("src/date.ts"));
    assert.ok(insideWorkspace("a..b/c.ts"));
    for (const path of ["../secret", "src/../../x", "/etc/passwd", "C:/Windows/win.ini", "\\\\server\\share"])
      assert.ok(!insideWorkspace(path), path);
  });
});

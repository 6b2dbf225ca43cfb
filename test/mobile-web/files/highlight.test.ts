import assert from "node:assert/strict";
import { highlightCode, highlightHead, languageOf } from "../../../mobile-web/src/files/highlight";
import { isRegistered } from "../../../mobile-web/src/files/highlightLanguages";

describe("syntax highlighting", () => {
  it("picks a language from the file name, and none for what it does not know", () => {
    const cases: [string, string | null][] = [
      ["src/index.ts", "typescript"],
      ["App.TSX", "typescript"],
      ["lib/x.mjs", "javascript"],
      ["package.json", "json"],
      ["styles/app.css", "css"],
      ["index.html", "xml"],
      ["README.md", "markdown"],
      ["tool.py", "python"],
      ["main.go", "go"],
      ["src/lib.rs", "rust"],
      ["Main.java", "java"],
      ["scripts/build.sh", "bash"],
      [".github/workflows/ci.yml", "yaml"],
      ["Cargo.toml", "ini"],
      ["db/schema.sql", "sql"],
      ["a.c", "c"],
      ["a.hpp", "cpp"],
      ["app.rb", "ruby"],
      ["index.php", "php"],
      ["App.swift", "swift"],
      ["Main.kt", "kotlin"],
      ["Dockerfile", "dockerfile"],
      ["docker/Dockerfile.dev", "dockerfile"],
      ["Makefile", "makefile"],
      ["Gemfile", "ruby"],
      ["notes.txt", null],
      ["LICENSE", null],
      ["archive.", null],
    ];
    for (const [path, language] of cases) assert.equal(languageOf(path), language, path);
  });

  it("has every language it picks registered with highlight.js", () => {
    const names = ["a.ts", "a.js", "a.json", "a.css", "a.scss", "a.html", "a.md", "a.py", "a.go", "a.rs", "a.java"]
      .concat(["a.sh", "a.yaml", "a.toml", "a.sql", "a.c", "a.cpp", "a.rb", "a.php", "a.swift", "a.kt", "a.cs"])
      .concat(["a.diff", "Dockerfile", "Makefile", "a.lua", "a.dart", "a.scala", "a.graphql", "a.proto", "a.ps1"]);
    for (const name of names) {
      const language = languageOf(name);
      assert.ok(language && isRegistered(language), name);
    }
  });

  it("escapes the file's text, so a file cannot inject markup", async () => {
    const html = await highlightCode('const s = "<img src=x onerror=alert(1)>"; // </code>', "typescript");
    assert.ok(!html.includes("<img"));
    assert.ok(!html.includes("</code>"));
    assert.match(html, /<span class="hljs-keyword">const<\/span>/);
    assert.match(html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.equal(
      html
        .replace(/<[^>]+>/g, "")
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">")
        .replace(/&quot;/g, '"'),
      'const s = "<img src=x onerror=alert(1)>"; // </code>',
    );
  });

  it("highlights whole lines up to its limit and leaves the rest plain", () => {
    assert.equal(highlightHead("short\ntext", 100), "short\ntext");
    assert.equal(highlightHead("one\ntwo\nthree\nfour", 10), "one\ntwo\n");
    assert.equal(highlightHead("one\ntwo\n", 8), "one\ntwo\n");
    assert.equal(highlightHead("x".repeat(50), 10), "");
  });
});

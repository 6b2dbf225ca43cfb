// The per-folder rule check the mirror lists with decides each entry by its name where it can;
// it must decide exactly as matching the entry's whole path with the `ignore` package does (the
// gitignore semantics the rest of the mirror uses), for every folder, kind and pattern shape.

import assert from "node:assert/strict";
import ignore from "ignore";
import { DEFAULT_SECRET_PATTERNS, EntryRules, isNamePattern } from "../../../extension/core/mirror/rules";

const FOLDERS = [
  "",
  "src",
  "src/lib",
  "build",
  "src/build",
  ".ssh",
  "home/.ssh",
  ".git",
  "a/.git/refs",
  "docs/generated",
  "logs",
];
const NAMES = [
  "index.ts",
  ".env",
  ".env.local",
  "server.pem",
  "id_ed25519.pub",
  "build",
  "debug.log",
  "keep.log",
  ".git",
  "dist",
  "generated",
  "credentials.json",
  "node_modules",
  "config",
  "env.ts",
];

function agrees(patterns: readonly string[] | string): void {
  const whole = ignore().add(typeof patterns === "string" ? patterns : [...patterns]);
  const rules = new EntryRules(patterns);
  for (const folder of FOLDERS) {
    const entry = rules.forFolder(folder);
    for (const name of NAMES) {
      for (const isDir of [false, true]) {
        const rel = (folder ? `${folder}/${name}` : name) + (isDir ? "/" : "");
        assert.equal(entry(name, isDir), whole.ignores(rel), `${JSON.stringify(patterns)}: ${rel}`);
      }
    }
  }
}

describe("mirror rules for the entries of one folder", () => {
  it("hides the same secrets as matching each whole path", () => {
    agrees(DEFAULT_SECRET_PATTERNS);
  });

  it("hides the same ignored entries as matching each whole path, negations and folder-only patterns too", () => {
    agrees("# build output\nbuild/\n*.log\n!keep.log\n\nnode_modules\n.git\n");
    agrees([".git", "dist/"]);
  });

  it("matches whole paths where a pattern names one", () => {
    assert.equal(isNamePattern("docs/generated"), false);
    assert.equal(isNamePattern("/dist"), false);
    assert.equal(isNamePattern("**/logs/*.log"), false);
    assert.equal(isNamePattern("build/"), true);
    agrees("/dist\ndocs/generated/\nsrc/**/*.env\n**/logs\n");
    agrees([".git", "src/lib/", "!src/lib/index.ts"]);
  });

  it("hides everything in a folder the rules exclude, whatever its entries are called", () => {
    const entry = new EntryRules([".git"]).forFolder("a/.git/refs");
    assert.equal(entry("heads", true), true);
    assert.equal(entry("index.ts", false), true);
  });
});

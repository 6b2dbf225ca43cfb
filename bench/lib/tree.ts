// A synthetic workspace of many files, committed to git as a large repository would be. Made
// once into .cache/bench/ and reused by later runs (it takes seconds to write and commit).

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./node";

/** Files per module folder, and module folders per package: a package holds 1,000 files. */
const FILES = 100;
const MODULES = 10;

/** A tree of `files` files (a multiple of 1,000) under `packages/`, plus the usual root files. */
export function syntheticTree(files: number): string {
  const root = join(ROOT, ".cache", "bench", `tree-${files}`);
  const done = join(root, ".git", "bench-complete");
  if (existsSync(done)) return root;
  rmSync(root, { recursive: true, force: true });
  const packages = Math.max(1, Math.round(files / (FILES * MODULES)));
  for (let p = 0; p < packages; p++) {
    for (let m = 0; m < MODULES; m++) {
      const dir = join(root, "packages", `pkg${String(p).padStart(3, "0")}`, "src", `mod${m}`);
      mkdirSync(dir, { recursive: true });
      for (let f = 0; f < FILES; f++) {
        writeFileSync(join(dir, `file${String(f).padStart(2, "0")}.ts`), `export const value${f} = ${p * 1000 + m * 100 + f};\n`);
      }
    }
  }
  writeFileSync(join(root, "README.md"), "# A large repository\n");
  writeFileSync(join(root, "package.json"), '{ "name": "large", "private": true }\n');
  writeFileSync(join(root, ".gitignore"), "node_modules/\ndist/\n");
  writeFileSync(join(root, ".env"), "SECRET=never-listed\n");
  mkdirSync(join(root, "docs"));
  writeFileSync(join(root, "docs", "guide.md"), "# Guide\n");
  const git = (...args: string[]): void =>
    void execFileSync("git", ["-c", "user.email=bench@example.com", "-c", "user.name=bench", ...args], {
      cwd: root,
      stdio: "ignore",
    });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "synthetic tree");
  writeFileSync(done, "");
  return root;
}

// Repositories for the git scenarios: a copy of this repository, the synthetic 100k-file tree as
// a repository of its own, and a working tree with a 200-file change. Each is made in the
// scenario's temporary folder with the machine's git configuration kept out, as the git tests do.

import { execFileSync } from "node:child_process";
import { appendFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { ROOT } from "./node";

/** Git's environment for the bench: no global or system config, a fixed author. */
export function benchGitEnv(home: string): NodeJS.ProcessEnv {
  mkdirSync(home, { recursive: true });
  return {
    HOME: home,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Bench Author",
    GIT_AUTHOR_EMAIL: "bench@example.test",
    GIT_COMMITTER_NAME: "Bench Author",
    GIT_COMMITTER_EMAIL: "bench@example.test",
    LANG: "C",
    LC_ALL: "C",
  };
}

export function gitSync(cwd: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  return execFileSync("git", args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 256 * 2 ** 20 });
}

/**
 * This repository's tracked files at HEAD, cloned with `--no-hardlinks`: a repository of its own
 * (objects copied, not shared with the checkout the bench runs from) on the branch HEAD is on.
 */
export function cloneThisRepository(target: string, env: NodeJS.ProcessEnv): { files: number; commit: string } {
  const commit = gitSync(ROOT, env, "rev-parse", "HEAD").trim();
  gitSync(dirname(target), env, "clone", "-q", "--no-hardlinks", "--no-checkout", ROOT, target);
  gitSync(target, env, "checkout", "-q", "-B", "main", commit);
  return { files: trackedFiles(target, env), commit };
}

/**
 * The synthetic tree (bench/lib/tree.ts, committed once into .cache/bench/) cloned into `target`
 * through git's transport, so its objects arrive packed as in a real repository of that size.
 */
export function cloneSyntheticTree(source: string, target: string, env: NodeJS.ProcessEnv): { files: number } {
  gitSync(dirname(target), env, "clone", "-q", "--no-local", "--no-checkout", source, target);
  gitSync(target, env, "checkout", "-q", "-B", "main", "HEAD");
  return { files: trackedFiles(target, env) };
}

export function trackedFiles(repo: string, env: NodeJS.ProcessEnv): number {
  return gitSync(repo, env, "ls-files", "-z").split("\0").filter(Boolean).length;
}

export interface ChangeMix {
  modified: number;
  /** Modified, and the change staged; then edited again (staged and unstaged at once). */
  stagedAndEdited: number;
  added: number;
  deleted: number;
  untracked: number;
}

/** The 200-file change: mostly edits, some new files staged, some deleted, some not yet tracked. */
export const CHANGE_200: ChangeMix = { modified: 100, stagedAndEdited: 20, added: 30, deleted: 20, untracked: 30 };

export function changeTotal(mix: ChangeMix): number {
  return mix.modified + mix.stagedAndEdited + mix.added + mix.deleted + mix.untracked;
}

/**
 * Changes the working tree of `repo` by `mix`: edits in the middle and at the end of tracked
 * text files (a few hunks each), new files staged, tracked files deleted, untracked new files.
 */
export function makeChange(repo: string, env: NodeJS.ProcessEnv, mix: ChangeMix): void {
  const tracked = gitSync(repo, env, "ls-files", "-z")
    .split("\0")
    .filter((p) => /\.(ts|md|json|svelte|js|mjs|css)$/.test(p))
    .sort();
  const needed = mix.modified + mix.stagedAndEdited + mix.deleted;
  if (tracked.length < needed) throw new Error(`${repo} has ${tracked.length} text files, ${needed} are needed`);
  // Spread over the tree rather than the first folder's files.
  const step = Math.floor(tracked.length / needed);
  const picked = Array.from({ length: needed }, (_, i) => tracked[i * step]!);
  const modified = picked.slice(0, mix.modified);
  const stagedAndEdited = picked.slice(mix.modified, mix.modified + mix.stagedAndEdited);
  const deleted = picked.slice(mix.modified + mix.stagedAndEdited);

  for (const path of [...modified, ...stagedAndEdited]) edit(join(repo, path), path);
  if (stagedAndEdited.length) gitSync(repo, env, "add", "--", ...stagedAndEdited);
  for (const path of stagedAndEdited) appendFileSync(join(repo, path), "// edited again after staging\n");
  for (const path of deleted) rmSync(join(repo, path));

  const added = Array.from({ length: mix.added }, (_, i) => `bench-added/module-${i}.ts`);
  const untracked = Array.from({ length: mix.untracked }, (_, i) => `bench-untracked/note-${i}.md`);
  for (const path of [...added, ...untracked]) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), newFile(path));
  }
  if (added.length) gitSync(repo, env, "add", "--", ...added);
}

/** Two hunks: a line changed near the middle, two lines added at the end. */
function edit(file: string, path: string): void {
  const lines = readFileSync(file, "utf8").split("\n");
  const middle = Math.floor(lines.length / 2);
  lines[middle] = `${lines[middle] ?? ""} // changed for the bench (${path})`;
  lines.push("// added by the bench", `export const benchMarker = ${JSON.stringify(path)};`);
  writeFileSync(file, lines.join("\n"));
}

function newFile(path: string): string {
  return Array.from({ length: 40 }, (_, i) => `// ${path}, line ${i + 1}: a new file the task wrote`).join("\n") + "\n";
}

/** A note for the scenario's section: the figures were taken on a machine others were using. */
export function sharedMachine(): string {
  return (
    `Measured on ${cpus().length} cores shared with other work (load average ${loadavg()[0]!.toFixed(2)} when the ` +
    "scenario started): absolute times are noisy, the floor run interleaved with them less so."
  );
}

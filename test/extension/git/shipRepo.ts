import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** Keeps the machine's own git config and identity out of the tests, and restores the env after. */
export function isolateGit(): () => void {
  const saved = { ...process.env };
  Object.assign(process.env, {
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Ada Test",
    GIT_AUTHOR_EMAIL: "ada@example.test",
    GIT_COMMITTER_NAME: "Ada Test",
    GIT_COMMITTER_EMAIL: "ada@example.test",
    GIT_TERMINAL_PROMPT: "0",
  });
  // An askpass program from the desk's editor would answer credential prompts the tests expect to fail.
  delete process.env.GIT_ASKPASS;
  delete process.env.SSH_ASKPASS;
  return () => {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  };
}

export function sh(cwd: string, ...args: string[]): string {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export function write(repo: string, path: string, text: string | Buffer): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), text);
}

/** A work repository with one commit on `main`, and a bare `origin` beside it. */
export interface Fixture {
  root: string;
  repo: string;
  origin: string;
  cleanup(): void;
}

export function makeRepo(options: { withOrigin?: boolean; commit?: boolean } = {}): Fixture {
  const root = mkdtempSync(join(tmpdir(), "tether-ship-"));
  const repo = join(root, "work");
  const origin = join(root, "origin.git");
  mkdirSync(repo);
  sh(repo, "init", "-q", "-b", "main");
  if (options.commit !== false) {
    write(repo, "readme.md", "hello\n");
    sh(repo, "add", "-A");
    sh(repo, "commit", "-q", "-m", "first");
  }
  if (options.withOrigin) {
    sh(root, "init", "-q", "--bare", "-b", "main", origin);
    sh(repo, "remote", "add", "origin", origin);
  }
  return { root, repo, origin, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** Twenty numbered lines: edits at the top and the bottom make two separate hunks. */
export function lines(change: (n: number) => string = (n) => `line ${n}`): string {
  return Array.from({ length: 20 }, (_, i) => change(i + 1)).join("\n") + "\n";
}

// Real git in throwaway folders: a bare `origin`, a workspace cloned from it, and an
// environment that keeps this machine's git configuration out of the tests.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface GitFixture {
  root: string;
  workspace: string;
  stateDir: string;
  env: NodeJS.ProcessEnv;
  git(cwd: string, ...args: string[]): string;
  write(cwd: string, path: string, text: string): void;
  commitAll(cwd: string, message: string): string;
  dispose(): void;
}

export function gitFixture(files: Record<string, string> = { "README.md": "hello\n" }): GitFixture {
  const root = mkdtempSync(join(tmpdir(), "tether-git-"));
  const home = join(root, "home");
  mkdirSync(home);
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Test Author",
    GIT_AUTHOR_EMAIL: "author@example.test",
    GIT_COMMITTER_NAME: "Test Author",
    GIT_COMMITTER_EMAIL: "author@example.test",
    LANG: "C",
    LC_ALL: "C",
  };
  const git = (cwd: string, ...args: string[]): string =>
    execFileSync("git", ["-c", "core.quotepath=off", ...args], { cwd, env, encoding: "utf8" });
  const write = (cwd: string, path: string, text: string): void => {
    mkdirSync(dirname(join(cwd, path)), { recursive: true });
    writeFileSync(join(cwd, path), text);
  };
  const commitAll = (cwd: string, message: string): string => {
    git(cwd, "add", "-A");
    git(cwd, "commit", "-q", "-m", message);
    return git(cwd, "rev-parse", "HEAD").trim();
  };

  const origin = join(root, "origin.git");
  git(root, "init", "-q", "--bare", "-b", "main", origin);
  const seed = join(root, "seed");
  git(root, "init", "-q", "-b", "main", seed);
  for (const [path, text] of Object.entries(files)) write(seed, path, text);
  commitAll(seed, "Initial commit");
  git(seed, "remote", "add", "origin", origin);
  git(seed, "push", "-q", "origin", "main");
  const workspace = join(root, "workspace");
  git(root, "clone", "-q", origin, workspace);
  const stateDir = join(root, "state");

  return {
    root,
    workspace,
    stateDir,
    env,
    git,
    write,
    commitAll,
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}

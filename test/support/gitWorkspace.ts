// A git workspace for end-to-end tests of git from the phone: a bare `origin` in the test's
// temporary folder, a clone as the host's workspace, git configuration kept away from this
// machine's, and a stand-in GitHub CLI first on PATH that records its arguments and answers
// as the real one does. The host process gets `env` so its git and gh are these.

import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface GitWorkspace {
  workspace: string;
  origin: string;
  /** For the host process: isolated git config, a test author, the stand-in gh first on PATH. */
  env: NodeJS.ProcessEnv;
  /** Each call the stand-in gh received, as its argv. */
  ghCalls(): string[][];
  git(cwd: string, ...args: string[]): string;
}

/** The pull request link the stand-in gh prints, as `gh pr create` prints one. */
export const STAND_IN_PR_URL = "https://github.com/ada/api/pull/7";

export function gitWorkspace(tmp: string, files: Record<string, string>): GitWorkspace {
  const home = join(tmp, "git-home");
  const bin = join(tmp, "gh-bin");
  mkdirSync(home, { recursive: true });
  mkdirSync(bin, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: `${bin}:${process.env.PATH ?? ""}`,
    HOME: home,
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_AUTHOR_NAME: "Dana Test",
    GIT_AUTHOR_EMAIL: "dana@example.test",
    GIT_COMMITTER_NAME: "Dana Test",
    GIT_COMMITTER_EMAIL: "dana@example.test",
    LANG: "C",
    LC_ALL: "C",
  };
  const git = (cwd: string, ...args: string[]): string => execFileSync("git", args, { cwd, env, encoding: "utf8" });

  const origin = join(tmp, "origin.git");
  git(tmp, "init", "-q", "--bare", "-b", "main", origin);
  const workspace = join(tmp, "api");
  git(tmp, "init", "-q", "-b", "main", workspace);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(workspace, path)), { recursive: true });
    writeFileSync(join(workspace, path), text);
  }
  git(workspace, "add", "-A");
  git(workspace, "commit", "-q", "-m", "Initial commit");
  git(workspace, "remote", "add", "origin", origin);
  git(workspace, "push", "-q", "-u", "origin", "main");

  const log = join(bin, "gh-args");
  writeFileSync(
    join(bin, "gh"),
    `#!/bin/sh
printf '%s\\0' "$@" >> '${log}'
printf '\\n' >> '${log}'
case "$1 $2" in
  "auth status")
    echo "github.com"; echo "  ✓ Logged in to github.com account ada (keyring)"; exit 0 ;;
  "pr create")
    printf '\\nCreating pull request for ada:branch into main in ada/api\\n\\n' >&2
    echo "${STAND_IN_PR_URL}"; exit 0 ;;
  "pr checks")
    echo '[{"name":"build","state":"SUCCESS","bucket":"pass","link":"https://github.com/ada/api/actions/runs/1"},{"name":"test","state":"IN_PROGRESS","bucket":"pending","link":""}]'
    exit 8 ;;
esac
echo "unknown command" >&2; exit 1
`,
  );
  chmodSync(join(bin, "gh"), 0o755);

  const ghCalls = (): string[][] => {
    let text = "";
    try {
      text = readFileSync(log, "utf8");
    } catch {
      return [];
    }
    return text
      .split("\0\n")
      .filter((line) => line !== "")
      .map((line) => line.split("\0"));
  };
  return { workspace, origin, env, ghCalls, git };
}

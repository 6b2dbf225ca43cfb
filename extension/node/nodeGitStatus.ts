// The mirror's git status port on Node: `git status` through execFile (no shell) in the
// workspace folder, bounded in time and output, cached by the core.

import { execFile } from "node:child_process";
import { cachedGitStatus, type GitStatus, type GitStatusCacheOptions, type GitStatusOutput } from "../core/mirror/gitStatus";

export interface NodeGitStatusOptions extends GitStatusCacheOptions {
  /** The git program; `git` on the PATH unless given. */
  git?: string;
  /** Output kept from one run, in bytes; a larger status is cut to whole records. */
  maxOutputBytes?: number;
  timeoutMs?: number;
}

interface Run {
  stdout: string;
  /** True when git exited 0; false when it failed, was missing, or was cut short. */
  ok: boolean;
}

export function createNodeGitStatus(root: string, options: NodeGitStatusOptions = {}): GitStatus {
  const git = options.git ?? "git";
  const maxBuffer = options.maxOutputBytes ?? 8 * 1024 * 1024;
  const timeout = options.timeoutMs ?? 10_000;

  const run = (args: readonly string[]): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        git,
        // A repository's own config may name a program to run (core.fsmonitor); the file browser
        // must not start one. Optional locks off, so an editor's git commands never find the index locked.
        ["--no-optional-locks", "-c", "core.fsmonitor=false", ...args],
        {
          cwd: root,
          encoding: "utf8",
          maxBuffer,
          timeout,
          windowsHide: true,
          env: { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0", LC_ALL: "C" },
        },
        (error, stdout) => resolve({ stdout: typeof stdout === "string" ? stdout : "", ok: !error }),
      );
    });

  // Where the workspace sits in its repository does not change while it stays one.
  let prefix: string | null = null;

  const read = async (): Promise<GitStatusOutput | null> => {
    if (prefix === null) {
      const shown = await run(["rev-parse", "--show-prefix"]);
      if (!shown.ok) return null;
      prefix = shown.stdout.trim();
    }
    const status = await run(["status", "--porcelain=v1", "-z", "--untracked-files=normal"]);
    // Over the size bound git is killed and the output so far kept: the parser drops the torn record.
    if (!status.ok && status.stdout.length === 0) {
      prefix = null;
      return null;
    }
    return { output: status.stdout, prefix };
  };

  return cachedGitStatus(read, options);
}

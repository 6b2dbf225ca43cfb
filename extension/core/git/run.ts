// One way to run git on the host: execFile with an argv array (no shell, so nothing in a
// branch name or path is ever interpreted), paths printed verbatim, and git's own error
// text kept so the person reads what git said rather than a paraphrase.
import { execFile } from "node:child_process";

export interface GitResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface GitOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Answer non-zero exits instead of throwing (for commands whose exit code is the answer). */
  allowFailure?: boolean;
}

/** git exited non-zero; `stderr` is git's own message, for the person. */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly code: number,
    readonly stderr: string,
    readonly stdout: string,
  ) {
    super(`git ${args[0] ?? ""} failed (${code}): ${stderr.trim() || stdout.trim()}`);
    this.name = "GitError";
  }
}

const MAX_BUFFER = 64 * 1024 * 1024;

export function git(args: readonly string[], options: GitOptions): Promise<GitResult> {
  const argv = ["-c", "core.quotepath=off", ...args];
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      argv,
      {
        cwd: options.cwd,
        env: options.env ?? process.env,
        signal: options.signal,
        maxBuffer: MAX_BUFFER,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ stdout, stderr, code: 0 });
        const code = typeof error.code === "number" ? error.code : -1;
        // A missing git binary or an abort is not an answer from git: always an error.
        if (code === -1 || !options.allowFailure) {
          return reject(code === -1 ? error : new GitError(args, code, String(stderr), String(stdout)));
        }
        resolve({ stdout, stderr, code });
      },
    );
  });
}

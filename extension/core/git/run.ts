// The one way the host runs git: spawn with an argv array (no shell, so nothing in a branch
// name, path or message is ever interpreted), stdin given and closed, paths printed verbatim,
// and git's own error text kept so the person reads what git said rather than a paraphrase.

import { spawn } from "node:child_process";

/** What a finished process left behind; `truncated` when stdout passed the cap and was cut. */
export interface ProcessResult {
  code: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
}

export interface RunOptions {
  cwd: string;
  /** Written to stdin, then stdin is closed (so nothing ever waits on a prompt). */
  input?: string;
  /** Added to the host's environment, which keeps the person's own git config and credentials. */
  env?: NodeJS.ProcessEnv;
  /** Stdout beyond this many bytes is dropped and the process stopped. */
  maxBytes?: number;
  /** Stderr as it arrives, for progress a person watches while it happens. */
  onStderr?: (text: string) => void;
  /** The process is stopped after this long and the result says it timed out. */
  timeoutMs?: number;
}

const DEFAULT_MAX = 32 * 1024 * 1024;

/** Runs a program with an argv array and no shell; never rejects for a non-zero exit. */
export function runProcess(file: string, args: readonly string[], options: RunOptions): Promise<ProcessResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX;
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
      shell: false,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let truncated = false;
    child.stdout.on("data", (chunk: Buffer) => {
      if (truncated) return;
      if (outBytes + chunk.length > maxBytes) {
        out.push(chunk.subarray(0, maxBytes - outBytes));
        outBytes = maxBytes;
        truncated = true;
        child.kill();
        return;
      }
      out.push(chunk);
      outBytes += chunk.length;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err.push(chunk);
      options.onStderr?.(chunk.toString("utf8"));
    });
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill();
          }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      if (timedOut) err.push(Buffer.from(`\n${file} did not answer within ${options.timeoutMs} ms.`));
      resolve({
        code: timedOut ? -1 : (code ?? (truncated ? 0 : -1)),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
        truncated,
      });
    });
    // A child that exits before reading its stdin must not crash the host with EPIPE.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}

/** A git command that failed; `stderr` is git's own words, kept for the person to read. */
export class GitError extends Error {
  constructor(
    readonly args: readonly string[],
    readonly exitCode: number,
    readonly stderr: string,
  ) {
    super(stderr.trim() || `git ${args[0] ?? ""} exited with ${exitCode}`);
    this.name = "GitError";
  }
}

export interface GitOptions extends Omit<RunOptions, "cwd"> {
  /** Exit codes that mean an answer rather than a failure (`diff --quiet` answers 1). */
  okCodes?: readonly number[];
  /** Every exit code is an answer (for commands whose exit code is the whole answer). */
  allowFailure?: boolean;
}

/** Runs git in `repo`; paths come out unquoted so -z and plain output parse the same. */
export async function git(repo: string, args: readonly string[], options: GitOptions = {}): Promise<ProcessResult> {
  const full = ["-c", "core.quotepath=off", ...args];
  const result = await runProcess("git", full, { ...options, cwd: repo });
  const ok = options.okCodes ?? [0];
  if (!options.allowFailure && !ok.includes(result.code) && !result.truncated) {
    throw new GitError(args, result.code, result.stderr);
  }
  return result;
}

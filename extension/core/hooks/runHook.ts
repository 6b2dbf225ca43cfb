// Runs one hook: its command through the platform shell in the workspace, in a process group of
// its own (so a timeout ends everything it started), the event as JSON on stdin, stdout and
// stderr kept apart (stdout may carry a decision, stderr is the reason of an exit 2).

import { spawn } from "node:child_process";
import type { HookSpec } from "./hookConfig";

/** Most characters of stdout and of stderr kept from one hook. */
const MAX_STREAM_CHARS = 64 * 1024;
/** After SIGTERM at the time limit, how long the group has before SIGKILL. */
const KILL_GRACE_MS = 1000;

export interface HookRun {
  /** null when it did not exit by itself (timed out, failed to start). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** It could not be started at all (no shell, no such folder). */
  startError?: string;
}

export interface HookEnv {
  cwd: string;
  /** Added to the host's environment (TETHER_THREAD_ID, …). */
  env: Record<string, string>;
  /** The run's signal: a stopped run ends its hooks too. */
  signal?: AbortSignal | undefined;
}

const isWindows = process.platform === "win32";

export function runHook(hook: HookSpec, input: unknown, where: HookEnv): Promise<HookRun> {
  return new Promise((resolve) => {
    const [shell, args] = isWindows
      ? [process.env.ComSpec ?? "cmd.exe", ["/d", "/s", "/c", `"${hook.command}"`]]
      : ["/bin/sh", ["-c", hook.command]];
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    let settled = false;
    const finish = (run: Omit<HookRun, "stdout" | "stderr" | "timedOut">): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killer);
      where.signal?.removeEventListener("abort", onAbort);
      resolve({ stdout, stderr, timedOut, ...run });
    };
    const child = spawn(shell, args, {
      cwd: where.cwd,
      env: { ...process.env, ...where.env },
      stdio: ["pipe", "pipe", "pipe"],
      detached: !isWindows,
      windowsHide: true,
    });
    const group = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined) {
          if (isWindows) child.kill(signal);
          else process.kill(-child.pid, signal);
        }
      } catch {
        // The group is gone already.
      }
    };
    let killer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      group("SIGTERM");
      killer = setTimeout(() => group("SIGKILL"), KILL_GRACE_MS);
      // A child holding the pipes open must not keep the hook waiting past its limit.
      setTimeout(() => finish({ exitCode: null }), KILL_GRACE_MS * 2).unref();
    }, hook.timeoutS * 1000);
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      if (stdout.length < MAX_STREAM_CHARS) stdout += chunk.slice(0, MAX_STREAM_CHARS - stdout.length);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      if (stderr.length < MAX_STREAM_CHARS) stderr += chunk.slice(0, MAX_STREAM_CHARS - stderr.length);
    });
    const onAbort = (): void => {
      group("SIGKILL");
      finish({ exitCode: null, startError: "the run was stopped" });
    };
    if (where.signal?.aborted) onAbort();
    where.signal?.addEventListener("abort", onAbort, { once: true });
    child.on("error", (err) => finish({ exitCode: null, startError: err.message }));
    child.on("close", (code) => finish({ exitCode: timedOut ? null : code }));
    // A hook that does not read its input closes the pipe early: that is its choice, not a failure.
    child.stdin.on("error", () => undefined);
    child.stdin.end(JSON.stringify(input));
  });
}

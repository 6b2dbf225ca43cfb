// Real processes for end-to-end tests and the bench: spawned from dist/, read line by line,
// and killed with their whole process group at the end. Each runs in a process group of its
// own; whatever is still running when this process exits (a test or scenario that failed half
// way, Ctrl-C) is killed with its group.

import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

export interface Proc {
  child: ChildProcess;
  /** Everything the process wrote, stdout and stderr, ANSI codes removed. */
  output(): string;
  /** What it wrote to stderr alone, ANSI codes removed: why it failed, when it did. */
  errorOutput(): string;
  /** Resolves with the first match of `pattern` in the output, now or later. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  write(text: string): void;
  stop(): Promise<void>;
}

// eslint-disable-next-line no-control-regex -- ANSI escapes are control characters by definition
const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

const running = new Set<ChildProcess>();

function killAll(): void {
  for (const child of running) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      // already gone
    }
  }
}
process.once("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(130);
  });
}

export function start(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Proc {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
  });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let text = "";
  let errText = "";
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    text += chunk.toString("utf8").replace(ANSI, "");
    for (const w of [...waiters]) w();
  };
  child.stdout!.on("data", append);
  child.stderr!.on("data", (chunk: Buffer) => {
    errText += chunk.toString("utf8").replace(ANSI, "");
    append(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    output: () => text,
    errorOutput: () => errText,
    waitFor(pattern, ms = 20_000) {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const m = pattern.exec(text);
          if (!m) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${pattern} in:\n${text}`));
        }, ms);
        waiters.add(check);
        check();
      });
    },
    write(input) {
      child.stdin!.write(input);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      try {
        process.kill(-child.pid!, "SIGTERM");
      } catch {
        return;
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-child.pid!, "SIGKILL");
        } catch {
          // already gone
        }
      }, 3000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/**
 * Waits for a process to print that it is ready (`pattern`, e.g. "listening on …"). A process
 * that exits first, or says nothing within `ms`, fails with a message a person can act on:
 * what did not start, why, and the last lines it wrote to stderr.
 */
export async function waitForStart(proc: Proc, pattern: RegExp, what: string, ms: number): Promise<RegExpMatchArray> {
  let onExit: (() => void) | undefined;
  const exited = new Promise<never>((_, reject) => {
    onExit = () => {
      const { exitCode, signalCode } = proc.child;
      reject(new Error(`${what} exited (${signalCode ?? `code ${exitCode}`}) before it said it was listening${tail(proc)}`));
    };
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) onExit();
    else proc.child.once("exit", onExit);
  });
  const printed = proc.waitFor(pattern, ms).catch(() => {
    throw new Error(`${what} did not say it was listening within ${Math.round(ms / 100) / 10} s${tail(proc)}`);
  });
  try {
    return await Promise.race([printed, exited]);
  } finally {
    proc.child.off("exit", onExit!);
  }
}

/** The last stderr lines of a process, for a failure message. */
function tail(proc: Proc, lines = 20): string {
  const last = proc.errorOutput().trimEnd().split("\n").slice(-lines).join("\n");
  return last ? `; its last stderr lines:\n${last}` : "; it wrote nothing to stderr";
}

/** Runs a command under a pseudo-terminal (`script`), so it prompts as it would for a person. */
export function startInTerminal(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Proc {
  const quoted = [command, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  return start("script", ["-qfec", quoted, "/dev/null"], { ...options, env: { TERM: "dumb", ...options.env } });
}

/** A port nothing listens on now, for a process that must come back on the same one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

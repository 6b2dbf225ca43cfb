// The agent's command runner on Node's `child_process`. Each command leads its own process
// group, so stopping it (timeout, or the person on the phone pressing stop) kills everything it
// started, not only the shell: a test runner's workers, a `sleep &` in the background.

import { spawn, type ChildProcess } from "node:child_process";
import type { ProcessRunner, RunRequest, RunResult } from "../core/agent/tools/ports";
import { processStartTime, type RunningCommands } from "./runningCommands";

export interface ProcessRunnerOptions {
  /** After SIGTERM, how long the group has to exit before SIGKILL. */
  killGraceMs?: number;
  /** After the shell exits, how long to wait for its pipes to close (a child may hold them). */
  pipeGraceMs?: number;
  /** Output kept for the result: the first quarter and the last three quarters of this, in characters. */
  maxOutputChars?: number;
  /** Where each running command is recorded, so a host killed mid-command ends it on restart. */
  running?: RunningCommands;
}

const isWindows = process.platform === "win32";

export function createProcessRunner(options: ProcessRunnerOptions = {}): ProcessRunner {
  const settings: Settings = {
    ...(options.running ? { running: options.running } : {}),
    killGraceMs: options.killGraceMs ?? 2000,
    pipeGraceMs: options.pipeGraceMs ?? 500,
    maxOutputChars: options.maxOutputChars ?? 1024 * 1024,
  };
  return { run: (request) => runProcess(request, settings) };
}

export const nodeProcessRunner: ProcessRunner = createProcessRunner();

type Settings = Required<Omit<ProcessRunnerOptions, "running">> & Pick<ProcessRunnerOptions, "running">;

function runProcess(request: RunRequest, settings: Settings): Promise<RunResult> {
  const started = Date.now();
  const output = new OutputBuffer(settings.maxOutputChars);
  const result = (fields: Partial<RunResult>): RunResult => ({
    exitCode: null,
    signal: null,
    timedOut: false,
    stopped: false,
    output: output.text(),
    outputBytes: output.bytes,
    durationMs: Date.now() - started,
    ...fields,
  });
  if (request.signal.aborted) return Promise.resolve(result({ stopped: true }));

  return new Promise<RunResult>((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(...shellCommand(request.command), {
        cwd: request.cwd,
        env: {
          ...process.env,
          // Pagers would wait for a key nobody can press; colours stay, the phone renders them.
          GIT_PAGER: "cat",
          PAGER: "cat",
          GIT_TERMINAL_PROMPT: "0",
          ...request.env,
        },
        stdio: ["ignore", "pipe", "pipe"],
        // Its own process group (and session, so no terminal to prompt on); Windows kills trees with taskkill.
        detached: !isWindows,
        windowsHide: true,
        windowsVerbatimArguments: isWindows,
      });
    } catch (err) {
      output.push(`could not start the command: ${(err as Error).message}\n`);
      resolve(result({}));
      return;
    }

    const pid = child.pid;
    if (pid !== undefined && settings.running) {
      const started = processStartTime(pid);
      if (started) {
        settings.running.add({
          pid,
          started,
          command: request.command,
          ...(request.threadId ? { threadId: request.threadId } : {}),
        });
      }
    }

    let timedOut = false;
    let stopped = false;
    let exit: { code: number | null; signal: string | null } | undefined;
    let openPipes = 2;
    let pipeTimer: NodeJS.Timeout | undefined;
    let settled = false;

    const emit = (text: string): void => {
      if (!text) return;
      output.push(text);
      request.onOutput(text);
    };
    const attach = (stream: NodeJS.ReadableStream | null): void => {
      if (!stream) {
        openPipes--;
        return;
      }
      // One decoder per stream: a character split across two chunks of one stream is joined.
      const decoder = new TextDecoder("utf-8");
      stream.on("data", (chunk: Buffer) => {
        output.bytes += chunk.length;
        emit(decoder.decode(chunk, { stream: true }));
      });
      stream.on("close", () => {
        emit(decoder.decode());
        openPipes--;
        if (exit && openPipes === 0) finish();
      });
    };
    attach(child.stdout);
    attach(child.stderr);

    const finish = (): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(pipeTimer);
      request.signal.removeEventListener("abort", onAbort);
      if (pid !== undefined) settings.running?.remove(pid);
      // A background child still holding the pipes must not keep this process waiting on them.
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve(result({ exitCode: exit?.code ?? null, signal: exit?.signal ?? null, timedOut, stopped }));
    };

    let killing = false;
    const kill = (): void => {
      if (killing || child.pid === undefined) return;
      killing = true;
      const pid = child.pid;
      if (isWindows) {
        spawn("taskkill", ["/pid", String(pid), "/T", "/F"], { stdio: "ignore", windowsHide: true }).on("error", () => {});
        return;
      }
      signalGroup(pid, "SIGTERM");
      // Not cleared when the shell exits: a child that ignores SIGTERM outlives it.
      setTimeout(() => {
        if (groupAlive(pid)) signalGroup(pid, "SIGKILL");
      }, settings.killGraceMs).unref();
    };
    const onAbort = (): void => {
      stopped = true;
      kill();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, request.timeoutMs);
    request.signal.addEventListener("abort", onAbort, { once: true });

    child.on("error", (err) => {
      // The shell could not be started (a missing cwd, no /bin/sh): there will be no exit event.
      if (exit) return;
      output.push(`could not start the command: ${err.message}\n`);
      exit = { code: null, signal: null };
      finish();
    });
    child.on("exit", (code, signal) => {
      exit = { code, signal };
      if (openPipes === 0) finish();
      else pipeTimer = setTimeout(finish, settings.pipeGraceMs);
    });
  });
}

function shellCommand(command: string): [string, string[]] {
  if (isWindows) return [process.env.ComSpec ?? "cmd.exe", ["/d", "/s", "/c", `"${command}"`]];
  return ["/bin/sh", ["-c", command]];
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** All output up to a limit; past it, the start and the end with a marker where the middle was. */
class OutputBuffer {
  bytes = 0;
  private head = "";
  private tail: string[] = [];
  private tailChars = 0;
  private dropped = 0;
  private readonly headMax: number;
  private readonly tailMax: number;

  constructor(max: number) {
    this.headMax = Math.floor(max / 4);
    this.tailMax = max - this.headMax;
  }

  push(text: string): void {
    if (this.head.length < this.headMax) {
      const room = this.headMax - this.head.length;
      this.head += text.slice(0, room);
      text = text.slice(room);
      if (!text) return;
    }
    this.tail.push(text);
    this.tailChars += text.length;
    while (this.tailChars - this.tail[0]!.length >= this.tailMax) {
      const first = this.tail.shift()!;
      this.tailChars -= first.length;
      this.dropped += first.length;
    }
    if (this.tailChars > this.tailMax) {
      const cut = this.tailChars - this.tailMax;
      this.tail[0] = this.tail[0]!.slice(cut);
      this.tailChars -= cut;
      this.dropped += cut;
    }
  }

  text(): string {
    const tail = this.tail.join("");
    if (this.dropped === 0) return this.head + tail;
    this.tail = [tail];
    return `${this.head}\n[… ${this.dropped.toLocaleString("en-US")} characters of output cut …]\n${tail}`;
  }
}

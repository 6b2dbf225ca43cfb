// The commands the agent has running, on disk, so a host that was killed (SIGKILL, power loss)
// ends what its runs had started when it starts again. Each record names a process group's
// leader with the time the system says it started: a pid the system has since given to another
// program has another start time, and is left alone.

import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Log } from "../core/log";

export interface RunningRecord {
  /** The shell's pid, which leads the command's process group (the whole tree on Windows). */
  pid: number;
  /** What the system says of the process's start (`processStartTime`). */
  started: string;
  command: string;
  /** The thread whose run started it. */
  threadId?: string;
}

export interface Reaped {
  record: RunningRecord;
  /** False when the record's process had ended or its pid now belongs to another program. */
  killed: boolean;
}

const FILE = "running.json";
const isWindows = process.platform === "win32";

/** The record file of one state folder, rewritten whole (and atomically) on each change. */
export class RunningCommands {
  private readonly records = new Map<number, RunningRecord>();
  private readonly path: string;

  constructor(private readonly dir: string) {
    this.path = join(dir, FILE);
  }

  /** Written before the command can have done much; a host killed right after still finds it. */
  add(record: RunningRecord): void {
    this.records.set(record.pid, record);
    this.save();
  }

  remove(pid: number): void {
    if (this.records.delete(pid)) this.save();
  }

  private save(): void {
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      if (this.records.size === 0) {
        rmSync(this.path, { force: true });
        return;
      }
      const tmp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify([...this.records.values()]) + "\n", { mode: 0o600 });
      renameSync(tmp, this.path);
    } catch {
      // A full disk must not stop the command; only the cleanup after a crash is lost.
    }
  }
}

/** The records a killed host left behind; the file is removed. */
export function readRunning(dir: string): RunningRecord[] {
  const path = join(dir, FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch {
    return [];
  } finally {
    rmSync(path, { force: true });
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(
    (r): r is RunningRecord =>
      !!r &&
      typeof r === "object" &&
      Number.isInteger((r as RunningRecord).pid) &&
      (r as RunningRecord).pid > 1 &&
      typeof (r as RunningRecord).started === "string" &&
      typeof (r as RunningRecord).command === "string",
  );
}

/**
 * Ends the process groups a killed host left running: each one whose leader is still the
 * process that was recorded gets SIGTERM, then SIGKILL after `graceMs` if it is still there.
 */
export async function reapRunning(dir: string, graceMs = 2000): Promise<Reaped[]> {
  const reaped: Reaped[] = [];
  const killed: number[] = [];
  for (const record of readRunning(dir)) {
    const now = processStartTime(record.pid);
    // A leader that exited may leave its group behind (`sleep 600 &`); the system does not give
    // its pid to another process while that group exists, so a live group of that id is ours.
    const ours =
      record.pid !== process.pid && (now === undefined ? !isWindows && groupAlive(record.pid) : now === record.started);
    if (ours) {
      killTree(record.pid, "SIGTERM");
      killed.push(record.pid);
    }
    reaped.push({ record, killed: ours });
  }
  if (isWindows || killed.length === 0) return reaped;
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && killed.some(groupAlive)) await new Promise((r) => setTimeout(r, 50));
  for (const pid of killed) if (groupAlive(pid)) killTree(pid, "SIGKILL");
  return reaped;
}

/**
 * When the system started the process, as a string to compare, or undefined when there is no
 * such process. Linux: the start time in clock ticks since boot (field 22 of /proc/<pid>/stat);
 * elsewhere what `ps` prints as its start.
 */
export function processStartTime(pid: number): string | undefined {
  if (process.platform === "linux") {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // The command name (field 2) may hold spaces and parentheses: count from the last ")".
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return fields[19];
    } catch {
      return undefined;
    }
  }
  try {
    const out = isWindows
      ? execFileSync(
          "powershell.exe",
          ["-NoProfile", "-Command", `(Get-Process -Id ${pid} -ErrorAction Stop).StartTime.ToFileTimeUtc()`],
          { encoding: "utf8", windowsHide: true, stdio: ["ignore", "pipe", "ignore"] },
        )
      : execFileSync("ps", ["-o", "lstart=", "-p", String(pid)], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return out.trim() || undefined;
  } catch {
    return undefined;
  }
}

function killTree(pid: number, signal: NodeJS.Signals): void {
  if (isWindows) {
    spawn("taskkill", ["/pid", String(pid), "/T", "/F"], { stdio: "ignore", windowsHide: true }).on("error", () => {});
    return;
  }
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

/**
 * At a host's start, before its threads load: ends what a killed host left running in `dir`
 * and answers, per thread, the commands that were stopped, for the note its interrupted run gets.
 */
export async function stopLeftRunning(dir: string, log: Log): Promise<Map<string, string[]>> {
  const stopped = new Map<string, string[]>();
  for (const { record, killed } of await reapRunning(dir)) {
    if (!killed) continue;
    log.info(`stopped \`${record.command}\` (pid ${record.pid}), left running when the host stopped`);
    if (record.threadId) stopped.set(record.threadId, [...(stopped.get(record.threadId) ?? []), record.command]);
  }
  return stopped;
}

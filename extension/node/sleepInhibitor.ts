// The platform's own way to hold off sleep, as a child process that holds it while it lives:
// `systemd-inhibit` on Linux, `caffeinate` on macOS, `SetThreadExecutionState` through
// PowerShell on Windows. Killing the child releases it; so does this process dying, since
// each child also watches its parent (caffeinate -w, the others through a closed stdin).

import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import type { SleepInhibitor } from "../core/power/keepAwake";

export interface InhibitCommand {
  command: string;
  args: string[];
}

/** The command that holds off idle sleep on `platform`, or null where there is none. */
export function inhibitCommand(platform: NodeJS.Platform, reason: string, pid = process.pid): InhibitCommand | null {
  switch (platform) {
    case "linux":
      // `cat` ends when our end of its stdin closes, which happens when this process exits.
      return {
        command: "systemd-inhibit",
        args: ["--what=idle:sleep", "--who=Tether", `--why=${reason}`, "--mode=block", "cat"],
      };
    case "darwin":
      return { command: "caffeinate", args: ["-i", "-w", String(pid)] };
    case "win32":
      // ES_CONTINUOUS | ES_SYSTEM_REQUIRED, held until stdin closes.
      return {
        command: "powershell.exe",
        args: [
          "-NoProfile",
          "-NonInteractive",
          "-Command",
          "$s='[DllImport(\"kernel32.dll\")] public static extern uint SetThreadExecutionState(uint f);';" +
            "$k=Add-Type -MemberDefinition $s -Name Power -Namespace Tether -PassThru;" +
            "[void]$k::SetThreadExecutionState(0x80000001); [void][Console]::In.ReadToEnd()",
        ],
      };
    default:
      return null;
  }
}

/** Whether `command` can be found on PATH (checked once, before the first task needs it). */
function available(command: string): boolean {
  const probe = process.platform === "win32" ? spawnSync("where", [command]) : spawnSync("sh", ["-c", `command -v "${command}"`]);
  return probe.status === 0;
}

export function nodeSleepInhibitor(platform: NodeJS.Platform = process.platform): SleepInhibitor {
  return {
    acquire(reason) {
      const spec = inhibitCommand(platform, reason);
      if (!spec) throw new Error(`no way to keep ${platform} awake`);
      if (!available(spec.command)) throw new Error(`${spec.command} is not available`);
      return holdWith(spec);
    },
  };
}

/** Runs `spec` until the returned function is called. */
export function holdWith(spec: InhibitCommand): () => void {
  let child: ChildProcess | undefined = spawn(spec.command, spec.args, { stdio: ["pipe", "ignore", "ignore"] });
  child.on("error", () => undefined);
  child.on("exit", () => {
    child = undefined;
  });
  return () => {
    child?.stdin?.end();
    child?.kill();
    child = undefined;
  };
}

// Child processes of the bench: the relay, hosts, the floor server and idle crowds. Each runs
// in a process group of its own; whatever is still running when the bench exits (a scenario
// that failed half way, Ctrl-C) is killed with its group.

import { join } from "node:path";
import { start, type Proc } from "../../test/support/processes";

export const ROOT = join(__dirname, "..", "..");
export const DIST = join(ROOT, "dist");

const running = new Set<Proc>();

function killAll(): void {
  for (const proc of running) {
    try {
      process.kill(-proc.child.pid!, "SIGKILL");
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

/** Starts a process that is stopped (with its group) at the latest when the bench exits. */
export function startChild(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Proc {
  const proc = start(command, args, options);
  running.add(proc);
  proc.child.once("exit", () => running.delete(proc));
  return proc;
}

/** Runs `bench/<file>` in a new Node process with tsx's loader, the way the bench itself runs. */
export function startTs(file: string, args: string[] = [], nodeArgs: string[] = []): Proc {
  return startChild("node", [...nodeArgs, "--import", "tsx", join(ROOT, "bench", file), ...args], { cwd: ROOT });
}

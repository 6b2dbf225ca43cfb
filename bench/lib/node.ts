// Where the bench's own programs are, and how it runs its TypeScript helpers as processes
// (test/support/processes.ts kills each one's group when the bench exits).

import { join } from "node:path";
import { start, type Proc } from "../../test/support/processes";

export const ROOT = join(__dirname, "..", "..");
export const DIST = join(ROOT, "dist");

/** Runs `bench/<file>` in a new Node process with tsx's loader, the way the bench itself runs. */
export function startTs(file: string, args: string[] = [], nodeArgs: string[] = []): Proc {
  return start("node", [...nodeArgs, "--import", "tsx", join(ROOT, "bench", file), ...args], { cwd: ROOT });
}

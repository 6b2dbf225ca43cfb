// Idle connections held by child processes (bench/crowd/worker.ts): authenticated phones on
// the relay, or bare connections on the floor server. A process holds as many as its open
// files limit allows; more processes are started for more.

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import type { Proc } from "../../test/support/processes";
import { startTs } from "./node";

export interface Crowd {
  size: number;
  /** How long the slowest process took to connect its share, from its first connection. */
  connectMs: number;
  stop(): Promise<void>;
}

function perProcess(): number {
  let limit = 1024;
  try {
    limit = Number(execFileSync("sh", ["-c", "ulimit -n"], { encoding: "utf8" }).trim()) || limit;
  } catch {
    // keep the usual default
  }
  return Math.max(100, limit - 256);
}

/** Connects every token as a phone, or `count` bare connections to the floor; resolves once all are in. */
export async function startCrowd(
  target: { kind: "tether"; url: string; tokens: string[]; tokensFile: string } | { kind: "floor"; url: string; count: number },
): Promise<Crowd> {
  const size = target.kind === "tether" ? target.tokens.length : target.count;
  const chunk = perProcess();
  const procs: Proc[] = [];
  let connectMs = 0;
  const stop = async (): Promise<void> => void (await Promise.all(procs.map((p) => p.stop())));
  try {
    for (let from = 0; from < size; from += chunk) {
      const n = Math.min(chunk, size - from);
      if (target.kind === "tether") {
        const file = `${target.tokensFile}.${from}`;
        writeFileSync(file, JSON.stringify(target.tokens.slice(from, from + n)));
        procs.push(startTs("crowd/worker.ts", ["tether", target.url, file]));
      } else {
        procs.push(startTs("crowd/worker.ts", ["floor", target.url, String(n)]));
      }
    }
    for (const proc of procs) {
      const line = await proc.waitFor(/^(connected \d+ in (\d+) ms|failed .*)$/m, 300_000);
      if (line[1]!.startsWith("failed")) throw new Error(`crowd: ${line[1]}`);
      connectMs = Math.max(connectMs, Number(line[2]));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { size, connectMs, stop };
}

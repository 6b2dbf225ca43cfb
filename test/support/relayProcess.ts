// The relay as an operator runs it: `node dist/relay.js`, its own process, on a free port.
// Scenarios read its memory and CPU from /proc and its heap from /metrics.

import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { randomId } from "#protocol";
import { start, waitForStart, type Proc } from "./processes";

const DIST = join(__dirname, "..", "..", "dist");

export interface RelayProcess {
  url: string;
  pid: number;
  proc: Proc;
  /** `process_resident_memory_bytes` and the V8 heap in use, from the relay's own /metrics. */
  metrics(): Promise<{ heapUsed: number; rss: number }>;
  stop(): Promise<void>;
}

export function requireDist(): void {
  for (const file of ["relay.js", "host.js", join("mobile-web", "index.html")]) {
    if (!existsSync(join(DIST, file))) throw new Error(`dist/${file} is missing: run \`npm run build\` (npm run bench does)`);
  }
}

export async function startRelayProcess(options: {
  dataDir: string;
  args?: string[];
  nodeArgs?: string[];
  /** A fixed port, for a relay that must come back where its clients look for it (default: any free one). */
  port?: number;
  /** How long it may take to say it is listening. */
  startMs?: number;
}): Promise<RelayProcess> {
  requireDist();
  const metricsToken = randomId(24);
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of every relay process there, to find where time goes.
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const proc = start(
    "node",
    [
      ...profile,
      ...(options.nodeArgs ?? []),
      join(DIST, "relay.js"),
      "--port",
      String(options.port ?? 0),
      "--data-dir",
      options.dataDir,
      "--no-push",
      "--log-format",
      "json",
    ].concat(options.args ?? []),
    { env: { TETHER_METRICS_TOKEN: metricsToken } },
  );
  let url: string;
  try {
    // Generous: on a loaded machine with Redis a relay may take many seconds to start; a
    // short wait here once cost a whole scenario its figures.
    url = (await waitForStart(proc, /listening on (http:\/\/\S+)/, "the relay process", options.startMs ?? 120_000))[1]!;
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return {
    url,
    pid: proc.child.pid!,
    proc,
    async metrics() {
      const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${metricsToken}` } });
      const text = await res.text();
      const read = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
      return { heapUsed: read("nodejs_heap_size_used_bytes"), rss: read("process_resident_memory_bytes") };
    },
    stop: () => proc.stop(),
  };
}

let redisFlag: boolean | undefined;

/** Whether this build of the relay takes `--redis` (scale-out across processes). */
export function relaySupportsRedis(): boolean {
  requireDist();
  redisFlag ??= /--redis\b/.test(execFileSync("node", [join(DIST, "relay.js"), "--help"], { encoding: "utf8" }));
  return redisFlag;
}

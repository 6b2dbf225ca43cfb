// `tether-host` as a user runs it (`node dist/host.js` in a terminal), in its own process: the
// phone's round trips then cross processes as they do between a phone and a computer.

import { join } from "node:path";
import { start, type Proc } from "../../test/support/processes";
import { DIST } from "./node";

export interface HostProcess {
  proc: Proc;
  /** The pairing link it printed; it accepts every pairing. */
  link: string;
  /** Asks for another pairing code (Enter, as a person would) and answers its link. */
  nextLink(): Promise<string>;
  stop(): Promise<void>;
}

const LINK = /(http:\/\/\S+#pair=\S+)/g;

export async function startHostProcess(options: {
  relay: string;
  folder: string;
  stateDir: string;
  /** An OpenAI-compatible base URL; the agent uses `openai:bench-model` on it. */
  modelUrl?: string;
  mode?: "read-only" | "ask" | "auto-edit" | "full-auto";
}): Promise<HostProcess> {
  const args = [join(DIST, "host.js"), "--relay", options.relay, "--folder", options.folder, "--name", "bench host"];
  args.push("--state-dir", options.stateDir, "--pair", "--accept-pairing", "--no-keep-awake");
  if (options.modelUrl) args.push("--model", "openai:bench-model", "--base-url", options.modelUrl);
  if (options.mode) args.push("--mode", options.mode);
  // Under a pseudo-terminal, as a person runs it: Enter then shows a new pairing code.
  // BENCH_PROFILE=<dir> writes a V8 CPU profile of the host there too.
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
  const quoted = ["node", ...profile, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(" ");
  const proc = start("script", ["-qfec", quoted, "/dev/null"], {
    env: { OPENAI_API_KEY: "", TETHER_MODEL: "", TERM: "dumb" },
  });
  try {
    const link = (await proc.waitFor(/(http:\/\/\S+#pair=\S+)/, 30_000))[1]!;
    const links = (): string[] => [...proc.output().matchAll(LINK)].map((m) => m[1]!);
    return {
      proc,
      link,
      async nextLink() {
        const seen = links().length;
        proc.write("\n");
        const deadline = Date.now() + 30_000;
        while (links().length <= seen) {
          if (Date.now() > deadline) throw new Error("tether-host printed no new pairing link");
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        return links()[seen]!;
      },
      stop: () => proc.stop(),
    };
  } catch (err) {
    await proc.stop();
    throw err;
  }
}

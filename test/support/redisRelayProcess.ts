// A relay process from dist/relay.js on Redis (`--redis`), on a free port, as an operator runs
// several behind one address. Only the relay's bundle is needed (`node esbuild.config.mjs`).

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { start, type Proc } from "./processes";

const RELAY_JS = join(__dirname, "..", "..", "dist", "relay.js");

export interface RedisRelayProcess {
  url: string;
  proc: Proc;
  stop(): Promise<void>;
}

export async function startRedisRelayProcess(redisUrl: string, args: string[] = []): Promise<RedisRelayProcess> {
  if (!existsSync(RELAY_JS)) throw new Error("dist/relay.js is missing: run `npm run build`");
  const dataDir = mkdtempSync(join(tmpdir(), "tether-relay-"));
  const proc = start("node", [
    RELAY_JS,
    "--port",
    "0",
    "--redis",
    redisUrl,
    "--data-dir",
    dataDir,
    "--no-push",
    "--log-format",
    "json",
    ...args,
  ]);
  const stop = async (): Promise<void> => {
    await proc.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const url = (await proc.waitFor(/listening on (http:\/\/\S+)/, 30_000))[1]!;
    return { url, proc, stop };
  } catch (err) {
    await stop();
    throw new Error(`the relay did not start: ${(err as Error).message}\n${proc.output()}`);
  }
}

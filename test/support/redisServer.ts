// A real Redis for the scale-out tests: Debian's `redis-server` on 127.0.0.1 and a free port,
// nothing saved to disk, started by the test and stopped at its end.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "redis";
import { freePort } from "./processes";
import { until } from "./wait";

export const REDIS_SERVER = process.env.TETHER_REDIS_SERVER ?? "redis-server";

export interface TestRedis {
  url: string;
  port: number;
  /** Everything the server holds, as an uncompressed RDB file, to search for plaintext. */
  dump(): Promise<Buffer>;
  stop(): Promise<void>;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" }, () => socket.write("PING\r\n"));
    socket.once("data", (d) => {
      socket.destroy();
      resolve(d.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
  });
}

export async function startRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(join(tmpdir(), "tether-redis-"));
  const port = await freePort();
  const child: ChildProcess = spawn(
    REDIS_SERVER,
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  // Not installed: `apt-get install redis-server` (.ci/run does).
  child.once("error", (err) => (output += `${err.message} (is redis-server installed?)\n`));
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    await until("redis-server to answer", async () => {
      if (child.exitCode !== null || child.pid === undefined) throw new Error("it exited");
      return answers(port);
    });
  } catch (err) {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`redis-server did not start (${(err as Error).message}):\n${output}`);
  }
  const url = `redis://127.0.0.1:${port}`;
  return {
    url,
    port,
    async dump() {
      const client = createClient({ url });
      await client.connect();
      try {
        await client.configSet("rdbcompression", "no");
        await client.sendCommand(["SAVE"]);
      } finally {
        await client.close();
      }
      return readFileSync(join(dir, "dump.rdb"));
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

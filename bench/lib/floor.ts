// The floor's client side: starts the bare `ws` server (bench/floor/server.ts) in its own
// process and opens host and phone connections to it.

import { join } from "node:path";
import { build } from "esbuild";
import WebSocket from "ws";
import { start, type Proc } from "../../test/support/processes";
import { DIST, ROOT, startTs } from "./node";

export interface FloorServer {
  url: string;
  pid: number;
  proc: Proc;
  stop(): Promise<void>;
}

export async function startFloor(): Promise<FloorServer> {
  const proc = startTs("floor/server.ts");
  let url: string;
  try {
    url = (await proc.waitFor(/floor listening on (ws:\/\/\S+)/, 30_000))[1]!;
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { url, pid: proc.child.pid!, proc, stop: () => proc.stop() };
}

/**
 * A bare Socket.IO server (bench/floor/socketio.ts) in its own process, run as the relay is:
 * bundled by esbuild and started by plain `node`. Under tsx's loader it starts with a heap that
 * compiling TypeScript has grown already (V8's young generation most of all), and the memory it
 * then adds per connection is measured from a larger start than the relay's: 13.6 against
 * 15.4 KB per connection with 10,000 connected, the same server one way and the other.
 */
export async function startSocketIoFloor(nodeArgs: string[] = []): Promise<FloorServer> {
  const bundle = join(DIST, "bench", "socketio.js");
  await build({
    entryPoints: [join(ROOT, "bench", "floor", "socketio.ts")],
    outfile: bundle,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    logLevel: "warning",
    // As the relay's bundle (esbuild.config.mjs): ws's optional native helpers stay out.
    external: ["bufferutil", "utf-8-validate"],
  });
  const proc = start("node", [...nodeArgs, bundle], { cwd: ROOT });
  let url: string;
  try {
    url = (await proc.waitFor(/socket\.io listening on (http:\/\/\S+)/, 30_000))[1]!;
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return { url, pid: proc.child.pid!, proc, stop: () => proc.stop() };
}

export interface FloorClient {
  ws: WebSocket;
  /** Sends a JSON message. */
  send(message: object): void;
  /** Every parsed message that arrives. */
  onMessage(listener: (message: FloorMessage) => void): void;
  close(): void;
}

export interface FloorMessage {
  t: string;
  id?: number;
  from?: number;
  to?: number;
  [key: string]: unknown;
}

export async function floorClient(url: string, role: "host" | "phone", group: string): Promise<FloorClient> {
  const ws = new WebSocket(`${url}/?role=${role}&group=${encodeURIComponent(group)}`, { perMessageDeflate: false });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const listeners: ((message: FloorMessage) => void)[] = [];
  ws.on("message", (data) => {
    const message = JSON.parse(data.toString()) as FloorMessage;
    for (const l of listeners) l(message);
  });
  return {
    ws,
    send: (message) => ws.send(JSON.stringify(message)),
    onMessage: (listener) => void listeners.push(listener),
    close: () => ws.close(),
  };
}

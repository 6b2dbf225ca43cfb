// The floor's client side: starts the bare `ws` server (bench/floor/server.ts) in its own
// process and opens host and phone connections to it.

import WebSocket from "ws";
import type { Proc } from "../../test/support/processes";
import { startTs } from "./node";

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

/** A bare Socket.IO server (bench/floor/socketio.ts) in its own process. */
export async function startSocketIoFloor(nodeArgs: string[] = []): Promise<FloorServer> {
  const proc = startTs("floor/socketio.ts", [], nodeArgs);
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

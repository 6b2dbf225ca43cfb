// What every handler shares: the context, the rooms, who a socket is, and where a host's
// commands and calls go.

import type { Server, Socket } from "socket.io";
import type { z } from "zod";
import {
  type ClientToServerEvents,
  type InterServerEvents,
  type ServerToClientEvents,
  type SocketData,
} from "../../protocol/index";
import type { RelayConfig } from "../config";
import type { Logger } from "../log";
import type { AuthBackoff, DeviceBudget } from "../rateLimit";
import type { RelayStore } from "../store/store";
import type { HostSockets } from "./hostSockets";

export type TetherServer = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
export type TetherSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface HandlerContext {
  io: TetherServer;
  store: RelayStore;
  log: Logger;
  config: RelayConfig;
  now: () => number;
  /** Per-device event budgets and the per-address pause after failed sign-ins. */
  guards: { events: DeviceBudget; auth: AuthBackoff };
  /** Each host's newest socket, where its commands and calls go. */
  hosts: HostSockets;
}

export type Role = "anonymous" | "host" | "phone";

export const rooms = {
  device: (id: string) => `device:${id}`,
  host: (hostId: string) => `host:${hostId}`,
  phonesOf: (hostId: string) => `phones:${hostId}`,
};

/**
 * How many sockets are in `room`, on this relay process and, with the Redis adapter, on every
 * other. A process that dies while it is being asked makes the question time out; by then Redis
 * no longer counts it, so the question is asked once more.
 */
export async function socketsIn(io: TetherServer, room: string): Promise<number> {
  try {
    return (await io.in(room).fetchSockets()).length;
  } catch {
    return (await io.in(room).fetchSockets()).length;
  }
}

export function roleOf(socket: TetherSocket): Role {
  return socket.data.device?.kind ?? "anonymous";
}

/** A short, content-free description of why a payload failed its schema. */
export function describeIssues(error: z.ZodError): string {
  return (
    error.issues
      .slice(0, 3)
      // Paths and messages name the schema's fields, never a received value; unexpected keys
      // are the sender's words, so they are counted, not named.
      .map((i) => {
        const at = i.path.length
          ? i.path.map((p) => (typeof p === "number" || /^[A-Za-z0-9_-]{1,40}$/.test(String(p)) ? p : "?")).join(".")
          : "payload";
        return `${at}: ${i.code === "unrecognized_keys" ? `${i.keys.length} unexpected field(s)` : i.message}`;
      })
      .join("; ")
  );
}

/** The answer type of a client event, read off its ack callback in the event map. */
export type AnswerOf<E extends keyof ClientToServerEvents> = Parameters<Parameters<ClientToServerEvents[E]>[1]>[0];

/**
 * Keeps what one socket asks the relay to forward in the order it was sent. Each step's store
 * work starts at once (a network store pipelines it), and its `then` runs only after the step
 * before it: a host's records, events and live output reach its phones in the order the host
 * sent them, whatever order the store answers in. (A rekey record must arrive before anything
 * sealed with the new key.)
 */
class InOrder {
  private tail: Promise<unknown> = Promise.resolve();

  run<T, R>(work: Promise<T>, then: (value: T) => R): Promise<R> {
    // Handled now, so a failure that comes while earlier steps still wait is not "unhandled".
    work.catch(() => undefined);
    const step = this.tail.then(() => work).then(then);
    this.tail = step.catch(() => undefined);
    return step;
  }
}

const orders = new WeakMap<TetherSocket, InOrder>();

export function inOrder(socket: TetherSocket): InOrder {
  let order = orders.get(socket);
  if (!order) orders.set(socket, (order = new InOrder()));
  return order;
}

// A relay that misbehaves on purpose: a Socket.IO front that stands where the relay stands.
// Every client (host and phones) connects to it; it opens a connection of its own to the real
// relay with the client's handshake (token and all) and passes every event both ways, acks
// included, so both sides speak to a real relay through it. What travels to a host it can
// record, rewrite (re-address a command to another phone), hold back and release in another
// order, or make up (replay a recorded envelope later, forward for a phone the real relay has
// revoked). It never has a key: whatever it sends is what it saw, or what a test sealed with
// a key such a relay could hold.

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server, type Socket as ServerSocket } from "socket.io";
import { io as connectTo, type Socket as ClientSocket } from "socket.io-client";

type Ack = (...answer: unknown[]) => void;

/** An event the real relay sent a host, as the host would have received it. */
export interface Forwarded {
  event: string;
  payload: unknown;
}

export interface RogueRelay {
  url: string;
  /** Everything the real relay sent to hosts, in order, before any rewriting. */
  toHosts: Forwarded[];
  /**
   * Rewrites what goes to a host: answer the payload to send (changed or not), or `"hold"` to
   * keep it back until {@link release}. A held event is acknowledged to the relay at once
   * with its own box as the "reply" (so the relay sends the next one, and the sender hears a
   * reply it cannot open). Unset: everything passes as it is.
   */
  rewrite: ((event: string, payload: unknown) => unknown) | undefined;
  /** Events held back so far. */
  readonly held: number;
  /**
   * Delivers the held events, in the order given by `order` (indexes into the held list),
   * after `change` rewrote them (all at once, so it can swap fields between them), one at a
   * time; resolves with the host's answers in delivery order.
   */
  release(order?: (count: number) => number[], change?: (payloads: unknown[]) => unknown[]): Promise<unknown[]>;
  /** Sends a host an event of the rogue's making and resolves with the host's answer. */
  inject(hostId: string, event: string, payload: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export async function startRogueRelay(relayUrl: string): Promise<RogueRelay> {
  const http = createServer();
  const server = new Server(http, { transports: ["websocket"] });
  const hosts = new Map<string, ServerSocket>();
  const upstreams = new Set<ClientSocket>();
  let held: { event: string; payload: unknown; to: ServerSocket }[] = [];

  const toHost = (down: ServerSocket, event: string, payload: unknown, ack: Ack | undefined): void => {
    const rewritten = rogue.rewrite ? rogue.rewrite(event, payload) : payload;
    if (rewritten === "hold") {
      held.push({ event, payload, to: down });
      ack?.({ ok: true, box: (payload as { box?: unknown }).box });
      return;
    }
    if (ack) down.emit(event, rewritten, ack);
    else down.emit(event, rewritten);
  };

  // The real relay accepts or refuses the connection; the client hears the same.
  server.use((socket, next) => {
    const up = connectTo(relayUrl, {
      auth: socket.handshake.auth,
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
    });
    upstreams.add(up);
    const early: unknown[][] = [];
    up.onAny((...args: unknown[]) => early.push(args));
    up.once("connect", () => {
      socket.data.up = up;
      socket.data.early = early;
      next();
    });
    up.once("connect_error", (err: Error & { data?: unknown }) => {
      upstreams.delete(up);
      up.close();
      next(Object.assign(new Error(err.message), { data: err.data }));
    });
  });

  server.on("connection", (down) => {
    const up = down.data.up as ClientSocket;
    const early = down.data.early as unknown[][];
    let isHost = false;
    const fromRelay = (event: string, ...args: unknown[]): void => {
      const ack = typeof args[args.length - 1] === "function" ? (args.pop() as Ack) : undefined;
      const payload = args[0];
      if (event === "hello") {
        const hello = payload as { kind?: string; deviceId?: string };
        if (hello.kind === "host" && hello.deviceId) {
          isHost = true;
          hosts.set(hello.deviceId, down);
        }
      }
      if (isHost && event !== "hello") {
        rogue.toHosts.push({ event, payload });
        toHost(down, event, payload, ack);
        return;
      }
      if (ack) down.emit(event, ...args, ack);
      else down.emit(event, ...args);
    };
    up.offAny();
    up.onAny(fromRelay);
    for (const args of early.splice(0)) fromRelay(...(args as [string, ...unknown[]]));
    down.onAny((event: string, ...args: unknown[]) => {
      up.emit(event, ...args);
    });
    up.on("disconnect", () => down.disconnect(true));
    down.on("disconnect", () => {
      upstreams.delete(up);
      up.close();
    });
  });

  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  const rogue: RogueRelay = {
    url: `http://127.0.0.1:${port}`,
    toHosts: [],
    rewrite: undefined,
    get held() {
      return held.length;
    },
    async release(order = (n) => [...Array(n).keys()], change = (payloads) => payloads) {
      const out = held;
      held = [];
      const payloads = change(out.map((h) => h.payload));
      const answers: unknown[] = [];
      for (const i of order(out.length)) {
        // One at a time, as the relay itself delivers them: each waits for the host's answer.
        answers.push(await out[i]!.to.timeout(15_000).emitWithAck(out[i]!.event, payloads[i]));
      }
      return answers;
    },
    async inject(hostId, event, payload) {
      const down = hosts.get(hostId);
      if (!down) throw new Error(`no host ${hostId} is connected through the rogue relay`);
      return down.timeout(15_000).emitWithAck(event, payload);
    },
    async close() {
      for (const up of upstreams) up.close();
      await server.close();
      http.closeAllConnections();
    },
  };
  return rogue;
}

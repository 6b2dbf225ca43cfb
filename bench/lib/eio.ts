// Socket.IO's wire protocol spoken directly over `ws` (Engine.IO 4, default namespace): the
// open packet, CONNECT with the handshake's auth, pong for every ping, events as
// `42[name,payload]`, with an ack id `42<id>[…]`, answered `43<id>[answer]`. For load generators
// and idle crowds: the relay sees exactly what socket.io-client would send, and the bench
// spends next to nothing producing it, so the relay's cost is what gets measured.

import WebSocket from "ws";
import { PROTOCOL_VERSION } from "#protocol";

export interface WireSocket {
  ws: WebSocket;
  /** Sends an already-encoded Socket.IO packet (`42…`). */
  sendRaw(packet: string): void;
  /** Every Socket.IO packet the relay sends (pings are answered here and not passed on). */
  onPacket(listener: (packet: string) => void): void;
  close(): void;
}

/**
 * Connects and authenticates; rejects with the relay's refusal. `batches`: the handshake says
 * this phone reads `events` batches, as the PWA's does.
 */
export function connectWire(url: string, token: string | undefined, options: { batches?: boolean } = {}): Promise<WireSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/socket.io/?EIO=4&transport=websocket`, { perMessageDeflate: false });
    const listeners: ((packet: string) => void)[] = [];
    let open = false;
    ws.on("error", (err) => {
      if (!open) reject(err);
    });
    ws.on("close", () => {
      if (!open) reject(new Error("closed before connecting"));
    });
    ws.on("message", (data) => {
      const text = data.toString();
      if (text === "2") return ws.send("3");
      if (!open) {
        if (text.startsWith("0{"))
          ws.send(
            `40${JSON.stringify({ v: PROTOCOL_VERSION, ...(token ? { token } : {}), ...(options.batches ? { batches: true } : {}) })}`,
          );
        else if (text.startsWith("40")) {
          open = true;
          resolve(socket);
        } else if (text.startsWith("44")) reject(new Error(`refused: ${text.slice(2)}`));
        return;
      }
      for (const l of listeners) l(text);
    });
    const socket: WireSocket = {
      ws,
      sendRaw: (packet) => ws.send(packet),
      onPacket: (l) => void listeners.push(l),
      close: () => ws.terminate(),
    };
  });
}

/** `42<id>["event",payload]`: an event that asks for an answer with ack id `id`. */
export function eventPacket(event: string, payload: unknown, ackId?: number): string {
  return `42${ackId ?? ""}${JSON.stringify([event, payload])}`;
}

/** The ack id of an answer packet (`43<id>[…]`), or undefined for any other packet. */
export function ackIdOf(packet: string): number | undefined {
  if (!packet.startsWith("43")) return undefined;
  let end = 2;
  while (end < packet.length && packet.charCodeAt(end) >= 48 && packet.charCodeAt(end) <= 57) end++;
  return Number(packet.slice(2, end));
}

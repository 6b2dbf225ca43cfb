// A connection to one of several relay processes that comes back by itself: when its socket
// closes (the process it was on was killed), it connects to the next address in turn, as
// clients behind a round-robin balancer would, and runs `onConnect` (a phone's catch-up, a
// host's inbox flush) before it counts as back. Built on the bench's wire client (eio.ts).

import { connectWire, eventPacket, type WireSocket } from "./eio";
import { now } from "./stats";

interface Waiting {
  resolve(answer: Answer): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** A relay's answer: `{ ok: true, … }` or `{ ok: false, code, message }`. */
export type Answer = { ok: boolean; code?: string; message?: string } & Record<string, unknown>;

export class WireLine {
  private socket: WireSocket | undefined;
  private next: number;
  private ackId = 1;
  private readonly waiting = new Map<number, Waiting>();
  private stopped = false;
  /** A connect loop is running: a socket lost meanwhile is its business, not a second loop's. */
  private connecting = false;
  /** Milliseconds from losing the connection to being back (connected and `onConnect` done), one per loss. */
  readonly reconnects: number[] = [];

  constructor(
    private readonly urls: string[],
    private readonly token: string,
    first: number,
    private readonly onPacket: (packet: string, line: WireLine) => void,
    private readonly onConnect: (line: WireLine) => Promise<void>,
  ) {
    this.next = first;
  }

  get connected(): boolean {
    return this.socket !== undefined;
  }

  /** Connects (to the next address in turn, until one answers) and runs `onConnect`. */
  async connect(): Promise<void> {
    this.connecting = true;
    try {
      for (let attempt = 0; !this.stopped; attempt++) {
        const url = this.urls[this.next++ % this.urls.length]!;
        try {
          const socket = await connectWire(url, this.token);
          if (this.stopped) return socket.close();
          this.socket = socket;
          socket.onPacket((packet) => this.receive(packet));
          socket.ws.once("close", () => this.lost(socket));
          await this.onConnect(this);
          return;
        } catch {
          // That process is down, or went down while catching up: the next one, after a pause
          // once round. A socket that is still open but did not catch up is dropped first.
          this.socket?.close();
          if (attempt % this.urls.length === this.urls.length - 1) await sleep(200);
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  /** Sends an event and resolves with the relay's answer; rejects if the connection goes first. */
  request(event: string, payload: unknown, ms = 15_000): Promise<Answer> {
    const socket = this.socket;
    if (!socket) return Promise.reject(new Error("not connected"));
    const id = this.ackId++;
    return new Promise<Answer>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${event}: no answer within ${ms} ms`));
      }, ms);
      this.waiting.set(id, { resolve, reject, timer });
      socket.sendRaw(eventPacket(event, payload, id));
    });
  }

  /** Answers an event the relay sent with an ack id (`42<id>[…]`). */
  answer(ackId: number, answer: unknown): void {
    this.socket?.sendRaw(`43${ackId}${JSON.stringify([answer])}`);
  }

  close(): void {
    this.stopped = true;
    this.socket?.close();
  }

  private receive(packet: string): void {
    if (packet.startsWith("43")) {
      const open = packet.indexOf("[");
      const waiting = this.waiting.get(Number(packet.slice(2, open)));
      if (!waiting) return;
      this.waiting.delete(Number(packet.slice(2, open)));
      clearTimeout(waiting.timer);
      waiting.resolve((JSON.parse(packet.slice(open)) as Answer[])[0]!);
      return;
    }
    this.onPacket(packet, this);
  }

  private lost(socket: WireSocket): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    for (const [id, w] of this.waiting) {
      clearTimeout(w.timer);
      w.reject(new Error("connection lost"));
      this.waiting.delete(id);
    }
    if (this.stopped || this.connecting) return;
    const t0 = now();
    void this.connect().then(() => {
      if (!this.stopped) this.reconnects.push(now() - t0);
    });
  }
}

/** An event the relay sent, `42[<ack id>]["name", payload]`, split up; undefined for other packets. */
export function incoming(packet: string): { ackId?: number; name: string; payload: unknown } | undefined {
  if (!packet.startsWith("42")) return undefined;
  const open = packet.indexOf("[");
  const [name, payload] = JSON.parse(packet.slice(open)) as [string, unknown];
  return { ...(open > 2 ? { ackId: Number(packet.slice(2, open)) } : {}), name, payload };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

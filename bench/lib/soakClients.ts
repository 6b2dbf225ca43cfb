// The soak's phones and hosts, on reconnecting wire connections (wireLine.ts). A host publishes
// numbered thread events (each awaiting the relay's answer before the next, retried with the
// same box after a lost connection, as the host's publisher does) and live output, and applies
// commands by id at most once. A phone keeps each thread's events in order, catches up with
// `sync` after every reconnect or gap, and sends approvals until the relay takes them.

import { randomId, type Box } from "#protocol";
import { incoming, sleep, WireLine, type Answer } from "./wireLine";

/** The box a host seals as event `seq` of `thread`: known to the phones, so they check what they hold. */
export function soakBox(host: number, thread: string, seq: number): Box {
  const text = `host ${host} ${thread} seq ${seq} `.padEnd(160, "output ");
  return { e: 1, iv: "AAAAAAAAAAAAAAAA", ct: Buffer.from(text).toString("base64url") };
}

interface StoredEvent {
  hostId: string;
  threadId: string;
  seq: number;
  box: Box;
}

export class SoakHost {
  /** Thread → last seq the relay took. */
  readonly published = new Map<string, number>();
  /** Command id → how many times the relay delivered it (applied the first time only). */
  readonly commands = new Map<string, number>();
  live = 0;
  readonly line: WireLine;

  constructor(
    readonly index: number,
    readonly hostId: string,
    token: string,
    urls: string[],
    readonly threads: string[],
  ) {
    this.line = new WireLine(
      urls,
      token,
      index,
      (packet, line) => this.receive(packet, line),
      async (line) => {
        const flushed = await line.request("inbox:flush", {});
        if (!flushed.ok) throw new Error(`inbox:flush: ${flushed.message}`);
      },
    );
  }

  /** Publishes a thread's events every `everyMs` until `until` (ms since the epoch). */
  async publish(thread: string, everyMs: number, until: number): Promise<void> {
    for (let seq = 1; Date.now() < until; seq++) {
      await this.deliver("event:publish", { threadId: thread, seq, box: soakBox(this.index, thread, seq) });
      this.published.set(thread, seq);
      await sleep(everyMs);
    }
  }

  /** Live output (not stored): sent once, lost with a lost connection, as live output may be. */
  async publishLive(everyMs: number, until: number): Promise<void> {
    for (let n = 0; Date.now() < until; n++) {
      const box = soakBox(this.index, "live", n);
      const answer = await this.line.request("live:publish", { threadId: this.threads[0], n, box }).catch(() => undefined);
      if (answer?.ok) this.live++;
      await sleep(everyMs);
    }
  }

  /** Sends until the relay answers ok; the same box again after a lost connection, as the host does. */
  private async deliver(event: string, payload: unknown): Promise<Answer> {
    for (;;) {
      const answer = await this.line.request(event, payload).catch(() => undefined);
      if (answer?.ok) return answer;
      if (answer && answer.code !== "internal" && answer.code !== "timeout")
        throw new Error(`host ${this.index} ${event}: ${answer.code} ${answer.message}`);
      await sleep(100);
    }
  }

  private receive(packet: string, line: WireLine): void {
    const event = incoming(packet);
    if (event?.name !== "command" || event.ackId === undefined) return;
    const { id } = event.payload as { id: string };
    this.commands.set(id, (this.commands.get(id) ?? 0) + 1);
    line.answer(event.ackId, { ok: true, box: soakBox(this.index, "reply", 1) });
  }
}

export class SoakPhone {
  /** Thread → highest seq held with every one before it. */
  readonly held = new Map<string, number>();
  /** Events held whose box was not the one the host published (must stay 0). */
  wrong = 0;
  /** Events delivered again that the phone already held (dropped, as the PWA drops them). */
  again = 0;
  /** Events that arrived past a gap (after a reconnect) and were fetched in order by `sync` instead. */
  gaps = 0;
  /** Live output and stored events received. */
  received = 0;
  /** Approval ids the relay took (answered ok). */
  readonly approved: string[] = [];
  readonly line: WireLine;
  private syncing: Promise<void> | undefined;
  private syncAgain = false;

  constructor(
    readonly index: number,
    readonly host: number,
    readonly hostId: string,
    token: string,
    urls: string[],
  ) {
    this.line = new WireLine(
      urls,
      token,
      index,
      (packet) => this.receive(packet),
      () => this.sync(),
    );
  }

  /** Fetches what it misses, page by page, until the relay has no more. */
  sync(): Promise<void> {
    if (this.syncing) {
      this.syncAgain = true;
      return this.syncing;
    }
    this.syncing = (async () => {
      try {
        do {
          this.syncAgain = false;
          for (;;) {
            const page = await this.line.request("sync", { hostId: this.hostId, cursors: Object.fromEntries(this.held) }, 30_000);
            if (!page.ok) throw new Error(`sync: ${page.code} ${page.message}`);
            for (const e of page.events as StoredEvent[]) this.take(e);
            if (!page.more) break;
          }
        } while (this.syncAgain);
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  /** Sends one approval until the relay takes it (answered now or queued for the host). */
  async approve(): Promise<void> {
    const id = randomId(12);
    const box = soakBox(this.host, "approval", this.approved.length + 1);
    for (;;) {
      const answer = await this.line.request("command", { hostId: this.hostId, id, box }).catch(() => undefined);
      if (answer?.ok) break;
      await sleep(200);
    }
    this.approved.push(id);
  }

  private receive(packet: string): void {
    if (packet.startsWith('42["live"')) this.received++;
    else if (packet.startsWith('42["event"')) {
      this.received++;
      const e = incoming(packet)!.payload as StoredEvent;
      const held = this.held.get(e.threadId) ?? 0;
      if (e.seq > held + 1) {
        this.gaps++;
        void this.sync().catch(() => {});
      } else this.take(e);
    }
  }

  private take(e: StoredEvent): void {
    const held = this.held.get(e.threadId) ?? 0;
    if (e.hostId !== this.hostId) this.wrong++;
    else if (e.seq <= held) this.again++;
    else if (e.seq === held + 1) {
      if (e.box.ct !== soakBox(this.host, e.threadId, e.seq).ct) this.wrong++;
      this.held.set(e.threadId, e.seq);
    }
  }
}

// What a host sends its phones, in the order it sent it. Stored events are gathered for the
// rest of the event-loop turn and go out once per host per turn: to the phones that read
// batches as one `events` packet (one encode and one frame however many events a turn stored),
// to the others as one `event` each, as before; to other relay processes as one message. Everything else for a
// host's phones (live output, records, a deleted thread) first sends the events gathered
// before it, so no phone sees a record or live output ahead of an event stored before it.

import type { ServerPayloadOf, ServerToClientEvents, StoredEvent } from "#protocol";
import { rooms } from "./rooms";
import type { TetherServer } from "./types";

type PhoneEvent = Exclude<keyof ServerToClientEvents, "event" | "events">;

/** Between relay processes, through the Socket.IO adapter: a host's events one process stored in a turn. */
const STORED_EVENTS = "tether:stored-events";

/** Typed here: the protocol declares no events between servers, and these never reach a client. */
interface ServerSide {
  serverSideEmit(event: typeof STORED_EVENTS, events: StoredEvent[]): boolean;
  on(event: typeof STORED_EVENTS, listener: (events: unknown) => void): unknown;
}

export class PhoneFanout {
  /** Each host's stored events of this turn, in the order they were stored. */
  private readonly pending = new Map<string, StoredEvent[]>();
  private scheduled = false;
  private readonly flushAll = (): void => {
    this.scheduled = false;
    for (const hostId of [...this.pending.keys()]) this.flush(hostId);
  };

  /**
   * `clustered`: other relay processes share this one's rooms (Redis). A turn's events of a host
   * then travel to them as one message, and each process hands them to its own phones of that
   * host: one publish per host per turn, where a broadcast per room per event was one each.
   */
  constructor(
    private readonly io: TetherServer,
    private readonly clustered: boolean,
  ) {
    if (clustered) this.serverSide.on(STORED_EVENTS, this.fromElsewhere);
  }

  private get serverSide(): ServerSide {
    return this.io.of("/") as unknown as ServerSide;
  }

  /** Another relay process stored these events of one host. */
  private readonly fromElsewhere = (events: unknown): void => {
    if (!Array.isArray(events) || events.length === 0) return;
    const hostId = (events[0] as Partial<StoredEvent>).hostId;
    if (typeof hostId === "string") this.deliver(hostId, events as StoredEvent[]);
  };

  /** An event the store just stored: sent with the rest of this turn's for its host. */
  event(event: StoredEvent): void {
    const waiting = this.pending.get(event.hostId);
    if (waiting) waiting.push(event);
    else this.pending.set(event.hostId, [event]);
    if (!this.scheduled) {
      this.scheduled = true;
      // After the I/O callbacks of this turn and what they settled: a store that commits a
      // turn's events together answers them all before this runs.
      setImmediate(this.flushAll);
    }
  }

  /**
   * Anything else for every phone of a host, after the events stored before it; `viewers`: the
   * room of the viewers it goes to as well (a shared thread's, or one share's).
   */
  emit<E extends PhoneEvent>(hostId: string, event: E, payload: ServerPayloadOf<E>, viewers?: string): void {
    this.flush(hostId);
    const to = viewers ? [...rooms.allPhonesOf(hostId), viewers] : rooms.allPhonesOf(hostId);
    // Typed by hand: Socket.IO's own types cannot pick one event's arguments off a generic name.
    (this.io.to(to) as unknown as { emit(e: string, p: unknown): void }).emit(event, payload);
  }

  /** Sends the host's gathered events now. */
  flush(hostId: string): void {
    const events = this.pending.get(hostId);
    if (!events) return;
    this.pending.delete(hostId);
    // Published before this process's own phones get them, in order with what it publishes next
    // (the adapter's one connection to Redis carries both, and the others read them in order).
    if (this.clustered) this.serverSide.serverSideEmit(STORED_EVENTS, events);
    this.deliver(hostId, events);
  }

  /** To this process's phones of the host: a batch to those that read them, one each to the others. */
  private deliver(hostId: string, events: StoredEvent[]): void {
    const here = this.io.of("/").adapter.rooms;
    const one = rooms.phonesOf(hostId);
    if (here.has(one)) for (const event of events) this.io.local.to(one).emit("event", event);
    const batch = rooms.batchPhonesOf(hostId);
    if (here.has(batch)) this.io.local.to(batch).emit("events", events);
    // Viewers of a shared thread get its events one at a time, and no other thread's.
    for (const event of events) {
      const viewers = rooms.viewersOf(hostId, event.threadId);
      if (here.has(viewers)) this.io.local.to(viewers).emit("event", event);
    }
  }
}

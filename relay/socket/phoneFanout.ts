// What a host sends its phones, in the order it sent it. Stored events are gathered for the
// rest of the event-loop turn and go out once per host per turn: to the phones that read
// batches as one `events` packet (one encode, one frame, one adapter publish however many
// events a turn stored), to the others as one `event` each, as before. Everything else for a
// host's phones (live output, records, a deleted thread) first sends the events gathered
// before it, so no phone sees a record or live output ahead of an event stored before it.

import type { ServerPayloadOf, ServerToClientEvents, StoredEvent } from "#protocol";
import { rooms } from "./rooms";
import type { TetherServer } from "./types";

type PhoneEvent = Exclude<keyof ServerToClientEvents, "event" | "events">;

export class PhoneFanout {
  /** Each host's stored events of this turn, in the order they were stored. */
  private readonly pending = new Map<string, StoredEvent[]>();
  private scheduled = false;
  private readonly flushAll = (): void => {
    this.scheduled = false;
    for (const hostId of [...this.pending.keys()]) this.flush(hostId);
  };

  /**
   * `clustered`: rooms span relay processes (Redis), so a room with no socket here may still
   * have phones elsewhere; alone, a room with no socket here has none at all.
   */
  constructor(
    private readonly io: TetherServer,
    private readonly clustered: boolean,
  ) {}

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

  /** Anything else for every phone of a host, after the events stored before it. */
  emit<E extends PhoneEvent>(hostId: string, event: E, payload: ServerPayloadOf<E>): void {
    this.flush(hostId);
    // Typed by hand: Socket.IO's own types cannot pick one event's arguments off a generic name.
    (this.io.to(rooms.allPhonesOf(hostId)) as unknown as { emit(e: string, p: unknown): void }).emit(event, payload);
  }

  /** Sends the host's gathered events now. */
  flush(hostId: string): void {
    const events = this.pending.get(hostId);
    if (!events) return;
    this.pending.delete(hostId);
    const one = rooms.phonesOf(hostId);
    if (this.clustered || this.io.of("/").adapter.rooms.has(one)) {
      for (const event of events) this.io.to(one).emit("event", event);
    }
    const batch = rooms.batchPhonesOf(hostId);
    if (this.clustered || this.io.of("/").adapter.rooms.has(batch)) this.io.to(batch).emit("events", events);
  }
}

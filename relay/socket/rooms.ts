// The rooms a relay puts sockets in, and how many sockets a room holds across relay processes.

import type { TetherServer, TetherSocket } from "./types";

export const rooms = {
  device: (id: string) => `device:${id}`,
  host: (hostId: string) => `host:${hostId}`,
  /** A host's phones that read one `event` at a time. */
  phonesOf: (hostId: string) => `phones:${hostId}`,
  /** A host's phones that read `events` batches: each phone is in one of the two rooms, never both. */
  batchPhonesOf: (hostId: string) => `batch:${hostId}`,
  /** Every phone of a host, for what goes to all of them alike (presence, live output, records). */
  allPhonesOf: (hostId: string) => [`phones:${hostId}`, `batch:${hostId}`],
  /** The room of a host that this phone joins, by what it reads. */
  phoneRoom: (socket: TetherSocket, hostId: string) => (socket.data.batches ? `batch:${hostId}` : `phones:${hostId}`),
  /** Viewers of a shared thread, whichever share they came by: that thread's traffic, nothing else. */
  viewersOf: (hostId: string, threadId: string) => `view:${hostId}:${threadId}`,
  /** Viewers that came by one share: its record, and cut off together when it is revoked. */
  share: (hostId: string, shareId: string) => `share:${hostId}:${shareId}`,
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

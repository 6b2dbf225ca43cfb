// The rooms a relay puts sockets in, and how many sockets a room holds across relay processes.

import type { TetherServer } from "./types";

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

// The schema of every event the relay sends to a client, in one table checked against the
// event map: a client parses what arrives with the schema of its name, so no listener carries a
// schema of its own, and an event added to `ServerToClientEvents` without one does not compile.

import type { z } from "./zod";
import type { ServerToClientEvents } from "./events";
import {
  commandForwardSchema,
  helloSchema,
  hostPresenceSchema,
  liveForwardSchema,
  pairRequestSchema,
  pairResultSchema,
  phoneLeftSchema,
  phonePresenceSchema,
  rpcForwardSchema,
  storedEventSchema,
  storedEventsSchema,
  storedRecordSchema,
  threadDeletedSchema,
  unpairedSchema,
} from "./schemas";

/** What the relay sends with `event` (its first argument). */
export type ServerPayloadOf<E extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[E]>[0];

export const serverEventSchemas: { [E in keyof ServerToClientEvents]: z.ZodMiniType<ServerPayloadOf<E>> } = {
  hello: helloSchema,
  presence: hostPresenceSchema,
  "phone:presence": phonePresenceSchema,
  "phone:left": phoneLeftSchema,
  unpaired: unpairedSchema,
  "pair:request": pairRequestSchema,
  "pair:result": pairResultSchema,
  rpc: rpcForwardSchema,
  command: commandForwardSchema,
  live: liveForwardSchema,
  event: storedEventSchema,
  events: storedEventsSchema,
  record: storedRecordSchema,
  "thread:deleted": threadDeletedSchema,
};

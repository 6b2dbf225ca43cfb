// Sealed traffic between a host and its phones: calls, durable events, records and
// catch-up. The relay checks who may talk to whom and stores what it cannot read.

import { z } from "zod";
import {
  ErrorCode,
  TetherError,
  boxSchema,
  publishSchema,
  recordPutSchema,
  rpcRequestSchema,
  syncSchema,
  type Box,
  type HostPresence,
} from "../../protocol/index";
import { handle, rooms, type HandlerContext, type TetherSocket } from "./context";

export const RPC_TIMEOUT_MS = 20_000;
const SYNC_DEFAULT_LIMIT = 1000;

const hostReplySchema = z.union([
  z.object({ ok: z.literal(true), box: boxSchema }),
  z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
]);

export async function presenceOf(ctx: HandlerContext, hostId: string): Promise<HostPresence> {
  const sockets = await ctx.io.in(rooms.host(hostId)).fetchSockets();
  return { hostId, online: sockets.length > 0, lastSeen: ctx.store.device(hostId)?.lastSeen ?? 0 };
}

function mustBePaired(ctx: HandlerContext, socket: TetherSocket, hostId: string): string {
  const phoneId = socket.data.device!.id;
  if (!ctx.store.isLinked(phoneId, hostId)) {
    throw new TetherError(ErrorCode.Forbidden, "This phone is not paired with that host.");
  }
  return phoneId;
}

export function registerRoutingHandlers(ctx: HandlerContext, socket: TetherSocket): void {
  const { io, store, now } = ctx;

  handle(ctx, socket, "rpc", rpcRequestSchema, ["phone"], async (req) => {
    const from = mustBePaired(ctx, socket, req.hostId);
    let replies: unknown[];
    try {
      replies = await io
        .to(rooms.host(req.hostId))
        .timeout(RPC_TIMEOUT_MS)
        .emitWithAck("rpc", { from, id: req.id, box: req.box });
    } catch {
      throw new TetherError(ErrorCode.Timeout, "The computer did not answer in time.");
    }
    if (replies.length === 0) throw new TetherError(ErrorCode.HostOffline, "The computer is offline.");
    const reply = hostReplySchema.safeParse(replies[0]);
    if (!reply.success) throw new TetherError(ErrorCode.Internal, "The computer sent a malformed answer.");
    if (!reply.data.ok) {
      const code = (Object.values(ErrorCode) as string[]).includes(reply.data.code)
        ? (reply.data.code as ErrorCode)
        : ErrorCode.Internal;
      throw new TetherError(code, reply.data.message);
    }
    return { ok: true, box: reply.data.box as Box };
  });

  handle(ctx, socket, "event:publish", publishSchema, ["host"], (req) => {
    const hostId = socket.data.device!.id;
    const event = { hostId, threadId: req.threadId, seq: req.seq, box: req.box, at: now() };
    const outcome = store.appendEvent(event);
    if (outcome === "conflict") {
      throw new TetherError(ErrorCode.Conflict, `event ${req.seq} of this thread is already stored with other content`);
    }
    if (outcome === "stored") io.to(rooms.phonesOf(hostId)).emit("event", event);
    return { ok: true };
  });

  handle(ctx, socket, "record:put", recordPutSchema, ["host"], (req) => {
    const hostId = socket.data.device!.id;
    const record = { hostId, key: req.key, box: req.box, at: now() };
    store.putRecord(record);
    io.to(rooms.phonesOf(hostId)).emit("record", record);
    return { ok: true };
  });

  handle(ctx, socket, "sync", syncSchema, ["phone"], (req) => {
    mustBePaired(ctx, socket, req.hostId);
    const records = store.records(req.hostId);
    const page = store.eventsAfter(req.hostId, req.cursors, req.limit ?? SYNC_DEFAULT_LIMIT);
    return { ok: true, records, events: page.events, more: page.more };
  });
}

// Sealed traffic between a host and its phones: calls, durable events, live output, records
// and catch-up. The relay checks who may talk to whom and stores what it cannot read.

import {
  ErrorCode,
  TetherError,
  livePublishSchema,
  publishSchema,
  recordPutSchema,
  rpcRequestSchema,
  syncSchema,
  threadDeleteSchema,
  type HostAnswer,
} from "#protocol";
import type { HandlerContext } from "../socket/context";
import { inOrder } from "../socket/inOrder";
import type { Router } from "../socket/router";
import type { TetherSocket } from "../socket/types";

export const RPC_TIMEOUT_MS = 20_000;
const SYNC_DEFAULT_LIMIT = 1000;

async function mustBePaired(ctx: HandlerContext, socket: TetherSocket, hostId: string): Promise<string> {
  const phoneId = socket.data.device!.id;
  if (!(await ctx.store.isLinked(phoneId, hostId))) {
    throw new TetherError(ErrorCode.Forbidden, "This phone is not paired with that host.");
  }
  return phoneId;
}

export function registerRoutingHandlers(ctx: HandlerContext, router: Router): void {
  const { phones, store, now } = ctx;

  router.on("rpc", rpcRequestSchema, ["phone"], async (socket, req) => {
    const from = await mustBePaired(ctx, socket, req.hostId);
    const target = await ctx.hosts.target(req.hostId);
    if (!target) throw new TetherError(ErrorCode.HostOffline, "The computer is offline.");
    let answer: HostAnswer | undefined;
    try {
      answer = await ctx.hosts.ask(target, "rpc", { from, id: req.id, box: req.box }, RPC_TIMEOUT_MS);
    } catch {
      throw new TetherError(ErrorCode.Timeout, "The computer did not answer in time.");
    }
    if (!answer) throw new TetherError(ErrorCode.HostOffline, "The computer is offline.");
    if (!answer.ok) throw new TetherError(answer.code, answer.message);
    return { ok: true, box: answer.box };
  });

  // Live output keeps its place among the host's stored events (output before its result).
  router.on("live:publish", livePublishSchema, ["host"], (socket, req) => {
    const hostId = socket.data.device!.id;
    return inOrder(socket).run(Promise.resolve(), () => {
      phones.emit(hostId, "live", { hostId, threadId: req.threadId, n: req.n, box: req.box });
      return { ok: true as const };
    });
  });

  // A host's events and records are stored, then forwarded in the order the host sent them.
  router.on("event:publish", publishSchema, ["host"], (socket, req) => {
    const hostId = socket.data.device!.id;
    const event = { hostId, threadId: req.threadId, seq: req.seq, box: req.box, at: now() };
    return inOrder(socket).run(store.appendEvent(event), (outcome) => {
      if (outcome === "conflict") {
        throw new TetherError(ErrorCode.Conflict, `event ${req.seq} of this thread is already stored with other content`);
      }
      if (outcome === "stored") phones.event(event);
      return { ok: true as const };
    });
  });

  router.on("record:put", recordPutSchema, ["host"], (socket, req) => {
    const hostId = socket.data.device!.id;
    const record = { hostId, key: req.key, box: req.box, at: now() };
    return inOrder(socket).run(store.putRecord(record), () => {
      phones.emit(hostId, "record", record);
      return { ok: true as const };
    });
  });

  router.on("thread:delete", threadDeleteSchema, ["host"], (socket, req) => {
    const hostId = socket.data.device!.id;
    // In order with the host's publishes: an event sent before the delete is gone with it.
    return inOrder(socket).run(store.deleteThread(hostId, req.threadId), () => {
      phones.emit(hostId, "thread:deleted", { hostId, threadId: req.threadId });
      return { ok: true as const };
    });
  });

  router.on("sync", syncSchema, ["phone"], async (socket, req) => {
    await mustBePaired(ctx, socket, req.hostId);
    const [records, page, trims] = await Promise.all([
      store.records(req.hostId),
      store.eventsAfter(req.hostId, req.cursors, req.limit ?? SYNC_DEFAULT_LIMIT),
      store.trimmedThreads(req.hostId),
    ]);
    // Unpaired while reading (another relay process may have done it): nothing of that host
    // goes out after the unpairing, as with a store that answered at once.
    await mustBePaired(ctx, socket, req.hostId);
    // Only what this phone is missing: a thread it read past the trim lost nothing for it.
    const missed = Object.entries(trims).filter(([threadId, first]) => (req.cursors[threadId] ?? 0) < first - 1);
    const answer = { ok: true as const, records, events: page.events, more: page.more };
    return missed.length > 0 ? { ...answer, trimmed: Object.fromEntries(missed) } : answer;
  });
}

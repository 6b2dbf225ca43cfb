// Sealed traffic between a host and its phones: calls, durable events, live output, records
// and catch-up. The relay checks who may talk to whom and stores what it cannot read.

import {
  ErrorCode,
  TetherError,
  livePublishSchema,
  PAGE_MAX_EVENTS,
  pagePublishSchema,
  publishSchema,
  recordPutSchema,
  rpcRequestSchema,
  THREAD_RECORD_PREFIX,
  syncSchema,
  threadDeleteSchema,
  type HostAnswer,
  type StoredPage,
} from "#protocol";
import { SHARE_RECORD_PREFIX } from "#protocol/share";
import type { HandlerContext } from "../socket/context";
import type { EventsPage } from "../store/store";
import { inOrder } from "../socket/inOrder";
import { rooms } from "../socket/rooms";
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
      const viewers = req.threadId ? rooms.viewersOf(hostId, req.threadId) : undefined;
      phones.emit(hostId, "live", { hostId, threadId: req.threadId, n: req.n, box: req.box }, viewers);
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

  // In order with the host's publishes, so the events a page covers are stored before it.
  router.on("page:publish", pagePublishSchema, ["host"], (socket, req) => {
    const hostId = socket.data.device!.id;
    if (req.to < req.from || req.to - req.from + 1 > PAGE_MAX_EVENTS) {
      throw new TetherError(ErrorCode.BadRequest, `a page holds 1 to ${PAGE_MAX_EVENTS} events`);
    }
    const page = { hostId, threadId: req.threadId, from: req.from, to: req.to, box: req.box, at: now() };
    return inOrder(socket).run(store.appendPage(page), (outcome) => {
      if (outcome === "conflict") throw new TetherError(ErrorCode.Conflict, "another page of this thread overlaps it");
      if (outcome === "missing") throw new TetherError(ErrorCode.NotFound, "the relay does not hold every event of that page");
      return { ok: true as const };
    });
  });

  router.on("record:put", recordPutSchema, ["host"], (socket, req) => {
    const hostId = socket.data.device!.id;
    const record = { hostId, key: req.key, box: req.box, at: now() };
    return inOrder(socket).run(store.putRecord(record), () => {
      phones.emit(hostId, "record", record, viewersOfRecord(hostId, req.key));
      return { ok: true as const };
    });
  });

  router.on("thread:delete", threadDeleteSchema, ["host"], (socket, req) => {
    const hostId = socket.data.device!.id;
    // In order with the host's publishes: an event sent before the delete is gone with it.
    return inOrder(socket).run(store.deleteThread(hostId, req.threadId), () => {
      phones.emit(hostId, "thread:deleted", { hostId, threadId: req.threadId }, rooms.viewersOf(hostId, req.threadId));
      return { ok: true as const };
    });
  });

  router.on("sync", syncSchema, ["phone"], async (socket, req) => {
    await mustBePaired(ctx, socket, req.hostId);
    const limit = req.limit ?? SYNC_DEFAULT_LIMIT;
    const [records, { pages, page }, trims] = await Promise.all([
      store.records(req.hostId),
      req.pages ? pagesThenEvents(ctx, req.hostId, req.cursors, limit) : eventsOnly(ctx, req.hostId, req.cursors, limit),
      store.trimmedThreads(req.hostId),
    ]);
    // Unpaired while reading (another relay process may have done it): nothing of that host
    // goes out after the unpairing, as with a store that answered at once.
    await mustBePaired(ctx, socket, req.hostId);
    // Only what this phone is missing: a thread it read past the trim lost nothing for it.
    const missed = Object.entries(trims).filter(([threadId, first]) => (req.cursors[threadId] ?? 0) < first - 1);
    const answer = { ok: true as const, records, ...(pages && { pages }), events: page.events, more: page.more };
    return missed.length > 0 ? { ...answer, trimmed: Object.fromEntries(missed) } : answer;
  });
}

/** A thread's summary goes to its viewers too, a share's record to that share's; no other record. */
function viewersOfRecord(hostId: string, key: string): string | undefined {
  if (key.startsWith(THREAD_RECORD_PREFIX)) return rooms.viewersOf(hostId, key.slice(THREAD_RECORD_PREFIX.length));
  if (key.startsWith(SHARE_RECORD_PREFIX)) return rooms.share(hostId, key.slice(SHARE_RECORD_PREFIX.length));
  return undefined;
}

async function eventsOnly(ctx: HandlerContext, hostId: string, cursors: Record<string, number>, limit: number) {
  return { pages: undefined, page: await ctx.store.eventsAfter(hostId, cursors, limit) };
}

/**
 * For a phone that reads pages: the page chains from its cursors, then the events after where
 * they reach. Once the pages fill the limit no events go with them, so a thread's events never
 * come before the pages that would have covered them.
 */
async function pagesThenEvents(
  ctx: HandlerContext,
  hostId: string,
  cursors: Record<string, number>,
  limit: number,
): Promise<{ pages: StoredPage[]; page: EventsPage }> {
  const paged = await ctx.store.pagesAfter(hostId, cursors, limit);
  if (paged.more) return { pages: paged.pages, page: { events: [], more: true } };
  const room = limit - paged.events;
  if (room <= 0) return { pages: paged.pages, page: { events: [], more: true } };
  return { pages: paged.pages, page: await ctx.store.eventsAfter(hostId, { ...cursors, ...paged.reached }, room) };
}

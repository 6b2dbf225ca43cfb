// Read-only shares of one thread. The host registers a share (its id, the thread, the SHA-256
// of the viewer's token) and revokes it; a viewer reads that thread's summary record, the
// share's own record and the thread's events, and nothing else of the host. The relay holds
// no key: what the viewer can open is decided by the thread key its link leads to.

import { ErrorCode, TetherError, threadRecordKey } from "#protocol";
import { shareCreateSchema, shareRecordKey, shareRevokeSchema, shareSyncSchema } from "#protocol/share";
import type { HandlerContext } from "../socket/context";
import { inOrder } from "../socket/inOrder";
import { rooms } from "../socket/rooms";
import type { Router } from "../socket/router";
import type { TetherSocket } from "../socket/types";

const SYNC_DEFAULT_LIMIT = 1000;

/** The share this viewer came by, read again: a revocation on another relay process counts at once. */
async function stillShared(
  ctx: HandlerContext,
  socket: TetherSocket,
): Promise<{ hostId: string; threadId: string; shareId: string }> {
  const viewer = socket.data.viewer!;
  const share = await ctx.store.shareByVerifier(viewer.verifier);
  if (share?.shareId !== viewer.shareId || share.hostId !== viewer.hostId) {
    socket.disconnect(true);
    throw new TetherError(ErrorCode.Unauthorized, "This shared link was revoked by its owner.");
  }
  return viewer;
}

export function registerShareHandlers(ctx: HandlerContext, router: Router): void {
  const { store, now, io, log } = ctx;

  // In order with the host's publishes: the record a share needs is put before it, and a viewer
  // admitted once the share is stored finds it.
  router.on("share:create", shareCreateSchema, ["host"], (socket, req) => {
    const hostId = socket.data.device!.id;
    const row = { hostId, shareId: req.shareId, threadId: req.threadId, verifier: req.verifier, createdAt: now() };
    return inOrder(socket).run(store.insertShare(row), (outcome) => {
      if (outcome === "conflict") throw new TetherError(ErrorCode.Conflict, "a share of that id or token already exists");
      log.info("thread shared", { device: hostId, thread: req.threadId, share: req.shareId });
      return { ok: true as const };
    });
  });

  router.on("share:revoke", shareRevokeSchema, ["host"], (socket, req) => {
    const hostId = socket.data.device!.id;
    return inOrder(socket).run(store.deleteShare(hostId, req.shareId), (share) => {
      if (!share) throw new TetherError(ErrorCode.NotFound, "no such share");
      // Across relay processes (the adapter carries it): nothing more reaches its viewers.
      io.in(rooms.share(hostId, req.shareId)).disconnectSockets(true);
      log.info("share revoked", { device: hostId, share: req.shareId });
      return { ok: true as const, revoked: true };
    });
  });

  router.on("share:sync", shareSyncSchema, ["viewer"], async (socket, req) => {
    const { hostId, threadId, shareId } = await stillShared(ctx, socket);
    const wanted = new Set([threadRecordKey(threadId), shareRecordKey(shareId)]);
    const [records, page] = await Promise.all([
      store.records(hostId),
      store.threadEventsAfter(hostId, threadId, req.after, req.limit ?? SYNC_DEFAULT_LIMIT),
    ]);
    // Revoked while reading: nothing goes out after the revocation.
    await stillShared(ctx, socket);
    return { ok: true as const, records: records.filter((r) => wanted.has(r.key)), events: page.events, more: page.more };
  });
}

// Push notifications over the socket: phones say where to reach them, hosts hand over sealed
// notifications for their phones. What is sent, and to whom, is the push service's business.

import { ErrorCode, TetherError, emptySchema, pushSendSchema, pushSubscribeSchema } from "#protocol";
import type { PushService } from "../push/notifications";
import type { HitLimit, LimitCounters } from "../rateLimit";
import type { HandlerContext } from "../socket/context";
import type { Router } from "../socket/router";

/** Per host. A busy agent notifies a few times a minute; a loop that notifies more is a bug. */
export function pushLimits(counters: LimitCounters): HitLimit {
  return counters.window("push", 60, 60_000);
}

export function registerPushHandlers(
  ctx: HandlerContext,
  router: Router,
  push: PushService | null,
  sendsPerHost: HitLimit,
): void {
  const { store, log, now } = ctx;

  router.on("push:subscribe", pushSubscribeSchema, ["phone"], async (socket, req) => {
    if (!push) throw new TetherError(ErrorCode.BadRequest, "This relay sends no notifications.");
    const refusal = push.refusal(req.target);
    if (refusal) throw new TetherError(ErrorCode.BadRequest, refusal);
    const phoneId = socket.data.device!.id;
    await store.putPushSubscription(phoneId, req.target, req.muted, now());
    log.info("push subscription saved", { device: phoneId, kind: req.target.kind, muted: req.muted.length });
    return { ok: true };
  });

  router.on("push:unsubscribe", emptySchema, ["phone"], async (socket) => {
    const phoneId = socket.data.device!.id;
    if (await store.deletePushSubscription(phoneId)) log.info("push subscription removed", { device: phoneId });
    return { ok: true };
  });

  router.on("push:send", pushSendSchema, ["host"], async (socket, req) => {
    const hostId = socket.data.device!.id;
    // A relay without push reaches nobody; for the host that is not an error to retry.
    if (!push) return { ok: true, sent: 0 };
    if (!(await sendsPerHost.take(hostId)))
      throw new TetherError(ErrorCode.RateLimited, "Too many notifications; wait a minute.");
    return { ok: true, sent: await push.notify(hostId, req) };
  });
}

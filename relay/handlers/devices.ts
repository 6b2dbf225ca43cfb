// A host's phones: the list with presence and last seen, revoking one, a phone leaving a host,
// and telling hosts when their phones come and go. Unpairing takes effect at once: the phone's
// sockets leave the host's room before anything else is sent, and a phone left with no host
// is disconnected and its token refused from then on.

import {
  ErrorCode,
  TetherError,
  emptySchema,
  pairLeaveSchema,
  phoneRevokeSchema,
  type PhoneStatus,
  type Unpaired,
} from "#protocol";
import type { HandlerContext } from "../socket/context";
import { isOnline } from "../socket/devicePresence";
import { rooms } from "../socket/rooms";
import type { Router } from "../socket/router";

/**
 * Unlinks a phone from a host and makes it so on every connection the phone has. Returns
 * whether the phone was revoked (it has no host left), or null when they were not linked.
 */
export async function unpairPhone(
  ctx: HandlerContext,
  phoneId: string,
  hostId: string,
  by: Unpaired["by"],
): Promise<{ revoked: boolean } | null> {
  const { io, store, log, now } = ctx;
  const outcome = await store.unlinkPhone(phoneId, hostId, now());
  if (!outcome.unlinked) return null;
  const phone = io.in(rooms.device(phoneId));
  // Leave first: no event of this host is sent to the phone after this line. (On another relay
  // process the leave travels through Redis ahead of anything published after it.) A socket
  // that connects meanwhile reads its links after joining, and leaves what is gone.
  phone.socketsLeave(rooms.allPhonesOf(hostId));
  io.to(rooms.device(phoneId)).emit("unpaired", { hostId, by });
  // A phone with no host left has nothing to do here: close its connections now (the
  // `unpaired` above is flushed first); its token is refused when it comes back. A phone
  // that asked to leave gets its answer first.
  if (outcome.revoked) {
    const close = (): void => void phone.disconnectSockets(true);
    if (by === "phone") setImmediate(close);
    else close();
  }
  log.info("phone unpaired", { host: hostId, phone: phoneId, by, revoked: outcome.revoked });
  return { revoked: outcome.revoked };
}

export function registerDeviceHandlers(ctx: HandlerContext, router: Router): void {
  const { io, store } = ctx;

  router.on("phone:revoke", phoneRevokeSchema, ["host"], async (socket, req) => {
    const hostId = socket.data.device!.id;
    // One answer for "no such device" and "another host's phone": device ids are not for probing.
    const outcome = await unpairPhone(ctx, req.phoneId, hostId, "host");
    if (!outcome) throw new TetherError(ErrorCode.NotFound, "No phone with that id is paired with this computer.");
    return { ok: true, revoked: outcome.revoked };
  });

  router.on("phones:list", emptySchema, ["host"], async (socket) => {
    const hostId = socket.data.device!.id;
    const phones: PhoneStatus[] = await Promise.all(
      (await store.phonesOfHost(hostId)).map(async (p) => ({ ...p, online: await isOnline(ctx, p.deviceId) })),
    );
    return { ok: true, phones };
  });

  router.on("pair:leave", pairLeaveSchema, ["phone"], async (socket, req) => {
    const phoneId = socket.data.device!.id;
    const outcome = await unpairPhone(ctx, phoneId, req.hostId, "phone");
    if (!outcome) throw new TetherError(ErrorCode.NotFound, "This phone is not paired with that computer.");
    io.to(rooms.host(req.hostId)).emit("phone:left", { deviceId: phoneId });
    return { ok: true, revoked: outcome.revoked };
  });
}

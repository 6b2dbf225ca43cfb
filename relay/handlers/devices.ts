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
} from "../../protocol/index";
import { handle, rooms, type HandlerContext, type TetherSocket } from "./context";

/** Whether any socket of this device is connected (to this relay or, with an adapter, another). */
async function isOnline(ctx: HandlerContext, deviceId: string): Promise<boolean> {
  return (await ctx.io.in(rooms.device(deviceId)).fetchSockets()).length > 0;
}

/**
 * Unlinks a phone from a host and makes it so on every connection the phone has. Returns
 * whether the phone was revoked (it has no host left), or null when they were not linked.
 */
export function unpairPhone(
  ctx: HandlerContext,
  phoneId: string,
  hostId: string,
  by: Unpaired["by"],
): { revoked: boolean } | null {
  const { io, store, log, now } = ctx;
  const outcome = store.unlinkPhone(phoneId, hostId, now());
  if (!outcome.unlinked) return null;
  const phone = io.in(rooms.device(phoneId));
  // Leave first, synchronously: no event of this host is sent to the phone after this line.
  phone.socketsLeave(rooms.phonesOf(hostId));
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

export function registerDeviceHandlers(ctx: HandlerContext, socket: TetherSocket): void {
  const { io, store } = ctx;

  handle(ctx, socket, "phone:revoke", phoneRevokeSchema, ["host"], (req) => {
    const hostId = socket.data.device!.id;
    // One answer for "no such device" and "another host's phone": device ids are not for probing.
    const outcome = unpairPhone(ctx, req.phoneId, hostId, "host");
    if (!outcome) throw new TetherError(ErrorCode.NotFound, "No phone with that id is paired with this computer.");
    return { ok: true, revoked: outcome.revoked };
  });

  handle(ctx, socket, "phones:list", emptySchema, ["host"], async () => {
    const hostId = socket.data.device!.id;
    const phones: PhoneStatus[] = await Promise.all(
      store.phonesOfHost(hostId).map(async (p) => ({ ...p, online: await isOnline(ctx, p.deviceId) })),
    );
    return { ok: true, phones };
  });

  handle(ctx, socket, "pair:leave", pairLeaveSchema, ["phone"], (req) => {
    const phoneId = socket.data.device!.id;
    const outcome = unpairPhone(ctx, phoneId, req.hostId, "phone");
    if (!outcome) throw new TetherError(ErrorCode.NotFound, "This phone is not paired with that computer.");
    io.to(rooms.host(req.hostId)).emit("phone:left", { deviceId: phoneId });
    return { ok: true, revoked: outcome.revoked };
  });
}

/** Tells a phone's hosts that it connected, and, when its last socket goes, that it left. */
export function announcePhone(ctx: HandlerContext, socket: TetherSocket, hostIds: readonly string[]): void {
  const { io, store, now } = ctx;
  const phoneId = socket.data.device!.id;
  const tell = (online: boolean): void => {
    const lastSeen = now();
    // Hosts unpaired meanwhile are not told: read the links again.
    for (const hostId of store.hostsOfPhone(phoneId)) {
      io.to(rooms.host(hostId)).emit("phone:presence", { deviceId: phoneId, online, lastSeen });
    }
  };
  if (hostIds.length > 0) tell(true);
  socket.on("disconnect", () => {
    void isOnline(ctx, phoneId).then((online) => {
      if (!online) tell(false);
    });
  });
}

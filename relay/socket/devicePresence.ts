// Who is online: a host's presence for its phones, and a phone's coming and going for its hosts.

import type { HostPresence } from "#protocol";
import type { HandlerContext } from "./context";
import { rooms, socketsIn } from "./rooms";

export async function presenceOf(ctx: HandlerContext, hostId: string): Promise<HostPresence> {
  const [sockets, device] = await Promise.all([socketsIn(ctx.io, rooms.host(hostId)), ctx.store.device(hostId)]);
  return { hostId, online: sockets > 0, lastSeen: device?.lastSeen ?? 0 };
}

/** Whether any socket of this device is connected (to this relay or, with an adapter, another). */
export async function isOnline(ctx: HandlerContext, deviceId: string): Promise<boolean> {
  return (await socketsIn(ctx.io, rooms.device(deviceId))) > 0;
}

/** Tells a phone's hosts that it is online or, with `online` false, that it went away. */
export async function tellPhonePresence(
  ctx: HandlerContext,
  phoneId: string,
  online: boolean,
  lastSeen = ctx.now(),
): Promise<void> {
  // Hosts unpaired meanwhile are not told: the links are read now.
  for (const hostId of await ctx.store.hostsOfPhone(phoneId)) {
    ctx.io.to(rooms.host(hostId)).emit("phone:presence", { deviceId: phoneId, online, lastSeen });
  }
}

/** Tells a phone's hosts that it connected. */
export function announcePhone(ctx: HandlerContext, phoneId: string, hostIds: readonly string[]): void {
  if (hostIds.length > 0) tellPhonePresence(ctx, phoneId, true).catch(presenceFailed(ctx, phoneId));
}

/** Tells a phone's hosts that it went away, once its last socket has gone. */
export function phoneWentAway(ctx: HandlerContext, phoneId: string): void {
  isOnline(ctx, phoneId)
    .then((online) => (online ? undefined : tellPhonePresence(ctx, phoneId, false)))
    .catch(presenceFailed(ctx, phoneId));
}

const presenceFailed =
  (ctx: HandlerContext, phoneId: string) =>
  (err: unknown): void =>
    ctx.log.warn("phone presence not sent", { device: phoneId, error: (err as Error).message });

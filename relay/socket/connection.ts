// A connection's life on the relay: its events go through the shared router, a device joins
// its rooms and is announced, and what it leaves behind is told when it goes.
//
// Idle phones are most of what a relay holds, so nothing here is made per socket that could be
// shared: the listeners are functions made once per relay, which Socket.IO calls with the
// socket as `this`, and what they need of a socket is read off the socket itself.

import { PROTOCOL_VERSION } from "#protocol";
import type { ClusterPresence } from "../cluster/presence";
import type { PushService } from "../push/notifications";
import type { HandlerContext } from "./context";
import { announcePhone, phoneWentAway, presenceOf } from "./devicePresence";
import { rooms } from "./rooms";
import type { Router } from "./router";
import type { TetherSocket } from "./types";

export interface ConnectionServices {
  router: Router;
  push: PushService | null;
  /** With Redis: this process's share of presence across relay processes. */
  presence: ClusterPresence | undefined;
}

type Listener = (this: TetherSocket, reason: string) => void;

export class Connections {
  /**
   * Every device socket's, when it goes: one listener, so a socket's listeners for "disconnect"
   * are a function and not an array of them.
   */
  private readonly left: Listener;

  constructor(
    private readonly ctx: HandlerContext,
    private readonly services: ConnectionServices,
  ) {
    const onLeft = this.onLeft.bind(this);
    this.left = function (reason) {
      onLeft(this, reason);
    };
  }

  accept(socket: TetherSocket): void {
    // The router first, synchronously, so nothing a client sends right after connecting is missed.
    this.services.router.attach(socket);
    const device = socket.data.device;
    if (!device) {
      if (socket.data.viewer) this.joinViewer(socket);
      return;
    }
    const { io, store, now, log } = this.ctx;
    // The device's own room first, at once: a revocation or a pairing result reaches this
    // socket from here on, even while the rest is read from the store.
    void socket.join(rooms.device(device.id));
    this.services.presence?.connected(device, socket.data.since ?? now());
    store.touchDevice(device.id, now()).catch(this.storeFailed("touch", device.id));
    socket.on("disconnect", this.left);

    if (device.kind === "host") {
      void socket.join(rooms.host(device.id));
      this.ctx.hosts.connected(socket);
      socket.emit("hello", {
        v: PROTOCOL_VERSION,
        deviceId: device.id,
        kind: "host",
        hosts: [],
        publicUrl: this.ctx.config.publicUrl,
      });
      io.to(rooms.allPhonesOf(device.id)).emit("presence", { hostId: device.id, online: true, lastSeen: now() });
      log.info("host connected", { device: device.id });
      return;
    }
    this.joinPhone(socket).catch((err: unknown) => {
      this.storeFailed("phone connect", device.id)(err);
      // Without its rooms the phone would see nothing: let it connect again.
      socket.disconnect(true);
    });
  }

  private onLeft(socket: TetherSocket, reason: string): void {
    const { io, store, now, log } = this.ctx;
    const device = socket.data.device!;
    this.services.presence?.disconnected(device);
    store.touchDevice(device.id, now()).catch(this.storeFailed("touch", device.id));
    if (device.kind !== "host") {
      if (socket.data.announced) phoneWentAway(this.ctx, device.id);
      return;
    }
    this.ctx.hosts.disconnected(socket);
    log.info("host disconnected", { device: device.id, reason });
    presenceOf(this.ctx, device.id).then(
      (p) => {
        if (!p.online) io.to(rooms.allPhonesOf(device.id)).emit("presence", p);
      },
      this.storeFailed("host presence", device.id),
    );
  }

  /**
   * A phone's rooms are its hosts', read from the store after it joined its own room. A
   * revocation or unpairing on any relay process meanwhile is either read here or reaches the
   * socket through its room: the links are read again after joining, and what is gone is left.
   */
  private async joinPhone(socket: TetherSocket): Promise<void> {
    const { store, log, config } = this.ctx;
    const { push } = this.services;
    const phoneId = socket.data.device!.id;
    const [device, linked] = await Promise.all([store.device(phoneId), store.hostsOfPhone(phoneId)]);
    // Revoked between its handshake and now: it joins nothing.
    if (device?.revokedAt !== null || !socket.connected) {
      socket.disconnect(true);
      return;
    }
    for (const hostId of linked) void socket.join(rooms.phoneRoom(socket, hostId));
    const hostIds = await store.hostsOfPhone(phoneId);
    for (const hostId of linked) if (!hostIds.includes(hostId)) void socket.leave(rooms.phoneRoom(socket, hostId));
    if (!socket.connected) return;
    log.info("phone connected", { device: phoneId, hosts: hostIds.length });
    announcePhone(this.ctx, phoneId, hostIds);
    socket.data.announced = true;
    const hosts = await Promise.all(hostIds.map((h) => presenceOf(this.ctx, h)));
    const hello = { v: PROTOCOL_VERSION, deviceId: phoneId, kind: "phone" as const, hosts, publicUrl: config.publicUrl };
    socket.emit("hello", push ? { ...hello, push: push.offer } : hello);
  }

  /**
   * A viewer joins its thread's room and its share's; a revocation on any relay process while
   * it joined is read here (the share is looked up again after joining) or reaches it by room.
   */
  private joinViewer(socket: TetherSocket): void {
    const { hostId, threadId, shareId, verifier } = socket.data.viewer!;
    void socket.join([rooms.share(hostId, shareId), rooms.viewersOf(hostId, threadId)]);
    void this.ctx.store
      .shareByVerifier(verifier)
      .then((share) => {
        if (share?.shareId !== shareId || share.hostId !== hostId) socket.disconnect(true);
      })
      .catch(() => socket.disconnect(true));
  }

  private storeFailed(what: string, device: string) {
    return (err: unknown): void => this.ctx.log.warn(`${what} failed`, { device, error: (err as Error)?.message ?? String(err) });
  }
}

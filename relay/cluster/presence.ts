// Presence across relay processes when one of them dies. A process that exits or is killed runs
// no "disconnect" handler, so nobody would tell phones that its hosts went offline (or hosts
// that its phones did). Each process therefore keeps, in Redis, a heartbeat and the set of
// devices connected to it; the others notice a heartbeat that stopped, take that process's set
// (one of them, atomically), and announce offline every device of it that has not come back
// elsewhere meanwhile. A process that was only cut off from Redis for a while finds itself
// taken off the list at its next heartbeat, puts its devices back and announces them online.
//
//   P nodes                 zset  process id → time of its last heartbeat
//   P node:<id>:devices     set   "host:<deviceId>" / "phone:<deviceId>"
//
// It also tells the other processes when a host connects here, so one that still holds an
// older socket of the host (not timed out yet) sends the host's commands here at once.

import type { DeviceKind } from "#protocol";
import type { HandlerContext } from "../socket/context";
import { isOnline, tellPhonePresence } from "../socket/devicePresence";
import { rooms } from "../socket/rooms";
import type { RedisClient } from "../store/redis";

export const HEARTBEAT_MS = 2_000;
/** Three missed heartbeats: a process that stalls this long is of no use to its clients either. */
export const DEAD_AFTER_MS = 6_000;

/** Between relay processes, through the Socket.IO adapter: a host's socket connected at a time. */
const HOST_CONNECTED = "tether:host-connected";

/**
 * The namespace's messages between relay processes. Typed here: the protocol declares no
 * events between servers, and these never reach a client.
 */
interface ServerSide {
  serverSideEmit(event: typeof HOST_CONNECTED, hostId: string, at: number): boolean;
  on(event: typeof HOST_CONNECTED, listener: (hostId: unknown, at: unknown) => void): unknown;
  off(event: typeof HOST_CONNECTED, listener: (hostId: unknown, at: unknown) => void): unknown;
}

interface Device {
  id: string;
  kind: DeviceKind;
}

export class ClusterPresence {
  private timer: NodeJS.Timeout | undefined;
  private beats = 0;
  private ticking = false;
  private warned = false;
  private closed = false;

  constructor(
    private readonly ctx: HandlerContext,
    private readonly cluster: { client: RedisClient; prefix: string; nodeId: string },
    private readonly timing = { heartbeatMs: HEARTBEAT_MS, deadAfterMs: DEAD_AFTER_MS },
  ) {}

  private get nodes(): string {
    return `${this.cluster.prefix}nodes`;
  }

  private devicesOf(nodeId: string): string {
    return `${this.cluster.prefix}node:${nodeId}:devices`;
  }

  private readonly hostConnectedElsewhere = (hostId: unknown, at: unknown): void => {
    if (typeof hostId === "string" && typeof at === "number") this.ctx.hosts.connectedElsewhere(hostId, at);
  };

  private get serverSide(): ServerSide {
    return this.ctx.io.of("/") as unknown as ServerSide;
  }

  start(): void {
    this.serverSide.on(HOST_CONNECTED, this.hostConnectedElsewhere);
    void this.tick();
    this.timer = setInterval(() => void this.tick(), this.timing.heartbeatMs);
    this.timer.unref();
  }

  /** A socket of `device`, accepted at `since`, connected to this process. */
  connected(device: Device, since: number): void {
    // Published before the host is greeted, so the others know before anything the host does next.
    if (device.kind === "host") this.serverSide.serverSideEmit(HOST_CONNECTED, device.id, since);
    this.cluster.client
      .sAdd(this.devicesOf(this.cluster.nodeId), `${device.kind}:${device.id}`)
      .catch((err: unknown) => this.failed(err));
  }

  /** A socket of `device` on this process closed; it is forgotten here once none is left. */
  disconnected(device: Device): void {
    if ((this.ctx.io.of("/").adapter.rooms.get(rooms.device(device.id))?.size ?? 0) > 0) return;
    this.cluster.client
      .sRem(this.devicesOf(this.cluster.nodeId), `${device.kind}:${device.id}`)
      .catch((err: unknown) => this.failed(err));
  }

  private failed(err: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.ctx.log.warn("presence bookkeeping failed", { error: (err as Error).message });
  }

  private async tick(): Promise<void> {
    if (this.ticking || this.closed) return;
    this.ticking = true;
    try {
      const { client, nodeId } = this.cluster;
      const added = await client.zAdd(this.nodes, { score: this.ctx.now(), value: nodeId });
      // Back on the list after another process took us off it: our devices are announced
      // offline by now, so put them back and say they are online.
      if (added === 1 && this.beats > 0) await this.resync();
      this.beats++;
      this.warned = false;
      await this.sweep();
    } catch (err) {
      this.failed(err);
    } finally {
      this.ticking = false;
    }
  }

  private localDevices(): Device[] {
    const seen = new Map<string, Device>();
    for (const socket of this.ctx.io.of("/").sockets.values()) {
      const device = socket.data.device;
      if (device) seen.set(device.id, device);
    }
    return [...seen.values()];
  }

  private async resync(): Promise<void> {
    const devices = this.localDevices();
    this.ctx.log.warn(
      "this relay was off the list of live relays (cut off from Redis, or Redis lost its data); announcing its devices again",
      {
        devices: devices.length,
      },
    );
    if (devices.length === 0) return;
    await this.cluster.client.sAdd(
      this.devicesOf(this.cluster.nodeId),
      devices.map((d) => `${d.kind}:${d.id}`),
    );
    const lastSeen = this.ctx.now();
    for (const d of devices) {
      if (d.kind === "host") this.ctx.io.to(rooms.allPhonesOf(d.id)).emit("presence", { hostId: d.id, online: true, lastSeen });
      else await tellPhonePresence(this.ctx, d.id, true);
    }
  }

  /** Takes over the devices of every process whose heartbeat stopped. */
  private async sweep(): Promise<void> {
    const { client, nodeId } = this.cluster;
    const stale = await client.zRangeWithScores(this.nodes, "-inf", `(${this.ctx.now() - this.timing.deadAfterMs}`, {
      BY: "SCORE",
    });
    for (const { value: dead, score: lastBeat } of stale) {
      if (dead === nodeId) continue; // we stalled ourselves; the next heartbeat puts us back
      // One transaction: of several processes sweeping at once, one gets the set.
      const [removed, members] = (await client
        .multi()
        .zRem(this.nodes, dead)
        .sMembers(this.devicesOf(dead))
        .del(this.devicesOf(dead))
        .exec()) as unknown as [number, string[], number];
      if (removed !== 1) continue;
      this.ctx.log.warn("a relay process stopped answering; its devices are offline unless they came back", {
        devices: members.length,
      });
      for (const member of members) await this.gone(member, lastBeat);
    }
  }

  private async gone(member: string, lastSeen: number): Promise<void> {
    const at = member.indexOf(":");
    const kind = member.slice(0, at);
    const id = member.slice(at + 1);
    if (await isOnline(this.ctx, id)) return; // reconnected to a live process already
    await this.ctx.store.touchDevice(id, lastSeen);
    if (kind === "host") this.ctx.io.to(rooms.allPhonesOf(id)).emit("presence", { hostId: id, online: false, lastSeen });
    else await tellPhonePresence(this.ctx, id, false, lastSeen);
  }

  /** Leaves the list on a clean stop: the others need not wait for the heartbeat to lapse. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.serverSide.off(HOST_CONNECTED, this.hostConnectedElsewhere);
    const { client, nodeId } = this.cluster;
    await client
      .multi()
      .zRem(this.nodes, nodeId)
      .del(this.devicesOf(nodeId))
      .exec()
      .catch(() => undefined);
  }
}

// Where a host's commands and calls go: its newest connection. A host that reconnected can
// leave its previous socket behind until that one's ping times out; a command sent to every
// socket of the host would wait for the dead one's acknowledgement.
//
// This process keeps the newest of each host's sockets connected to it, so the common case
// (the host is connected here) costs no question to the cluster and no broadcast: the command
// is emitted on the socket itself. A host with no socket here is looked for on the other relay
// processes. With several processes, the process a host connects to tells the others
// (relay/cluster/presence.ts): a host whose newer connection went to another process while its
// older one here has not timed out yet is looked for across processes too, and its commands go
// to the newer socket at once instead of waiting on the old one's acknowledgement timeout.

import { ErrorCode, failure, hostAnswerSchema, type HostAnswer, type ServerToClientEvents } from "#protocol";
import { rooms } from "./rooms";
import type { TetherServer, TetherSocket } from "./types";

/** The host's socket on this process, or the id of one on another. */
export type HostTarget = { local: TetherSocket } | { remote: string };

export class HostSockets {
  private readonly newest = new Map<string, TetherSocket>();
  /** Hosts with a socket here and a newer one on another process: when that one connected. */
  private readonly newerElsewhere = new Map<string, number>();

  constructor(private readonly io: TetherServer) {}

  /** A socket of a host connected to this process. */
  connected(socket: TetherSocket): void {
    const hostId = socket.data.device!.id;
    const current = this.newest.get(hostId);
    if (!current?.connected || since(socket) >= since(current)) this.newest.set(hostId, socket);
    // Of two connections in the same millisecond, the one that arrived last is the newer.
    if (since(socket) >= (this.newerElsewhere.get(hostId) ?? Infinity)) this.newerElsewhere.delete(hostId);
  }

  /**
   * Another relay process accepted a socket of `hostId` at `at`: if that is newer than its
   * sockets here, they are the host's past and its commands go there.
   */
  connectedElsewhere(hostId: string, at: number): void {
    const here = this.newest.get(hostId);
    if (here && at >= since(here)) this.newerElsewhere.set(hostId, at);
  }

  /** A socket of a host on this process closed (it has left its rooms already). */
  disconnected(socket: TetherSocket): void {
    const hostId = socket.data.device!.id;
    if (this.newest.get(hostId) !== socket) return;
    const nsp = this.io.of("/");
    let next: TetherSocket | undefined;
    for (const id of nsp.adapter.rooms.get(rooms.host(hostId)) ?? []) {
      const s = nsp.sockets.get(id);
      if (s && (!next || since(s) >= since(next))) next = s;
    }
    if (next) this.newest.set(hostId, next);
    else {
      this.newest.delete(hostId);
      this.newerElsewhere.delete(hostId);
    }
  }

  /** The host's newest socket when it is on this process. */
  local(hostId: string): TetherSocket | undefined {
    if (this.newerElsewhere.has(hostId)) return undefined;
    const socket = this.newest.get(hostId);
    return socket?.connected ? socket : undefined;
  }

  /** The host's newest socket: this process's, or else the newest on any relay process. */
  async target(hostId: string): Promise<HostTarget | undefined> {
    const local = this.local(hostId);
    if (local) return { local };
    const remote = await newestInCluster(this.io, hostId);
    return remote === undefined ? undefined : { remote };
  }

  /**
   * Emits `event` to the target and resolves with the host's answer, checked once here against
   * the one schema of a host's acknowledgement, or undefined when a socket on another process
   * went meanwhile. Rejects when the acknowledgement does not come in time.
   */
  async ask<E extends "command" | "rpc">(
    target: HostTarget,
    event: E,
    payload: Parameters<ServerToClientEvents[E]>[0],
    timeoutMs: number,
  ): Promise<HostAnswer | undefined> {
    // Typed by hand: Socket.IO's own types cannot pick one event's arguments off a generic name.
    type Ask = { emitWithAck(event: string, payload: unknown): Promise<unknown> };
    const replies =
      "local" in target
        ? [await (target.local.timeout(timeoutMs) as unknown as Ask).emitWithAck(event, payload)]
        : ((await (this.io.to(target.remote).timeout(timeoutMs) as unknown as Ask).emitWithAck(event, payload)) as unknown[]);
    if (replies.length === 0) return undefined;
    const answer = hostAnswerSchema.safeParse(replies[0]);
    return answer.success ? answer.data : failure(ErrorCode.Internal, "The computer sent a malformed answer.");
  }
}

function since(socket: { data: { since?: number } }): number {
  return socket.data.since ?? 0;
}

async function newestInCluster(io: TetherServer, hostId: string): Promise<string | undefined> {
  let sockets;
  try {
    sockets = await io.in(rooms.host(hostId)).fetchSockets();
  } catch {
    // A process that died while it was being asked: by now Redis no longer counts it.
    sockets = await io.in(rooms.host(hostId)).fetchSockets();
  }
  let newest: (typeof sockets)[number] | undefined;
  for (const s of sockets) if (!newest || since(s) >= since(newest)) newest = s;
  return newest?.id;
}

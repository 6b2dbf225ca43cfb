// What a connection lets go of once it is open. Idle phones are most of what a relay holds, and
// Socket.IO and engine.io keep for a connection's whole life what the relay is done with once
// the handshake is over:
// - the HTTP request the connection began with (its headers, raw headers, URL and stream state),
//   held by the engine.io socket and, for a WebSocket upgrade, by the response object engine.io
//   made for it, which itself stays listening for the TCP socket's close to tell it on;
// - the handshake: `auth` with the device's bearer token, the request's headers and query, the
//   time as text. With the Redis adapter the handshake is also what fetchSockets sends to the
//   other relay processes for every socket it finds: the token no longer travels over Redis.

import { ServerResponse, type IncomingMessage } from "node:http";
import type { Server as EngineServer } from "engine.io";
import type { Socket } from "socket.io";
import type { TetherSocket } from "./types";

/** The response engine.io made for a WebSocket upgrade, kept on its request until sent. */
const UPGRADE_RESPONSE = Symbol("upgradeResponse");

interface UpgradeResponse {
  req: unknown;
  /** Its listener for the TCP socket's close, when it is the only one there: see below. */
  onClose?: (...args: unknown[]) => void;
}

interface UpgradeRequest extends IncomingMessage {
  [UPGRADE_RESPONSE]?: UpgradeResponse;
}

/**
 * Lets each connection's HTTP request go once it is no longer read: the upgrade's once its
 * response headers are written, the engine.io socket's once the connection is made.
 */
export function releaseRequests(engine: EngineServer): void {
  // engine.io's middlewares see every request with its response; an upgrade's is not Node's.
  engine.use((req: UpgradeRequest, res: unknown, next: () => void) => {
    if (!(res instanceof ServerResponse)) {
      const upgrade = res as UpgradeResponse;
      // The response listens for the socket's close (once) from when it is made, to tell its
      // own "close" to middlewares that wait for a response to end; the relay has none. Node's
      // HTTP server has taken its own listeners off an upgraded socket: when the response's
      // is the only one, it is known for sure, and can be taken off once the 101 is out.
      const listeners = req.socket.rawListeners("close");
      if (listeners.length === 1 && "listener" in listeners[0]!)
        upgrade.onClose = listeners[0] as unknown as UpgradeResponse["onClose"];
      req[UPGRADE_RESPONSE] = upgrade;
    }
    next();
  });
  // engine.io tells "headers" once it has taken the upgrade's response headers off the request,
  // right before the 101 response goes out: the response object reads the request no more.
  engine.on("headers", (_headers: unknown, req: UpgradeRequest) => {
    const res = req[UPGRADE_RESPONSE];
    if (!res) return;
    req[UPGRADE_RESPONSE] = undefined;
    res.req = null;
    // Then nothing holds the response any more.
    if (res.onClose) req.socket.removeListener("close", res.onClose);
    res.onClose = undefined;
  });
  // Of the request, the relay needs only the address, which engine.io copied.
  engine.on("connection", (raw: { request: unknown }) => {
    raw.request = null;
  });
}

/** Shared by every connection's handshake in place of the fields the relay has done with. */
const NOTHING = Object.freeze({});

/**
 * Replaces the socket's handshake, once the relay has read its token and address, with what
 * it still says about the connection: where it came from and when.
 */
export function releaseHandshake(socket: TetherSocket): void {
  const { address, xdomain, secure, issued } = socket.handshake;
  (socket as { handshake: Socket["handshake"] }).handshake = {
    headers: NOTHING,
    time: "",
    address,
    xdomain,
    secure,
    issued,
    url: "",
    query: NOTHING,
    auth: NOTHING,
  };
}

// What a connection lets go of once it is open. Idle phones are most of what a relay holds, and
// Socket.IO and engine.io keep for a connection's whole life what the relay is done with once
// the handshake is over:
// - the HTTP request the connection began with (its headers, raw headers, URL and stream state),
//   held by the engine.io socket and, for a WebSocket upgrade, by the response object engine.io
//   made for it, which stays listening for the TCP socket's close;
// - the handshake: `auth` with the device's bearer token, the request's headers and query, the
//   time as text. With the Redis adapter the handshake is also what fetchSockets sends to the
//   other relay processes for every socket it finds: the token no longer travels over Redis.

import { ServerResponse, type IncomingMessage } from "node:http";
import type { Server as EngineServer } from "engine.io";
import type { Socket } from "socket.io";
import type { TetherSocket } from "./types";

/** The response engine.io made for a WebSocket upgrade, kept on its request until sent. */
const UPGRADE_RESPONSE = Symbol("upgradeResponse");

interface UpgradeRequest extends IncomingMessage {
  [UPGRADE_RESPONSE]?: { req: unknown };
}

/**
 * Lets each connection's HTTP request go once it is no longer read: the upgrade's once its
 * response headers are written, the engine.io socket's once the connection is made.
 */
export function releaseRequests(engine: EngineServer): void {
  // engine.io's middlewares see every request with its response; an upgrade's is not Node's.
  engine.use((req: UpgradeRequest, res: unknown, next: () => void) => {
    if (!(res instanceof ServerResponse)) req[UPGRADE_RESPONSE] = res as { req: unknown };
    next();
  });
  // engine.io tells "headers" once it has taken the upgrade's response headers off the request,
  // right before the 101 response goes out: the response object reads the request no more.
  engine.on("headers", (_headers: unknown, req: UpgradeRequest) => {
    const res = req[UPGRADE_RESPONSE];
    if (!res) return;
    req[UPGRADE_RESPONSE] = undefined;
    res.req = null;
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

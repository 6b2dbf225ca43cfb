// createRelay: the HTTP server (PWA, health, notification buttons), the Socket.IO server, the
// store and the push service, wired together. Config and dependencies come in as arguments.

import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import type { Agent } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Server } from "socket.io";
import { HTTP_COMMAND_PATH, MAX_BOX_CHARS, PROTOCOL_VERSION, TETHER_VERSION } from "../protocol/index";
import type { RelayConfig } from "./config";
import { authMiddleware } from "./handlers/auth";
import { rooms, type HandlerContext, type TetherServer, type TetherSocket } from "./handlers/context";
import { pairingLimits, registerPairingHandlers, type PairingLimits } from "./handlers/pairing";
import { Inbox, registerCommandHandlers } from "./handlers/commands";
import { pushLimits, registerPushHandlers } from "./handlers/push";
import { presenceOf, registerRoutingHandlers } from "./handlers/routing";
import { commandEndpoint } from "./http/command";
import { securityHeaders, staticHandler } from "./http/static";
import type { Logger } from "./log";
import { FCM_WEB_SDK_ORIGINS } from "./push/fcm";
import type { PushService } from "./push/notifications";
import { createPushService } from "./push/setup";
import type { RateLimiter } from "./rateLimit";
import { SqliteStore } from "./store/sqlite";
import type { RelayStore } from "./store/store";

export interface RelayDeps {
  log: Logger;
  /** Defaults to SQLite in `config.dataDir`. */
  store?: RelayStore;
  now?: () => number;
  /** How long a host has to acknowledge a command before it stays in the inbox (tests shorten it). */
  commandAckTimeoutMs?: number;
  /**
   * The https agent every push request goes through (Web Push, FCM and FCM's token). Tests
   * route it to a local push service; without it Node's default agent, with its usual
   * certificate checks, is used.
   */
  pushAgent?: Agent;
  /** Deadline for one push to one phone (tests shorten it). */
  pushTimeoutMs?: number;
}

export interface Relay {
  /** The URL the relay listens on, e.g. http://127.0.0.1:8787. */
  readonly url: string;
  readonly port: number;
  readonly io: TetherServer;
  readonly store: RelayStore;
  close(): Promise<void>;
}

export async function createRelay(config: RelayConfig, deps: RelayDeps): Promise<Relay> {
  const { log } = deps;
  const now = deps.now ?? Date.now;
  let store = deps.store;
  if (!store) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    store = new SqliteStore(join(config.dataDir, "relay.sqlite"));
  }
  let push: PushService | null;
  try {
    push = await createPushService(config, { store, log, now, agent: deps.pushAgent, timeoutMs: deps.pushTimeoutMs });
  } catch (err) {
    if (!deps.store) store.close();
    throw err;
  }

  // The phone app gets its FCM token from Google through the Firebase web SDK: only then may
  // its page fetch from anywhere but the relay.
  const serveApp = staticHandler(config.webDir, { connectSrc: push?.offer.fcm ? FCM_WEB_SDK_ORIGINS : [] });
  // Set once the socket server exists, before the relay listens.
  let postCommand: (req: IncomingMessage, res: ServerResponse) => Promise<void> = () => Promise.reject(new Error("not ready"));
  const http: HttpServer = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (path === "/healthz") {
      securityHeaders(res);
      res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      res.end(JSON.stringify({ ok: true, version: TETHER_VERSION, protocol: PROTOCOL_VERSION }));
      return;
    }
    (path === HTTP_COMMAND_PATH ? postCommand(req, res) : serveApp(req, res)).catch((err: unknown) => {
      log.error("http handler failed", { error: (err as Error).message });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  const io: TetherServer = new Server(http, {
    // A sealed box plus its routing fields, with room for base64 and framing.
    maxHttpBufferSize: MAX_BOX_CHARS + 64 * 1024,
    serveClient: false,
    pingInterval: 20_000,
    pingTimeout: 20_000,
  });
  const ctx: HandlerContext = { io, store, log, config, now };
  const limits: PairingLimits = pairingLimits(now);

  io.use(authMiddleware(ctx));
  const inbox = new Inbox(ctx, deps.commandAckTimeoutMs);
  const pushSends = pushLimits(now);
  postCommand = commandEndpoint(ctx, inbox);
  io.on("connection", (socket) => onConnection(ctx, socket, { limits, inbox, push, pushSends }));

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(config.port, config.host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `http://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${port}`;
  log.info("relay listening", { url, dataDir: config.dataDir, webApp: config.webDir ?? "none" });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    io,
    store,
    close() {
      closing ??= (async () => {
        io.disconnectSockets(true);
        await new Promise<void>((resolve) => io.close(() => resolve()));
        await push?.close();
        store.close();
        log.info("relay stopped");
      })();
      return closing;
    },
  };
}

interface Services {
  limits: PairingLimits;
  inbox: Inbox;
  push: PushService | null;
  pushSends: RateLimiter;
}

function onConnection(ctx: HandlerContext, socket: TetherSocket, { limits, inbox, push, pushSends }: Services): void {
  // Handlers first, synchronously, so nothing a client sends right after connecting is missed.
  registerPairingHandlers(ctx, socket, limits);
  registerRoutingHandlers(ctx, socket);
  registerCommandHandlers(ctx, socket, inbox);
  registerPushHandlers(ctx, socket, push, pushSends);
  socket.on("error", (err) => ctx.log.warn("socket error", { error: err.message }));

  const device = socket.data.device;
  if (!device) return;
  const { io, store, now, log, config } = ctx;
  void socket.join(rooms.device(device.id));
  store.touchDevice(device.id, now());

  if (device.kind === "host") {
    void socket.join(rooms.host(device.id));
    socket.emit("hello", { v: PROTOCOL_VERSION, deviceId: device.id, kind: "host", hosts: [], publicUrl: config.publicUrl });
    io.to(rooms.phonesOf(device.id)).emit("presence", { hostId: device.id, online: true, lastSeen: now() });
    log.info("host connected", { device: device.id });
    socket.on("disconnect", (reason) => {
      store.touchDevice(device.id, now());
      log.info("host disconnected", { device: device.id, reason });
      void presenceOf(ctx, device.id).then((p) => {
        if (!p.online) io.to(rooms.phonesOf(device.id)).emit("presence", p);
      });
    });
    return;
  }

  const hostIds = store.hostsOfPhone(device.id);
  for (const hostId of hostIds) void socket.join(rooms.phonesOf(hostId));
  log.info("phone connected", { device: device.id, hosts: hostIds.length });
  socket.on("disconnect", () => store.touchDevice(device.id, now()));
  void Promise.all(hostIds.map((h) => presenceOf(ctx, h))).then((hosts) => {
    const hello = { v: PROTOCOL_VERSION, deviceId: device.id, kind: "phone" as const, hosts, publicUrl: config.publicUrl };
    socket.emit("hello", push ? { ...hello, push: push.offer } : hello);
  });
}

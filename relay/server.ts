// createRelay: the HTTP server (PWA, health, notification buttons), the Socket.IO server, the
// store and the push service, wired together. Config and dependencies come in as arguments.

import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type Agent } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { Server } from "socket.io";
import { HTTP_COMMAND_PATH, MAX_BOX_CHARS } from "#protocol";
import { DEFAULT_RETENTION, type RelayConfig } from "./config";
import { Inbox, registerCommandHandlers } from "./handlers/commands";
import { registerDeviceHandlers } from "./handlers/devices";
import { pairingLimits, registerPairingHandlers } from "./handlers/pairing";
import { pushLimits, registerPushHandlers } from "./handlers/push";
import { registerRoutingHandlers } from "./handlers/routing";
import { registerShareHandlers } from "./handlers/shares";
import { authMiddleware } from "./socket/auth";
import { Connections } from "./socket/connection";
import { corkWrites } from "./socket/cork";
import type { HandlerContext } from "./socket/context";
import { HostSockets } from "./socket/hostSockets";
import { PhoneFanout } from "./socket/phoneFanout";
import { releaseHandshake, releaseRequests } from "./socket/release";
import { Router } from "./socket/router";
import type { TetherServer } from "./socket/types";
import { commandEndpoint } from "./http/command";
import { healthEndpoint, metricsEndpoint } from "./http/ops";
import { originCheck, refuseOrigin } from "./http/origin";
import { staticHandler } from "./http/static";
import type { Logger } from "./log";
import { RelayMetrics } from "./metrics";
import { FCM_WEB_SDK_ORIGINS } from "./push/fcm";
import type { PushService } from "./push/notifications";
import { createPushService } from "./push/setup";
import { RetentionSweeper } from "./retention";
import { DEFAULT_EVENT_RATES, DeviceBudget, SIGN_IN_BACKOFF, memoryCounters } from "./rateLimit";
import type { RedisCluster } from "./cluster/redis";
import { SqliteStore } from "./store/sqlite";
import type { RelayStore } from "./store/store";
import { loadTls } from "./tls";

export interface RelayDeps {
  log: Logger;
  /** Defaults to SQLite in `config.dataDir`, or Redis with `config.redis`. */
  store?: RelayStore;
  /** With `config.redis`: the key prefix, `tether:` by default (tests keep apart on one server). */
  redisPrefix?: string;
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
  /** Defaults to a registry of this relay's own, served at /metrics with --metrics-token. */
  metrics?: RelayMetrics;
}

/** How long requests still in flight at shutdown (one waiting on a host) may take to finish. */
const SHUTDOWN_GRACE_MS = 3_000;

export interface Relay {
  /** The URL the relay listens on, e.g. http://127.0.0.1:8787 (https with --tls-cert). */
  readonly url: string;
  readonly port: number;
  readonly io: TetherServer;
  readonly store: RelayStore;
  /** Deletes history past the retention limits; runs by itself every hour. */
  readonly retention: RetentionSweeper;
  close(): Promise<void>;
}

export async function createRelay(config: RelayConfig, deps: RelayDeps): Promise<Relay> {
  const { log } = deps;
  const now = deps.now ?? Date.now;
  const tls = config.tls ? loadTls(config.tls) : undefined;
  const metrics = deps.metrics ?? new RelayMetrics({ processMetrics: config.metricsToken !== undefined });
  let bareStore = deps.store;
  let cluster: RedisCluster | undefined;
  // Loaded only with --redis: a relay on SQLite does not start the Redis client's code.
  const scaleOut =
    !bareStore && config.redis
      ? await Promise.all([import("./cluster/redis"), import("./cluster/presence"), import("./cluster/limits")])
      : undefined;
  if (scaleOut) {
    cluster = await scaleOut[0].connectRedis(config.redis!, { log, prefix: deps.redisPrefix });
    bareStore = cluster.store;
  } else if (!bareStore) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    bareStore = new SqliteStore(join(config.dataDir, "relay.sqlite"));
  }
  // What this relay opened, it closes; a store it was given is its caller's.
  const closeOwnStore = async (): Promise<void> => {
    if (cluster) await cluster.close();
    else if (!deps.store) await bareStore.close();
  };
  // Every call the relay makes is timed for /metrics; a scrape's own reads are not.
  const store = metrics.instrument(bareStore);
  let push: PushService | null;
  try {
    push = await createPushService(config, { store, log, now, agent: deps.pushAgent, timeoutMs: deps.pushTimeoutMs, metrics });
  } catch (err) {
    await closeOwnStore();
    throw err;
  }

  // The phone app gets its FCM token from Google through the Firebase web SDK: only then may
  // its page fetch from anywhere but the relay.
  const serveApp = staticHandler(config.webDir, { connectSrc: push?.offer.fcm ? FCM_WEB_SDK_ORIGINS : [] });
  // Set once the socket server exists, before the relay listens.
  let postCommand: (req: IncomingMessage, res: ServerResponse) => Promise<void> = () => Promise.reject(new Error("not ready"));
  let stopping = false;
  const health = healthEndpoint(store, () => stopping, now);
  const scrape = metricsEndpoint(metrics, config.metricsToken, now);
  const allowsOrigin = originCheck(config);
  const refused = (req: IncomingMessage, via: "http" | "socket"): void => {
    metrics.originRefused.inc({ via });
    const origin = req.headers.origin?.slice(0, 200);
    log.warn("refused a page of another origin", { via, origin, ip: req.socket.remoteAddress });
  };
  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const path = (req.url ?? "/").split("?")[0];
    const api = path === "/healthz" ? health : path === "/metrics" ? scrape : path === HTTP_COMMAND_PATH ? postCommand : null;
    // The app's files are for any page to load; what acts or tells is for the relay's own pages.
    if ((api || (req.method !== "GET" && req.method !== "HEAD")) && !allowsOrigin(req)) {
      refused(req, "http");
      refuseOrigin(res);
      return;
    }
    if (api === postCommand && req.method === "POST") metrics.countEnvelope("command", "http");
    (api ?? serveApp)(req, res).catch((err: unknown) => {
      log.error("http handler failed", { error: (err as Error).message });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  };
  const http: HttpServer = tls ? createHttpsServer(tls, onRequest) : createServer(onRequest);

  const io: TetherServer = new Server(http, {
    // A sealed box plus its routing fields, with room for base64 and framing.
    maxHttpBufferSize: MAX_BOX_CHARS + 64 * 1024,
    serveClient: false,
    pingInterval: 20_000,
    pingTimeout: 20_000,
    // WebSockets are not subject to CORS: a page elsewhere could open one with this check gone.
    allowRequest: (req, callback) => {
      const allowed = allowsOrigin(req);
      if (!allowed) refused(req, "socket");
      callback(allowed ? null : "origin not allowed", allowed);
    },
  });
  // Rooms, broadcasts and acknowledgements reach the sockets of every relay process on this Redis.
  if (cluster) io.adapter(cluster.adapter);
  // Limits on what a client asks for count across every relay process on the same Redis.
  const counters = cluster && scaleOut ? scaleOut[2].redisCounters(cluster.client, cluster.prefix, now) : memoryCounters(now);
  const guards = {
    events: new DeviceBudget(config.eventRates ?? DEFAULT_EVENT_RATES, now),
    auth: counters.signIns(SIGN_IN_BACKOFF),
    counters,
  };
  const ctx: HandlerContext = {
    io,
    store,
    log,
    config,
    now,
    guards,
    hosts: new HostSockets(io),
    phones: new PhoneFanout(io, Boolean(cluster)),
  };
  const presence = cluster && scaleOut ? new scaleOut[1].ClusterPresence(ctx, cluster) : undefined;
  presence?.start();
  const retention = new RetentionSweeper(store, config.retention ?? DEFAULT_RETENTION, log, now);
  retention.start();

  io.use(authMiddleware(ctx));
  const inbox = new Inbox(ctx, deps.commandAckTimeoutMs);
  postCommand = commandEndpoint(ctx, inbox);
  // One table of handlers for every socket, built once.
  const router = new Router(ctx, (event) => metrics.countIncoming(event));
  registerPairingHandlers(ctx, router, pairingLimits(counters));
  registerRoutingHandlers(ctx, router);
  registerShareHandlers(ctx, router);
  registerCommandHandlers(ctx, router, inbox);
  registerPushHandlers(ctx, router, push, pushLimits(counters));
  registerDeviceHandlers(ctx, router);
  const connections = new Connections(ctx, { router, push, presence });
  metrics.watch(io, bareStore);
  // Kept, the request a connection began with and its handshake would stay for its whole life.
  releaseRequests(io.engine);
  corkWrites(io.engine);
  io.on("connection", (socket) => {
    releaseHandshake(socket);
    connections.accept(socket);
  });

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(config.port, config.host, () => {
      http.off("error", reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const host = config.host.includes(":") ? `[${config.host}]` : config.host;
  const url = `${tls ? "https" : "http"}://${host === "0.0.0.0" || host === "[::]" ? "127.0.0.1" : host}:${port}`;
  log.info("relay listening", {
    url,
    ...(cluster && scaleOut
      ? { redis: scaleOut[0].redisLabel(config.redis!), node: cluster.nodeId }
      : { dataDir: config.dataDir }),
    webApp: config.webDir ?? "none",
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    io,
    store,
    retention,
    close() {
      closing ??= (async () => {
        stopping = true;
        // No new connections from here on; a restarted relay takes them.
        const httpClosed = new Promise<void>((resolve) => http.close(() => resolve()));
        // Every socket's transport is closed, without a Socket.IO "disconnect" packet: clients
        // see "transport close" and reconnect by themselves, to this relay once it is back.
        // (After a server-side disconnect, "io server disconnect", they would not.)
        await new Promise<void>((resolve) => io.close(() => resolve()));
        // A request still waiting on a host (a notification's button) gets a short grace; its
        // command is in the inbox already and reaches the host after the restart.
        const cutoff = setTimeout(() => http.closeAllConnections(), SHUTDOWN_GRACE_MS);
        await httpClosed;
        clearTimeout(cutoff);
        await push?.close();
        await presence?.close();
        await retention.stop();
        // SQLite commits every write as it happens; closing folds the WAL into the database.
        // Redis connections close after the Socket.IO server, whose adapter unsubscribes first.
        await closeOwnStore();
        log.info("relay stopped");
      })();
      return closing;
    },
  };
}

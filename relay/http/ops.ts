// The operator's endpoints. `/healthz` for load balancers and container checks: open, says
// whether the store answers and whether the relay is stopping. `/metrics` for Prometheus:
// only with --metrics-token, behind that bearer token, because a relay faces the internet and
// its numbers (how many devices, how busy, when) are nobody else's business. Both are limited
// per address like the rest of the HTTP API.

import { createHash, timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { PROTOCOL_VERSION, TETHER_VERSION } from "#protocol";
import type { RelayMetrics } from "../metrics";
import { RateLimiter } from "../rateLimit";
import type { RelayStore } from "../store/store";
import { securityHeaders } from "./static";

/** Per IP: a scraper every few seconds and a health check every second, with room to spare. */
const REQUESTS_PER_MINUTE = 300;
/** Under the usual health-check timeouts of load balancers (2–5 s). */
const HEALTH_STORE_TIMEOUT_MS = 1_500;

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

function start(req: IncomingMessage, res: ServerResponse, perIp: RateLimiter): boolean {
  securityHeaders(res);
  res.setHeader("Cache-Control", "no-store");
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { Allow: "GET, HEAD" }).end();
    return false;
  }
  if (!perIp.take(req.socket.remoteAddress ?? "unknown")) {
    res.writeHead(429, { "Retry-After": "60" }).end();
    return false;
  }
  return true;
}

export function healthEndpoint(store: RelayStore, stopping: () => boolean, now: () => number): Handler {
  const perIp = new RateLimiter(REQUESTS_PER_MINUTE, 60_000, now);
  return async (req, res) => {
    if (!start(req, res, perIp)) return;
    let status: "ok" | "stopping" | "store unavailable" = stopping() ? "stopping" : "ok";
    if (status === "ok") {
      let timer: NodeJS.Timeout | undefined;
      try {
        // A store across the network that does not answer soon is as good as down.
        await Promise.race([
          store.meta("healthz"),
          new Promise((_, reject) => (timer = setTimeout(() => reject(new Error("timeout")), HEALTH_STORE_TIMEOUT_MS))),
        ]);
      } catch {
        status = "store unavailable";
      } finally {
        clearTimeout(timer);
      }
    }
    const ok = status === "ok";
    res.writeHead(ok ? 200 : 503, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ ok, ...(ok ? {} : { status }), version: TETHER_VERSION, protocol: PROTOCOL_VERSION }));
  };
}

const digest = (text: string): Buffer => createHash("sha256").update(text).digest();

export function metricsEndpoint(metrics: RelayMetrics, token: string | undefined, now: () => number): Handler {
  const perIp = new RateLimiter(REQUESTS_PER_MINUTE, 60_000, now);
  const expected = token === undefined ? undefined : digest(token);
  return async (req, res) => {
    if (!start(req, res, perIp)) return;
    if (!expected) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("Metrics are off. Start the relay with --metrics-token (or TETHER_METRICS_TOKEN) to serve them.\n");
      return;
    }
    const given = /^Bearer (\S+)$/.exec(req.headers.authorization ?? "")?.[1];
    // Digests compared in constant time: how long a refusal takes tells nothing about the token.
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      res.writeHead(401, { "WWW-Authenticate": 'Bearer realm="metrics"', "Content-Type": "text/plain; charset=utf-8" });
      res.end("This needs the relay's metrics token.\n");
      return;
    }
    const text = await metrics.registry.metrics();
    res.writeHead(200, { "Content-Type": metrics.registry.contentType });
    res.end(req.method === "HEAD" ? undefined : text);
  };
}

// `POST /api/command`: a notification's buttons, pressed while the app is closed. The service
// worker posts the same sealed command the app sends over its socket, and it takes exactly the
// same path (`submitCommand`). Same origin only: no CORS headers, so other sites cannot call it.

import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode, MAX_BOX_CHARS, commandRequestSchema, failure, type Ack, type Box, type Failure } from "#protocol";
import { submitCommand, type Inbox } from "../handlers/commands";
import { hashToken } from "../socket/auth";
import type { HandlerContext } from "../socket/context";
import { describeIssues } from "../socket/payloadIssues";
import { securityHeaders } from "./static";

/** A sealed command at its largest, with room for the JSON around it. */
export const MAX_COMMAND_BODY_BYTES = MAX_BOX_CHARS + 16 * 1024;
/** Per IP: a person pressing notification buttons, with room for a household behind one NAT. */
const REQUESTS_PER_MINUTE = 60;

const STATUS: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.BadSeal]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.TooLarge]: 413,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.HostOffline]: 503,
  [ErrorCode.Timeout]: 504,
};

type Answer = Ack<{ queued: boolean; box?: Box }>;

function send(res: ServerResponse, answer: Answer, headers: Record<string, string> = {}): void {
  // Delivered now: 200. Kept in the inbox for a host that is offline: 202.
  const status = answer.ok ? (answer.queued ? 202 : 200) : (STATUS[answer.code] ?? 500);
  res.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
  res.end(JSON.stringify(answer));
}

/** The body, or null when it grew past `limit` (the rest is drained, not kept). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on("end", () => resolve(size <= limit ? Buffer.concat(chunks) : null));
    req.on("error", reject);
  });
}

function isJson(req: IncomingMessage): boolean {
  return /^application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "");
}

export function commandEndpoint(ctx: HandlerContext, inbox: Inbox) {
  const perIp = ctx.guards.counters.window("http-command", REQUESTS_PER_MINUTE, 60_000);
  const { store, log } = ctx;

  // Cheapest checks first: nothing of the body is read before the token is known good.
  const authorize = async (req: IncomingMessage): Promise<{ phoneId: string } | Failure> => {
    const token = /^Bearer ([A-Za-z0-9_-]{43})$/.exec(req.headers.authorization ?? "")?.[1];
    const device = token === undefined ? undefined : await store.deviceByTokenHash(hashToken(token));
    if (!device || device.revokedAt !== null) {
      return failure(ErrorCode.Unauthorized, "This device is not registered with the relay, or was revoked.");
    }
    if (device.kind !== "phone") return failure(ErrorCode.Forbidden, "Only a phone sends commands.");
    return { phoneId: device.id };
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    securityHeaders(res);
    const ip = req.socket.remoteAddress ?? "unknown";
    if (req.method !== "POST") {
      res.writeHead(405, { Allow: "POST", "Cache-Control": "no-store" }).end();
      return;
    }
    if (!(await perIp.take(ip))) {
      send(res, failure(ErrorCode.RateLimited, "Too many requests from this address; wait a minute."), { "Retry-After": "60" });
      return;
    }
    const wait = await ctx.guards.auth.waitFor(ip);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      send(res, failure(ErrorCode.RateLimited, `Too many failed sign-ins from this address; try again in ${seconds} s.`), {
        "Retry-After": String(seconds),
      });
      return;
    }
    const who = await authorize(req);
    if ("ok" in who && who.code === ErrorCode.Unauthorized) await ctx.guards.auth.failed(ip);
    if ("ok" in who) {
      log.warn("http command refused", { ip, code: who.code });
      send(res, who, who.code === ErrorCode.Unauthorized ? { "WWW-Authenticate": "Bearer" } : {});
      return;
    }
    if (!isJson(req)) {
      res.writeHead(415, { "Content-Type": "application/json", "Cache-Control": "no-store" });
      res.end(JSON.stringify(failure(ErrorCode.BadRequest, "The body must be application/json.")));
      return;
    }
    if (Number(req.headers["content-length"] ?? 0) > MAX_COMMAND_BODY_BYTES) {
      // Answer at once, then let the unread body drain; the connection closes after it.
      send(res, failure(ErrorCode.TooLarge, "This command is too large."), { Connection: "close" });
      req.resume();
      return;
    }
    const body = await readBody(req, MAX_COMMAND_BODY_BYTES);
    if (body === null) {
      send(res, failure(ErrorCode.TooLarge, "This command is too large."), { Connection: "close" });
      return;
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString("utf8"));
    } catch {
      send(res, failure(ErrorCode.BadRequest, "The body is not valid JSON."));
      return;
    }
    const parsed = commandRequestSchema.safeParse(payload);
    if (!parsed.success) {
      send(res, failure(ErrorCode.BadRequest, `invalid command: ${describeIssues(parsed.error)}`));
      return;
    }
    const answer = await submitCommand(ctx, inbox, who.phoneId, parsed.data);
    log.info("http command", {
      device: who.phoneId,
      host: parsed.data.hostId,
      command: parsed.data.id,
      outcome: answer.ok ? (answer.queued ? "queued" : "delivered") : answer.code,
    });
    send(res, answer);
  };
}

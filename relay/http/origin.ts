// Which web pages may talk to the relay. A browser names the page behind every WebSocket and
// every POST in `Origin`; WebSockets ignore CORS, so without this check any site a paired
// phone visits could open a socket to the relay. Only the relay's own pages may: its public
// URL, the address the request was sent to, and origins the operator added. Hosts and other
// Node clients send no Origin and are let through: they prove who they are with a token.

import type { IncomingMessage, ServerResponse } from "node:http";
import { ErrorCode, failure, httpOrigin } from "#protocol";
import type { RelayConfig } from "../config";
import { securityHeaders } from "./static";

export type OriginCheck = (req: IncomingMessage) => boolean;

export function originCheck(config: Pick<RelayConfig, "publicUrl" | "allowOrigins">): OriginCheck {
  const listed = [config.publicUrl, ...(config.allowOrigins ?? [])].map((o) => (o ? httpOrigin(o) : null));
  const allowed = new Set(listed.filter((o) => o !== null));
  return (req) => {
    if (req.headers.origin === undefined) return true;
    // "null" (a sandboxed frame, a file) and anything else that is not http(s) is refused.
    const page = httpOrigin(req.headers.origin);
    if (!page) return false;
    return allowed.has(page) || sameHost(new URL(page), req.headers.host);
  };
}

/** The page's origin is this relay as the browser addressed it (any scheme a proxy put in front). */
function sameHost(pageUrl: URL, host: string | undefined): boolean {
  if (!host) return false;
  try {
    // Parsed with the page's scheme, so a default port means the same on both sides.
    return new URL(`${pageUrl.protocol}//${host}`).host === pageUrl.host;
  } catch {
    return false;
  }
}

export function refuseOrigin(res: ServerResponse): void {
  securityHeaders(res);
  res.writeHead(403, { "Content-Type": "application/json", "Cache-Control": "no-store" });
  res.end(JSON.stringify(failure(ErrorCode.Forbidden, "Only the relay's own web app may call it.")));
}

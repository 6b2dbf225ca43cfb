// Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm (RFC 8291), through the `web-push`
// library: it encrypts for the subscription's keys and signs a JWT for the push service.

import type { Agent } from "node:https";
import { isIP } from "node:net";
import webPush, { WebPushError } from "web-push";
import type { PushTarget } from "../store/store";
import type { PushDelivery, PushOutcome, PushTransport } from "./transport";
import type { VapidKeys } from "./vapid";

/**
 * Whether an endpoint may be posted to. Browsers' push services are public https hosts; a
 * phone may not point the relay at an address on the relay's own network.
 */
export function isPushEndpoint(endpoint: string): boolean {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  const host = url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
  if (url.protocol !== "https:" || url.username || url.password || isIP(host) !== 0) return false;
  return host.includes(".") && !/(^|\.)(localhost|local|internal|home\.arpa)$/.test(host);
}

export class WebPushTransport implements PushTransport {
  readonly kind = "webpush";

  constructor(
    private readonly vapid: VapidKeys & { subject: string },
    /** Tests route requests to a local push service; production uses Node's default agent. */
    private readonly agent?: Agent,
  ) {}

  async send(target: PushTarget, message: string, delivery: PushDelivery): Promise<PushOutcome> {
    if (target.kind !== "webpush") return { result: "failed", status: "wrong-transport" };
    try {
      const response = await webPush.sendNotification(target.subscription, message, {
        vapidDetails: this.vapid,
        contentEncoding: "aes128gcm",
        TTL: delivery.ttlSeconds,
        urgency: delivery.urgency,
        topic: delivery.topic,
        timeout: delivery.timeoutMs,
        ...(this.agent ? { agent: this.agent } : {}),
      });
      return { result: "sent", status: response.statusCode };
    } catch (err) {
      if (err instanceof WebPushError) {
        // 404 and 410 are how push services say the subscription is gone for good.
        const gone = err.statusCode === 404 || err.statusCode === 410;
        return { result: gone ? "gone" : "failed", status: err.statusCode };
      }
      return { result: "failed", status: (err as NodeJS.ErrnoException).code ?? "error" };
    }
  }

  async close(): Promise<void> {}
}

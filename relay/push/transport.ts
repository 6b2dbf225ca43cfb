// One way of reaching a phone's service worker. Web Push and FCM both take the same message
// (the JSON of a `PushMessage`) and say what became of it; the caller prunes "gone" targets.

import type { PushTarget } from "../store/store";

/** How the push service should treat one message. */
export interface PushDelivery {
  /** Seconds the push service keeps the message for a phone that is offline. */
  ttlSeconds: number;
  urgency: "normal" | "high";
  /** ≤ 32 base64url characters: an undelivered message with the same topic is replaced. */
  topic: string;
  /** Give up on the push service after this long. */
  timeoutMs: number;
}

export type PushResult =
  /** The push service took the message. */
  | "sent"
  /** The subscription or token no longer exists: forget it. */
  | "gone"
  /** Anything else (refused, unreachable, timed out): keep the target, this message is lost. */
  | "failed";

export interface PushOutcome {
  result: PushResult;
  /** An HTTP status or an error code, for the log; never a payload or an endpoint. */
  status?: number | string;
}

export interface PushTransport {
  readonly kind: PushTarget["kind"];
  /** Sends `message` to `target`. Never rejects: every failure is an outcome. */
  send(target: PushTarget, message: string, delivery: PushDelivery): Promise<PushOutcome>;
  /** Releases what the transport holds (FCM's app). Idempotent. */
  close(): Promise<void>;
}

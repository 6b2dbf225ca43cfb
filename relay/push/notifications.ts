// Sends a host's sealed notification to its phones: one push per phone that is paired with the
// host, not revoked, not muting it and subscribed; all in parallel, each with a deadline.
// Subscriptions the push service calls gone are forgotten. The relay cannot read a message.

import { createHash } from "node:crypto";
import { ErrorCode, TetherError, type PushMessage, type PushOffer, type PushSend } from "#protocol";
import type { Logger } from "../log";
import type { RelayMetrics } from "../metrics";
import type { PushSubscriptionRow, PushTarget, RelayStore } from "../store/store";
import { ExpiringMap } from "./recent";
import type { PushDelivery, PushResult, PushTransport } from "./transport";
import { isPushEndpoint } from "./webPush";

/**
 * Web Push's record size (4096) less the aes128gcm header (86) and one record's overhead (17);
 * FCM allows 4000 bytes of data, of which the key "message" takes 7. Larger would be refused.
 */
export const MAX_PUSH_MESSAGE_BYTES = 3993;
/** A day: an approval older than that has most likely been settled some other way. */
export const PUSH_TTL_SECONDS = 24 * 60 * 60;
/** Under the host's own 10 s deadline for `push:send`, so the host hears how it went. */
export const PUSH_SEND_TIMEOUT_MS = 8_000;
/**
 * How long a sent (host, tag, phone) is remembered. A host resends a notification whose answer
 * it missed (its link dropped) within seconds or minutes of the first try, so memory covers it.
 * A relay restart forgets, which costs at most one repeat that the phone shows under the same
 * tag, replacing the first; not worth a write to the store for every notification.
 */
const REMEMBER_SENT_MS = 15 * 60 * 1000;
const MAX_REMEMBERED = 50_000;

/** The Web Push `Topic` for a tag: ≤ 32 base64url characters, the same for the same notification. */
export function topicFor(hostId: string, tag: string): string {
  // Tags are chosen by each host, so the host id keeps two hosts' tags apart on one phone.
  return createHash("sha256").update(`${hostId}\n${tag}`).digest("base64url").slice(0, 32);
}

export interface PushServiceOptions {
  store: RelayStore;
  log: Logger;
  now: () => number;
  transports: readonly PushTransport[];
  /** What phones are told in `hello`. */
  offer: PushOffer;
  timeoutMs?: number;
  metrics?: RelayMetrics;
}

export class PushService {
  readonly offer: PushOffer;
  private readonly transports = new Map<PushTarget["kind"], PushTransport>();
  /** (host, tag, phone) → the send's result; a repeat gets the first send's result. */
  private readonly recent: ExpiringMap<Promise<PushResult>>;
  private readonly timeoutMs: number;
  private closed = false;

  constructor(private readonly options: PushServiceOptions) {
    this.offer = options.offer;
    for (const t of options.transports) this.transports.set(t.kind, t);
    this.recent = new ExpiringMap(REMEMBER_SENT_MS, MAX_REMEMBERED, options.now);
    this.timeoutMs = options.timeoutMs ?? PUSH_SEND_TIMEOUT_MS;
  }

  /** Why this relay cannot use `target`, or null when it can. */
  refusal(target: PushTarget): string | null {
    if (!this.transports.has(target.kind)) return `This relay does not send notifications through ${target.kind}.`;
    if (target.kind === "webpush" && !isPushEndpoint(target.subscription.endpoint)) {
      return "The push endpoint must be a public https URL.";
    }
    return null;
  }

  /** Sends to the host's phones; resolves with how many have it (sent now or before). */
  async notify(hostId: string, req: PushSend): Promise<number> {
    const message: PushMessage = { hostId, threadId: req.threadId, tag: req.tag, box: req.box };
    const json = JSON.stringify(message);
    if (Buffer.byteLength(json) > MAX_PUSH_MESSAGE_BYTES) {
      throw new TetherError(ErrorCode.TooLarge, `A notification may be at most ${MAX_PUSH_MESSAGE_BYTES} bytes as sent.`);
    }
    const delivery: PushDelivery = {
      ttlSeconds: PUSH_TTL_SECONDS,
      urgency: req.urgency,
      topic: topicFor(hostId, req.tag),
      timeoutMs: this.timeoutMs,
    };
    const rows = await this.options.store.pushSubscriptionsOfHost(hostId);
    const results = await Promise.all(
      rows.map((row) => this.sendOnce(`${hostId}/${req.tag}/${row.deviceId}`, row, json, delivery)),
    );
    const count = (r: PushResult): number => results.filter((x) => x === r).length;
    this.options.log.info("notification pushed", {
      host: hostId,
      tag: req.tag,
      phones: rows.length,
      sent: count("sent"),
      gone: count("gone"),
      failed: count("failed"),
    });
    return count("sent");
  }

  private sendOnce(key: string, row: PushSubscriptionRow, json: string, delivery: PushDelivery): Promise<PushResult> {
    const earlier = this.recent.get(key);
    if (earlier) return earlier;
    const result = this.send(row, json, delivery).then((r) => {
      this.options.metrics?.pushes.inc({ transport: row.target.kind, result: r });
      // Only a send that reached the push service counts as done; a failed one may be retried.
      if (r !== "sent") this.recent.delete(key);
      return r;
    });
    this.recent.set(key, result);
    return result;
  }

  private async send(row: PushSubscriptionRow, json: string, delivery: PushDelivery): Promise<PushResult> {
    const { log, store } = this.options;
    const transport = this.transports.get(row.target.kind);
    if (!transport) {
      // Subscribed while FCM was configured: kept for when it is again.
      log.warn("push skipped: no transport", { device: row.deviceId, kind: row.target.kind });
      return "failed";
    }
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<{ result: "failed"; status: string }>((resolve) => {
      timer = setTimeout(() => resolve({ result: "failed", status: "timeout" }), this.timeoutMs);
    });
    const outcome = await Promise.race([
      transport.send(row.target, json, delivery).catch(() => ({ result: "failed" as const, status: "error" })),
      deadline,
    ]);
    clearTimeout(timer);
    const fields = { device: row.deviceId, kind: row.target.kind, status: outcome.status };
    if (outcome.result === "gone" && !this.closed) {
      try {
        await store.deletePushSubscription(row.deviceId, row.target);
        log.info("push subscription gone, removed", fields);
      } catch (err) {
        // The next notification finds it gone again and tries again.
        log.warn("push subscription gone, not removed", { ...fields, error: (err as Error).message });
      }
    } else if (outcome.result === "failed") {
      log.warn("push failed", fields);
    }
    return outcome.result;
  }

  /** Stops pruning (the store is about to close) and releases the transports. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.recent.clear();
    await Promise.all([...this.transports.values()].map((t) => t.close().catch(() => undefined)));
  }
}

// Gets notifications to the relay: sealed at the moment they are sent (with the content key and
// host id current then), queued while the link is down, retried a few times when a send fails,
// and sent at most once per tag. It also remembers which tags went out, because only a
// notification that may be on a phone needs a "settled" to close it.

import { ErrorCode, seal, sealContext, failure, type Ack, type NotificationPayload, type PushSend } from "#protocol";
import { DisposableStore, listen } from "../disposable";
import type { LinkState } from "../link/relayLink";
import type { Log } from "../log";

/** What the outbox needs of the relay link (the `RelayLink` fits; tests pass a fake). */
export interface PushLink {
  readonly state: LinkState;
  /** The host's id at the relay, which is in the seal's context. */
  readonly deviceId: string;
  request(event: "push:send", payload: PushSend, timeoutMs?: number): Promise<Ack<{ sent: number }>>;
  on(event: "state", listener: (state: LinkState, detail: string | undefined) => void): unknown;
  off(event: "state", listener: (state: LinkState, detail: string | undefined) => void): unknown;
}

/** The key the payload is sealed with (the `HostIdentity` fits). */
export interface PushKeys {
  readonly epoch: number;
  contentKey(): CryptoKey | undefined;
}

export interface Notification {
  tag: string;
  threadId: string;
  payload: NotificationPayload;
  urgency: PushSend["urgency"];
  /** Dropped rather than sent after this time (a run that ended hours ago is old news). */
  expiresAt?: number;
}

export interface OutboxOptions {
  link: PushLink;
  keys: PushKeys;
  log: Log;
  now?: () => number;
  /** Waits before the second, third … attempt of a failed send. */
  retryDelaysMs?: readonly number[];
  /** Notifications kept while the link is down; past this the oldest less urgent ones go. */
  maxQueued?: number;
}

interface Queued extends Notification {
  /** An earlier attempt timed out, so the relay may have sent it: settling it must still close it. */
  maybeDelivered: boolean;
}

const DEFAULT_RETRY_DELAYS_MS = [1_000, 5_000];
const DEFAULT_MAX_QUEUED = 50;
/** Shorter than other requests: a notification late by a minute has lost most of its use. */
const SEND_TIMEOUT_MS = 10_000;
/** Tags remembered as sent, to refuse a second send and to know what a settle must close. */
const MAX_REMEMBERED = 2_000;
/** Answers that no retry will change. */
const FINAL_CODES: readonly string[] = [ErrorCode.BadRequest, ErrorCode.Forbidden, ErrorCode.TooLarge, ErrorCode.Unauthorized];

export class Outbox {
  private readonly queue = new Map<string, Queued>();
  /** Tags being sent or sent (possibly), oldest first. */
  private readonly sent = new Map<string, "sending" | "sent">();
  /** Settles that arrived while their notification was being sent. */
  private readonly settleAfter = new Map<string, Notification>();
  private readonly timers = new Set<{ timer: NodeJS.Timeout; wake: () => void }>();
  private readonly now: () => number;
  private readonly retryDelays: readonly number[];
  private readonly maxQueued: number;
  private readonly onState = (state: LinkState): void => {
    if (state === "open") this.flush();
  };
  private readonly disposables = new DisposableStore();

  constructor(private readonly options: OutboxOptions) {
    this.now = options.now ?? Date.now;
    this.retryDelays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.maxQueued = options.maxQueued ?? DEFAULT_MAX_QUEUED;
    this.disposables.add(listen(options.link, "state", this.onState));
    // Sends waiting between retries end now (they see the outbox closed), and nothing stays queued.
    this.disposables.defer(() => {
      for (const t of this.timers) {
        clearTimeout(t.timer);
        t.wake();
      }
      this.timers.clear();
      this.queue.clear();
      this.settleAfter.clear();
    });
  }

  private get closed(): boolean {
    return this.disposables.isDisposed;
  }

  /** Notifications waiting for the link. */
  get queued(): number {
    return this.queue.size;
  }

  /** Sends now, or when the link opens. A tag that was sent (or is being sent) is not sent again. */
  send(notification: Notification): void {
    if (this.closed || this.sent.has(notification.tag)) return;
    const earlier = this.queue.get(notification.tag);
    // The newest content wins, in the earlier one's place in the line.
    if (earlier) this.queue.set(notification.tag, { ...notification, maybeDelivered: earlier.maybeDelivered });
    else {
      if (this.queue.size >= this.maxQueued) this.evict();
      this.queue.set(notification.tag, { ...notification, maybeDelivered: false });
    }
    this.flush();
  }

  /**
   * Closes the notification `closeTag` on the phones with `settled`, but only if it may have
   * reached them: one still waiting in the queue is simply not sent, and one never sent needs
   * nothing (an unexpected push would only make the phone show something).
   */
  settle(closeTag: string, settled: Notification): void {
    if (this.closed) return;
    const waiting = this.queue.get(closeTag);
    if (waiting) {
      this.queue.delete(closeTag);
      if (waiting.maybeDelivered) this.send(settled);
      return;
    }
    const state = this.sent.get(closeTag);
    if (state === "sending") this.settleAfter.set(closeTag, settled);
    else if (state === "sent") this.send(settled);
  }

  close(): void {
    this.disposables.dispose();
  }

  private flush(): void {
    if (this.closed || this.options.link.state !== "open") return;
    const due = [...this.queue.values()];
    this.queue.clear();
    // Each on its own: a send that waits for retries holds up no other notification.
    for (const item of due) void this.deliver(item);
  }

  /** Sends with retries; never rejects. */
  private async deliver(item: Queued): Promise<void> {
    const { log, link } = this.options;
    if (item.expiresAt !== undefined && this.now() > item.expiresAt) {
      log.info("dropped a notification that waited too long", { tag: item.tag, thread: item.threadId });
      return;
    }
    this.remember(item.tag, "sending");
    for (let attempt = 0; ; attempt++) {
      if (this.closed) return;
      if (link.state !== "open") return this.requeue(item);
      const answer = await this.sendOnce(item);
      if (this.closed) return;
      if (answer.ok) {
        log.info("notification sent", { tag: item.tag, thread: item.threadId, phones: answer.sent });
        return this.delivered(item.tag);
      }
      // A timeout leaves it open whether the relay sent it; a closed link says nothing was tried.
      if (answer.code === ErrorCode.Timeout && link.state === "open") item.maybeDelivered = true;
      if (link.state !== "open") return this.requeue(item);
      if (FINAL_CODES.includes(answer.code) || attempt >= this.retryDelays.length) {
        log.warn("could not send a notification", {
          tag: item.tag,
          thread: item.threadId,
          code: answer.code,
          attempts: attempt + 1,
        });
        return item.maybeDelivered ? this.delivered(item.tag) : this.forget(item.tag);
      }
      await this.sleep(this.retryDelays[attempt]!);
    }
  }

  private async sendOnce(item: Queued): Promise<Ack<{ sent: number }>> {
    const { link, keys } = this.options;
    try {
      const key = keys.contentKey();
      if (!key) return failure(ErrorCode.Internal, "the host has no content key");
      const box = await seal(key, keys.epoch, item.payload, sealContext.push(link.deviceId, item.tag));
      return await link.request(
        "push:send",
        { threadId: item.threadId, tag: item.tag, box, urgency: item.urgency },
        SEND_TIMEOUT_MS,
      );
    } catch {
      return failure(ErrorCode.Internal, "could not seal or send the notification");
    }
  }

  private delivered(tag: string): void {
    this.remember(tag, "sent");
    const settled = this.settleAfter.get(tag);
    if (!settled) return;
    this.settleAfter.delete(tag);
    this.send(settled);
  }

  /** Back in line for the next time the link opens, unless it was settled meanwhile. */
  private requeue(item: Queued): void {
    this.sent.delete(item.tag);
    const settled = this.settleAfter.get(item.tag);
    if (settled) {
      this.settleAfter.delete(item.tag);
      if (item.maybeDelivered) this.send(settled);
      return;
    }
    if (this.queue.size >= this.maxQueued) this.evict();
    this.queue.set(item.tag, item);
  }

  private forget(tag: string): void {
    this.sent.delete(tag);
    this.settleAfter.delete(tag);
  }

  private remember(tag: string, state: "sending" | "sent"): void {
    this.sent.delete(tag);
    this.sent.set(tag, state);
    for (const [old, oldState] of this.sent) {
      if (this.sent.size <= MAX_REMEMBERED) break;
      if (oldState === "sent") this.sent.delete(old);
    }
  }

  /** Makes room: a finished or settled notification goes before an approval or a question. */
  private evict(): void {
    const victim = [...this.queue.values()].find((q) => q.urgency === "normal") ?? this.queue.values().next().value;
    if (!victim) return;
    this.queue.delete(victim.tag);
    this.options.log.warn("dropped a queued notification: too many waiting", { tag: victim.tag, queued: this.queue.size });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const entry = {
        wake: (): void => {
          this.timers.delete(entry);
          resolve();
        },
        timer: setTimeout(() => entry.wake(), ms),
      };
      this.timers.add(entry);
    });
  }
}

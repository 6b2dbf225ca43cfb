// A relay link that only takes `push:send`, for tests of what the host decides to notify. It
// checks every request against the wire schema, records what the relay would have sent, and
// opens each sealed payload the way a phone's service worker does.

import { EventEmitter } from "node:events";
import {
  ErrorCode,
  failure,
  notificationPayloadSchema,
  open,
  pushSendSchema,
  sealContext,
  type Ack,
  type NotificationPayload,
  type PushSend,
} from "#protocol";
import type { LinkState } from "../../extension/core/link/relayLink";
import type { PushLink } from "../../extension/core/notify/outbox";
import { until } from "./wait";

export interface Pushed {
  request: PushSend;
  payload: NotificationPayload;
}

export class FakePushLink extends EventEmitter<{ state: [state: LinkState, detail: string | undefined] }> implements PushLink {
  readonly deviceId = "host-fake-1";
  /** Every `push:send` that reached the relay, accepted or refused, in order. */
  readonly requests: PushSend[] = [];
  /** The requests the relay accepted (and so sent to the phones), in order. */
  readonly accepted: PushSend[] = [];
  /** Answers for the next requests; once used up, every request is accepted. */
  readonly answers: Ack<{ sent: number }>[] = [];
  private current: LinkState = "open";

  constructor(private readonly contentKey: CryptoKey) {
    super();
  }

  get state(): LinkState {
    return this.current;
  }

  /** Connects or disconnects, announcing it as the real link does. */
  setState(state: LinkState): void {
    this.current = state;
    this.emit("state", state, undefined);
  }

  async request(_event: "push:send", payload: PushSend): Promise<Ack<{ sent: number }>> {
    if (this.current !== "open") return failure(ErrorCode.Timeout, "not connected to the relay");
    const req = pushSendSchema.parse(payload);
    this.requests.push(req);
    const answer = this.answers.shift() ?? { ok: true, sent: 1 };
    if (answer.ok) this.accepted.push(req);
    return answer;
  }

  /** What the phones got, opened with the content key and the push context, and parsed. */
  async pushed(): Promise<Pushed[]> {
    const out: Pushed[] = [];
    for (const request of this.accepted) {
      const opened = await open(this.contentKey, request.box, sealContext.push(this.deviceId, request.tag));
      out.push({ request, payload: notificationPayloadSchema.parse(opened) });
    }
    return out;
  }

  /** Resolves with what the phones got once there are `count` of them; rejects after `ms`. */
  async waitForPushed(count: number, ms = 10_000): Promise<Pushed[]> {
    await until(`${count} notifications`, () => this.accepted.length >= count, ms).catch((err: Error) => {
      throw new Error(`${err.message}; got ${this.accepted.length}`);
    });
    return this.pushed();
  }
}

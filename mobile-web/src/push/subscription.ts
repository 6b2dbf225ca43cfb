// The browser's push subscription: made with the relay's VAPID key, made again when that key
// changes (a subscription is bound to the key it was made with), and turned into the
// `push:subscribe` request the relay expects.

import { fromBase64Url } from "#protocol/encoding";
import { pushSubscribeSchema, type PushSubscribe } from "#protocol/push";

/** The parts of `PushManager` used here. */
export interface PushManagerLike {
  getSubscription(): Promise<PushSubscriptionLike | null>;
  subscribe(options: { userVisibleOnly: true; applicationServerKey: Uint8Array<ArrayBuffer> }): Promise<PushSubscriptionLike>;
}

export interface PushSubscriptionLike {
  readonly options?: { readonly applicationServerKey: ArrayBuffer | null };
  toJSON(): unknown;
  unsubscribe(): Promise<boolean>;
}

/** Whether `subscription` was made with `vapidKey`; unknown (no `options`) counts as `remembered === vapidKey`. */
export function madeWithKey(subscription: PushSubscriptionLike, vapidKey: string, remembered: string | undefined): boolean {
  const key = subscription.options?.applicationServerKey;
  if (!key) return remembered === vapidKey;
  const want = fromBase64Url(vapidKey);
  const have = new Uint8Array(key);
  return have.length === want.length && have.every((byte, i) => byte === want[i]);
}

/**
 * The subscription for `vapidKey`: the current one if it was made with that key, otherwise
 * a new one (after dropping the old). Must follow a granted permission.
 */
export async function ensureSubscription(
  manager: PushManagerLike,
  vapidKey: string,
  remembered: string | undefined,
): Promise<PushSubscriptionLike> {
  const current = await manager.getSubscription();
  if (current && madeWithKey(current, vapidKey, remembered)) return current;
  await current?.unsubscribe().catch(() => false);
  return manager.subscribe({ userVisibleOnly: true, applicationServerKey: fromBase64Url(vapidKey) });
}

/** The request for the relay, or null when the browser's subscription is not one it can use. */
export function subscribeRequest(subscription: PushSubscriptionLike, muted: readonly string[]): PushSubscribe | null {
  const parsed = pushSubscribeSchema.safeParse({
    target: { kind: "webpush", subscription: subscription.toJSON() },
    muted: [...new Set(muted)],
  });
  return parsed.success ? parsed.data : null;
}

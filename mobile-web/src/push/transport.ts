// Which way the relay reaches this phone. Both ride on the browser's one push subscription and
// differ in the key it is made with and in what the relay is told: Web Push hands the relay
// the subscription (made with the relay's VAPID key); FCM hands it a token that Firebase gave
// for a subscription made with the Firebase project's key. FCM when the relay offers it.

import { pushSubscribeSchema, type PushOffer, type PushSubscribe } from "#protocol/push";
import type { PushPrefs } from "./prefs";

/**
 * The key the Firebase SDK subscribes with when the project names none (@firebase/messaging's
 * `DEFAULT_VAPID_KEY`). Needed here to check which key the current subscription has.
 */
export const FIREBASE_DEFAULT_VAPID_KEY =
  "BDOU99-h67HcA6JeFXHbSNMu7e2yNNu3RzoMj8TM4W88jITfq7ZmPvIM1Iv-4_l2LxQcYwhqby2xGpWwzjfAnG4";

export interface FcmTransport {
  kind: "fcm";
  /** The Firebase web config from the relay's offer; `vapidKey` in it is not for `initializeApp`. */
  config: Record<string, string>;
  vapidKey: string;
}

export type PushTransport = { kind: "webpush"; vapidKey: string } | FcmTransport;

/** Gets and drops FCM tokens: the Firebase web SDK in the app, a fake in tests. */
export interface FcmTokens {
  /** A token for this browser's current push subscription on the app's service worker. */
  getToken(transport: FcmTransport): Promise<string>;
  /** Revokes the token with FCM, and drops the subscription. */
  deleteToken(transport: FcmTransport): Promise<void>;
}

export function transportFor(offer: PushOffer): PushTransport {
  if (!offer.fcm) return { kind: "webpush", vapidKey: offer.vapidPublicKey };
  return { kind: "fcm", config: offer.fcm, vapidKey: offer.fcm.vapidKey ?? FIREBASE_DEFAULT_VAPID_KEY };
}

/** The key this phone remembers making its subscription with, when that was for `transport`'s kind. */
export function rememberedKey(prefs: PushPrefs, transport: PushTransport): string | undefined {
  return (prefs.transport ?? "webpush") === transport.kind ? prefs.vapidKey : undefined;
}

/** The request for the relay, or null when the token is not one it would take. */
export function fcmRequest(token: string, muted: readonly string[]): PushSubscribe | null {
  const parsed = pushSubscribeSchema.safeParse({ target: { kind: "fcm", token }, muted: [...new Set(muted)] });
  return parsed.success ? parsed.data : null;
}

/** What to remember once the relay was told: the transport, its key, and the token for FCM. */
export function sentPrefs(prefs: PushPrefs, request: PushSubscribe, vapidKey: string): PushPrefs {
  const { fcmToken: _previous, ...rest } = prefs;
  const sent: PushPrefs = { ...rest, enabled: true, transport: request.target.kind, vapidKey };
  if (request.target.kind === "fcm") sent.fcmToken = request.target.token;
  return sent;
}

// Push notifications: what a phone registers with the relay, what a host asks the relay to
// send, and what the sealed notification holds. The relay stores subscriptions and forwards
// sealed payloads; only the phone's service worker can open one (it holds the host's key).

import { z } from "./zod";
import { boxSchema, idSchema, threadIdSchema } from "./schemas";

/** A browser Push API subscription (`PushSubscription.toJSON()`), for Web Push with VAPID. */
export const webPushSubscriptionSchema = z.strictObject({
  /** Push services are reached over https only. */
  endpoint: z.url({ protocol: /^https$/ }).check(z.maxLength(2048)),
  expirationTime: z.optional(z.nullable(z.number())),
  keys: z.strictObject({
    /** The browser's ECDH P-256 public key, base64url. */
    p256dh: z.string().check(z.minLength(80), z.maxLength(100)),
    /** The 16-byte auth secret, base64url. */
    auth: z.string().check(z.minLength(16), z.maxLength(32)),
  }),
});
export type WebPushSubscription = z.infer<typeof webPushSubscriptionSchema>;

/** Phone → relay: where to reach this phone, and which of its hosts it wants to hear from. */
export const pushSubscribeSchema = z.strictObject({
  target: z.discriminatedUnion("kind", [
    z.strictObject({ kind: z.literal("webpush"), subscription: webPushSubscriptionSchema }),
    /** A Firebase Cloud Messaging registration token (relays configured with a service account). */
    z.strictObject({ kind: z.literal("fcm"), token: z.string().check(z.minLength(20), z.maxLength(4096)) }),
  ]),
  /** Hosts this phone does not want notifications from. */
  muted: z.array(idSchema).check(z.maxLength(200)),
});
export type PushSubscribe = z.infer<typeof pushSubscribeSchema>;

/** What the relay offers for push, sent in `hello` to phones (declared with `hello`). */
export { pushOfferSchema, type PushOffer } from "./schemas";

/** Host → relay: send a sealed notification to the host's phones. */
export const pushSendSchema = z.strictObject({
  threadId: threadIdSchema,
  /** Same tag, same notification: the relay sends each tag once, a phone shows it once, and a later one replaces it. */
  tag: idSchema,
  /** Sealed `NotificationPayload`, context `sealContext.push(hostId, tag)`. */
  box: boxSchema,
  /** Web Push urgency: approvals and questions are `high`, the rest `normal`. */
  urgency: z.enum(["normal", "high"]),
});
export type PushSend = z.infer<typeof pushSendSchema>;

/**
 * The FCM data field that carries a `PushMessage` as JSON. A browser's worker receives FCM's
 * own wrapper around it: `{"data":{"message":"…"},"from":"<sender id>","fcmMessageId":"…",…}`.
 */
export const FCM_DATA_KEY = "message";

/** What a push message carries (Web Push payload or FCM data), as JSON. Only `box` is secret. */
export const pushMessageSchema = z.strictObject({
  hostId: idSchema,
  threadId: threadIdSchema,
  tag: idSchema,
  box: boxSchema,
});
export type PushMessage = z.infer<typeof pushMessageSchema>;

/** Inside the box: what the notification says and what its buttons do. */
export const notificationPayloadSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("approval"),
    threadId: threadIdSchema,
    approvalId: z.string(),
    /** e.g. "Approve `npm test` in api-service?" */
    title: z.string().check(z.maxLength(200)),
    body: z.string().check(z.maxLength(500)),
  }),
  z.strictObject({
    type: z.literal("question"),
    threadId: threadIdSchema,
    questionId: z.string(),
    title: z.string().check(z.maxLength(200)),
    body: z.string().check(z.maxLength(500)),
  }),
  z.strictObject({
    type: z.literal("finished"),
    threadId: threadIdSchema,
    status: z.enum(["done", "failed"]),
    title: z.string().check(z.maxLength(200)),
    body: z.string().check(z.maxLength(500)),
  }),
  /** The approval or question was settled elsewhere: close its notification. */
  z.strictObject({ type: z.literal("settled"), threadId: threadIdSchema, closeTag: idSchema }),
]);
export type NotificationPayload = z.infer<typeof notificationPayloadSchema>;

/** `POST /api/command` (notification buttons): the same sealed command as the `command` socket event. */
export const HTTP_COMMAND_PATH = "/api/command";

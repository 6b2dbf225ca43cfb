// Wire payloads as the relay sees them: routing metadata in clear, everything else in a
// sealed `Box`. One zod schema per payload, with its inferred type; every inbound payload is
// parsed with its schema at the boundary.

import { z } from "./zod";
import { ErrorCode, type Failure } from "./errors";

/** Largest sealed payload the relay accepts in one event (ciphertext, base64url). */
export const MAX_BOX_CHARS = 2 * 1024 * 1024;

const base64url = z.string().check(z.regex(/^[A-Za-z0-9_-]*$/, "base64url"));

/** Relay-minted ids and client-chosen request ids: short, url-safe. */
export const idSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, "id"));

/** A thread id (chosen by the host) or `""` for host-wide streams. */
export const threadIdSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{0,64}$/, "thread id"));

/** A P-256 public key, raw uncompressed point (65 bytes), base64url. */
export const publicKeySchema = base64url.check(z.length(87));

/** A bearer token: 32 random bytes, base64url. */
export const tokenSchema = base64url.check(z.length(43));

/** AES-256-GCM ciphertext: key epoch, 96-bit IV, ciphertext with its 128-bit tag. */
export const boxSchema = z.strictObject({
  e: z.int().check(z.gte(1), z.lte(1_000_000)),
  iv: base64url.check(z.length(16)),
  ct: base64url.check(z.minLength(22), z.maxLength(MAX_BOX_CHARS)),
});
/** A sealed payload. What it holds is known only to the host and its phones. */
export type Box = z.infer<typeof boxSchema>;

/** `socket.handshake.auth`. A device without a token may only register or join a pairing. */
export const handshakeSchema = z.object({
  v: z.int(),
  token: z.optional(tokenSchema),
  /**
   * A phone that reads `events` (a host's stored events of one relay turn, in one packet) says
   * so here; without it the relay sends it one `event` each. A relay that predates batches
   * ignores the key (the object is not strict) and sends `event`, which such a phone reads too.
   */
  batches: z.optional(z.boolean()),
  /**
   * A viewer of a shared thread: the token its link derives (`shareToken`), instead of a device
   * token. A relay that predates shares ignores the key and leaves the socket anonymous.
   */
  share: z.optional(tokenSchema),
});
export type Handshake = z.infer<typeof handshakeSchema>;

export const deviceKindSchema = z.enum(["host", "phone"]);
export type DeviceKind = z.infer<typeof deviceKindSchema>;

// --- registration and pairing --------------------------------------------------------------

export const emptySchema = z.strictObject({});

export const pairJoinSchema = z.strictObject({
  slotId: idSchema,
  /** The phone's ECDH public key. */
  phoneKey: publicKeySchema,
  /** The phone's name, sealed with a key only the host can derive (see `sealContext.pairHello`). */
  hello: boxSchema,
  /** HMAC-SHA256 over both public keys, keyed by the secret in the QR code. */
  proof: base64url.check(z.length(43)),
});
export type PairJoin = z.infer<typeof pairJoinSchema>;

/** Relay → host: a phone asks to pair through one of the host's slots. */
export const pairRequestSchema = pairJoinSchema;
export type PairRequest = PairJoin;

export const pairDecideSchema = z.discriminatedUnion("accept", [
  z.strictObject({
    slotId: idSchema,
    accept: z.literal(true),
    /** The content key and host profile, sealed for the phone (see `sealContext.pairGrant`). */
    grant: boxSchema,
  }),
  z.strictObject({ slotId: idSchema, accept: z.literal(false), reason: z.enum(["declined", "bad-proof"]) }),
]);
export type PairDecide = z.infer<typeof pairDecideSchema>;

/** Relay → joining phone: how its pairing ended. */
export const pairResultSchema = z.union([
  z.object({
    ok: z.literal(true),
    hostId: idSchema,
    deviceId: idSchema,
    /** Present when the relay minted a new phone device; absent when an already paired phone added a host. */
    token: z.optional(tokenSchema),
    grant: boxSchema,
  }),
  z.object({ ok: z.literal(false), code: z.enum(["pair-declined", "slot-expired"]), message: z.string() }),
]);
export type PairResult = z.infer<typeof pairResultSchema>;

// --- presence ------------------------------------------------------------------------------

export const hostPresenceSchema = z.object({
  hostId: idSchema,
  online: z.boolean(),
  /** Epoch milliseconds of the host's last connection or disconnection. */
  lastSeen: z.number(),
});
export type HostPresence = z.infer<typeof hostPresenceSchema>;

/** What the relay offers for push, sent in `hello` to phones. */
export const pushOfferSchema = z.object({
  /** VAPID public key (raw P-256 point, base64url) for `pushManager.subscribe`. */
  vapidPublicKey: z.string(),
  /**
   * Present when the relay sends through FCM: the Firebase web config the PWA needs for a token
   * (apiKey, projectId, messagingSenderId, appId), and `vapidKey`, the project's Web Push
   * certificate key, when the operator gave one.
   */
  fcm: z.optional(z.record(z.string(), z.string())),
});
export type PushOffer = z.infer<typeof pushOfferSchema>;

export const helloSchema = z.object({
  v: z.int(),
  deviceId: idSchema,
  kind: deviceKindSchema,
  /** For a phone: the hosts it is paired with. For a host: empty. */
  hosts: z.array(hostPresenceSchema),
  /** The URL phones reach the relay at, when the operator set one; hosts put it in pairing links. */
  publicUrl: z.optional(z.string().check(z.maxLength(2048))),
  /** To phones: how this relay sends notifications; absent when it sends none. */
  push: z.optional(pushOfferSchema),
});
export type Hello = z.infer<typeof helloSchema>;

// --- devices -------------------------------------------------------------------------------

/** Host → relay: revoke one of the host's phones. */
export const phoneRevokeSchema = z.strictObject({ phoneId: idSchema });
export type PhoneRevoke = z.infer<typeof phoneRevokeSchema>;

/** Phone → relay: this phone leaves one host (unpairs itself). */
export const pairLeaveSchema = z.strictObject({ hostId: idSchema });
export type PairLeave = z.infer<typeof pairLeaveSchema>;

/** One of a host's phones as the relay sees it: whether it is connected, and when it last was. */
export const phoneStatusSchema = z.object({
  deviceId: idSchema,
  online: z.boolean(),
  /** Epoch milliseconds of the phone's last connection or disconnection. */
  lastSeen: z.number(),
  /** When the relay linked the phone to this host. */
  pairedAt: z.number(),
});
export type PhoneStatus = z.infer<typeof phoneStatusSchema>;

/** Relay → host: one of its phones connected or went away. */
export const phonePresenceSchema = z.omit(phoneStatusSchema, { pairedAt: true });
export type PhonePresence = z.infer<typeof phonePresenceSchema>;

/** Relay → host: a phone unpaired itself from this host. */
export const phoneLeftSchema = z.object({ deviceId: idSchema });
export type PhoneLeft = z.infer<typeof phoneLeftSchema>;

/** Relay → phone: a host no longer pairs with this phone (`host` revoked it, or this `phone` left). */
export const unpairedSchema = z.object({ hostId: idSchema, by: z.enum(["host", "phone"]) });
export type Unpaired = z.infer<typeof unpairedSchema>;

// --- sealed traffic --------------------------------------------------------------------------

export const rpcRequestSchema = z.strictObject({
  hostId: idSchema,
  id: idSchema,
  box: boxSchema,
});
export type RpcRequest = z.infer<typeof rpcRequestSchema>;

/** Relay → host: a phone's sealed call. `from` is the phone's device id. */
export const rpcForwardSchema = z.object({
  from: idSchema,
  id: idSchema,
  box: boxSchema,
});
export type RpcForward = z.infer<typeof rpcForwardSchema>;

export const publishSchema = z.strictObject({
  threadId: threadIdSchema,
  seq: z.int().check(z.gte(1)),
  box: boxSchema,
});
export type Publish = z.infer<typeof publishSchema>;

export const recordPutSchema = z.strictObject({
  key: idSchema,
  box: boxSchema,
});
export type RecordPut = z.infer<typeof recordPutSchema>;

/** Host → relay: forget a thread, its events and its summary record. */
export const threadDeleteSchema = z.strictObject({ threadId: threadIdSchema.check(z.minLength(1)) });
export type ThreadDelete = z.infer<typeof threadDeleteSchema>;

/** Relay → phone: a host deleted one of its threads. */
export const threadDeletedSchema = z.object({ hostId: idSchema, threadId: threadIdSchema });
export type ThreadDeleted = z.infer<typeof threadDeletedSchema>;

/** Phone → relay: a sealed command for one of its hosts (see `protocol/thread.ts`). */
export const commandRequestSchema = z.strictObject({
  hostId: idSchema,
  /** Chosen by the phone; the host applies each id at most once. */
  id: idSchema,
  box: boxSchema,
});
export type CommandRequest = z.infer<typeof commandRequestSchema>;

/** Relay → host: a phone's command, now or from the inbox. `from` is the phone's device id. */
export const commandForwardSchema = z.object({
  from: idSchema,
  id: idSchema,
  box: boxSchema,
  /** When the relay took it in, epoch milliseconds. */
  at: z.number(),
});
export type CommandForward = z.infer<typeof commandForwardSchema>;

/** Host → relay: an ephemeral thread event, fanned out to connected phones and not stored. */
export const livePublishSchema = z.strictObject({
  threadId: threadIdSchema,
  /** Increases with every live event of the host; part of the box's context. */
  n: z.int().check(z.gte(0)),
  box: boxSchema,
});
export type LivePublish = z.infer<typeof livePublishSchema>;

export const liveForwardSchema = z.object({
  hostId: idSchema,
  threadId: threadIdSchema,
  n: z.int().check(z.gte(0)),
  box: boxSchema,
});
export type LiveForward = z.infer<typeof liveForwardSchema>;

/** A durable thread event as stored and delivered: numbered per thread, sealed. */
export const storedEventSchema = z.object({
  hostId: idSchema,
  threadId: threadIdSchema,
  seq: z.int().check(z.gte(1)),
  box: boxSchema,
  at: z.number(),
});
export type StoredEvent = z.infer<typeof storedEventSchema>;

/**
 * Several stored events in the order the relay stored them, all of one host: what one turn of
 * the relay stored for it, sent as one packet to the phones that read batches.
 */
export const storedEventsSchema = z.array(storedEventSchema).check(z.minLength(1));
export type StoredEvents = z.infer<typeof storedEventsSchema>;

/** A latest-wins record (host profile, thread summary), sealed. */
export const storedRecordSchema = z.object({
  hostId: idSchema,
  key: idSchema,
  box: boxSchema,
  at: z.number(),
});
export type StoredRecord = z.infer<typeof storedRecordSchema>;

/**
 * Host → relay: a history page, one box holding a thread's events `from`..`to` (already
 * published), so a phone catching up opens one box instead of hundreds (historyPages.ts).
 */
export const pagePublishSchema = z.strictObject({
  threadId: threadIdSchema.check(z.minLength(1)),
  from: z.int().check(z.gte(1)),
  to: z.int().check(z.gte(1)),
  box: boxSchema,
});
export type PagePublish = z.infer<typeof pagePublishSchema>;

/** A history page as stored and served by sync. */
export const storedPageSchema = z.object({
  hostId: idSchema,
  threadId: threadIdSchema,
  from: z.int().check(z.gte(1)),
  to: z.int().check(z.gte(1)),
  box: boxSchema,
  at: z.number(),
});
export type StoredPage = z.infer<typeof storedPageSchema>;

export const syncSchema = z.strictObject({
  hostId: idSchema,
  /** Thread id → last sequence number the phone has. Threads not named start at 0. */
  cursors: z.record(threadIdSchema, z.int().check(z.gte(0))),
  limit: z.optional(z.int().check(z.gte(1), z.lte(5000))),
  /**
   * The phone reads history pages: the answer may carry pages before the events. A relay
   * older than this field refuses the request as `bad-request`; the phone asks again without.
   */
  pages: z.optional(z.boolean()),
});
export type SyncRequest = z.infer<typeof syncSchema>;

export const syncPageSchema = z.object({
  records: z.array(storedRecordSchema),
  /**
   * Only when asked for (`pages`): per thread, a chain of pages from the phone's cursor on, each
   * starting at or before the seq after the one before; `events` then go on after the last.
   */
  pages: z.optional(z.array(storedPageSchema)),
  events: z.array(storedEventSchema),
  /** True when more events remain: ask again with the advanced cursors. */
  more: z.boolean(),
  /**
   * Threads whose first events the relay deleted (retention) before this phone had them:
   * thread id → the first seq that may still be there. Absent when there are none.
   */
  trimmed: z.optional(z.record(threadIdSchema, z.int().check(z.gte(0)))),
});
export type SyncPage = z.infer<typeof syncPageSchema>;

// --- answers ---------------------------------------------------------------------------------

const knownCodes = new Set<string>(Object.values(ErrorCode));

/** A failure answer. A code this build does not know becomes `internal`, its message kept. */
export const failureSchema = z.pipe(
  z.object({ ok: z.literal(false), code: z.string(), message: z.string() }),
  z.transform((f): Failure => ({
    ok: false,
    code: knownCodes.has(f.code) ? (f.code as ErrorCode) : ErrorCode.Internal,
    message: f.message,
  })),
);

/** The schema of an answer `{ ok: true, ...shape } | Failure`, for parsing what an ack brings back. */
export function answerSchema<S extends z.core.$ZodShape>(shape: S) {
  return z.union([z.object({ ok: z.literal(true), ...shape }), failureSchema]);
}

/** A host's acknowledgement of a forwarded call or command (`HostAnswer`): its sealed reply or a failure. */
export const hostAnswerSchema = answerSchema({ box: boxSchema });

/** `connect_error`'s `data` when the relay refused a connection. */
export const connectErrorDataSchema = z.object({
  code: z.string(),
  message: z.string(),
  relayVersion: z.optional(z.number()),
  /** With `unauthorized`: the token was valid until its device was unpaired from its last host. */
  revoked: z.optional(z.boolean()),
});

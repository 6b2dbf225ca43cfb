// Read-only shares of one thread. The link is `https://RELAY/#share=HOST.THREAD.SHARE.SECRET`:
// the fragment never reaches the relay. From the secret both ends derive
// - a token the viewer shows the relay in its handshake; the relay keeps only its SHA-256 (the
//   verifier), bound to the host and thread, so the token opens nothing but that thread's
//   ciphertext, and only until the owner revokes the share;
// - a share key, which seals the share's record `s-<shareId>`: the thread's keys of every epoch
//   the host has (re-sealed after a rotation), so the viewer opens that thread and no other.

import { z } from "./zod";
import { sealContext } from "./contexts";
import { sha256Hex } from "./crypto";
import { deriveBytesFrom, deriveKeyFrom } from "./threadKeys";
import { fromBase64Url, randomBytes, toBase64Url } from "./encoding";
import { idSchema, threadIdSchema } from "./schemas";

export interface ShareLink {
  hostId: string;
  threadId: string;
  shareId: string;
  /** 32 random bytes, base64url. */
  secret: string;
}

const secretSchema = z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/));

export const SHARE_RECORD_PREFIX = "s-";
export const shareRecordKey = (shareId: string): string => `${SHARE_RECORD_PREFIX}${shareId}`;
/** The epoch field of a share record's box: it is sealed with the share key, which has none. */
export const SHARE_RECORD_EPOCH = 1;

export function newShareSecret(): string {
  return toBase64Url(randomBytes(32));
}

export function formatShareLink(relayUrl: string, link: ShareLink): string {
  const base = relayUrl.replace(/\/+$/, "");
  return `${base}/#share=${link.hostId}.${link.threadId}.${link.shareId}.${link.secret}`;
}

/** Reads a share link, or just its fragment. Returns null when it is not one. */
export function parseShareFragment(text: string): ShareLink | null {
  const match = /#share=([^.\s]+)\.([^.\s]+)\.([^.\s]+)\.([^.\s]+)\s*$/.exec(text.trim());
  if (!match) return null;
  const [, hostId, threadId, shareId, secret] = match;
  if (!idSchema.safeParse(hostId).success || !idSchema.safeParse(shareId).success) return null;
  if (!threadIdSchema.safeParse(threadId).success || threadId === "") return null;
  if (!secretSchema.safeParse(secret).success) return null;
  return { hostId: hostId!, threadId: threadId!, shareId: shareId!, secret: secret! };
}

const TOKEN_PURPOSE = "tether share token";
const KEY_PURPOSE = "tether share key";

/** What the viewer shows the relay: a bearer token like a device's (43 characters). */
export async function shareToken(secret: string): Promise<string> {
  return toBase64Url(await deriveBytesFrom(fromBase64Url(secret), TOKEN_PURPOSE));
}

/** What the relay keeps: the token's SHA-256, hex, as it keeps devices' tokens. */
export async function shareVerifier(secret: string): Promise<string> {
  return sha256Hex(await shareToken(secret));
}

/** The key the share's record is sealed with. */
export async function shareKey(secret: string): Promise<CryptoKey> {
  return deriveKeyFrom(fromBase64Url(secret), KEY_PURPOSE);
}

export const shareRecordContext = (hostId: string, shareId: string) => sealContext.record(hostId, shareRecordKey(shareId));

/** Inside the share record: which thread, who shares it, and its key in every epoch. */
export const shareRecordSchema = z.strictObject({
  threadId: threadIdSchema.check(z.minLength(1)),
  /** The host's name, for the viewer's banner. */
  host: z.string().check(z.maxLength(120)),
  /** The thread's keys, raw base64url, oldest epoch first. */
  keys: z.array(z.strictObject({ e: z.int().check(z.gte(1)), k: z.string().check(z.maxLength(64)) })).check(z.maxLength(10_000)),
  /**
   * Epochs at or before this sealed the thread with the content key (`thread-keys`' `from`):
   * what the thread holds from then cannot open for a viewer. Absent: none.
   */
  contentUntil: z.optional(z.int().check(z.gte(0))),
});
export type ShareRecord = z.infer<typeof shareRecordSchema>;

// --- the wire ---------------------------------------------------------------------------------

/** Host → relay: a share of one of its threads. */
export const shareCreateSchema = z.strictObject({
  shareId: idSchema,
  threadId: threadIdSchema.check(z.minLength(1)),
  /** SHA-256 (hex) of the share token: the relay never sees the token until a viewer shows it. */
  verifier: z.string().check(z.regex(/^[0-9a-f]{64}$/, "verifier")),
});
export type ShareCreate = z.infer<typeof shareCreateSchema>;

/** Host → relay: ends a share; its viewers are cut off and its token refused. */
export const shareRevokeSchema = z.strictObject({ shareId: idSchema });
export type ShareRevoke = z.infer<typeof shareRevokeSchema>;

/** Viewer → relay: the shared thread's events after `after`, and its two records. */
export const shareSyncSchema = z.strictObject({
  after: z.int().check(z.gte(0)),
  limit: z.optional(z.int().check(z.gte(1), z.lte(5000))),
});
export type ShareSync = z.infer<typeof shareSyncSchema>;
